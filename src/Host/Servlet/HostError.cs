using System.Collections.ObjectModel;
using DataHub.Plugins;

namespace DataHub.Host.Servlet;

/// <summary>
/// An error the host itself answers with, in the one error shape
/// <c>{"status": N, "errorMessage": "…", "traceId": "…"}</c>.
/// </summary>
public sealed record HostError(int HttpStatus, int Status, string Message)
{
    /// <summary>Extra response headers, such as WWW-Authenticate on a 401.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    public static HostError InstanceNotFound(string instance) =>
        new(StatusCodes.Status404NotFound, MessageStatus.SystemNotFound, $"Instance '{instance}' not found.");

    public static HostError SystemNotFound(string instance, string system) =>
        new(StatusCodes.Status404NotFound, MessageStatus.SystemNotFound, $"System '{system}' not found in instance '{instance}'.");

    public static HostError EntityNotFound(string system, string entity) =>
        new(StatusCodes.Status404NotFound, MessageStatus.EntityNotFound, $"Entity '{entity}' not found in system '{system}'.");

    public static HostError NotExecutable(string entity) =>
        new(StatusCodes.Status404NotFound, MessageStatus.EntityNotFound, $"Entity '{entity}' is not an execute entity.");

    public static HostError InvalidInput(string message) =>
        new(StatusCodes.Status400BadRequest, MessageStatus.MessageInvalid, message);

    public static HostError BodyTooLarge(long? limit) =>
        new(StatusCodes.Status413PayloadTooLarge, MessageStatus.MessageInvalid,
            limit is { } bytes ? $"The request body is larger than the limit of {bytes} bytes." : "The request body is too large.");

    public static HostError TimedOut(TimeSpan limit) =>
        new(StatusCodes.Status504GatewayTimeout, MessageStatus.ReprocessTimeout,
            $"The request did not finish within its time limit of {limit.TotalSeconds:0.###} s.");

    public static HostError ProcessorFailed(string traceId) =>
        new(StatusCodes.Status500InternalServerError, MessageStatus.GeneralError,
            $"The processor failed. The host log has the details under trace id {traceId}.");

    /// <summary>The error for a bodiless status the framework set (no route, wrong method, …).</summary>
    public static HostError ForStatusCode(int httpStatus, string path) => httpStatus switch
    {
        StatusCodes.Status404NotFound => new(httpStatus, MessageStatus.MessageNotFound,
            $"Nothing is served at '{path}'. Call /{{instance}}/{{system}}/{{entity}} or /{{instance}}/{{entity}}."),
        StatusCodes.Status405MethodNotAllowed => new(httpStatus, MessageStatus.MessageInvalid, "Use GET or POST."),
        StatusCodes.Status413PayloadTooLarge => BodyTooLarge(null),
        StatusCodes.Status415UnsupportedMediaType => new(httpStatus, MessageStatus.MessageInvalid, "Unsupported content type."),
        StatusCodes.Status429TooManyRequests => new(httpStatus, MessageStatus.GeneralError, "Too many requests: slow down and retry later."),
        >= 500 => new(httpStatus, MessageStatus.GeneralError, "The host failed to answer."),
        _ => new(httpStatus, MessageStatus.MessageInvalid, "The request was refused."),
    };
}
