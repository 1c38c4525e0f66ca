using System.Net;
using System.Text.Json.Nodes;
using DataHub.Testing;
using Npgsql;

namespace DataHub.DbActions.Tests;

/// <summary>
/// Retries against real faults on the throwaway PostgreSQL server: a server that is down when the call starts and back
/// moments later, a row lock held by another connection, and a failure that must not be retried.
/// </summary>
public sealed class RetryTests : HostFixture
{
    private string _connectionString = "";

    protected override async Task WriteSchemaAsync(TempDirectory schema)
    {
        // No pooling: each attempt opens a connection, so an outage is met where it proves nothing ran. A short lock
        // timeout turns a held row lock into a failure the server rolls back (SQLSTATE 55P03).
        _connectionString = await UsersSchema.CreateSeededPostgresDatabaseAsync();
        var store = new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false, Options = "-c lock_timeout=100" }.ConnectionString;
        schema.Write("shop/instance.json", $$"""
            { "dataStores": { "database": { "provider": "postgresql", "connectionString": {{JsonValue.Create(store).ToJsonString()}} } }, "maxRetries": 6 }
            """);
        schema.Write("shop/db.json", """
            {
              "reference": "db",
              "entities": {
                "rename": {
                  "execute": true, "processor": "ExecuteSql",
                  "processorConfig": {
                    "sql": "update users set name = ? where id = ?", "execute": true,
                    "parameters": [{ "reference": "name", "type": "string" }, { "reference": "filter.id", "type": "integer" }]
                  }
                }
              }
            }
            """);
    }

    [Test]
    public async Task A_call_made_while_postgresql_restarts_succeeds_on_a_retry()
    {
        await PostgresServer.PauseAsync();
        Task<HttpResponseMessage> call;
        bool firstAttemptFailed;
        try
        {
            call = RenameAsync(1, "Ada after the restart", retries: 6);
            // The server comes back only once the first attempt has met the outage.
            firstAttemptFailed = await Host.Log.WaitForLineAsync("The data store is unavailable", TimeSpan.FromSeconds(20));
        }
        finally
        {
            await PostgresServer.ResumeAsync();
            // The test's own pooled connections did not survive the restart.
            NpgsqlConnection.ClearAllPools();
        }
        using var response = await call;

        Assert.That(firstAttemptFailed, Is.True);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(int.Parse(response.Headers.GetValues("DataHub-Retries").Single(), System.Globalization.CultureInfo.InvariantCulture),
            Is.GreaterThanOrEqualTo(1));
        Assert.That(await NameAsync(1), Is.EqualTo("Ada after the restart"));
    }

    [Test]
    public async Task A_row_lock_held_by_another_connection_is_waited_out_by_retries()
    {
        await using var holder = new NpgsqlConnection(_connectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("select * from users where id = 2 for update", holder, transaction))
        {
            await lockRow.ExecuteNonQueryAsync();
        }

        var call = RenameAsync(2, "Brian after the lock", retries: 6);
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        await transaction.RollbackAsync();
        using var response = await call;

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(int.Parse(response.Headers.GetValues("DataHub-Retries").Single(), System.Globalization.CultureInfo.InvariantCulture),
            Is.GreaterThanOrEqualTo(1));
        Assert.That(await NameAsync(2), Is.EqualTo("Brian after the lock"));
    }

    [Test]
    public async Task A_failure_that_is_not_transient_is_never_retried()
    {
        using var response = await Host.PostJsonAsync("/_db/execute", """
            { "env": "testing", "product_tag": "shop", "event": "db:rename", "input": { "data": { "name": null }, "filter": { "id": 3 } }, "retries": 3 }
            """);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Headers.GetValues("DataHub-Retries").Single(), Is.EqualTo("0"));
    }

    [Test]
    public async Task Negative_retries_are_refused()
    {
        using var negative = await Host.Client.GetAsync("shop/db/rename?retries=-1");

        var body = JsonNode.Parse(await negative.Content.ReadAsStringAsync())!;
        Assert.That(negative.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Is.EqualTo("retries must be a whole number of 0 or more."));
    }

    private Task<HttpResponseMessage> RenameAsync(int id, string name, int retries) =>
        Host.PostJsonAsync("/_db/execute", $$"""
            { "env": "testing", "product_tag": "shop", "event": "db:rename", "input": { "data": { "name": "{{name}}" }, "filter": { "id": {{id}} } }, "retries": {{retries}} }
            """);

    private async Task<string> NameAsync(int id)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select name from users where id = {id}", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>
/// Retries against a real SQLite lock: another connection holds the database's write lock past the command's time
/// limit, so the first attempt meets SQLITE_BUSY; the lock is let go and the retry succeeds. A failure that is not
/// transient is answered at once.
/// </summary>
public sealed class SqliteRetryTests : HostFixture
{
    protected override async Task WriteSchemaAsync(TempDirectory schema)
    {
        await UsersSchema.WriteAsync(schema, UsersSchema.Sqlite);
        schema.Write("shop/instance.json", """
            { "dataStores": { "database": { "provider": "sqlite", "connectionString": "Data Source=data/users.db", "seed": "data/seed.sql", "commandTimeoutSeconds": 1 } } }
            """);
    }

    [Test]
    public async Task A_write_lock_held_by_another_connection_is_busy_and_waited_out_by_a_retry()
    {
        var (call, firstAttemptWasBusy) = await SqliteWriteLock.CallWhileLockedAsync(
            Path.Combine(Schema.Path, "shop", "data", "users.db"), Host, () => RenameAsync(2, "Brian after the lock", retries: 3));
        using var response = await call;
        using var read = await Host.Client.GetAsync("shop/db/get_user?filter=" + Uri.EscapeDataString("""{"id":2}"""));

        Assert.That(firstAttemptWasBusy, Is.True);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(int.Parse(response.Headers.GetValues("DataHub-Retries").Single(), System.Globalization.CultureInfo.InvariantCulture),
            Is.GreaterThanOrEqualTo(1));
        Assert.That(await read.Content.ReadAsStringAsync(), Is.EqualTo("""[{"id":2,"name":"Brian after the lock"}]"""));
    }

    [Test]
    public async Task A_failure_that_is_not_transient_is_never_retried()
    {
        using var response = await Host.PostJsonAsync("/_db/execute", """
            { "env": "testing", "product_tag": "shop", "event": "db:update_user", "input": { "data": { "name": null }, "filter": { "id": 3 } }, "retries": 3 }
            """);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.GetValues("DataHub-Retries").Single(), Is.EqualTo("0"));
    }

    private Task<HttpResponseMessage> RenameAsync(int id, string name, int retries) =>
        Host.PostJsonAsync("/_db/execute", $$"""
            { "env": "testing", "product_tag": "shop", "event": "db:update_user", "input": { "data": { "name": "{{name}}" }, "filter": { "id": {{id}} } }, "retries": {{retries}} }
            """);
}
