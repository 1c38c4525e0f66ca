namespace DataHub.Testing;

/// <summary>Where things are: the repository, its shipped schema, and the plug-in folders built beside the tests.</summary>
public static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The repository's schema/ folder, the shipped sample. Copy it before a test writes to it.</summary>
    public static string SchemaDirectory => Path.Combine(RepositoryRoot, "schema");

    /// <summary>The built-in plug-ins, copied beside the test assembly by the build.</summary>
    public static string BuiltInPluginsDirectory => Path.Combine(AppContext.BaseDirectory, "plugins");

    /// <summary>Fixture plug-ins a test project lists as PluginProject items with Folder="fixture-plugins".</summary>
    public static string FixturePluginsDirectory => Path.Combine(AppContext.BaseDirectory, "fixture-plugins");

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataHub.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No DataHub.sln above {AppContext.BaseDirectory}.");
    }
}
