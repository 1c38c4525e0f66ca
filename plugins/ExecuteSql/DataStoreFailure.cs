using System.Globalization;
using Microsoft.Extensions.Logging;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>
/// Answers and logs a data store failure. The answer follows the one table in docs/database-errors.md; the log
/// follows the host's rule: what failed and the trace id at Warning or Error, the database's words and the
/// exception (which can quote SQL or data) at Debug only. A caller's own mistake is logged at Debug.
/// </summary>
internal static partial class DataStoreFailure
{
    /// <summary>Seconds a caller is asked to wait before retrying a command the database gave up on.</summary>
    private const int RetryAfterSeconds = 1;

    /// <summary>
    /// Answers with <paramref name="error"/>, <paramref name="where"/> (a batch element) first. When
    /// <paramref name="callersSql"/> (passThrough), a statement the database cannot run is the caller's mistake, told
    /// in the database's own words. For a configured entity the SQL is the schema author's: the caller gets a code
    /// and the operator the log.
    /// </summary>
    public static void Report(ProcessorContext context, DataStoreError error, string where, Exception exception, bool callersSql)
    {
        var logger = context.Logger;
        var traceId = context.TraceId;
        switch (error.Kind)
        {
            case DataStoreErrorKind.Rejected:
                LogRefused(logger, error.Kind, traceId);
                context.Fail(MessageStatus.DataInvalid, where + error.Message);
                break;
            case DataStoreErrorKind.Conflict:
                LogRefused(logger, error.Kind, traceId);
                context.HttpStatus = error.HttpStatus;
                context.Fail(MessageStatus.DataInvalid, where + error.Message);
                break;
            case DataStoreErrorKind.Forbidden:
                LogForbidden(logger, traceId);
                context.HttpStatus = error.HttpStatus;
                context.Fail(MessageStatus.GeneralError, callersSql && error.DatabaseMessage is { } refusal ? refusal : error.Message);
                break;
            case DataStoreErrorKind.Busy:
                LogBusy(logger, traceId);
                context.HttpStatus = error.HttpStatus;
                context.HttpHeaders["Retry-After"] = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                context.Fail(MessageStatus.GeneralError, where + error.Message);
                break;
            case DataStoreErrorKind.Unavailable:
                LogUnavailable(logger, traceId);
                context.HttpStatus = error.HttpStatus;
                context.Fail(MessageStatus.GeneralError, error.Message);
                break;
            case DataStoreErrorKind.Timeout:
                LogTimedOut(logger, traceId);
                context.Fail(MessageStatus.ReprocessTimeout, where + error.Message);
                break;
            case DataStoreErrorKind.Failed when callersSql && error.DatabaseMessage is { } databaseMessage:
                LogCallersStatementFailed(logger, traceId);
                context.Fail(MessageStatus.MessageInvalid, where + databaseMessage);
                break;
            default:
                LogFailed(logger, error.Kind, error.Message, traceId);
                context.Fail(MessageStatus.GeneralError, where + error.Message);
                break;
        }
        LogDetails(logger, error.DatabaseMessage ?? error.Message, exception, traceId);
    }

    /// <summary>A result value Npgsql cannot read into any .NET number (a numeric of more than 28 digits).</summary>
    public static void ReportValueTooLarge(ProcessorContext context, OverflowException exception)
    {
        LogValueTooLarge(context.Logger, context.TraceId);
        LogDetails(context.Logger, exception.Message, exception, context.TraceId);
        context.Fail(MessageStatus.GeneralError,
            "A value in the result has more digits than a decimal holds (28); the SQL should cast it, for example to text.");
    }

    [LoggerMessage(EventId = 1001, EventName = "DataRefused", Level = LogLevel.Debug,
        Message = "The database refused the call's data ({Kind}) (trace {TraceId})")]
    private static partial void LogRefused(ILogger logger, DataStoreErrorKind kind, string traceId);

    [LoggerMessage(EventId = 1002, EventName = "CallersStatementFailed", Level = LogLevel.Debug,
        Message = "The database could not run the call's own SQL (trace {TraceId})")]
    private static partial void LogCallersStatementFailed(ILogger logger, string traceId);

    [LoggerMessage(EventId = 1003, EventName = "StoreForbidden", Level = LogLevel.Warning,
        Message = "The data store's user may not run the command (trace {TraceId})")]
    private static partial void LogForbidden(ILogger logger, string traceId);

    [LoggerMessage(EventId = 1004, EventName = "StoreBusy", Level = LogLevel.Warning,
        Message = "The database gave up on the command (serialization failure, deadlock or a lock held too long); the caller may retry (trace {TraceId})")]
    private static partial void LogBusy(ILogger logger, string traceId);

    [LoggerMessage(EventId = 1005, EventName = "StoreUnavailable", Level = LogLevel.Warning,
        Message = "The data store is unavailable (trace {TraceId})")]
    private static partial void LogUnavailable(ILogger logger, string traceId);

    [LoggerMessage(EventId = 1006, EventName = "CommandTimedOut", Level = LogLevel.Warning,
        Message = "The command ran past the data store's time limit (trace {TraceId})")]
    private static partial void LogTimedOut(ILogger logger, string traceId);

    [LoggerMessage(EventId = 1007, EventName = "CommandFailed", Level = LogLevel.Error,
        Message = "The command failed ({Kind}): {Failure} (trace {TraceId}); the database's message is logged at Debug")]
    private static partial void LogFailed(ILogger logger, DataStoreErrorKind kind, string failure, string traceId);

    [LoggerMessage(EventId = 1008, EventName = "ValueTooLarge", Level = LogLevel.Error,
        Message = "A result value does not fit a decimal (trace {TraceId})")]
    private static partial void LogValueTooLarge(ILogger logger, string traceId);

    [LoggerMessage(EventId = 1009, EventName = "FailureDetails", Level = LogLevel.Debug,
        Message = "Data store failure details (trace {TraceId}): {DatabaseMessage}")]
    private static partial void LogDetails(ILogger logger, string databaseMessage, Exception exception, string traceId);
}
