using Microsoft.Data.Sqlite;

namespace DataHub.Testing;

/// <summary>
/// Another connection's write lock on a SQLite file (<c>BEGIN IMMEDIATE</c>), held until disposed: what makes a
/// writer on the same file wait out its command time limit and then fail with SQLITE_BUSY.
/// </summary>
public sealed class SqliteWriteLock : IAsyncDisposable
{
    private readonly SqliteConnection _connection;

    private SqliteWriteLock(SqliteConnection connection) => _connection = connection;

    public static async Task<SqliteWriteLock> TakeAsync(string databaseFile)
    {
        var connection = new SqliteConnection($"Data Source={databaseFile};Pooling=False");
        await connection.OpenAsync();
        await using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        await begin.ExecuteNonQueryAsync();
        return new SqliteWriteLock(connection);
    }

    public async ValueTask DisposeAsync()
    {
        await using (var rollback = _connection.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }
        await _connection.DisposeAsync();
    }

    /// <summary>
    /// Starts <paramref name="call"/> while the lock is held and lets go once <paramref name="host"/> logs that the
    /// database gave up on the command (ExecuteSql's busy line), so the call's first attempt is proven busy.
    /// Returns the call and whether that line was seen.
    /// </summary>
    public static async Task<(Task<HttpResponseMessage> Call, bool FirstAttemptWasBusy)> CallWhileLockedAsync(
        string databaseFile, RunningHost host, Func<Task<HttpResponseMessage>> call)
    {
        await using var held = await TakeAsync(databaseFile);
        var started = call();
        var busy = await host.Log.WaitForLineAsync("The database gave up on the command", TimeSpan.FromSeconds(20));
        return (started, busy);
    }
}
