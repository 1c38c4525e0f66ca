using System.Text.Json.Nodes;
using DataHub.Host.DataStores;
using DataHub.Plugins;
using DataHub.Testing;
using Microsoft.Data.Sqlite;

namespace DataHub.ExecuteSql.Tests;

/// <summary>The host's data stores as instance.json configures them: checked, pooled, and a new SQLite file seeded once.</summary>
public sealed class DataStoreFactoryTests
{
    private TempDirectory _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TempDirectory();

    [TearDown]
    public void DeleteFolder()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Test]
    public void Every_problem_of_a_store_is_reported_at_once_without_the_connection_string()
    {
        var errors = new List<string>();

        var store = DataStoreFactory.Create("database", Json("""
            { "provider": "postgresql", "connectionString": "Host=db;Password=hunter2;Bogus Keyword=1", "commandTimeoutSeconds": 0,
              "seed": "missing.sql", "pooling": true }
            """), _folder.Path, errors);

        Assert.That(store, Is.Null);
        Assert.That(errors, Is.EqualTo(new[]
        {
            "unknown setting 'pooling' (expected provider, connectionString, commandTimeoutSeconds, seed).",
            "commandTimeoutSeconds must be a whole number of seconds greater than 0.",
            "seed is only supported for sqlite stores.",
        }));
        Assert.That(string.Join(" ", errors), Does.Not.Contain("hunter2"));
    }

    [TestCase("""{ "connectionString": "Data Source=x.db" }""", "provider is required (sqlite, postgresql or sqlserver).")]
    [TestCase("""{ "provider": "oracle", "connectionString": "x" }""", "unknown provider 'oracle' (expected sqlite, postgresql or sqlserver).")]
    [TestCase("""{ "provider": "sqlite" }""", "connectionString is required.")]
    [TestCase("""{ "provider": ["sqlite"], "connectionString": "x" }""", "provider must be a string.")]
    [TestCase("""{ "provider": "sqlite", "connectionString": " " }""", "connectionString is required.")]
    [TestCase("""{ "provider": "sqlite", "connectionString": 5 }""", "connectionString must be a string.")]
    [TestCase("""{ "provider": "sqlite", "connectionString": "Data Source=x.db", "commandTimeoutSeconds": -1 }""", "commandTimeoutSeconds must be a whole number of seconds greater than 0.")]
    [TestCase("""{ "provider": "sqlite", "connectionString": "Data Source=x.db", "commandTimeoutSeconds": 1.5 }""", "commandTimeoutSeconds must be a whole number of seconds greater than 0.")]
    [TestCase("""{ "provider": "sqlite", "connectionString": "Data Source=x.db", "commandTimeoutSeconds": "30" }""", "commandTimeoutSeconds must be a whole number of seconds greater than 0.")]
    [TestCase("""{ "provider": "sqlite", "connectionString": "Data Source=x.db", "seed": "nope.sql" }""", "the seed file 'nope.sql' does not exist in the instance folder.")]
    [TestCase("""{ "provider": "sqlite", "connectionString": "Data Source=:memory:", "seed": "seed.sql" }""", "seed needs a database file, not an in-memory database.")]
    [TestCase("""{ "provider": "sqlite", "connectionString": "Data Source=x.db;Password=hunter2;Colour=blue" }""", "connectionString is not a valid SQLite connection string.")]
    [TestCase("""{ "provider": "postgresql", "connectionString": "Host=db;Password=hunter2;Port=not-a-port" }""", "connectionString is not a valid PostgreSQL connection string.")]
    [TestCase("""{ "provider": "sqlserver", "connectionString": "Server=db;Password=hunter2;Colour=blue" }""", "connectionString is not a valid SQL Server connection string.")]
    public void A_store_configuration_problem_is_one_sentence(string config, string error)
    {
        File.WriteAllText(Path.Combine(_folder.Path, "seed.sql"), "select 1;");
        var errors = new List<string>();

        var store = DataStoreFactory.Create("database", Json(config), _folder.Path, errors);

        Assert.That(store, Is.Null);
        Assert.That(errors, Is.EqualTo(new[] { error }));
    }

    [TestCase("sqlite", "Data Source=x.db", 30)]
    [TestCase("postgresql", "Host=127.0.0.1;Username=postgres;Database=shop", 30)]
    [TestCase("sqlserver", "Server=127.0.0.1;Database=shop;User Id=sa;Password=x", 30)]
    [TestCase("sqlite", "Data Source=x.db", 5)]
    public async Task A_valid_store_has_its_provider_a_pooled_data_source_and_its_time_limit(string provider, string connectionString, int seconds)
    {
        var errors = new List<string>();

        var config = Json($$"""{ "provider": "{{provider}}", "connectionString": "{{connectionString}}" }""");
        if (seconds != 30)
        {
            config["commandTimeoutSeconds"] = seconds;
        }
        var store = DataStoreFactory.Create("Main", config, _folder.Path, errors);

        Assert.That(errors, Is.Empty);
        Assert.That(store!.Name, Is.EqualTo("Main"));
        Assert.That(store.Provider, Is.EqualTo(provider));
        Assert.That(store.CommandTimeout, Is.EqualTo(TimeSpan.FromSeconds(seconds)));
        Assert.That(store.DataSource, Is.Not.Null);
        await ((IAsyncDisposable)store).DisposeAsync();
    }

    [Test]
    public async Task Store_names_ignore_case()
    {
        await using var stores = await StoresAsync("""{ "provider": "sqlite", "connectionString": "Data Source=x.db" }""");

        Assert.That(stores.TryGet("DATABASE", out var store), Is.True);
        Assert.That(store!.Name, Is.EqualTo("database"));
        Assert.That(stores.Names, Is.EqualTo(new[] { "database" }));
    }

    [Test]
    public async Task A_relative_sqlite_file_lives_in_the_instance_folder_whose_missing_folders_are_created()
    {
        await using var stores = await StoresAsync("""{ "provider": "sqlite", "connectionString": "Data Source=data/nested/shop.db" }""");
        stores.TryGet("database", out var store);

        await using (var command = store!.DataSource.CreateCommand("CREATE TABLE t (x integer)"))
        {
            await command.ExecuteNonQueryAsync();
        }

        Assert.That(File.Exists(Path.Combine(_folder.Path, "data", "nested", "shop.db")), Is.True);
    }

    [Test]
    public async Task A_new_sqlite_file_is_seeded_once_and_later_starts_keep_its_data()
    {
        File.WriteAllText(Path.Combine(_folder.Path, "seed.sql"), """
            CREATE TABLE t (x integer);
            INSERT INTO t VALUES (1), (2);
            """);
        const string Config = """{ "provider": "sqlite", "connectionString": "Data Source=db/shop.db", "seed": "seed.sql" }""";

        await using (var first = await StoresAsync(Config))
        {
            Assert.That(await CountAsync(first), Is.EqualTo(2));
            await ExecuteAsync(first, "INSERT INTO t VALUES (3)");
        }
        await using var second = await StoresAsync(Config);

        Assert.That(await CountAsync(second), Is.EqualTo(3), "the seed must not run again on an existing file");
    }

    [Test]
    public async Task A_failing_seed_stops_start_up_and_leaves_no_half_made_file()
    {
        File.WriteAllText(Path.Combine(_folder.Path, "seed.sql"), """
            CREATE TABLE t (x integer);
            INSERT INTO nowhere VALUES (1);
            """);
        var errors = new List<string>();
        var store = DataStoreFactory.Create("database",
            Json("""{ "provider": "sqlite", "connectionString": "Data Source=shop.db", "seed": "seed.sql" }"""), _folder.Path, errors)!;
        await using var stores = new InstanceDataStores(new Dictionary<string, IDataStore> { ["database"] = store });

        var failure = Assert.ThrowsAsync<InvalidOperationException>(() => stores.InitializeAsync(CancellationToken.None));

        Assert.That(failure!.Message, Is.EqualTo("data store 'database': the seed file 'seed.sql' failed: SQLite Error 1: 'no such table: nowhere'."));
        Assert.That(File.Exists(Path.Combine(_folder.Path, "shop.db")), Is.False);
    }

    [Test]
    public async Task A_disposed_sqlite_store_lets_go_of_its_file()
    {
        var stores = await StoresAsync("""{ "provider": "sqlite", "connectionString": "Data Source=shop.db" }""");
        await ExecuteAsync(stores, "CREATE TABLE t (x integer)");

        await stores.DisposeAsync();

        Assert.That(() => File.Move(Path.Combine(_folder.Path, "shop.db"), Path.Combine(_folder.Path, "moved.db")), Throws.Nothing);
    }

    [Test]
    public async Task Sqlite_errors_are_classified_by_their_code()
    {
        await using var stores = await StoresAsync("""{ "provider": "sqlite", "connectionString": "Data Source=shop.db" }""");
        stores.TryGet("database", out var store);

        Assert.Multiple(() =>
        {
            Assert.That(store!.DescribeError(new SqliteException("SQLite Error 19: 'UNIQUE constraint failed: t.x'.", 19, 2067)),
                Is.EqualTo(new DataStoreError(DataStoreErrorKind.Conflict, "SQLite Error 19: 'UNIQUE constraint failed: t.x'.")));
            Assert.That(store!.DescribeError(new SqliteException("SQLite Error 19: 'FOREIGN KEY constraint failed'.", 19, 787))!.Kind,
                Is.EqualTo(DataStoreErrorKind.Conflict));
            Assert.That(store!.DescribeError(new SqliteException("SQLite Error 19: 'NOT NULL constraint failed: t.x'.", 19, 1299))!.Kind,
                Is.EqualTo(DataStoreErrorKind.Rejected));
            Assert.That(store!.DescribeError(new SqliteException("auth", 23))!.Kind, Is.EqualTo(DataStoreErrorKind.Forbidden));
            Assert.That(store!.DescribeError(new SqliteException("busy", 5))!.Kind, Is.EqualTo(DataStoreErrorKind.Busy));
            Assert.That(store!.DescribeError(new SqliteException("locked", 6))!.Kind, Is.EqualTo(DataStoreErrorKind.Timeout));
            Assert.That(store!.DescribeError(new SqliteException("cannot open", 14))!.Kind, Is.EqualTo(DataStoreErrorKind.Unavailable));
            Assert.That(store!.DescribeError(new SqliteException("SQLite Error 1: 'no such table: secret'.", 1)),
                Is.EqualTo(new DataStoreError(DataStoreErrorKind.Failed, "The data store 'database' could not run the command (SQLite error 1).")
                {
                    DatabaseMessage = "SQLite Error 1: 'no such table: secret'.",
                }));
        });
    }

    private async Task<InstanceDataStores> StoresAsync(string config)
    {
        var errors = new List<string>();
        var store = DataStoreFactory.Create("database", Json(config), _folder.Path, errors);
        Assert.That(errors, Is.Empty);
        var stores = new InstanceDataStores(new Dictionary<string, IDataStore> { ["database"] = store! });
        await stores.InitializeAsync(CancellationToken.None);
        return stores;
    }

    private static async Task ExecuteAsync(InstanceDataStores stores, string sql)
    {
        stores.TryGet("database", out var store);
        await using var command = store!.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> CountAsync(InstanceDataStores stores)
    {
        stores.TryGet("database", out var store);
        await using var command = store!.DataSource.CreateCommand("SELECT COUNT(*) FROM t");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static JsonObject Json(string json) => JsonNode.Parse(json)!.AsObject();
}
