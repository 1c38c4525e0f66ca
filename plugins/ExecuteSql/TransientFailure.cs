using System.Data.Common;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>Which failures may be retried: those that prove nothing was committed.</summary>
internal static class TransientFailure
{
    // PostgreSQL's "lock not available": the server rolled the statement back. Serialization failures and deadlocks
    // are the stores' Busy kind on every provider.
    private const string LockNotAvailable = "55P03";

    /// <summary>
    /// True for a store that could not be reached before any connection opened, and for statements the database
    /// rolled back. A connection lost after it opened is not: the command may have committed.
    /// </summary>
    public static bool ProvesNoCommit(Exception exception, bool opened, DataStoreError error) =>
        (!opened && error.Kind == DataStoreErrorKind.Unavailable)
        || error.Kind == DataStoreErrorKind.Busy
        || exception is DbException { SqlState: LockNotAvailable };
}
