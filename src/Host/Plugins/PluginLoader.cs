using System.Reflection;
using DataHub.Plugins;

namespace DataHub.Host.Plugins;

/// <summary>
/// Loads every plug-in under the given folders: each <c>&lt;dir&gt;/&lt;Name&gt;/&lt;Name&gt;.dll</c> is one plug-in,
/// in its own <see cref="PluginLoadContext"/>. A folder that fails is reported and skipped.
/// </summary>
public static partial class PluginLoader
{
    private static readonly Assembly _contract = typeof(IProcessorPlugin).Assembly;

    /// <summary>
    /// Libraries whose native half exists once per process and must match its managed half: ClearScript's V8. Every
    /// plug-in that uses V8 (Script, Actions) gets the host's one copy, so two versions can never load side by side.
    /// </summary>
    private static readonly string[] _processWideAssemblies = ["ClearScript.Core", "ClearScript.V8", "ClearScript.V8.ICUData"];

    /// <summary>
    /// The contract, every assembly its public surface uses, and the process-wide libraries: the only assemblies
    /// plug-ins share with the host.
    /// </summary>
    internal static readonly IReadOnlySet<string> SharedAssemblies = _contract.GetReferencedAssemblies()
        .Select(a => a.Name!)
        .Append(_contract.GetName().Name!)
        .Concat(_processWideAssemblies)
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The contract version this host provides.</summary>
    public static Version ContractVersion { get; } = _contract.GetName().Version!;

    public static PluginCatalog Load(IEnumerable<string> pluginDirectories, ILogger logger)
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
                var result = LoadOne(folder);
                if (result.Failure is { } failure)
                {
                    failures.Add(failure);
                    continue;
                }
                var plugin = result.Plugin!;
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

    /// <summary>Whether a plug-in built against <paramref name="builtAgainst"/> runs on <paramref name="provided"/>.</summary>
    public static bool IsCompatible(Version builtAgainst, Version provided) =>
        builtAgainst.Major == provided.Major && builtAgainst <= provided;

    private static (LoadedPlugin? Plugin, PluginLoadFailure? Failure) LoadOne(string folder)
    {
        var name = Path.GetFileName(folder);
        var assemblyPath = Path.Combine(folder, name + ".dll");
        if (!File.Exists(assemblyPath))
        {
            return Fail($"No {name}.dll in the folder: a plug-in folder holds <Name>/<Name>.dll.");
        }

        var context = new PluginLoadContext(assemblyPath, SharedAssemblies);
        try
        {
            var assembly = context.LoadFromAssemblyPath(assemblyPath);
            var contractReference = assembly.GetReferencedAssemblies()
                .FirstOrDefault(a => string.Equals(a.Name, _contract.GetName().Name, StringComparison.OrdinalIgnoreCase));
            if (contractReference?.Version is not { } builtAgainst)
            {
                return Fail($"{name}.dll does not reference {_contract.GetName().Name}.");
            }
            if (!IsCompatible(builtAgainst, ContractVersion))
            {
                return Fail($"Built against plug-in contract {builtAgainst}; this host provides {ContractVersion}.");
            }

            var entryTypes = assembly.GetExportedTypes()
                .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IProcessorPlugin).IsAssignableFrom(t))
                .ToList();
            if (entryTypes.Count == 0)
            {
                return Fail($"{name}.dll has no public class implementing {nameof(IProcessorPlugin)}.");
            }
            if (entryTypes.Count > 1)
            {
                return Fail($"{name}.dll has {entryTypes.Count} classes implementing {nameof(IProcessorPlugin)}; expected one.");
            }

            var plugin = (IProcessorPlugin)Activator.CreateInstance(entryTypes[0])!;
            if (plugin.ProcessorNames is not { Count: > 0 } names || names.Any(string.IsNullOrWhiteSpace))
            {
                return Fail($"{entryTypes[0].FullName} declares no usable processor names.");
            }
            return (new LoadedPlugin(name, folder, builtAgainst, plugin), null);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException
                                      or ReflectionTypeLoadException or TypeLoadException or MissingMethodException
                                      or TargetInvocationException or InvalidCastException)
        {
            var reason = e is TargetInvocationException { InnerException: { } inner }
                ? $"The plug-in's constructor threw {inner.GetType().Name}: {inner.Message}"
                : $"{e.GetType().Name}: {e.Message}";
            return Fail(reason);
        }

        (LoadedPlugin?, PluginLoadFailure?) Fail(string reason) => (null, new PluginLoadFailure(folder, reason));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded plug-in {Plugin} serving {Processors} from {Folder}")]
    private static partial void LogLoaded(ILogger logger, string plugin, string processors, string folder);

    [LoggerMessage(Level = LogLevel.Error, Message = "Plug-in folder {Folder} did not load: {Reason}")]
    private static partial void LogFailed(ILogger logger, string folder, string reason);
}
