using DataHub.Host.Plugins;
using DataHub.Host.Schema;
using DataHub.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataHub.Host.Tests;

/// <summary>Builds a schema folder in a temp directory and loads it with the fixture plug-ins.</summary>
internal static class SchemaFolder
{
    public static PluginCatalog FixturePlugins { get; } =
        PluginLoader.Load([TestPaths.BuiltInPluginsDirectory, TestPaths.FixturePluginsDirectory], NullLogger.Instance);

    /// <summary>A folder holding <paramref name="files"/> (relative path → content).</summary>
    public static TempDirectory Create(params (string Path, string Content)[] files)
    {
        var folder = new TempDirectory();
        foreach (var (path, content) in files)
        {
            folder.Write(path, content);
        }
        return folder;
    }

    /// <summary>One instance "shop" with one system "services" holding <paramref name="entitiesJson"/>.</summary>
    public static TempDirectory WithEntities(string entitiesJson) =>
        Create(("shop/services.json", $$"""{"reference": "services", "entities": {{entitiesJson}} }"""));

    public static Task<SchemaLoadResult> LoadAsync(string path, Func<string, string?>? environment = null) =>
        new SchemaLoader(FixturePlugins, NullLoggerFactory.Instance, environment).LoadAsync(path);
}
