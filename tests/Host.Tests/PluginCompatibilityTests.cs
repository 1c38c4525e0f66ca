using System.Net;
using System.Text.Json.Nodes;
using DataHub.Host.Plugins;
using DataHub.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataHub.Host.Tests;

/// <summary>
/// Real binaries built against other contract versions, and the load-context traps of DotNetCorePlugins (#242, #295,
/// #302): each is served correctly or refused at load with a message that names what differs, never failing at request time.
/// </summary>
public sealed class PluginCompatibilityTests
{
    private static string CompatPluginsDirectory => Path.Combine(AppContext.BaseDirectory, "compat-plugins");

    private static readonly Lazy<PluginCatalog> _catalog = new(() => PluginLoader.Load([CompatPluginsDirectory], NullLogger.Instance));

    private static string FailureOf(string plugin) =>
        _catalog.Value.Failures.Single(f => Path.GetFileName(f.Directory) == plugin).Reason;

    private static string HostContract => PluginLoader.ContractVersion.ToString(2);

    [Test]
    public async Task A_plugin_compiled_against_contract_1_0_loads_and_serves_on_todays_host()
    {
        using var schema = SchemaFolder.WithEntities("""{"legacy": {"execute": true, "processor": "Contract1_0"}}""");
        await using var host = await RunningHost.StartAsync(schema.Path, [CompatPluginsDirectory]);

        using var response = await host.PostJsonAsync("/shop/services/legacy", """{"name": "Ada"}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(body["builtAgainst"]!.GetValue<string>(), Is.EqualTo("1.0"));
        Assert.That(body["data"]!["name"]!.GetValue<string>(), Is.EqualTo("Ada"));
    }

    [Test]
    public void A_plugin_built_against_a_newer_minor_contract_is_refused_at_load_naming_both_versions()
    {
        Assert.That(PluginLoader.ContractVersion, Is.LessThan(new Version(1, 9)), "the fixture must be newer than the host");

        var reason = FailureOf("Contract1_9");

        Assert.That(reason, Does.Contain("Built against plug-in contract 1.9"));
        Assert.That(reason, Does.Contain($"this host provides contract {HostContract}"));
        Assert.That(_catalog.Value.TryGetProcessor("Contract1_9", out _), Is.False);
    }

    [Test]
    public void A_plugin_built_against_another_major_contract_is_refused_at_load_naming_both_versions()
    {
        var reason = FailureOf("Contract2_0");

        Assert.That(reason, Does.Contain("Built against plug-in contract 2.0"));
        Assert.That(reason, Does.Contain($"this host provides contract {HostContract}"));
    }

    [Test]
    public async Task A_plugin_shipping_other_versions_of_a_shared_assembly_and_its_dependency_runs_on_the_hosts()
    {
        Assert.That(File.Exists(Path.Combine(CompatPluginsDirectory, "SharedDependency", "Microsoft.Extensions.Logging.Abstractions.dll")),
            Is.True, "the fixture ships its own copy");
        using var schema = SchemaFolder.WithEntities("""{"shared": {"execute": true, "processor": "SharedDependency"}}""");
        await using var host = await RunningHost.StartAsync(schema.Path, [CompatPluginsDirectory]);

        using var response = await host.PostJsonAsync("/shop/services/shared", "{}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(body["logging"]!.GetValue<string>(), Is.EqualTo("Default"), "the host's ILogger, so the one it is given fits");
        Assert.That(body["dependencyInjection"]!.GetValue<string>(), Is.EqualTo("Default"), "a shared assembly's dependency is shared too");
        Assert.That(host.Log.Entries.Select(e => e.Message), Has.Some.Contains("SharedDependency prepared shared"));
    }

    [Test]
    public void A_plugin_whose_private_dependency_needs_a_newer_shared_assembly_is_refused_at_load()
    {
        var reason = FailureOf("Diamond");

        Assert.That(reason, Does.Contain("Microsoft.Extensions.Logging.Abstractions 11.0.0.0 (through Microsoft.Extensions.Logging.dll"));
        Assert.That(reason, Does.Contain("Microsoft.Extensions.DependencyInjection.Abstractions 11.0.0.0 (through Microsoft.Extensions.DependencyInjection.dll"),
            "every mismatch is listed, not only the first");
        Assert.That(reason, Does.Contain($"the host shares Microsoft.Extensions.Logging.Abstractions {SharedWithPlugins.Provided["Microsoft.Extensions.Logging.Abstractions"]}"));
    }

    [Test]
    public void Every_shared_assembly_comes_with_what_it_references()
    {
        Assert.That(SharedWithPlugins.Names, Does.Contain("Microsoft.Extensions.DependencyInjection.Abstractions"),
            "Microsoft.Extensions.Logging.Abstractions references it");
    }
}
