using System.Diagnostics.CodeAnalysis;
using DataHub.Plugins;

namespace DataHub.Host.DataStores;

/// <summary>An instance's data stores by name, owned by the host for its whole life.</summary>
public sealed class InstanceDataStores(IReadOnlyDictionary<string, IDataStore> stores) : IDataStores, IAsyncDisposable
{
    private readonly Dictionary<string, IDataStore> _stores = new(stores, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Names => _stores.Keys;

    public bool TryGet(string name, [NotNullWhen(true)] out IDataStore? store) => _stores.TryGetValue(name, out store);

    /// <summary>Prepares stores before the host serves them (for example, creates and seeds a new SQLite file). Not run by validate.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        foreach (var store in _stores.Values)
        {
            if (store is SqlDataStore sqlStore)
            {
                await sqlStore.InitializeAsync(cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores.Values)
        {
            if (store is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }
}
