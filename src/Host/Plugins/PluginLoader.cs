using System.Reflection;
using DataHub.Plugins;
using LoadContextLoader = McMaster.NETCore.Plugins.PluginLoader;

namespace DataHub.Host.Plugins;

/// <summary>How plug-ins are loaded.</summary>
/// <param name="Collectible">
/// Load the plug-ins of <paramref name="ReplaceableRoots"/> into collectible contexts, so that a replaced version's
/// code is unloaded once its last request ends. The runtime neither tiers up nor profile-guides code in a collectible
/// context, so that code runs slower for the life of the process; off by default (see the README's plug-in section).
/// </param>
/// <param name="ReplaceableRoots">
/// Plug-in folders whose plug-ins may be replaced while the host runs: their assemblies are read into memory (and
/// their native libraries copied aside) instead of mapped from their files, so the files can be overwritten safely.
/// </param>
public sealed record PluginLoadOptions(bool Collectible = false, IReadOnlySet<string>? ReplaceableRoots = null)
{
    internal bool IsReplaceable(string folder) =>
        ReplaceableRoots is { } roots && Path.GetDirectoryName(folder) is { } root && roots.Contains(root);
}

/// <summary>
/// Loads every plug-in under the given folders: each <c>&lt;dir&gt;/&lt;Name&gt;/&lt;Name&gt;.dll</c> is one plug-in,
/// in its own load context (McMaster.NETCore.Plugins) that shares <see cref="SharedWithPlugins"/> with the host and
/// resolves everything else from the plug-in's folder through its .deps.json. A folder that fails is reported and skipped.
/// </summary>
public static partial class PluginLoader
{
    private static readonly Assembly _contract = typeof(IProcessorPlugin).Assembly;
    private static readonly string _contractName = _contract.GetName().Name!;

    /// <summary>The names of the assemblies plug-ins share with the host (see <see cref="SharedWithPlugins"/>).</summary>
    internal static IReadOnlySet<string> SharedAssemblies => SharedWithPlugins.Names;

    /// <summary>The contract version this host provides.</summary>
    public static Version ContractVersion { get; } = _contract.GetName().Version!;

    public static PluginCatalog Load(IEnumerable<string> pluginDirectories, ILogger logger, PluginLoadOptions? options = null) =>
        Assemble(pluginDirectories, logger, folder => LoadOne(folder, options ?? new PluginLoadOptions()));

    /// <summary>
    /// A catalog like <paramref name="current"/>, with the plug-ins in <paramref name="changedFolders"/> loaded again
    /// (or for the first time). A changed plug-in that no longer loads keeps its last good version, reported as a failure.
    /// </summary>
    public static PluginCatalog Reload(PluginCatalog current, IEnumerable<string> pluginDirectories,
        IReadOnlySet<string> changedFolders, ILogger logger, PluginLoadOptions options)
    {
        var loaded = current.Plugins.ToDictionary(p => p.Directory, StringComparer.Ordinal);
        var failed = current.Failures.ToLookup(f => f.Directory, StringComparer.Ordinal);
        return Assemble(pluginDirectories, logger, folder =>
        {
            if (!changedFolders.Contains(folder))
            {
                return loaded.TryGetValue(folder, out var same) ? (same, null) : (null, failed[folder].FirstOrDefault());
            }
            var result = LoadOne(folder, options);
            return result.Failure is { } failure && loaded.TryGetValue(folder, out var previous)
                ? (previous, failure with { Reason = $"A new version did not load; the previous one still serves. {failure.Reason}" })
                : result;
        });
    }

    /// <summary>Whether a plug-in built against <paramref name="builtAgainst"/> runs on <paramref name="provided"/>.</summary>
    public static bool IsCompatible(Version builtAgainst, Version provided) =>
        builtAgainst.Major == provided.Major && builtAgainst <= provided;

