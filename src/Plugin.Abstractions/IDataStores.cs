using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace DataHub.Plugins;

/// <summary>The data stores an instance configures in its <c>instance.json</c>, by name.</summary>
public interface IDataStores
{
    /// <summary>The configured store names.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Finds a store by name (ignoring case).</summary>
    bool TryGet(string name, [NotNullWhen(true)] out IDataStore? store);
}

/// <summary>One configured, pooled database. Owned by the host; shared by every request and plug-in.</summary>
public interface IDataStore
{
    /// <summary>The store's name in <c>instance.json</c>.</summary>
    string Name { get; }

    /// <summary>One of <see cref="DataStoreProviders"/>: says which SQL dialect the store speaks.</summary>
    string Provider { get; }

    /// <summary>Opens pooled connections and creates commands. Do not dispose it.</summary>
    DbDataSource DataSource { get; }

    /// <summary>The configured time limit for one command.</summary>
    TimeSpan CommandTimeout { get; }

    /// <summary>
    /// Says what a failure raised while using this store means for the caller, with a message that is safe to
    /// return (the database's own words, never a connection string). Null when the exception is not the store's.
    /// </summary>
    DataStoreError? DescribeError(Exception exception);
}

/// <summary>The provider names <see cref="IDataStore.Provider"/> takes.</summary>
public static class DataStoreProviders
{
    /// <summary>SQLite through Microsoft.Data.Sqlite.</summary>
    public const string Sqlite = "sqlite";
    /// <summary>PostgreSQL through Npgsql.</summary>
    public const string PostgreSql = "postgresql";
    /// <summary>SQL Server through Microsoft.Data.SqlClient.</summary>
    public const string SqlServer = "sqlserver";
}

/// <summary>
/// What a data store failure means for the caller. docs/database-errors.md lists the database error classes behind
/// each kind and the HTTP status ExecuteSql answers with.
/// </summary>
public enum DataStoreErrorKind
{
    /// <summary>The database refused the caller's data: a not-null or check constraint, a type or a value. The caller's to fix (400).</summary>
    Rejected,
    /// <summary>The database could not be reached (503).</summary>
    Unavailable,
    /// <summary>The command ran past its time limit, or was cancelled by the database (504).</summary>
    Timeout,
    /// <summary>Anything else: the operator's to look at (500).</summary>
    Failed,
    /// <summary>The data conflicts with what is stored: a unique or foreign-key violation (409). Since contract 1.2.</summary>
    Conflict,
    /// <summary>The store's database user may not do this (403). Since contract 1.2.</summary>
    Forbidden,
    /// <summary>
    /// The database gave up on the command to keep transactions apart (a serialization failure, a deadlock, SQLite busy): the
    /// same call may succeed if retried (503 with Retry-After). Since contract 1.2.
    /// </summary>
    Busy,
}

/// <summary>A data store failure, classified, with a message safe to show the caller.</summary>
public sealed record DataStoreError(DataStoreErrorKind Kind, string Message)
{
    /// <summary>
    /// The database's own words about a statement it could not run (syntax, a missing table), when
    /// <see cref="Message"/> gives only a code. They may quote the SQL, so they are for the caller only when the SQL
    /// is the caller's (ExecuteSql's passThrough), never for a schema author's statement. Since contract 1.2.
    /// </summary>
    public string? DatabaseMessage { get; init; }

    /// <summary>
    /// The HTTP status the caller is answered with, by <see cref="Kind"/>: the one table in docs/database-errors.md,
    /// shared by every plug-in that reports store failures. Since contract 1.2.
    /// </summary>
    public int HttpStatus => Kind switch
    {
        DataStoreErrorKind.Rejected => 400,
        DataStoreErrorKind.Forbidden => 403,
        DataStoreErrorKind.Conflict => 409,
        DataStoreErrorKind.Unavailable or DataStoreErrorKind.Busy => 503,
        DataStoreErrorKind.Timeout => 504,
        _ => 500,
    };
}
