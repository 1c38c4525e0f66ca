using System.Diagnostics.CodeAnalysis;
using DataHub.Plugins;

namespace DataHub.Host.Plugins;

/// <summary>A plug-in that loaded: its folder, its entry point and the processor names it serves.</summary>
public sealed record LoadedPlugin(string Name, string Directory, Version ContractVersion, IProcessorPlugin Plugin)
{
    /// <summary>Unloads the plug-in's load context, for a collectible one; null when its code stays for the process's life.</summary>
    internal IDisposable? Unloader { get; init; }
}

/// <summary>A plug-in folder that did not load, and why. The rest of the host keeps working.</summary>
public sealed record PluginLoadFailure(string Directory, string Reason);

/// <summary>The loaded plug-ins by processor name (ignoring case), plus the folders that failed. Immutable: a hot reload makes a new one.</summary>
public sealed class PluginCatalog(
    IReadOnlyDictionary<string, LoadedPlugin> byProcessorName,
    IReadOnlyList<LoadedPlugin> plugins,
    IReadOnlyList<PluginLoadFailure> failures)
{
    public IReadOnlyList<LoadedPlugin> Plugins { get; } = plugins;

    public IReadOnlyList<PluginLoadFailure> Failures { get; } = failures;

    public IEnumerable<string> ProcessorNames => byProcessorName.Keys.Order(StringComparer.OrdinalIgnoreCase);

    public bool TryGetProcessor(string processorName, [NotNullWhen(true)] out LoadedPlugin? plugin) =>
        byProcessorName.TryGetValue(processorName, out plugin);

    /// <summary>The same plug-ins, with <paramref name="failure"/> reported too.</summary>
    public PluginCatalog WithFailure(PluginLoadFailure failure) => new(byProcessorName, Plugins, [.. Failures, failure]);
}
