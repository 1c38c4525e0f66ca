using System.Text.Json.Nodes;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>
/// An entity whose calls bring their own sql, parameters and execute, with the values in their "data" property.
/// Each call's configuration goes through the same checks the schema's would. SQL the database cannot run is the
/// caller's mistake: 400 with the database's own words.
/// </summary>
internal sealed class PassThroughProcessor(IDataStore store, SqlConfig allowed, bool allowsDryRun) : IDryRunProcessor, IInputSchemaProvider
{
    public bool AllowsDryRun => allowsDryRun;

    public JsonObject InputSchema { get; } = SqlSchemas.PassThroughInput();

    // The caller's SQL decides the answer.
    public JsonObject? ResponseSchema => null;

    public Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var errors = new List<string>();
        var config = SqlConfigReader.Read(context.Data, ConfigSource.Call, errors);
        if (config is not null)
        {
            SqlConfigReader.CheckAllowed(config, allowed, errors);
        }
        var statement = config is null ? null : SqlStatement.Compile(config, store.Provider, errors);
        if (statement is null)
        {
            context.Fail(MessageStatus.MessageInvalid, string.Join(" ", errors));
            return Task.CompletedTask;
        }

        // The call may only ask for a command where the schema allows one.
        var execute = config!.Execute && allowed.Execute;
        var data = context.Data is JsonObject call ? call["data"] : null;
        return StatementRunner.RunAsync(context, context.StoreFor(store), statement, execute, data, cancellationToken, callersSql: true);
    }
}
