using System.Data.Common;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>Which failures may be retried: those that prove nothing was committed.</summary>
internal static class TransientFailure
{
    // PostgreSQL serialization failure, deadlock and lock not available: the server rolled the statement, and any
    // transaction around it, back.
    private static readonly HashSet<string> _rolledBack = new(StringComparer.Ordinal) { "40001", "40P01", "55P03" };

    /// <summary>
    /// True for a store that could not be reached before any connection opened, and for statements the database
    /// rolled back. A connection lost after it opened is not: the command may have committed.
    /// </summary>
    public static bool ProvesNoCommit(Exception exception, bool opened, DataStoreError error) =>
        (!opened && error.Kind == DataStoreErrorKind.Unavailable)
        || (exception is DbException { SqlState: { } state } && _rolledBack.Contains(state));
}
