namespace DataHub.Plugins.ExecuteSql;

/// <summary>An entity whose SQL and parameters are fixed in the schema: everything was prepared at load.</summary>
internal sealed class SqlProcessor(IDataStore store, SqlStatement statement, bool execute, bool allowsDryRun) : IDryRunProcessor
{
    public bool AllowsDryRun => allowsDryRun;

    public Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return StatementRunner.RunAsync(context, context.StoreFor(store), statement, execute, context.Data, cancellationToken);
    }
}
