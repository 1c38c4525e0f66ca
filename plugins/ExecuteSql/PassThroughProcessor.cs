using System.Text.Json.Nodes;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>
/// An entity whose calls bring their own sql, parameters and execute, with the values in their "data" property.
/// Each call's configuration goes through the same checks the schema's would.
/// </summary>
internal sealed class PassThroughProcessor(string storeName, bool executeAllowed) : IProcessor
{
    public Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.DataStores.TryGet(storeName, out var store))
        {
            context.Fail(MessageStatus.GeneralError, $"The data store '{storeName}' is not configured for this instance.");
            return Task.CompletedTask;
        }

        var errors = new List<string>();
        var config = SqlConfigReader.Read(context.Data, ConfigSource.Call, errors);
        var statement = config is null ? null : SqlStatement.Compile(config, store.Provider, errors);
        if (statement is null)
        {
            context.Fail(MessageStatus.MessageInvalid, string.Join(" ", errors));
            return Task.CompletedTask;
        }

        // The call may only ask for a command where the schema allows one.
        var execute = config!.Execute && executeAllowed;
        var data = context.Data is JsonObject call ? call["data"] : null;
        return StatementRunner.RunAsync(context, storeName, statement, execute, data, cancellationToken);
    }
}
