using Microsoft.Extensions.Logging;

namespace DataHub.Plugins.Script;

/// <summary>
/// Runs an entity's compiled script for one request and turns how it ended into the request's answer. These rules
/// hold whatever engine runs the script: a limit or an uncaught throw answers with the error alone, unless the
/// script chose its own status before throwing.
/// </summary>
internal sealed partial class ScriptProcessor(ICompiledScript script, ScriptLimits limits, byte[] entityMappingJson) : IProcessor
{
    /// <summary>What V8 (and most engines) throw when the stack limit is reached.</summary>
    private const string StackOverflow = "RangeError: Maximum call stack size exceeded";

    public async Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var request = new ScriptRequest(ScriptInput.WriteParts(context, entityMappingJson), context.Logger);
        var run = await script.RunAsync(request, cancellationToken).ConfigureAwait(false);
        switch (run.End)
        {
            case ScriptEnd.Cancelled:
                throw new OperationCanceledException(cancellationToken);
            case ScriptEnd.TimedOut:
                Stopped(context, MessageStatus.ReprocessTimeout, run.Message!, ScriptMetrics.Timeout);
                return;
            case ScriptEnd.LimitExceeded:
                Stopped(context, MessageStatus.GeneralError, run.Message!, ScriptMetrics.Memory);
                return;
        }

        var outputs = ScriptOutputs.Read(run.Output!, limits);
        if (outputs.Thrown is { } thrown)
        {
            var position = run.ThrowPosition ?? ScriptPrelude.FindPosition(outputs.ThrownStack, script.IsAsync)
                ?? (outputs.ThrownStack is null ? script.ThrowSites.Find(thrown) : null);
            var where = position is { } at ? $" (line {at.Line}, column {at.Column})" : "";
            if (thrown == StackOverflow)
            {
                Stopped(context, MessageStatus.GeneralError, $"The script nested function calls deeper than {limits.StackLimitName} allows{where}", ScriptMetrics.Stack);
                return;
            }
            LogThrew(context.Logger, thrown, where);
            // A script that chose its own status before throwing has said what the caller gets.
            if (outputs.Status is null && outputs.HttpStatus is null)
            {
                context.Fail(MessageStatus.GeneralError, thrown + where);
                return;
            }
        }
        else if (outputs.ResponseProblem is { } problem)
        {
            Stopped(context, MessageStatus.GeneralError, problem);
            return;
        }
        outputs.ApplyTo(context);
    }

    // The run did not finish as the script meant: nothing it set stands, only the error. A limit that stopped it is
    // counted by its reason.
    private static void Stopped(ProcessorContext context, int status, string message, string? limit = null)
    {
        if (limit is not null)
        {
            ScriptMetrics.Stopped(context.Call, limit);
        }
        LogStopped(context.Logger, message);
        context.ClearResponse();
        context.HttpStatus = null;
        context.HttpHeaders.Clear();
        context.Fail(status, message);
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Script threw: {ScriptError}{Position}")]
    private static partial void LogThrew(ILogger logger, string scriptError, string position);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Script stopped: {Reason}")]
    private static partial void LogStopped(ILogger logger, string reason);
}
