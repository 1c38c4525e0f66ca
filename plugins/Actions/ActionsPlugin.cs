using DataHub.Plugins.Actions.Expressions;

namespace DataHub.Plugins.Actions;

/// <summary>
/// The Actions plug-in: several steps (query, create, update, delete, validate, execute, respond) in one transaction,
/// with validated input and a composed response. See docs/actions.md.
/// </summary>
public sealed class ActionsPlugin : IProcessorPlugin
{
    public IReadOnlyCollection<string> ProcessorNames { get; } = ["Actions"];

    public PrepareResult Prepare(ProcessorSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var errors = new List<string>();
        var storeName = setup.ProcessorConfig?["dataStore"] is { } named && named.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? named.GetValue<string>()
            : setup.DataStoreName;
        IDataStore? store = null;
        if (!setup.DataStores.TryGet(storeName, out store))
        {
            var configured = setup.DataStores.Names.Count == 0 ? "none" : string.Join(", ", setup.DataStores.Names);
            errors.Add($"dataStore '{storeName}' is not configured for this instance (configured: {configured}).");
        }

        var (config, blocks, limits) = ConfigReader.Read(setup.ProcessorConfig, storeName, store?.Provider ?? DataStoreProviders.Sqlite, errors);
        // Syntax is checked even when the configuration has other problems, so every error is reported at once.
        var engine = ExpressionEngine.Compile(blocks, limits, errors);
        if (config is null || store is null || engine is null || errors.Count > 0)
        {
            engine?.Dispose();
            return PrepareResult.Failure([.. errors]);
        }
        return PrepareResult.Success(new ActionsProcessor(setup.Entity.ToString(), config, engine, store));
    }
}
