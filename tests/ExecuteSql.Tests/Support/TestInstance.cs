using System.Text.Json.Nodes;
using DataHub.Host.DataStores;
using DataHub.Plugins;
using DataHub.Testing;

namespace DataHub.ExecuteSql.Tests.Support;

/// <summary>
/// An instance folder with one real data store named "database" (a SQLite file or a fresh PostgreSQL database),
/// made by the host's <see cref="DataStoreFactory"/>, and the plug-in called through the contract against it.
/// </summary>
internal sealed class TestInstance : IAsyncDisposable
{
    private readonly TempDirectory _folder;

    private TestInstance(TempDirectory folder, string provider, InstanceDataStores stores, IDataStore store)
    {
        _folder = folder;
        Provider = provider;
        Stores = stores;
        Store = store;
    }

    public string Provider { get; }

    public InstanceDataStores Stores { get; }

    public IDataStore Store { get; }

    public string Directory => _folder.Path;

    /// <summary>Everything the plug-in logged, checked after each test (see <see cref="ProviderFixture"/>).</summary>
    public CapturedLog Log { get; } = new();

    private Microsoft.Extensions.Logging.ILogger Logger => Log.CreateLogger("DataHub.Plugins.ExecuteSql");

    /// <summary>Makes the store; with <paramref name="schemaSql"/>, runs it first (the doors schema by default).</summary>
    public static async Task<TestInstance> CreateAsync(string provider, string? schemaSql = null, int? commandTimeoutSeconds = null)
    {
        var connectionString = provider switch
        {
            DataStoreProviders.Sqlite => "Data Source=data/test.db",
            DataStoreProviders.PostgreSql => await PostgresServer.CreateDatabaseAsync(),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "SQL Server cannot run here."),
        };
        var instance = await OnConnectionStringAsync(provider, connectionString, commandTimeoutSeconds);
        await instance.ExecuteAsync(schemaSql ?? TestSchema.Doors(provider));
        return instance;
    }

    /// <summary>Makes the store on a given database, running nothing on it.</summary>
    public static async Task<TestInstance> OnConnectionStringAsync(string provider, string connectionString, int? commandTimeoutSeconds = null)
    {
        var folder = new TempDirectory();
        var config = new JsonObject { ["provider"] = provider, ["connectionString"] = connectionString };
        if (commandTimeoutSeconds is { } seconds)
        {
            config["commandTimeoutSeconds"] = seconds;
        }
        var errors = new List<string>();
        var store = DataStoreFactory.Create("database", config, folder.Path, errors)
            ?? throw new InvalidOperationException(string.Join(" ", errors));
        var stores = new InstanceDataStores(new Dictionary<string, IDataStore> { ["database"] = store });
        await stores.InitializeAsync(CancellationToken.None);
        return new TestInstance(folder, provider, stores, store);
    }

    public PrepareResult Prepare(string processorConfig, IReadOnlyList<string>? roles = null, string dataStoreName = "database") =>
        Prepare(JsonNode.Parse(processorConfig), roles, dataStoreName);

    public PrepareResult Prepare(JsonNode? processorConfig, IReadOnlyList<string>? roles = null, string dataStoreName = "database") =>
        PluginUnderTest.Instance.Prepare(new ProcessorSetup
        {
            Entity = new EntityAddress("test", "services", "entity"),
            ProcessorConfig = processorConfig,
            EntityMapping = new JsonObject { ["execute"] = true, ["processor"] = "ExecuteSql" },
            DataStoreName = dataStoreName,
            Roles = roles ?? [],
            InstanceDirectory = Directory,
            DataStores = Stores,
            Logger = Logger,
        });

    /// <summary>Prepares the configuration and fails the test with the plug-in's errors if it is refused.</summary>
    public IProcessor Processor(string processorConfig, IReadOnlyList<string>? roles = null)
    {
        var result = Prepare(processorConfig, roles);
        Assert.That(result.Errors, Is.Empty, "the configuration should be accepted");
        return result.Processor!;
    }

    public async Task<ProcessorContext> CallAsync(IProcessor processor, string? data, CancellationToken cancellationToken = default)
    {
        var context = new ProcessorContext(new JsonObject())
        {
            Data = data is null ? null : JsonNode.Parse(data),
            DataStores = Stores,
            Logger = Logger,
            TraceId = "test-trace",
        };
        await processor.ExecuteAsync(context, cancellationToken);
        return context;
    }

    public Task<ProcessorContext> RunAsync(string processorConfig, string? data, CancellationToken cancellationToken = default) =>
        CallAsync(Processor(processorConfig), data, cancellationToken);

    /// <summary>Runs SQL straight on the store, for set-up and for checking what a call left behind.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var command = Store.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<long> CountAsync(string table, string where = "1=1")
    {
        await using var command = Store.DataSource.CreateCommand($"SELECT COUNT(*) FROM {table} WHERE {where}");
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await Stores.DisposeAsync();
        _folder.Dispose();
    }
}

/// <summary>Helpers to read a context's outputs in assertions.</summary>
internal static class ContextAssertions
{
    public static string ResponseJson(this ProcessorContext context)
    {
        Assert.That(context.Status, Is.Null.Or.LessThan(MessageStatus.GeneralError), () => $"the call failed: {context.Status} {context.ErrorMessage}");
        Assert.That(context.IsResponseSet, Is.True, "the call should set a response");
        return context.Response!.ToJsonString();
    }

    public static JsonArray Rows(this ProcessorContext context)
    {
        _ = ResponseJson(context);
        return context.Response!.AsArray();
    }
}
