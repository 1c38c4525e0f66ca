using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DataHub.Testing;

namespace DataHub.Operations.Tests;

/// <summary>Readiness follows the data stores: PostgreSQL up, refusing connections, or accepting and never answering.</summary>
public sealed class ReadinessTests
{
    private static readonly Dictionary<string, string?> _settings = new()
    {
        [Operators.TokenSetting] = Operators.Token,
        ["DataHub:Operations:ReadinessTimeoutSeconds"] = "1",
    };

    [Test]
    public async Task A_reachable_postgresql_store_leaves_the_host_ready()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        await using var host = await StartAsync(connectionString);

        using var response = await host.Client.GetAsOperatorAsync("health/ready");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(StoreState(await response.ReadObjectAsync()), Is.EqualTo("reachable"));
    }

    [Test]
    public async Task A_store_that_refuses_connections_makes_the_host_unready_but_still_alive()
    {
        await using var host = await StartAsync($"Host=127.0.0.1;Port={Ports.Free()};Username=nobody;Database=none");

        using var ready = await host.Client.GetAsOperatorAsync("health/ready");
        using var anonymousReady = await host.Client.GetAsync("health/ready");
        using var live = await host.Client.GetAsync("health/live");

        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(StoreState(await ready.ReadObjectAsync()), Is.EqualTo("unreachable"));
        Assert.That(anonymousReady.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That((await anonymousReady.ReadObjectAsync())["status"]!.GetValue<string>(), Is.EqualTo("unhealthy"));
        Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await host.Log.WaitForLineAsync("data store shop/database is now unreachable", TimeSpan.FromSeconds(5)), Is.True);
    }

    [Test]
    public async Task A_store_that_never_answers_is_given_up_on_after_the_readiness_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var host = await StartAsync($"Host=127.0.0.1;Port={port};Username=nobody;Database=none;Timeout=30");

        var watch = Stopwatch.StartNew();
        using var ready = await host.Client.GetAsOperatorAsync("health/ready");
        watch.Stop();

        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(StoreState(await ready.ReadObjectAsync()), Is.EqualTo("timed out"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the 1 s readiness timeout, not the 30 s connect timeout");
    }

    [Test]
    public async Task Every_environments_own_store_is_pinged_and_one_down_makes_the_host_unready()
    {
        var dev = await PostgresServer.CreateDatabaseAsync();
        var store = new JsonObject
        {
            ["provider"] = "postgresql",
            ["connectionString"] = dev,
            ["environments"] = new JsonObject
            {
                ["prd"] = new JsonObject { ["connectionString"] = $"Host=127.0.0.1;Port={Ports.Free()};Username=nobody;Database=none" },
            },
        };
        _schema.Write("shop/instance.json", new JsonObject
        {
            ["dataStores"] = new JsonObject { ["database"] = store },
            ["environments"] = new JsonObject { ["dev"] = new JsonObject(), ["prd"] = new JsonObject() },
        }.ToJsonString());
        _schema.Write("shop/services.json", """{"entities": {"echo": {"execute": true, "processor": "Echo"}}}""");
        await using var host = await RunningHost.StartAsync(_schema.Path, [TestPaths.FixturePluginsDirectory],
            new Dictionary<string, string?>(_settings) { ["DataHub:Environment"] = "dev" });

        using var ready = await host.Client.GetAsOperatorAsync("health/ready");
        var stores = (await ready.ReadObjectAsync())["instances"]![0]!["dataStores"]!.AsArray()
            .ToDictionary(s => s!["environment"]!.GetValue<string>(), s => s!["state"]!.GetValue<string>());

        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "prd is down though the default environment, dev, is up");
        Assert.That(stores, Is.EqualTo(new Dictionary<string, string> { ["dev"] = "reachable", ["prd"] = "unreachable" }));
        Assert.That(await host.Log.WaitForLineAsync("data store shop/prd/database is now unreachable", TimeSpan.FromSeconds(5)), Is.True);
    }

    private TempDirectory _schema = null!;

    [SetUp]
    public void MakeSchemaFolder() => _schema = new TempDirectory();

    [TearDown]
    public void DeleteSchemaFolder() => _schema.Dispose();

    private async Task<RunningHost> StartAsync(string connectionString)
    {
        var schema = _schema;
        var store = new JsonObject { ["provider"] = "postgresql", ["connectionString"] = connectionString };
        schema.Write("shop/instance.json", new JsonObject { ["dataStores"] = new JsonObject { ["database"] = store } }.ToJsonString());
        schema.Write("shop/services.json", """{"entities": {"echo": {"execute": true, "processor": "Echo"}}}""");
        return await RunningHost.StartAsync(schema.Path, [TestPaths.FixturePluginsDirectory], _settings);
    }

    private static string StoreState(JsonObject health) =>
        health["instances"]![0]!["dataStores"]![0]!["state"]!.GetValue<string>();
}
