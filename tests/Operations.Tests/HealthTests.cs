using System.Net;
using DataHub.Testing;

namespace DataHub.Operations.Tests;

/// <summary>Liveness, readiness and who sees the details, on a host whose data stores are all up.</summary>
public sealed class HealthTests() : HostFixture([TestPaths.FixturePluginsDirectory], new Dictionary<string, string?>
{
    [Operators.TokenSetting] = Operators.Token,
})
{
    protected override Task WriteSchemaAsync(TempDirectory schema)
    {
        schema.Write("open/instance.json", """{"dataStores": {"database": {"provider": "sqlite", "connectionString": "Data Source=data/open.db"}}}""");
        schema.Write("open/services.json", """{"entities": {"echo": {"execute": true, "processor": "Echo"}}}""");
        schema.Write("closed/instance.json", """{"auth": {"anonymous": false, "basic": {"users": "users.json"}}}""");
        schema.Write("closed/users.json", Operators.UsersFile());
        schema.Write("closed/orders.json", """{"entities": {"echo": {"execute": true, "processor": "Echo"}}}""");
        return Task.CompletedTask;
    }

    [TestCase("health/live")]
    [TestCase("health/ready")]
    [TestCase("health")]
    public async Task Anyone_gets_the_status_and_nothing_else(string path)
    {
        using var response = await Host.Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        Assert.That((await response.ReadObjectAsync()).Select(p => p.Key), Is.EqualTo(new[] { "status" }));
        Assert.That(text, Does.Not.Contain("closed").And.Not.Contain("open").And.Not.Contain("Echo"));
    }

    [Test]
    public async Task Liveness_runs_no_check_so_it_is_healthy_even_with_a_plugin_missing()
    {
        var live = await (await Host.Client.GetAsOperatorAsync("health/live")).ReadObjectAsync();

        Assert.That(live["status"]!.GetValue<string>(), Is.EqualTo("healthy"));
        Assert.That(live["checks"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task An_operator_sees_instances_systems_stores_plugins_and_failures()
    {
        using var response = await Host.Client.GetAsOperatorAsync("health/ready");
        var health = await response.ReadObjectAsync();
        var instances = health["instances"]!.AsArray().ToDictionary(i => i!["name"]!.GetValue<string>());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "degraded is still ready");
        Assert.That(health["status"]!.GetValue<string>(), Is.EqualTo("degraded"));
        Assert.That(instances.Keys, Is.EquivalentTo(new[] { "open", "closed" }));
        Assert.That(instances["closed"]!["anonymous"]!.GetValue<bool>(), Is.False);
        Assert.That(instances["closed"]!["systems"]!.AsArray().Select(s => s!["reference"]!.GetValue<string>()),
            Is.EqualTo(new[] { "orders" }), "the users file is not a system");
        var store = instances["open"]!["dataStores"]![0]!;
        Assert.That(store["name"]!.GetValue<string>(), Is.EqualTo("database"));
        Assert.That(store["provider"]!.GetValue<string>(), Is.EqualTo("sqlite"));
        Assert.That(store["state"]!.GetValue<string>(), Is.EqualTo("reachable"));
        Assert.That(health["plugins"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()), Does.Contain("Echo"));
        Assert.That(health["pluginFailures"]!.AsArray().Select(f => f!["reason"]!.GetValue<string>()), Has.Some.Contains("refuses to start"));
        Assert.That(health["checks"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()), Is.EquivalentTo(new[] { "dataStores", "plugins" }));
    }

    [TestCase("operator-token-for-tests-012345678")]
    [TestCase("operator-token-for-tests-01234567890")]
    [TestCase("")]
    public async Task A_wrong_token_gets_no_details(string token)
    {
        var health = await (await Host.Client.GetAsOperatorAsync("health/ready", token)).ReadObjectAsync();

        Assert.That(health.Select(p => p.Key), Is.EqualTo(new[] { "status" }));
    }
}
