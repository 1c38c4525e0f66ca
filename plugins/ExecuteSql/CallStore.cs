namespace DataHub.Plugins.ExecuteSql;

/// <summary>
/// The store a call runs on: the call's own (its environment's stores, from the context), else the one prepared at load.
/// Statements were compiled for the prepared store's provider, and an environment's override cannot change the provider.
/// </summary>
internal static class CallStore
{
    public static IDataStore For(ProcessorContext context, IDataStore prepared) =>
        context.DataStores.TryGet(context.DataStoreName, out var current) && current.Provider == prepared.Provider ? current : prepared;
}
