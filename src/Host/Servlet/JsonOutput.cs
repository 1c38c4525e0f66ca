using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataHub.Plugins;

namespace DataHub.Host.Servlet;

/// <summary>Writes JSON bodies straight to the response pipe, in the one error shape where the host answers itself.</summary>
public static class JsonOutput
{
    public const string JsonContentType = "application/json; charset=utf-8";

    // application/json bodies need no HTML escaping; keep non-ASCII text readable.
    private static readonly JsonWriterOptions _writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteNodeAsync(HttpResponse response, JsonNode? node, CancellationToken cancellationToken)
    {
        await using (var writer = new Utf8JsonWriter(response.BodyWriter, _writerOptions))
        {
            if (node is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                node.WriteTo(writer);
            }
        }
        await response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>Answers with <paramref name="error"/> as <c>{"status", "errorMessage", "traceId"}</c>.</summary>
    public static Task WriteErrorAsync(HttpContext http, HostError error) =>
        WriteStatusBodyAsync(http, error.HttpStatus, error.Status, error.Message, error.Headers);

    /// <summary>Writes the status body; an error status (20 or more) also carries the trace id.</summary>
    public static async Task WriteStatusBodyAsync(
        HttpContext http, int httpStatus, int status, string? errorMessage, IReadOnlyDictionary<string, string>? headers = null)
    {
        var response = http.Response;
        response.StatusCode = httpStatus;
        response.ContentType ??= JsonContentType;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            response.Headers[name] = value;
        }
        await using (var writer = new Utf8JsonWriter(response.BodyWriter, _writerOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("status", status);
            if (errorMessage is not null)
            {
                writer.WriteString("errorMessage", errorMessage);
            }
            if (MessageStatus.IsError(status))
            {
                writer.WriteString("traceId", http.TraceIdentifier);
            }
            writer.WriteEndObject();
        }
        await response.BodyWriter.FlushAsync(http.RequestAborted);
    }
}
