using System.Text.Json.Nodes;
using DataHub.Host.Auth;
using DataHub.Host.Caching;
using DataHub.Host.DataStores;
using DataHub.Host.Environments;
using DataHub.Host.Sessions;
using DataHub.Plugins;

namespace DataHub.Host.Schema;

/// <summary>Everything the host serves, loaded and validated as a whole: instances by name (ignoring case).</summary>
public sealed record SchemaSnapshot(IReadOnlyDictionary<string, InstanceDefinition> Instances) : IAsyncDisposable
{
    public int EntityCount => Instances.Values.Sum(i => i.Systems.Values.Sum(s => s.Entities.Count));

    /// <summary>
    /// Prepares every instance's data stores (for example, creates and seeds a new SQLite file): the step between a
    /// valid load and serving. Validate does not run it.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        foreach (var instance in Instances.Values)
        {
            foreach (var stores in instance.AllDataStores)
            {
                await stores.InitializeAsync(cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in Instances.Values)
        {
            // A processor may hold native resources (the Actions plug-in's V8 engines): released with its snapshot.
            foreach (var entity in instance.Systems.Values.SelectMany(s => s.Entities.Values))
            {
                switch (entity.Processor?.Processor)
                {
                    case IAsyncDisposable asyncDisposable:
                        await asyncDisposable.DisposeAsync();
                        break;
                    case IDisposable disposable:
                        disposable.Dispose();
                        break;
                }
            }
            foreach (var stores in instance.AllDataStores)
            {
                await stores.DisposeAsync();
            }
        }
    }
}

/// <summary>One instance: schema/&lt;Name&gt;/ with its instance.json settings and its systems.</summary>
public sealed record InstanceDefinition(
    string Name,
    InstanceDataStores DataStores,
    InstanceAccess Access,
    IReadOnlyDictionary<string, SystemDefinition> Systems)
{
    /// <summary>The instance's session tags (instance.json <c>sessions</c>); none by default.</summary>
    public InstanceSessions Sessions { get; init; } = InstanceSessions.None;

    /// <summary>The instance's environments (instance.json <c>environments</c>), each with its own stores; none by default.</summary>
    public InstanceEnvironments Environments { get; init; } = InstanceEnvironments.None;

    /// <summary>The instance's caches (instance.json <c>caches</c>) and its entities' cache rules; none by default.</summary>
    public InstanceCaches Caches { get; init; } = InstanceCaches.None;

    /// <summary>The most retries a call may ask for (instance.json <c>maxRetries</c>).</summary>
    public int MaxRetries { get; init; } = Calls.CallRetries.DefaultCap;

    /// <summary>The stores as written and every environment's own.</summary>
    public IEnumerable<InstanceDataStores> AllDataStores => Environments.DataStores.Prepend(DataStores);
}

/// <summary>One system: schema/&lt;instance&gt;/&lt;Reference&gt;.json. default.json is the default system.</summary>
public sealed record SystemDefinition(
    string Reference,
    IReadOnlyDictionary<string, EntityDefinition> Entities)
{
    public const string DefaultReference = "default";
}

/// <summary>
/// One entity. Only an execute entity (<see cref="Processor"/> set) is served; the mapping is the entity's JSON
/// as written, handed to plug-ins as <c>entityMapping</c>.
/// </summary>
public sealed record EntityDefinition(
    EntityAddress Address,
    JsonNode? ProcessorConfig,
    string DataStoreName,
    IReadOnlyList<string> Roles,
    JsonObject Mapping,
    PreparedProcessor? Processor)
{
    public const string DefaultDataStore = "database";

    /// <summary>True when every call to this entity must carry a verified session (the entity's <c>requiresSession</c>).</summary>
    public bool RequiresSession { get; init; }
}

/// <summary>An entity's prepared processor, with the plug-in it came from and the logger its requests use.</summary>
public sealed record PreparedProcessor(string PluginName, IProcessor Processor, ILogger Logger);
