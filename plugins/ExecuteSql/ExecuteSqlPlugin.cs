namespace DataHub.Plugins.ExecuteSql;

/// <summary>Datahub's Execute SQL plug-in: runs the configured SQL against a data store, values always bound.</summary>
public sealed class ExecuteSqlPlugin : IProcessorPlugin
{
    /// <summary>The default store of an instance, as Datahub names it.</summary>
    private const string DefaultStoreName = "database";

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

        // The config's dataStore overrides the entity's, which overrides the instance default.
        var storeName = config.DataStore ?? (string.IsNullOrEmpty(setup.DataStoreName) ? DefaultStoreName : setup.DataStoreName);
        if (!setup.DataStores.TryGet(storeName, out var store))
        {
            var configured = setup.DataStores.Names.Count == 0 ? "none" : string.Join(", ", setup.DataStores.Names);
            errors.Add($"dataStore '{storeName}' is not configured for this instance (configured: {configured}).");
        }

        if (config.PassThrough)
        {
            if (setup.Roles.Count == 0)
            {
                errors.Add("passThrough entities must list roles: whoever may call one can run any SQL the store allows.");
            }
            return errors.Count == 0
                ? PrepareResult.Success(new PassThroughProcessor(storeName, config.Execute))
                : PrepareResult.Failure([.. errors]);
        }

        // Without a store the dialect is unknown; SQLite's rules still find the placeholders of ordinary SQL.
        var statement = SqlStatement.Compile(config, store?.Provider ?? DataStoreProviders.Sqlite, errors);
        return statement is null
            ? PrepareResult.Failure([.. errors])
            : PrepareResult.Success(new SqlProcessor(storeName, statement, config.Execute));
    }
}
