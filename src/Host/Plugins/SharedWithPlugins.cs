using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using DataHub.Plugins;

namespace DataHub.Host.Plugins;

/// <summary>
/// The assemblies every plug-in gets from the host instead of from its own folder: the one list, read by the loader
/// and by the load-time compatibility check.
/// <para>
/// Sharing is what makes types the same on both sides (the contract), and what keeps a library that must exist once
/// per process consistent: a shared managed assembly is loaded once, in the host's context, so its P/Invokes resolve
/// the native library through the host's own .deps.json, once, whichever plug-in calls it first. Every plug-in that
/// uses such a library then runs on the host's single managed + native copy, and the copies plug-ins ship in their
/// folders are never loaded. A library that is not shared is private to each plug-in, native part included: it loads
/// from the plug-in's own folder (runtimes/&lt;rid&gt;/native via its .deps.json), after build, run and publish alike.
/// </para>
/// </summary>
public static class SharedWithPlugins
{
    /// <summary>
    /// The roots of what is shared, by assembly name. Each is shared with everything it references, so a shared
    /// type's own dependencies come from the host too (DotNetCorePlugins issue #302). To share a library with
    /// every plug-in, reference it from the host and add its name here.
    /// </summary>
    private static readonly string[] _roots =
    [
        typeof(IProcessorPlugin).Assembly.GetName().Name!,
        // ClearScript's V8: its native half exists once per process and must match its managed half, so every
        // plug-in that uses V8 (Script, Actions) runs on the host's one copy.
        "ClearScript.Core",
        "ClearScript.V8",
        "ClearScript.V8.ICUData",
    ];

    /// <summary>The roots and everything they reference, with the version the host provides.</summary>
    public static IReadOnlyDictionary<string, Version> Provided { get; } = Close(_roots);

    /// <summary>The assembly names of <see cref="Provided"/>.</summary>
    public static IReadOnlySet<string> Names { get; } = Provided.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// What a plug-in's load context is told to take from the host: the roots, and the shared assemblies the plug-in
    /// ships copies of. The rest of the closure it takes from the host anyway, since the plug-in has no copy to load
    /// instead; naming only these keeps the load context from loading the whole closure up front.
    /// </summary>
    internal static IEnumerable<AssemblyName> ForPluginShipping(IEnumerable<string> sharedCopies) =>
        _roots.Union(sharedCopies, StringComparer.OrdinalIgnoreCase).Select(name => new AssemblyName(name));

    /// <summary>
    /// The closure read from metadata, without loading anything: the host's assemblies are the runtime's trusted
    /// platform assemblies (its own and the shared frameworks'), and loading all of them would cost start-up time and
    /// memory for what most plug-ins never touch.
    /// </summary>
    private static Dictionary<string, Version> Close(IEnumerable<string> roots)
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .DistinctBy(Path.GetFileNameWithoutExtension, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(path => Path.GetFileNameWithoutExtension(path), StringComparer.OrdinalIgnoreCase);
        var provided = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase);
        var pending = new Queue<string>(roots);
        while (pending.TryDequeue(out var name))
        {
            if (provided.ContainsKey(name) || !paths.TryGetValue(name, out var path))
            {
                continue;
            }
            using var pe = new PEReader(File.OpenRead(path));
            var metadata = pe.GetMetadataReader();
            provided[name] = metadata.GetAssemblyDefinition().Version;
            foreach (var reference in metadata.AssemblyReferences)
            {
                pending.Enqueue(metadata.GetString(metadata.GetAssemblyReference(reference).Name));
            }
        }
        return provided;
    }
}
