using System.Net;
using DataHub.Testing;

namespace DataHub.Host.Tests;

public sealed class SchemaReloadTests
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(10);
    // Each check of a reload is an HTTP call: not too often.
    private static readonly TimeSpan _interval = TimeSpan.FromMilliseconds(100);

    [Test]
    public async Task A_valid_change_is_served_without_a_restart_and_an_invalid_one_keeps_the_last_good_schema()
    {
        using var schema = SchemaFolder.WithEntities("""{"a": {"execute": true, "processor": "Echo"}}""");
        await using var host = await RunningHost.StartAsync(schema.Path, [TestPaths.FixturePluginsDirectory]);

        schema.Write("shop/services.json", """{"entities": {"a": {"execute": true, "processor": "Echo"}, "b": {"execute": true, "processor": "Echo"}}}""");
        Assert.That(await Eventually.TrueAsync(async () => (await host.PostJsonAsync("/shop/services/b", "{}")).StatusCode == HttpStatusCode.OK, _timeout, _interval),
            Is.True, "the new entity is served");

        schema.Write("shop/services.json", """{"entities": {"a": {"execute": true, "processor": "Missing"}}}""");
        Assert.That(await host.Log.WaitForLineAsync("Schema change rejected", _timeout),
            Is.True, "the bad change is logged");

        var rejection = host.Log.Entries.Last(e => e.Message.Contains("Schema change rejected", StringComparison.Ordinal));
        Assert.That(rejection.Message, Does.Contain("Unknown processor 'Missing'"));
        using var stillServed = await host.PostJsonAsync("/shop/services/b", "{}");
        Assert.That(stillServed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_change_whose_new_data_store_cannot_be_initialised_is_rejected_and_reloading_goes_on()
    {
        using var schema = SchemaFolder.WithEntities("""{"a": {"execute": true, "processor": "Echo"}}""");
        await using var host = await RunningHost.StartAsync(schema.Path, [TestPaths.FixturePluginsDirectory]);

        // A seed file does not trigger a reload (only schema files do), so it is in place before instance.json is.
        schema.Write("shop/seed.sql", "this is not sql;");
        schema.Write("shop/instance.json",
            """{"dataStores": {"database": {"provider": "sqlite", "connectionString": "Data Source=shop.db", "seed": "seed.sql"}}}""");
        schema.Write("shop/services.json", """{"entities": {"a": {"execute": true, "processor": "Echo"}, "b": {"execute": true, "processor": "Echo"}}}""");
        Assert.That(await host.Log.WaitForLineAsync("seed file 'seed.sql' failed", _timeout),
            Is.True, "the change is logged as rejected");

        var rejection = host.Log.Entries.First(e => e.Message.Contains("seed file 'seed.sql' failed", StringComparison.Ordinal));
        Assert.That(rejection.Message, Does.StartWith("Schema change rejected"));
        using (var stillOld = await host.PostJsonAsync("/shop/services/b", "{}"))
        {
            Assert.That(stillOld.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the last good schema is still served");
        }
        using (var served = await host.PostJsonAsync("/shop/services/a", "{}"))
        {
            Assert.That(served.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        schema.Write("shop/seed.sql", "create table t (id integer);");
        schema.Write("shop/instance.json",
            """{"dataStores": {"database": {"provider": "sqlite", "connectionString": "Data Source=shop.db", "seed": "seed.sql"}}}""");
        Assert.That(await Eventually.TrueAsync(async () => (await host.PostJsonAsync("/shop/services/b", "{}")).StatusCode == HttpStatusCode.OK, _timeout, _interval),
            Is.True, "the host still watches, and takes the mended change");
    }

    [Test]
    public async Task Reloading_can_be_turned_off()
    {
        using var schema = SchemaFolder.WithEntities("""{"a": {"execute": true, "processor": "Echo"}}""");
        await using var host = await RunningHost.StartAsync(schema.Path, [TestPaths.FixturePluginsDirectory],
            new Dictionary<string, string?> { ["DataHub:ReloadOnChange"] = "false" });

        schema.Write("shop/services.json", """{"entities": {"b": {"execute": true, "processor": "Echo"}}}""");
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        using var response = await host.PostJsonAsync("/shop/services/b", "{}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
