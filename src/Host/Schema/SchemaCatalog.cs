using DataHub.Host.Plugins;

namespace DataHub.Host.Schema;

/// <summary>
/// The schema the host serves and the plug-ins behind it. Published once at start-up, before the first request;
/// readers always see one whole, immutable snapshot.
/// </summary>
public sealed class SchemaCatalog : IAsyncDisposable
{
    private SchemaSnapshot? _current;
    private PluginCatalog? _plugins;

    public SchemaSnapshot Current => Volatile.Read(ref _current) ?? throw new InvalidOperationException("The schema is not loaded yet.");

    public PluginCatalog Plugins => _plugins ?? throw new InvalidOperationException("The plug-ins are not loaded yet.");

    public void Publish(SchemaSnapshot snapshot, PluginCatalog plugins)
    {
        _plugins = plugins;
        Volatile.Write(ref _current, snapshot);
    }

    public ValueTask DisposeAsync() => _current?.DisposeAsync() ?? ValueTask.CompletedTask;
}
