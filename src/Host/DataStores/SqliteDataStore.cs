using System.Data.Common;
using DataHub.Plugins;
using Microsoft.Data.Sqlite;

namespace DataHub.Host.DataStores;

/// <summary>An embedded SQLite database; a file one may be created and seeded at host start.</summary>
internal sealed class SqliteDataStore : SqlDataStore
{
    // https://www.sqlite.org/rescode.html (primary result codes)
    private const int SqliteError = 1;
    private const int SqlitePerm = 3;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteCantOpen = 14;
    private const int SqliteTooBig = 18;
    private const int SqliteConstraint = 19;
    private const int SqliteMismatch = 20;
    private const int SqliteAuth = 23;
    private const int SqliteNotADatabase = 26;
    private const int SqliteInterrupt = 9;

    // https://www.sqlite.org/rescode.html#extrc (extended result codes of SQLITE_CONSTRAINT)
    private const int SqliteConstraintForeignKey = 787;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    private readonly string _connectionString;
    private readonly string? _filePath;
    private readonly string? _seedFile;

    private SqliteDataStore(string name, string connectionString, string? filePath, DataStoreSettings settings)
        : base(name, DataStoreProviders.Sqlite, settings.CommandTimeout)
    {
        _connectionString = connectionString;
        _filePath = filePath;
        _seedFile = settings.SeedFile;
        DataSource = SqliteFactory.Instance.CreateDataSource(connectionString);
    }

    public override DbDataSource DataSource { get; }

    public static SqliteDataStore? Create(string name, DataStoreSettings settings, string instanceDirectory, ICollection<string> errors)
    {
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(settings.ConnectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            errors.Add("connectionString is not a valid SQLite connection string.");
            return null;
        }

        var inMemory = builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:";
        if (inMemory && settings.SeedFile is not null)
        {
            errors.Add("seed needs a database file, not an in-memory database.");
            return null;
        }
        string? filePath = null;
        if (!inMemory && !builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            // The instance folder, not the host's working directory, is where a relative file belongs.
            filePath = Path.GetFullPath(builder.DataSource, instanceDirectory);
            builder.DataSource = filePath;
        }
        return new SqliteDataStore(name, builder.ToString(), filePath, settings);
    }

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_filePath is null)
        {
            return;
        }
        var isNew = !File.Exists(_filePath);
        Directory.CreateDirectory(Path.GetDirectoryName(_filePath)!);
        if (isNew && _seedFile is not null)
        {
            await SeedAsync(_seedFile, cancellationToken);
        }
    }

    private async Task SeedAsync(string seedFile, CancellationToken cancellationToken)
    {
        var script = await File.ReadAllTextAsync(seedFile, cancellationToken);
        try
        {
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = script;
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (SqliteException e)
        {
            // A half-made file would never be seeded again: remove it so the next start retries.
            SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
            File.Delete(_filePath!);
            throw new InvalidOperationException(
                $"data store '{Name}': the seed file '{Path.GetFileName(seedFile)}' failed: {e.Message}", e);
        }
    }

    public override DataStoreError? DescribeError(Exception exception)
    {
        if (exception is not SqliteException sqlite)
        {
            return null;
        }
        return sqlite.SqliteErrorCode switch
        {
            SqliteConstraint when sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey
                or SqliteConstraintForeignKey => Conflict(sqlite.Message),
            SqliteConstraint or SqliteMismatch or SqliteTooBig => Rejected(sqlite.Message),
            // SQLite waits for another connection's lock up to the command's time limit and then reports busy: the
            // statement did not run (a transaction it was part of is rolled back), so the call may be retried.
            SqliteBusy => Busy(),
            SqliteLocked or SqliteInterrupt => TimedOut(),
            SqliteCantOpen or SqliteNotADatabase => Unavailable(),
            SqlitePerm or SqliteAuth => Forbidden(sqlite.Message),
            SqliteError => Failed($"SQLite error {SqliteError}", sqlite.Message),
            var code => Failed($"SQLite error {code}"),
        };
    }

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; a disposed store must let it go.
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
        return DataSource.DisposeAsync();
    }
}
