using System.Data.Common;
using System.Globalization;
using DataHub.Plugins;

namespace DataHub.Host.DataStores;

/// <summary>What the host's stores share: a name, a pooled data source, a time limit and safe error messages.</summary>
internal abstract class SqlDataStore(string name, string provider, TimeSpan commandTimeout) : IDataStore, IAsyncDisposable
{
    public string Name { get; } = name;

    public string Provider { get; } = provider;

    public abstract DbDataSource DataSource { get; }

    public TimeSpan CommandTimeout { get; } = commandTimeout;

    public abstract DataStoreError? DescribeError(Exception exception);

    /// <summary>Gets the store ready at host start; only SQLite has anything to do (folder, seed).</summary>
    public virtual Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public abstract ValueTask DisposeAsync();

    protected DataStoreError Rejected(string databaseMessage) => new(DataStoreErrorKind.Rejected, databaseMessage);

    protected DataStoreError Conflict(string databaseMessage) => new(DataStoreErrorKind.Conflict, databaseMessage);

    /// <summary>The database's words name the object refused, which only a caller who wrote the SQL may see.</summary>
    protected DataStoreError Forbidden(string databaseMessage) =>
        new(DataStoreErrorKind.Forbidden, $"The data store '{Name}' does not allow its user to run the command.")
        {
            DatabaseMessage = databaseMessage,
        };

    protected DataStoreError Busy() =>
        new(DataStoreErrorKind.Busy, $"The data store '{Name}' gave up on the command to keep transactions apart; retry the call.");

    protected DataStoreError Unavailable() =>
        new(DataStoreErrorKind.Unavailable, $"The data store '{Name}' cannot be reached.");

    protected DataStoreError TimedOut() =>
        new(DataStoreErrorKind.Timeout,
            string.Create(CultureInfo.InvariantCulture,
                $"The data store '{Name}' did not finish the command within its time limit of {CommandTimeout.TotalSeconds:0.###} seconds."));

    /// <summary>
    /// Only a code: the database's words may quote the SQL, which is the schema's business, not the caller's. They go
    /// in <see cref="DataStoreError.DatabaseMessage"/> for a caller who wrote the SQL.
    /// </summary>
    protected DataStoreError Failed(string code, string? databaseMessage = null) =>
        new(DataStoreErrorKind.Failed, $"The data store '{Name}' could not run the command ({code}).") { DatabaseMessage = databaseMessage };
}
