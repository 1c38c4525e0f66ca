using System.Text.Json.Nodes;

namespace DataHub.Client;

/// <summary>The Ductape-shaped call, <c>POST /_db/execute</c>: <c>hub.Db.ExecuteAsync(new DbActionInput { … })</c>.</summary>
public sealed class DbActions
{
    /// <summary>The host's reserved path for the call.</summary>
    public const string Path = "_db/execute";

    private readonly DataHubClient _client;

    internal DbActions(DataHubClient client) => _client = client;

    /// <summary>Runs the database action and returns its answer as JSON.</summary>
    public Task<JsonNode?> ExecuteAsync(DbActionInput input, CancellationToken cancellationToken = default) =>
        ExecuteAsync<JsonNode>(input, cancellationToken);

    /// <summary>Runs the database action and reads its answer as <typeparamref name="T"/>.</summary>
    public Task<T?> ExecuteAsync<T>(DbActionInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return _client.PostAsync<T>(Path, input, cancellationToken);
    }
}
