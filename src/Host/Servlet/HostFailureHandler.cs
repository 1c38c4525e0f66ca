using Microsoft.AspNetCore.Diagnostics;

namespace DataHub.Host.Servlet;

/// <summary>
/// The last resort for an exception outside a plug-in (a host bug): answers 500 in the error shape and logs the
/// failure without its message, which goes to Debug with the stack trace.
/// </summary>
public static partial class HostFailureHandler
{
    public static Task HandleAsync(HttpContext http)
    {
        var logger = new RequestLogger(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HostFailureHandler)), http.TraceIdentifier);
        if (http.Features.Get<IExceptionHandlerFeature>()?.Error is { } exception)
        {
            LogHostFailed(logger, http.Request.Path, exception.GetType().FullName!, http.TraceIdentifier);
            InstanceServlet.LogFailureDetails(logger, exception, http.TraceIdentifier);
        }
        JsonOutput.WriteError(http, HostError.ForStatusCode(StatusCodes.Status500InternalServerError, http.Request.Path));
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "The host failed serving {Path} with {ExceptionType} (trace {TraceId}); its message and stack trace are logged at Debug")]
    private static partial void LogHostFailed(ILogger logger, string path, string exceptionType, string traceId);
}
