using DataHub.Host;
using DataHub.Host.Operations;
using DataHub.Testing;

namespace DataHub.Operations.Tests;

/// <summary>The X-DataHub-Host header: which host answered, for operators behind a load balancer.</summary>
public sealed class HostIdentityTests
{
    private const string HostIdSetting = "DataHub:Operations:HostId";
    private TempDirectory _schema = null!;

    [SetUp]
    public void WriteSchema()
    {
        _schema = new TempDirectory();
        _schema.Write("open/services.json", """{"entities": {"echo": {"execute": true, "processor": "Echo"}}}""");
    }

    [TearDown]
    public void DeleteSchema() => _schema.Dispose();

    [Test]
    public async Task Every_answer_names_the_machine_and_port_by_default_errors_and_health_included()
    {
        await using var host = await StartAsync(null);
        var expected = $"{Environment.MachineName}:{host.BaseAddress.Port}";

        foreach (var path in new[] { "open/services/echo", "open/services/missing", "health/live" })
        {
            using var response = await host.PostJsonAsync(path, "{}");
            Assert.That(HostHeader(response), Is.EqualTo(expected), path);
        }
    }

    [Test]
    public async Task A_configured_host_id_is_sent_instead()
    {
        await using var host = await StartAsync("eu-west-1a/datahub-7");

        using var response = await host.PostJsonAsync("open/services/echo", "{}");

        Assert.That(HostHeader(response), Is.EqualTo("eu-west-1a/datahub-7"));
    }

    [Test]
    public async Task An_empty_host_id_sends_no_header()
    {
        await using var host = await StartAsync("");

        using var response = await host.PostJsonAsync("open/services/echo", "{}");

        Assert.That(response.IsSuccessStatusCode, Is.True);
        Assert.That(HostHeader(response), Is.Null);
    }

    [Test]
    public void A_host_id_that_cannot_be_a_header_value_stops_the_host_at_start()
    {
        var failure = Assert.ThrowsAsync<InvalidSchemaException>(() => StartAsync("host one\n"));

        Assert.That(failure!.Message, Does.Contain(HostIdSetting + " must be"));
    }

    private Task<RunningHost> StartAsync(string? hostId) =>
        RunningHost.StartAsync(_schema.Path, [TestPaths.FixturePluginsDirectory],
            hostId is null ? null : new Dictionary<string, string?> { [HostIdSetting] = hostId });

    private static string? HostHeader(HttpResponseMessage response) =>
        response.Headers.TryGetValues(HostIdentity.HeaderName, out var values) ? values.Single() : null;
}
