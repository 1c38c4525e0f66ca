using System.Net;
using System.Text.Json.Nodes;
using DataHub.Host.Schema;
using DataHub.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DataHub.Host.Tests;

/// <summary>Plug-ins dropped into, or replaced in, a running host's plug-in folder, with no restart.</summary>
public sealed class PluginHotReloadTests
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan _interval = TimeSpan.FromMilliseconds(100);

    private static string Built(string folder, string plugin) => Path.Combine(AppContext.BaseDirectory, folder, plugin);

    /// <summary>Copies a built plug-in over the dropped one file by file, overwriting in place, as a careless deploy does.</summary>
    private static void Deploy(string builtPlugin, string dropFolder)
    {
        var target = Path.Combine(dropFolder, Path.GetFileName(builtPlugin));
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(builtPlugin))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }
    }

    private static async Task<JsonNode?> AnswerAsync(RunningHost host, string entity, string data = "{}")
    {
        using var response = await host.PostJsonAsync($"/shop/services/{entity}", data);
        return response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
    }

    private const string OperatorToken = "operator-token-for-plugin-tests";

    /// <summary>A host serving Swap version 1 from <paramref name="drop"/>, with an operator token for health and metrics.</summary>
    private static Task<RunningHost> StartOnSwapV1Async(TempDirectory drop, TempDirectory schema)
    {
        Deploy(Built("swap-v1", "Swap"), drop.Path);
        return RunningHost.StartAsync(schema.Path, [drop.Path], new Dictionary<string, string?> { ["DataHub:Operations:OperatorToken"] = OperatorToken });
    }

    private static async Task<int?> VersionAsync(RunningHost host, string entity = "swap") =>
        (await AnswerAsync(host, entity))?["version"]?.GetValue<int>();

    [Test]
    public async Task A_plugin_dropped_into_a_running_host_serves_the_entities_that_named_it()
    {
        using var drop = new TempDirectory();
        using var schema = SchemaFolder.WithEntities("""{"echo": {"execute": true, "processor": "Echo"}}""");
        await using var host = await RunningHost.StartAsync(schema.Path, [TestPaths.FixturePluginsDirectory, drop.Path]);
        schema.Write("shop/services.json",
            """{"entities": {"echo": {"execute": true, "processor": "Echo"}, "legacy": {"execute": true, "processor": "Contract1_0"}}}""");
        Assert.That(await host.Log.WaitForLineAsync("Unknown processor 'Contract1_0'", _timeout), Is.True, "not served before the drop");

        Deploy(Built("compat-plugins", "Contract1_0"), drop.Path);

        Assert.That(await Eventually.TrueAsync(async () => await AnswerAsync(host, "legacy") is not null, _timeout, _interval), Is.True);
        Assert.That(await AnswerAsync(host, "echo"), Is.Not.Null, "the rest still serves");
    }

    [Test]
    public async Task A_replaced_plugin_serves_new_requests_while_a_running_one_finishes_on_the_old_version()
    {
        using var drop = new TempDirectory();
        Deploy(Built("swap-v1", "Swap"), drop.Path);
        using var schema = SchemaFolder.WithEntities("""{"swap": {"execute": true, "processor": "Swap"}}""");
        await using var host = await RunningHost.StartAsync(schema.Path, [drop.Path]);
        Assert.That(await VersionAsync(host), Is.EqualTo(1));

        var running = AnswerAsync(host, "swap", """{"waitMs": 4000}""");
        await Task.Delay(300);
        Deploy(Built("swap-v2", "Swap"), drop.Path);

        Assert.That(await Eventually.TrueAsync(async () => await VersionAsync(host) == 2, _timeout, _interval), Is.True, "new requests get version 2");
        Assert.That(running.IsCompleted, Is.False, "the long request is still running");
        Assert.That((await running)?["version"]?.GetValue<int>(), Is.EqualTo(1), "and finishes on version 1");
    }

    [Test]
    public async Task A_new_version_that_does_not_load_leaves_the_old_one_serving_and_is_shown_to_operators()
    {
        using var drop = new TempDirectory();
        using var schema = SchemaFolder.WithEntities("""{"swap": {"execute": true, "processor": "Swap"}}""");
        await using var host = await StartOnSwapV1Async(drop, schema);

        File.WriteAllText(Path.Combine(drop.Path, "Swap", "Swap.dll"), "a half-copied file");

        var catalog = host.Services.GetRequiredService<SchemaCatalog>();
        Assert.That(await Eventually.TrueAsync(() => catalog.Plugins.Failures.Count > 0, _timeout, _interval), Is.True);
        Assert.That(catalog.Plugins.Failures.Single().Reason, Does.StartWith("A new version did not load; the previous one still serves."));
        Assert.That(await VersionAsync(host), Is.EqualTo(1));
        // Health details are for operators: whoever sends the operator token (see docs/operations.md).
        using var healthRequest = new HttpRequestMessage(HttpMethod.Get, "health/ready");
        healthRequest.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", OperatorToken);
        using var health = await host.Client.SendAsync(healthRequest);
        Assert.That(await health.Content.ReadAsStringAsync(), Does.Contain("previous one still serves").And.Contain("degraded"));
        Assert.That(host.Log.Entries.Select(e => e.Message), Has.Some.Contains("did not load"));
    }

    [Test]
    public async Task Plugin_reloads_are_counted_in_the_metrics_by_outcome()
    {
        using var drop = new TempDirectory();
        using var schema = SchemaFolder.WithEntities("""{"swap": {"execute": true, "processor": "Swap"}}""");
        await using var host = await StartOnSwapV1Async(drop, schema);

        Deploy(Built("swap-v2", "Swap"), drop.Path);
        Assert.That(await Eventually.TrueAsync(async () => await ReloadsAsync(host, "applied") == 1, _timeout, _interval), Is.True);
        File.WriteAllText(Path.Combine(drop.Path, "Swap", "Swap.dll"), "a half-copied file");

        Assert.That(await Eventually.TrueAsync(async () => await ReloadsAsync(host, "failed") == 1, _timeout, _interval), Is.True);
        Assert.That(await ReloadsAsync(host, "rejected"), Is.Zero);
    }

    /// <summary>The datahub_plugins_reloads_total series of one outcome, scraped from the Prometheus endpoint.</summary>
    private static async Task<double> ReloadsAsync(RunningHost host, string outcome)
    {
        using var scrape = new HttpRequestMessage(HttpMethod.Get, "metrics");
        scrape.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", OperatorToken);
        using var response = await host.Client.SendAsync(scrape);
        var text = await response.Content.ReadAsStringAsync();
        return text.Split('\n')
            .Where(line => line.StartsWith("datahub_plugins_reloads_total{", StringComparison.Ordinal) && line.Contains($"outcome=\"{outcome}\"", StringComparison.Ordinal))
            // "name{labels} value [timestamp]"
            .Sum(line => double.Parse(line[(line.LastIndexOf('}') + 2)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Test]
    public async Task A_new_version_whose_prepare_refuses_the_configuration_leaves_the_old_one_serving_every_entity()
    {
        using var drop = new TempDirectory();
        Deploy(Built("swap-v1", "Swap"), drop.Path);
        using var schema = SchemaFolder.WithEntities(
            """{"swap": {"execute": true, "processor": "Swap"}, "old": {"execute": true, "processor": "Swap", "processorConfig": {"legacy": true}}}""");
        await using var host = await RunningHost.StartAsync(schema.Path, [drop.Path]);

        Deploy(Built("swap-v2", "Swap"), drop.Path);

        Assert.That(await host.Log.WaitForLineAsync("Plug-in change to Swap rejected", _timeout), Is.True);
        Assert.That(host.Log.Entries.Last(e => e.Message.Contains("Plug-in change", StringComparison.Ordinal)).Message,
            Does.Contain("version 2 no longer takes 'legacy'"));
        Assert.That(await VersionAsync(host, "swap"), Is.EqualTo(1), "all or nothing: the entity v2 accepts stays on v1 too");
        Assert.That(await VersionAsync(host, "old"), Is.EqualTo(1));
        var catalog = host.Services.GetRequiredService<SchemaCatalog>();
        Assert.That(catalog.Plugins.Failures.Single().Reason, Does.Contain("the previous one still serves"));
    }

    [Test]
    public async Task Plugins_in_a_watched_folder_load_from_memory_and_built_in_ones_from_their_files()
    {
        using var drop = new TempDirectory();
        Deploy(Built("swap-v1", "Swap"), drop.Path);
        using var schema = SchemaFolder.WithEntities("""{"swap": {"execute": true, "processor": "Swap"}}""");
        await using var host = await RunningHost.StartAsync(schema.Path, [drop.Path]);

        var plugins = host.Services.GetRequiredService<SchemaCatalog>().Plugins.Plugins;
        Assert.That(plugins.Single(p => p.Name == "Swap").Plugin.GetType().Assembly.Location, Is.Empty, "read into memory, so its files can be overwritten");
        Assert.That(plugins.Single(p => p.Name == "ExecuteSql").Plugin.GetType().Assembly.Location, Does.EndWith("ExecuteSql.dll"));
        Assert.That(plugins.All(p => p.Unloader is null), Is.True, "not collectible unless DataHub:CollectiblePlugins says so");
    }

    [Test]
    public async Task With_collectible_plugins_a_replaced_version_is_unloaded_after_its_requests()
    {
        using var drop = new TempDirectory();
        Deploy(Built("swap-v1", "Swap"), drop.Path);
        using var schema = SchemaFolder.WithEntities("""{"swap": {"execute": true, "processor": "Swap"}}""");
        await using var host = await RunningHost.StartAsync(schema.Path, [drop.Path], new Dictionary<string, string?>
        {
            ["DataHub:CollectiblePlugins"] = "true",
            ["DataHub:RequestTimeoutSeconds"] = "1",
        });
        var oldContext = WeakContextOf(host);
        Assert.That(await VersionAsync(host), Is.EqualTo(1));

        Deploy(Built("swap-v2", "Swap"), drop.Path);
        Assert.That(await Eventually.TrueAsync(async () => await VersionAsync(host) == 2, _timeout, _interval), Is.True);

        Assert.That(await host.Log.WaitForLineAsync("Replaced version of plug-in Swap retired (unloaded: True", _timeout), Is.True);
        Assert.That(await Eventually.TrueAsync(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return !oldContext.IsAlive;
        }, _timeout, _interval), Is.True, "the old version's load context is collected");
    }

    // Not inlined, so no local keeps the context alive.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference WeakContextOf(RunningHost host)
    {
        var plugin = host.Services.GetRequiredService<SchemaCatalog>().Plugins.Plugins.Single(p => p.Name == "Swap");
        Assert.That(plugin.Unloader, Is.Not.Null);
        return new WeakReference(System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(plugin.Plugin.GetType().Assembly));
    }
}
