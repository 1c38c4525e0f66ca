using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>Datahub's Execute SQL plug-in: runs the configured SQL against a data store, values always bound.</summary>
public sealed class ExecuteSqlPlugin : IProcessorPlugin
{
    public IReadOnlyCollection<string> ProcessorNames { get; } = ["ExecuteSql", "com.datahub.metrici.ExecuteSQLPlugIn"];

    public PrepareResult Prepare(ProcessorSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var errors = new List<string>();
        var config = SqlConfigReader.Read(setup.ProcessorConfig, ConfigSource.Entity, errors);
        if (config is null)
        {
            return PrepareResult.Failure([.. errors]);
        }

        // The config's dataStore overrides the entity's (which the host defaults to the instance's).
        var storeName = config.DataStore ?? setup.DataStoreName;
        if (!setup.DataStores.TryGet(storeName, out var store))
        {
            var configured = setup.DataStores.Names.Count == 0 ? "none" : string.Join(", ", setup.DataStores.Names);
            errors.Add($"dataStore '{storeName}' is not configured for this instance (configured: {configured}).");
        }

        // Dry runs are allowed unless the entity says "dryRun": false.
        var allowsDryRun = true;
        if (setup.ProcessorConfig is JsonObject members && members["dryRun"] is { } dryRun)
        {
            if (dryRun.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            {
                allowsDryRun = dryRun.GetValue<bool>();
            }
            else
            {
                errors.Add("dryRun must be true or false.");
            }
        }

        if (config.PassThrough)
        {
            if (setup.Roles.Count == 0)
            {
                errors.Add("passThrough entities must list roles: whoever may call one can run any SQL the store allows.");
            }
            return store is not null && errors.Count == 0
                ? PrepareResult.Success(new PassThroughProcessor(store, config, allowsDryRun))
                : PrepareResult.Failure([.. errors]);
        }

        // Without a store the dialect is unknown; SQLite's rules still find the placeholders of ordinary SQL.
        var statement = SqlStatement.Compile(config, store?.Provider ?? DataStoreProviders.Sqlite, errors);
        return store is not null && statement is not null
            ? PrepareResult.Success(new SqlProcessor(store, statement, config, allowsDryRun))
            : PrepareResult.Failure([.. errors]);
    }
}
