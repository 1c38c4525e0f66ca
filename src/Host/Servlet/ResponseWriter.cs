using System.Text.Json.Nodes;
using DataHub.Plugins;
using Microsoft.Net.Http.Headers;

namespace DataHub.Host.Servlet;

/// <summary>
/// Turns a plug-in's outputs into the HTTP response, as datahub-execute.txt says: response (JSON, or a string
/// written as it is), httpStatus, httpHeaders (Content-Type replaces application/json), and status/errorMessage,
/// which build the body when no response was set.
/// </summary>
public sealed partial class ResponseWriter(ILogger<ResponseWriter> logger)
{
    // Headers that describe the body's framing belong to the server, not to a plug-in.
    private static readonly HashSet<string> _reservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.ContentLength, HeaderNames.TransferEncoding, HeaderNames.Connection, HeaderNames.Upgrade,
        HeaderNames.KeepAlive, "Trailer",
    };

    public void Write(HttpContext http, ProcessorContext outputs)
    {
        var response = http.Response;
        var httpStatus = outputs.HttpStatus ?? StatusMapping.ToHttpStatus(outputs.Status);
        if (httpStatus is < 100 or > 599)
        {
            LogInvalidStatus(new RequestLogger(logger, http.TraceIdentifier), httpStatus, http.TraceIdentifier);
            JsonOutput.WriteError(http, HostError.ProcessorFailed(http.TraceIdentifier));
            return;
        }

        if (!outputs.IsResponseSet && (outputs.Status is not null || outputs.ErrorMessage is not null))
        {
            ApplyHeaders(http, outputs.HttpHeaders);
            JsonOutput.WriteStatusBody(http, httpStatus, outputs.Status ?? MessageStatus.GeneralError, outputs.ErrorMessage);
            return;
        }

        response.StatusCode = httpStatus;
        response.ContentType = JsonOutput.JsonContentType;
        ApplyHeaders(http, outputs.HttpHeaders);
        if (!outputs.IsResponseSet)
        {
            response.ContentLength = 0;
            return;
        }
        if (outputs.Response is JsonValue value && value.TryGetValue(out string? text))
        {
            JsonOutput.WriteText(response, text);
            return;
        }
        JsonOutput.WriteNode(response, outputs.Response);
    }

    private void ApplyHeaders(HttpContext http, IDictionary<string, string> headers)
    {
        if (headers.Count == 0)
        {
            return;
        }
        foreach (var (name, value) in headers)
        {
            if (!IsToken(name) || _reservedHeaders.Contains(name) || !IsSafeValue(value))
            {
                LogSkippedHeader(new RequestLogger(logger, http.TraceIdentifier), name, http.TraceIdentifier);
                continue;
            }
            if (string.Equals(name, HeaderNames.ContentType, StringComparison.OrdinalIgnoreCase))
            {
                http.Response.ContentType = value;
            }
            else
            {
                http.Response.Headers[name] = value;
            }
        }
    }

    private static bool IsToken(string name) =>
        name.Length > 0 && name.All(c => c is > ' ' and < (char)127 && !"()<>@,;:\\\"/[]?={}".Contains(c));

    private static bool IsSafeValue(string value) => value.All(c => c == '\t' || c is >= ' ' and < (char)127);

    [LoggerMessage(Level = LogLevel.Error, Message = "Processor set httpStatus {HttpStatus}, which is not an HTTP status (trace {TraceId})")]
    private static partial void LogInvalidStatus(ILogger logger, int httpStatus, string traceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped response header '{Header}': not a valid or settable header (trace {TraceId})")]
    private static partial void LogSkippedHeader(ILogger logger, string header, string traceId);
}
