using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataHub.Client;

/// <summary>
/// Calls a DataHub host over an <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is the host's.
/// Register it as a typed client (<c>services.AddHttpClient&lt;DataHubClient&gt;(c =&gt; c.BaseAddress = …)</c>) or
/// hand it any HttpClient; it never disposes the one it is given. Every failure answer becomes a
/// <see cref="DataHubException"/>.
/// </summary>
public sealed class DataHubClient
{
    internal static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;

    /// <param name="httpClient">A client whose BaseAddress is the DataHub host, such as <c>http://datahub:8080/</c>.</param>
    public DataHubClient(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _http = httpClient;
        Db = new DbActions(this);
    }

    /// <summary>Database actions the Ductape way: <c>hub.Db.ExecuteAsync(new DbActionInput { … })</c>.</summary>
    public DbActions Db { get; }

    /// <summary>
    /// Runs <c>/{instance}/{system}/{entity}</c> with <paramref name="data"/> (any object that serialises to a JSON
    /// object or array, or null) as the POST body, and returns the answer as JSON.
    /// </summary>
    public Task<JsonNode?> ExecuteAsync(string instance, string system, string entity, object? data = null, CancellationToken cancellationToken = default) =>
        ExecuteAsync<JsonNode>(instance, system, entity, data, cancellationToken);

    /// <summary>As <see cref="ExecuteAsync(string, string, string, object?, CancellationToken)"/>, reading the answer as <typeparamref name="T"/>.</summary>
    public Task<T?> ExecuteAsync<T>(string instance, string system, string entity, object? data = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instance);
        ArgumentException.ThrowIfNullOrEmpty(system);
        ArgumentException.ThrowIfNullOrEmpty(entity);
        var path = $"{Uri.EscapeDataString(instance)}/{Uri.EscapeDataString(system)}/{Uri.EscapeDataString(entity)}";
        return PostAsync<T>(path, data ?? new JsonObject(), cancellationToken);
    }

    internal async Task<T?> PostAsync<T>(string path, object body, CancellationToken cancellationToken)
    {
        using var content = JsonContent.Create(body, body.GetType(), options: SerializerOptions);
        using var response = await _http.PostAsync(path, content, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await DataHubException.FromResponseAsync(response, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(SerializerOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new DataHubException(response.StatusCode, null, $"The answer could not be read as {typeof(T).Name}.", null, e);
        }
    }
}
