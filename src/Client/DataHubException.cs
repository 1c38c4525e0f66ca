using System.Net;
using System.Text.Json;

namespace DataHub.Client;

/// <summary>
/// A call DataHub answered with an error, or whose answer could not be read: the HTTP status, and from the error body
/// <c>{"status", "errorMessage", "traceId"}</c> DataHub's status code, its message and the trace id its log uses.
/// </summary>
public sealed class DataHubException : Exception
{
    /// <summary>An error answer: its HTTP status and what its body said.</summary>
    public DataHubException(HttpStatusCode httpStatus, int? status, string? errorMessage, string? traceId, Exception? innerException = null)
        : base(Describe(httpStatus, status, errorMessage, traceId), innerException)
    {
        HttpStatus = httpStatus;
        Status = status;
        ErrorMessage = errorMessage;
        TraceId = traceId;
    }

    /// <summary>The answer's HTTP status.</summary>
    public HttpStatusCode HttpStatus { get; }

    /// <summary>DataHub's status code (a MessageStatus, such as 25 for invalid data), when the body carried one.</summary>
    public int? Status { get; }

    /// <summary>DataHub's error message, when the body carried one.</summary>
    public string? ErrorMessage { get; }

    /// <summary>The id under which the host logged the call, when the body carried one.</summary>
    public string? TraceId { get; }

    internal static async Task<DataHubException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        int? status = null;
        string? message = null, traceId = null;
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("status", out var statusElement) && statusElement.TryGetInt32(out var code))
                {
                    status = code;
                }
                if (root.TryGetProperty("errorMessage", out var messageElement) && messageElement.ValueKind == JsonValueKind.String)
                {
                    message = messageElement.GetString();
                }
                if (root.TryGetProperty("traceId", out var traceElement) && traceElement.ValueKind == JsonValueKind.String)
                {
                    traceId = traceElement.GetString();
                }
            }
        }
        catch (JsonException)
        {
            // Not DataHub's error shape (a proxy's page, say): the HTTP status alone describes it.
        }
        return new DataHubException(response.StatusCode, status, message ?? response.ReasonPhrase, traceId);
    }

    private static string Describe(HttpStatusCode httpStatus, int? status, string? errorMessage, string? traceId) =>
        $"DataHub answered {(int)httpStatus}" + (status is { } s ? $" (status {s})" : "")
        + (errorMessage is null ? "." : $": {errorMessage}") + (traceId is null ? "" : $" (trace {traceId})");
}
