using System.Data.Common;
using System.Globalization;
using DataHub.Plugins;
using Microsoft.Data.SqlClient;

namespace DataHub.Host.DataStores;

/// <summary>A SQL Server database through SqlClient's own connection pool.</summary>
internal sealed class SqlServerDataStore : SqlDataStore
{
    // https://learn.microsoft.com/sql/relational-databases/errors-events/database-engine-events-and-errors
    private static readonly HashSet<int> _conflictNumbers =
    [
        2627, 2601, // duplicate key (constraint, unique index)
    ];

    /// <summary>547 is a foreign key or a check constraint; its message says which.</summary>
    private const int ConstraintConflictNumber = 547;

    private static readonly HashSet<int> _rejectedNumbers =
    [
        547, // check constraint (a foreign key is a conflict)
        515, // null into a not-null column
        8152, 2628, // string or binary data would be truncated
        245, 8114, 241, 242, 295, 8169, // conversion failed, out-of-range date
        220, 232, 8115, // arithmetic overflow
        8134, // divide by zero
    ];

    private static readonly HashSet<int> _unavailableNumbers =
    [
        -1, 2, 53, 26, 40, 121, 233, // no network path to the server
        10053, 10054, 10060, 10061, 11001, // socket errors
        4060, 18456, // database cannot be opened, login failed
        40613, 40197, 40501, // Azure SQL unavailable or busy
    ];

    private static readonly HashSet<int> _busyNumbers =
    [
        1205, // chosen as a deadlock victim
        3960, 3961, // snapshot isolation update conflict
    ];

    private static readonly HashSet<int> _forbiddenNumbers =
    [
        229, 230, 262, 297, 300, 916, // permission denied
    ];

    private const int TimeoutNumber = -2;

    /// <summary>
    /// Severity 16 and below are errors the statement's author can correct (syntax, missing objects); the
    /// message is the database's own words about the statement.
    /// </summary>
    private const byte UserCorrectableSeverity = 16;

    /// <summary>Severity 20 and up closes the connection; on Linux a refused or unresolvable server is number 0 at 20.</summary>
    private const byte FatalSeverity = 20;

    private readonly string _connectionString;

    private SqlServerDataStore(string name, string connectionString, TimeSpan commandTimeout)
        : base(name, DataStoreProviders.SqlServer, commandTimeout)
    {
        _connectionString = connectionString;
        DataSource = SqlClientFactory.Instance.CreateDataSource(connectionString);
    }

    public override DbDataSource DataSource { get; }

    public static SqlServerDataStore? Create(string name, DataStoreSettings settings, ICollection<string> errors)
    {
        try
        {
            _ = new SqlConnectionStringBuilder(settings.ConnectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            errors.Add("connectionString is not a valid SQL Server connection string.");
            return null;
        }
        if (!CulturesAvailable())
        {
            errors.Add("SQL Server needs the host to run with ICU: SqlClient does not support InvariantGlobalization "
                + "(set <InvariantGlobalization>false</InvariantGlobalization> for the host and install libicu).");
            return null;
        }
        return new SqlServerDataStore(name, settings.ConnectionString, settings.CommandTimeout);
    }

    /// <summary>SqlClient looks up en-US on every open, which fails in invariant globalization mode.</summary>
    private static bool CulturesAvailable()
    {
        try
        {
            return CultureInfo.GetCultureInfo("en-US").Name.Length > 0;
        }
        catch (CultureNotFoundException)
        {
            return false;
        }
    }

    public override DataStoreError? DescribeError(Exception exception)
    {
        if (exception is not SqlException sql)
        {
            return null;
        }
        var number = sql.Number;
        if (number == TimeoutNumber)
        {
            return TimedOut();
        }
        if (_conflictNumbers.Contains(number)
            || (number == ConstraintConflictNumber && (sql.Message.Contains("FOREIGN KEY", StringComparison.Ordinal)
                || sql.Message.Contains("REFERENCE constraint", StringComparison.Ordinal))))
        {
            return Conflict(sql.Message);
        }
        if (_rejectedNumbers.Contains(number))
        {
            return Rejected(sql.Message);
        }
        if (_busyNumbers.Contains(number))
        {
            return Busy();
        }
        if (_forbiddenNumbers.Contains(number))
        {
            return Forbidden(sql.Message);
        }
        if (_unavailableNumbers.Contains(number) || sql.Class >= FatalSeverity)
        {
            return Unavailable();
        }
        return Failed($"SQL Server error {number}", sql.Class <= UserCorrectableSeverity ? sql.Message : null);
    }

    public override ValueTask DisposeAsync()
    {
        SqlConnection.ClearPool(new SqlConnection(_connectionString));
        return DataSource.DisposeAsync();
    }
}
