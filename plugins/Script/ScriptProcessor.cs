using Microsoft.Extensions.Logging;

namespace DataHub.Plugins.Script;

/// <summary>Runs an entity's compiled script and turns a failed run into status and errorMessage.</summary>
internal sealed partial class ScriptProcessor(ICompiledScript script) : IProcessor
{
    public Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var outcome = script.Run(context, cancellationToken);
        switch (outcome.End)
        {
            case ScriptEnd.Completed:
                break;
            case ScriptEnd.Cancelled:
                throw new OperationCanceledException(cancellationToken);
            case ScriptEnd.Threw:
                LogThrew(context.Logger, outcome.Message, Where(outcome));
                // A script that chose its own status before throwing has said what the caller gets.
                if (context.Status is null && context.HttpStatus is null)
                {
                    Fail(context, MessageStatus.GeneralError, outcome.Message + Where(outcome));
                }
                break;
            case ScriptEnd.TimedOut:
                LogLimit(context.Logger, outcome.Message, Where(outcome));
                Fail(context, MessageStatus.ReprocessTimeout, outcome.Message + Where(outcome));
                break;
            case ScriptEnd.LimitExceeded:
            case ScriptEnd.InvalidResponse:
                LogLimit(context.Logger, outcome.Message, Where(outcome));
                Fail(context, MessageStatus.GeneralError, outcome.Message + Where(outcome));
                break;
            default:
                throw new InvalidOperationException($"Unknown script outcome {outcome.End}.");
        }
        return Task.CompletedTask;
    }

    // The run did not finish as the script meant: nothing it set stands, only the error.
    private static void Fail(ProcessorContext context, int status, string message)
    {
        context.ClearResponse();
        context.HttpStatus = null;
        context.HttpHeaders.Clear();
        context.Fail(status, message);
    }

    private static string Where(ScriptOutcome outcome) =>
        outcome.Position is { } at ? $" (line {at.Line}, column {at.Column})" : "";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Script threw: {ScriptError}{Position}")]
    private static partial void LogThrew(ILogger logger, string? scriptError, string position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Script stopped: {ScriptError}{Position}")]
    private static partial void LogLimit(ILogger logger, string? scriptError, string position);
}
