using System.Text.Json.Nodes;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>An entity whose SQL and parameters are fixed in the schema: everything was prepared at load.</summary>
internal sealed class SqlProcessor(IDataStore store, SqlStatement statement, SqlConfig config, bool allowsDryRun)
    : IDryRunProcessor, IInputSchemaProvider
{
    public bool AllowsDryRun => allowsDryRun;

    public JsonObject InputSchema { get; } = SqlSchemas.Input(config);

    public JsonObject? ResponseSchema { get; } = SqlSchemas.Response(statement, config.Execute);

    public Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return StatementRunner.RunAsync(context, context.StoreFor(store), statement, config.Execute, context.Data, cancellationToken);
    }
}