    private static PluginCatalog Assemble(IEnumerable<string> pluginDirectories, ILogger logger,
        Func<string, (LoadedPlugin? Plugin, PluginLoadFailure? Failure)> resolve)
    {
        var plugins = new List<LoadedPlugin>();
        var failures = new List<PluginLoadFailure>();
        var byName = new Dictionary<string, LoadedPlugin>(StringComparer.OrdinalIgnoreCase);

        foreach (var root in pluginDirectories.Select(Path.GetFullPath).Distinct())
        {
            if (!Directory.Exists(root))
            {
                failures.Add(new PluginLoadFailure(root, "The plug-in folder does not exist."));
                continue;
            }
            foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
            {
                var (plugin, failure) = resolve(folder);
                if (failure is not null)
                {
                    failures.Add(failure);
                }
                if (plugin is null)
                {
                    continue;
                }
                var clashes = plugin.Plugin.ProcessorNames.Where(byName.ContainsKey).ToList();
                if (clashes.Count > 0)
                {
                    failures.Add(new PluginLoadFailure(folder,
                        $"Processor name(s) {string.Join(", ", clashes)} already served by plug-in '{byName[clashes[0]].Name}'."));
                    continue;
                }
                plugins.Add(plugin);
                foreach (var name in plugin.Plugin.ProcessorNames)
                {
                    byName[name] = plugin;
                }
                LogLoaded(logger, plugin.Name, string.Join(", ", plugin.Plugin.ProcessorNames), folder);
            }
        }
        foreach (var failure in failures)
        {
            LogFailed(logger, failure.Directory, failure.Reason);
        }
        return new PluginCatalog(byName, plugins, failures);
    }

    private static (LoadedPlugin? Plugin, PluginLoadFailure? Failure) LoadOne(string folder, PluginLoadOptions options)
    {
        var name = Path.GetFileName(folder);
        var assemblyPath = Path.Combine(folder, name + ".dll");
        if (!File.Exists(assemblyPath))
        {
            return Fail($"No {name}.dll in the folder: a plug-in folder holds <Name>/<Name>.dll.");
        }
        // Read before anything loads: a mismatch is refused here with both versions named, not found at request time.
        var check = PluginCompatibility.Check(folder, assemblyPath, _contractName, ContractVersion);
        if (check.Problem is { } incompatible)
        {
            return Fail(incompatible);
        }

        var loader = LoadContextLoader.CreateFromAssemblyFile(assemblyPath, config =>
        {
            foreach (var shared in SharedWithPlugins.ForPluginShipping(check.SharedCopies))
            {
                config.SharedAssemblies.Add(shared);
            }
            // Lazily: the load context names what the listed assemblies reference as shared as they load, instead of
            // loading the whole closure (for ClearScript, most of the base class library) when the plug-in loads.
            config.IsLazyLoaded = true;
            config.LoadInMemory = options.IsReplaceable(folder);
            config.IsUnloadable = options.Collectible && config.LoadInMemory;
        });
        try
        {
            var assembly = loader.LoadDefaultAssembly();
            var builtAgainst = assembly.GetReferencedAssemblies().First(a => a.Name == _contractName).Version!;

            var entryTypes = assembly.GetExportedTypes()
                .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IProcessorPlugin).IsAssignableFrom(t))
                .ToList();
            if (entryTypes.Count == 0)
            {
                return Unload($"{name}.dll has no public class implementing {nameof(IProcessorPlugin)}.");
            }
            if (entryTypes.Count > 1)
            {
                return Unload($"{name}.dll has {entryTypes.Count} classes implementing {nameof(IProcessorPlugin)}; expected one.");
            }

            var plugin = (IProcessorPlugin)Activator.CreateInstance(entryTypes[0])!;
            if (plugin.ProcessorNames is not { Count: > 0 } names || names.Any(string.IsNullOrWhiteSpace))
            {
                return Unload($"{entryTypes[0].FullName} declares no usable processor names.");
            }
            return (new LoadedPlugin(name, folder, builtAgainst, plugin) { Unloader = loader.IsUnloadable ? loader : null }, null);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException
                                      or ReflectionTypeLoadException or TypeLoadException or MissingMethodException
                                      or TargetInvocationException or InvalidCastException)
        {
            var reason = e is TargetInvocationException { InnerException: { } inner }
                ? $"The plug-in's constructor threw {inner.GetType().Name}: {inner.Message}"
                : $"{e.GetType().Name}: {e.Message}";
            return Unload(reason);
        }

        (LoadedPlugin?, PluginLoadFailure?) Unload(string reason)
        {
            loader.Dispose();
            return Fail(reason);
        }

        (LoadedPlugin?, PluginLoadFailure?) Fail(string reason) => (null, new PluginLoadFailure(folder, reason));
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Loaded plug-in {Plugin} serving {Processors} from {Folder}")]
    private static partial void LogLoaded(ILogger logger, string plugin, string processors, string folder);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Plug-in folder {Folder} did not load: {Reason}")]
    private static partial void LogFailed(ILogger logger, string folder, string reason);
}
