using DataHub.Host.Plugins;
using DataHub.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DataHub.Host.Tests;

public sealed class PluginLoaderTests
{
    private static PluginCatalog LoadFixtures() =>
        PluginLoader.Load([TestPaths.FixturePluginsDirectory], NullLogger.Instance);

    [Test]
    public void Every_good_fixture_plugin_loads_and_serves_its_processor_names()
    {
        var catalog = LoadFixtures();

        Assert.That(catalog.Plugins.Select(p => p.Name), Is.EquivalentTo(new[] { "Echo", "Hanging", "OldNpgsql", "Throwing" }));
        Assert.That(catalog.TryGetProcessor("echo", out var echo), Is.True, "names match ignoring case");
        Assert.That(catalog.TryGetProcessor("com.example.EchoPlugIn", out var byClassName), Is.True);
        Assert.That(byClassName, Is.SameAs(echo));
    }

    [Test]
    public void A_plugin_whose_constructor_throws_is_reported_with_its_reason_and_the_rest_still_load()
    {
        var catalog = LoadFixtures();

        var failure = catalog.Failures.Single();
        Assert.That(failure.Directory, Does.EndWith("Broken"));
        Assert.That(failure.Reason, Does.Contain("the broken fixture refuses to start"));
        Assert.That(catalog.Plugins, Has.Count.EqualTo(4));
    }

    [Test]
    public void A_plugin_gets_its_own_version_of_a_dependency_the_host_also_uses()
    {
        var catalog = LoadFixtures();
        Assert.That(catalog.TryGetProcessor("OldNpgsql", out var plugin), Is.True);

        var pluginNpgsql = plugin!.Plugin.GetType().Assembly.GetReferencedAssemblies().Single(a => a.Name == "Npgsql");

        Assert.That(pluginNpgsql.Version, Is.EqualTo(new Version(9, 0, 3, 0)));
        Assert.That(typeof(NpgsqlConnection).Assembly.GetName().Version!.Major, Is.EqualTo(10), "the host keeps its own");
    }

    [Test]
    public void A_folder_without_its_named_dll_and_a_corrupt_dll_are_both_reported()
    {
        using var plugins = new TempDirectory();
        plugins.Write("Empty/readme.txt", "no dll here");
        plugins.Write("Corrupt/Corrupt.dll", "this is not a portable executable");

        var catalog = PluginLoader.Load([plugins.Path], NullLogger.Instance);

        Assert.That(catalog.Plugins, Is.Empty);
        Assert.That(catalog.Failures.Select(f => Path.GetFileName(f.Directory)), Is.EquivalentTo(new[] { "Corrupt", "Empty" }));
        Assert.That(catalog.Failures.Single(f => f.Directory.EndsWith("Empty", StringComparison.Ordinal)).Reason, Does.Contain("No Empty.dll"));
        Assert.That(catalog.Failures.Single(f => f.Directory.EndsWith("Corrupt", StringComparison.Ordinal)).Reason, Does.Contain("BadImageFormat"));
    }

    [Test]
    public void A_missing_plugin_folder_is_reported()
    {
        var catalog = PluginLoader.Load(["/no/such/plugins"], NullLogger.Instance);

        Assert.That(catalog.Failures.Single().Reason, Does.Contain("does not exist"));
    }

    [Test]
    public void The_same_processor_name_from_a_second_folder_is_refused()
    {
        using var copy = new TempDirectory();
        copy.CopyFrom(Path.Combine(TestPaths.FixturePluginsDirectory, "Echo"), "Echo");

        var catalog = PluginLoader.Load([TestPaths.FixturePluginsDirectory, copy.Path], NullLogger.Instance);

        Assert.That(catalog.Plugins.Count(p => p.Name == "Echo"), Is.EqualTo(1));
        Assert.That(catalog.Failures.Select(f => f.Reason), Has.Some.Contains("already served by plug-in 'Echo'"));
    }

    [TestCase("1.0", "1.0", true)]
    [TestCase("1.0", "1.3", true)]
    [TestCase("1.2", "1.3", true)]
    [TestCase("1.4", "1.3", false)]
    [TestCase("2.0", "1.3", false)]
    [TestCase("1.0", "2.0", false)]
    public void A_plugin_loads_on_a_host_with_the_same_major_and_an_equal_or_newer_minor_contract(
        string builtAgainst, string provided, bool compatible)
    {
        Assert.That(PluginLoader.IsCompatible(Version.Parse(builtAgainst), Version.Parse(provided)), Is.EqualTo(compatible));
    }

    [Test]
    public void Plugins_share_only_the_contract_and_what_it_exposes()
    {
        Assert.That(PluginLoader.SharedAssemblies, Does.Contain("DataHub.Plugin.Abstractions"));
        Assert.That(PluginLoader.SharedAssemblies, Does.Contain("Microsoft.Extensions.Logging.Abstractions"));
        Assert.That(PluginLoader.SharedAssemblies, Does.Contain("System.Text.Json"));
        Assert.That(PluginLoader.SharedAssemblies, Does.Not.Contain("Npgsql"));
    }

    [Test]
    public void Plugins_load_into_contexts_the_runtime_can_tier_compile()
    {
        var catalog = LoadFixtures();

        var echo = catalog.Plugins.Single(p => p.Name == "Echo").Plugin.GetType().Assembly;
        var context = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(echo)!;
        Assert.That(context.Name, Is.EqualTo("Echo"), "each plug-in has a context of its own");
        Assert.That(context.IsCollectible, Is.False, "code in a collectible context is never tiered up or profile-guided");
    }
}
