using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace DataHub.Host.Plugins;

/// <summary>
/// Checks a plug-in folder's binaries against what the host shares, by reading their metadata, before any of their
/// code loads. Each mismatch caught here would otherwise surface later as a type that is not the host's, or as a
/// TypeLoadException in the middle of a request (DotNetCorePlugins issues #242, #295 and #302).
/// </summary>
internal static class PluginCompatibility
{
    /// <summary>Whether the plug-in in <paramref name="folder"/> can run on this host, and which shared assemblies it ships copies of.</summary>
    public static PluginFolderCheck Check(string folder, string mainAssemblyPath, string contractName, Version contractVersion)
    {
        var main = Read(mainAssemblyPath);
        if (main.Error is { } unreadable)
        {
            return PluginFolderCheck.Refused(unreadable);
        }
        if (main.References.FirstOrDefault(r => string.Equals(r.Name, contractName, StringComparison.OrdinalIgnoreCase))?.Version is not { } builtAgainst)
        {
            return PluginFolderCheck.Refused($"{Path.GetFileName(mainAssemblyPath)} does not reference {contractName}.");
        }
        if (!PluginLoader.IsCompatible(builtAgainst, contractVersion))
        {
            return PluginFolderCheck.Refused($"Built against plug-in contract {Format(builtAgainst)}; this host provides contract {Format(contractVersion)}. "
                + (builtAgainst.Major == contractVersion.Major
                    ? $"Run it on a host with contract {Format(builtAgainst)} or later, or build it against {Format(contractVersion)}."
                    : $"Build it against contract {contractVersion.Major}.x."));
        }

        // Every managed binary the plug-in ships, its own and its private dependencies alike: one of those may need a
        // newer shared assembly than the host's (a diamond), which the host cannot give it.
        var needsNewer = new SortedSet<string>(StringComparer.Ordinal);
        var sharedCopies = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in Directory.EnumerateFiles(folder, "*.dll", SearchOption.AllDirectories))
        {
            var binary = string.Equals(file, mainAssemblyPath, StringComparison.Ordinal) ? main : Read(file);
            if (binary.Error is not null || binary.Name is null)
            {
                continue;
            }
            if (SharedWithPlugins.Names.Contains(binary.Name))
            {
                // A copy of a shared assembly, which is never loaded: the host's is used.
                sharedCopies.Add(binary.Name);
                continue;
            }
            foreach (var reference in binary.References)
            {
                if (reference is { Name: { } name, Version: { } needed }
                    && SharedWithPlugins.Provided.TryGetValue(name, out var provided) && needed > provided)
                {
                    var via = binary == main ? "" : $" (through {Path.GetRelativePath(folder, file)}, which the plug-in ships)";
                    needsNewer.Add($"{name} {needed}{via}; the host shares {name} {provided}");
                }
            }
        }
        return needsNewer.Count == 0
            ? new PluginFolderCheck(null, sharedCopies)
            : PluginFolderCheck.Refused(
                $"The plug-in needs newer shared assemblies than the host's: {string.Join("; and ", needsNewer)}. "
                + "Shared assemblies always come from the host, never from a plug-in's folder: build the plug-in against "
                + "the host's versions or run a newer host.");
    }

    private static string Format(Version version) => version.ToString(2);

    private static Binary Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                return new Binary(null, [], $"{Path.GetFileName(path)} is not a .NET assembly.");
            }
            var metadata = pe.GetMetadataReader();
            if (!metadata.IsAssembly)
            {
                return new Binary(null, [], $"{Path.GetFileName(path)} is a module, not an assembly.");
            }
            var references = metadata.AssemblyReferences
                .Select(handle => metadata.GetAssemblyReference(handle).GetAssemblyName())
                .ToList();
            return new Binary(metadata.GetString(metadata.GetAssemblyDefinition().Name), references, null);
        }
        catch (BadImageFormatException e)
        {
            return new Binary(null, [], $"{nameof(BadImageFormatException)}: {Path.GetFileName(path)} is not a valid assembly ({e.Message})");
        }
    }

    private sealed record Binary(string? Name, IReadOnlyList<AssemblyName> References, string? Error);
}

/// <summary>What reading a plug-in folder found: why it cannot run (null when it can), and the shared assemblies it ships copies of.</summary>
internal sealed record PluginFolderCheck(string? Problem, IReadOnlySet<string> SharedCopies)
{
    public static PluginFolderCheck Refused(string problem) => new(problem, new HashSet<string>());
}
