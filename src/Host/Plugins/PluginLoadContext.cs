using System.Reflection;
using System.Runtime.Loader;

namespace DataHub.Host.Plugins;

/// <summary>
/// One plug-in's own, collectible load context. It resolves the plug-in's dependencies from its folder (through
/// its .deps.json), so a plug-in may ship any version of any library, except the assemblies in
/// <paramref name="sharedAssemblies"/>, which always come from the host so that contract types are the same on both sides.
/// </summary>
internal sealed class PluginLoadContext(string mainAssemblyPath, IReadOnlySet<string> sharedAssemblies)
    : AssemblyLoadContext(Path.GetFileNameWithoutExtension(mainAssemblyPath), isCollectible: true)
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
