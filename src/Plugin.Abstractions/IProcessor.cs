namespace DataHub.Plugins;

/// <summary>
/// Serves one entity. Made by <see cref="IProcessorPlugin.Prepare"/> and shared by all the entity's
/// requests at once, so it must be thread-safe; per-request state lives in the <see cref="ProcessorContext"/>.
/// </summary>
public interface IProcessor
{
    /// <summary>
    /// Reads the inputs of <paramref name="context"/> and sets its outputs. Expected failures (bad data, a refused
    /// command) are outputs: set <see cref="ProcessorContext.Status"/> and <see cref="ProcessorContext.ErrorMessage"/>.
    /// An exception is reported to the caller as status 20 without its details.
    /// </summary>
    /// <param name="context">The request's inputs and outputs.</param>
    /// <param name="cancellationToken">
    /// Cancelled when the caller disconnects or the request's time limit passes. It belongs to this call only: the
    /// host reuses its source once the returned task completes, so work that outlives the call must not keep it.
    /// </param>
    Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken);
}
