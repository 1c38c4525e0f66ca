using System.Data.Common;
using System.Net.Sockets;
using DataHub.Plugins;
using Npgsql;

namespace DataHub.Host.DataStores;

/// <summary>A PostgreSQL database through one pooled <see cref="NpgsqlDataSource"/>.</summary>
internal sealed class PostgreSqlDataStore : SqlDataStore
{
    // Npgsql's own text when a connection string does not ask for error details.
    private const string RedactedDetailPrefix = "Detail redacted";

    /// <summary>
    /// Statements prepared per connection unless the connection string says otherwise. ExecuteSql's statements are
    /// fixed and parameterised, so PostgreSQL then parses and plans each once per connection, not once per call.
    /// </summary>
    private const int DefaultMaxAutoPrepare = 64;

    private const string MaxAutoPrepareKeyword = "Max Auto Prepare";

    private readonly NpgsqlDataSource _dataSource;

    private PostgreSqlDataStore(string name, NpgsqlDataSource dataSource, TimeSpan commandTimeout)
        : base(name, DataStoreProviders.PostgreSql, commandTimeout) => _dataSource = dataSource;

    public override DbDataSource DataSource => _dataSource;

    public static PostgreSqlDataStore? Create(string name, DataStoreSettings settings, ICollection<string> errors, string? poolName = null)
    {
        NpgsqlDataSourceBuilder builder;
        try
        {
            builder = new NpgsqlDataSourceBuilder(settings.ConnectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            errors.Add("connectionString is not a valid PostgreSQL connection string.");
            return null;
        }
        // The builder's canonical string lists only the keywords that were set, whatever spelling was used.
        if (!builder.ConnectionStringBuilder.ConnectionString.Contains(MaxAutoPrepareKeyword + "=", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }
        builder.Name = poolName ?? name;
        return new PostgreSqlDataStore(name, builder.Build(), settings.CommandTimeout);
    }

    public override DataStoreError? DescribeError(Exception exception) => exception switch
    {
        PostgresException postgres => DescribeServerError(postgres),
        NpgsqlException { InnerException: TimeoutException } => TimedOut(),
        NpgsqlException { InnerException: SocketException or IOException } => Unavailable(),
        NpgsqlException => Failed("connection error"),
        _ => null,
    };

    // https://www.postgresql.org/docs/current/errcodes-appendix.html; PostgREST's mapping is the model.
    private DataStoreError DescribeServerError(PostgresException e) => e.SqlState switch
    {
        PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation => Conflict(DatabaseMessage(e)),
        // Other integrity constraints (not-null, check, exclusion), bad data, a value of the wrong type for its column.
        ['2', '3', ..] or ['2', '2', ..] or PostgresErrorCodes.DatatypeMismatch => Rejected(DatabaseMessage(e)),
        PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected => Busy(),
        PostgresErrorCodes.QueryCanceled => TimedOut(),
        PostgresErrorCodes.InsufficientPrivilege => Forbidden(DatabaseMessage(e)),
        // Connection failures, server shutting down or full, login refused, no such database.
        ['0', '8', ..] or ['5', '3', ..] or ['2', '8', ..] or ['5', '7', 'P', ..] or PostgresErrorCodes.InvalidCatalogName
            => Unavailable(),
        var code => Failed($"SQLSTATE {code}", DatabaseMessage(e)),
    };

    private static string DatabaseMessage(PostgresException e) =>
        string.IsNullOrEmpty(e.Detail) || e.Detail.StartsWith(RedactedDetailPrefix, StringComparison.Ordinal)
            ? e.MessageText
            : $"{e.MessageText}: {e.Detail}";

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
