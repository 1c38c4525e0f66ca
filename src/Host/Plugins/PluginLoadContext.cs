using System.Reflection;
using System.Runtime.Loader;

namespace DataHub.Host.Plugins;

/// <summary>
/// One plug-in's own load context. It resolves the plug-in's dependencies from its folder (through its
/// .deps.json), so a plug-in may ship any version of any library, except the assemblies in
/// <paramref name="sharedAssemblies"/>, which always come from the host so that contract types are the same on both sides.
/// It is not collectible on purpose: the runtime neither tiers nor profile-guides code in a collectible context, which
/// made the Script plug-in's engine about a fifth slower, and plug-ins are loaded once per process anyway.
/// </summary>
internal sealed class PluginLoadContext(string mainAssemblyPath, IReadOnlySet<string> sharedAssemblies)
    : AssemblyLoadContext(Path.GetFileNameWithoutExtension(mainAssemblyPath), isCollectible: false)
{
    private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is { } name && sharedAssemblies.Contains(name))
        {
            return null;
        }
        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
