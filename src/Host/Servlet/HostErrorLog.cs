namespace DataHub.Host.Servlet;

/// <summary>
/// Puts the trace id of every error the host answers itself (4xx: bad input, unknown entity, refused access, rate
/// limits) in the log at Debug, so that an error body's traceId finds its line once Debug is on
/// (<c>Logging__LogLevel__DataHub=Debug</c>), without a line per bad request at the default level. 5xx answers are
/// logged at Error where they happen.
/// </summary>
internal static partial class HostErrorLog
{
    public const string Category = "DataHub.Host.Servlet.HostErrors";

    public static void Answered(HttpContext http, HostError error)
    {
        // The error path only: resolving the logger there costs nothing on served requests.
        var logger = http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger(Category);
        if (logger is not null && logger.IsEnabled(LogLevel.Debug))
        {
            LogAnswered(new RequestLogger(logger, http.TraceIdentifier), error.HttpStatus, error.Status, error.Message, http.TraceIdentifier);
        }
    }

    [LoggerMessage(EventId = 2001, EventName = "HostError", Level = LogLevel.Debug,
        Message = "Answered {HttpStatus} with status {Status}: {ErrorMessage} (trace {TraceId})")]
    private static partial void LogAnswered(ILogger logger, int httpStatus, int status, string errorMessage, string traceId);
}
