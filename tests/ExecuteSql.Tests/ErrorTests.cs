using System.Text.Json.Nodes;
using DataHub.ExecuteSql.Tests.Support;
using DataHub.Host.DataStores;
using DataHub.Plugins;
using DataHub.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataHub.ExecuteSql.Tests;

/// <summary>Database failures become clear errors with the right status, and nothing of the connection leaks.</summary>
[TestFixture(DataStoreProviders.Sqlite)]
[TestFixture(DataStoreProviders.PostgreSql)]
public sealed class ErrorTests(string provider) : ProviderFixture(provider)
{
    [Test]
    public async Task A_check_constraint_violation_is_status_25_with_the_databases_message()
    {
        var context = await Instance.RunAsync(TestSchema.AddOrder, """{"product_id":"p","quantity":-1}""");

        Assert.That(context.Status, Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(context.ErrorMessage, Does.Contain("check constraint").IgnoreCase);
    }

    [Test]
    public async Task A_null_into_a_required_column_is_status_25()
    {
        var context = await Instance.RunAsync(TestSchema.AddOrder, """{"quantity":1}""");

        Assert.That(context.Status, Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(context.ErrorMessage, Does.Contain("product_id"));
    }

    [Test]
    public async Task A_statement_the_database_cannot_run_is_status_20_without_the_sql()
    {
        var context = await Instance.RunAsync("""{ "sql": "select secret_column from no_such_table" }""", null);

        Assert.That(context.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(context.HttpStatus, Is.Null);
        Assert.That(context.ErrorMessage, Does.StartWith("The data store 'database' could not run the command ("));
        Assert.That(context.ErrorMessage, Does.Not.Contain("no_such_table").And.Not.Contain("secret_column"));
    }

    [Test]
    public async Task An_unreachable_database_is_http_503_with_status_20_and_no_connection_details()
    {
        var (config, secret) = UnreachableStore();
        var errors = new List<string>();
        await using var stores = new InstanceDataStores(new Dictionary<string, IDataStore>
        {
            ["database"] = DataStoreFactory.Create("database", config, Instance.Directory, errors)!,
        });
        Assert.That(errors, Is.Empty);
        var processor = PluginUnderTest.Instance.Prepare(new ProcessorSetup
        {
            Entity = new EntityAddress("test", "services", "down"),
            ProcessorConfig = JsonNode.Parse(TestSchema.DoorQuery),
            EntityMapping = [],
            DataStoreName = "database",
            InstanceDirectory = Instance.Directory,
            DataStores = stores,
            Logger = NullLogger.Instance,
        }).Processor!;
        var context = new ProcessorContext([])
        {
            Data = JsonNode.Parse(TestSchema.DoorRequest),
            DataStores = stores,
            Logger = NullLogger.Instance,
            TraceId = "t",
        };

        await processor.ExecuteAsync(context, CancellationToken.None);

        Assert.That(context.HttpStatus, Is.EqualTo(503));
        Assert.That(context.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(context.ErrorMessage, Is.EqualTo("The data store 'database' cannot be reached."));
        Assert.That(context.ErrorMessage, Does.Not.Contain(secret));
    }

    [Test]
    public async Task An_already_cancelled_call_throws_and_writes_nothing()
    {
        await Instance.ExecuteAsync("DELETE FROM door_orders");
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        Assert.That(async () => await Instance.RunAsync(TestSchema.AddOrder, """{"product_id":"p","quantity":1}""", cancellation.Token),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await Instance.CountAsync("door_orders"), Is.EqualTo(0));
    }

    [Test]
    public async Task The_store_names_only_its_own_exceptions()
    {
        Assert.That(Instance.Store.DescribeError(new InvalidOperationException("not a database failure")), Is.Null);
        Assert.That(Instance.Store.DescribeError(new OperationCanceledException()), Is.Null);
        await Task.CompletedTask;
    }

    private (JsonObject Config, string Secret) UnreachableStore()
    {
        if (Provider == DataStoreProviders.Sqlite)
        {
            // Mode=ReadWrite never creates a file, and this one's folder does not exist.
            const string Secret = "no-such-folder";
            return (new JsonObject { ["provider"] = Provider, ["connectionString"] = $"Data Source={Secret}/gone.db;Mode=ReadWrite" }, Secret);
        }
        return (new JsonObject
        {
            ["provider"] = Provider,
            ["connectionString"] = $"Host=127.0.0.1;Port={Ports.Free()};Username=someone;Password=hunter2;Timeout=3",
        }, "hunter2");
    }
}

/// <summary>SQLite's time limit is how long it waits for a lock held by someone else; then it reports busy.</summary>
public sealed class SqliteBusyTests
{
    [Test]
    public async Task Waiting_on_a_lock_past_the_time_limit_is_busy_and_may_be_retried()
    {
        await using var instance = await TestInstance.CreateAsync(DataStoreProviders.Sqlite, commandTimeoutSeconds: 1);
        await using var holder = await instance.Store.DataSource.OpenConnectionAsync();
        await using (var lockIt = holder.CreateCommand())
        {
            lockIt.CommandText = "BEGIN EXCLUSIVE";
            await lockIt.ExecuteNonQueryAsync();
        }

        var context = await instance.RunAsync(TestSchema.AddOrder, """{"product_id":"p","quantity":1}""");

        Assert.That(context.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(context.HttpStatus, Is.EqualTo(503));
        Assert.That(context.ErrorMessage, Is.EqualTo("The data store 'database' gave up on the command to keep transactions apart; retry the call."));
        Assert.That(context.FailureIsTransient, Is.True);
    }
}
