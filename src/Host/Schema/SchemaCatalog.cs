using DataHub.Host.Plugins;

namespace DataHub.Host.Schema;

/// <summary>
/// The schema the host serves and the plug-ins behind it. Each request reads <see cref="Current"/> once and so
/// sees one whole, immutable snapshot; a reload publishes a new one in a single step.
/// </summary>
public sealed class SchemaCatalog : IAsyncDisposable
{
    private SchemaSnapshot? _current;
    private PluginCatalog? _plugins;

    public SchemaSnapshot Current => Volatile.Read(ref _current) ?? throw new InvalidOperationException("The schema is not loaded yet.");

    public PluginCatalog Plugins => Volatile.Read(ref _plugins) ?? throw new InvalidOperationException("The plug-ins are not loaded yet.");

    /// <summary>True once the first snapshot is published.</summary>
    public bool IsLoaded => Volatile.Read(ref _current) is not null;

    /// <summary>The schema folder, as a full path.</summary>
    public string SchemaDirectory { get; private set; } = "";

    /// <summary>Publishes the first snapshot, at start-up.</summary>
    public void Publish(SchemaSnapshot snapshot, PluginCatalog plugins, string schemaDirectory)
    {
        _plugins = plugins;
        SchemaDirectory = schemaDirectory;
        Volatile.Write(ref _current, snapshot);
    }

    /// <summary>Replaces the served snapshot and returns the one it replaced, which requests may still be using.</summary>
    public SchemaSnapshot Replace(SchemaSnapshot snapshot) => Interlocked.Exchange(ref _current, snapshot)!;

    /// <summary>Replaces the served snapshot and the plug-ins it was prepared with; returns the snapshot it replaced.</summary>
    public SchemaSnapshot Replace(SchemaSnapshot snapshot, PluginCatalog plugins)
    {
        Volatile.Write(ref _plugins, plugins);
        return Replace(snapshot);
    }

    /// <summary>Replaces what is reported about the plug-ins (a refused new version, say) while the snapshot stays.</summary>
    public void ReportPlugins(PluginCatalog plugins) => Volatile.Write(ref _plugins, plugins);

    public ValueTask DisposeAsync() => _current?.DisposeAsync() ?? ValueTask.CompletedTask;
}
