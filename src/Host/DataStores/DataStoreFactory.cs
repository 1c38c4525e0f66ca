using System.Text.Json.Nodes;
using DataHub.Plugins;

namespace DataHub.Host.DataStores;

/// <summary>Turns one <c>dataStores</c> entry of instance.json into a pooled <see cref="IDataStore"/>.</summary>
public static class DataStoreFactory
{
    /// <summary>
    /// Builds the store named <paramref name="name"/> from its JSON (environment references already resolved).
    /// Adds a sentence to <paramref name="errors"/> for every problem and returns null if there was any; the sentences
    /// do not repeat the store's name (the caller says which store they are about) and never quote the connection string.
    /// Does not connect.
    /// </summary>
    public static IDataStore? Create(string name, JsonObject config, string instanceDirectory, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(errors);
        var settings = DataStoreSettings.Read(config, instanceDirectory, errors);
        return settings?.Provider switch
        {
            null => null,
            DataStoreProviders.Sqlite => SqliteDataStore.Create(name, settings, instanceDirectory, errors),
            // Npgsql names its pool in metrics and traces after the data source: instance/store, never the connection string.
            DataStoreProviders.PostgreSql => PostgreSqlDataStore.Create(name, settings, errors,
                poolName: Path.GetFileName(Path.TrimEndingDirectorySeparator(instanceDirectory)) + "/" + name),
            _ => SqlServerDataStore.Create(name, settings, errors),
        };
    }
}
