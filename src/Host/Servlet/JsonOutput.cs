using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataHub.Plugins;

namespace DataHub.Host.Servlet;

/// <summary>
/// Writes response bodies whole, with their Content-Length, so a response leaves in one send without chunked
/// framing; and the one error shape where the host answers itself.
/// </summary>
public static class JsonOutput
{
    public const string JsonContentType = "application/json; charset=utf-8";

    // A body is built in a per-thread buffer, then copied into the response pipe before any await.
    // A buffer grown past this by a large response is dropped rather than kept for the thread's life.
    private const int RetainedBufferBytes = 64 * 1024;

    // application/json bodies need no HTML escaping; keep non-ASCII text readable.
    private static readonly JsonWriterOptions _writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _threadWriter;

    public static void WriteNode(HttpResponse response, JsonNode? node)
    {
        var writer = RentWriter(out var buffer);
        if (node is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            node.WriteTo(writer);
        }
        writer.Flush();
        WriteBody(response, buffer);
    }

    /// <summary>Writes <paramref name="text"/> as it is, in UTF-8.</summary>
    public static void WriteText(HttpResponse response, string text)
    {
        RentWriter(out var buffer);
        var bytes = Encoding.UTF8.GetBytes(text, buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length)));
        buffer.Advance(bytes);
        WriteBody(response, buffer);
    }

    /// <summary>Answers with <paramref name="error"/> as <c>{"status", "errorMessage", "traceId"}</c>.</summary>
    public static void WriteError(HttpContext http, HostError error)
    {
        if (error.HttpStatus < StatusCodes.Status500InternalServerError)
        {
            HostErrorLog.Answered(http, error);
        }
        WriteStatusBody(http, error.HttpStatus, error.Status, error.Message, error.Headers);
    }

    /// <summary>Writes the status body; an error status (20 or more) also carries the trace id.</summary>
    public static void WriteStatusBody(
        HttpContext http, int httpStatus, int status, string? errorMessage, IReadOnlyDictionary<string, string>? headers = null)
    {
        var response = http.Response;
        response.StatusCode = httpStatus;
        response.ContentType ??= JsonContentType;
        if (headers is { Count: > 0 })
        {
            foreach (var (name, value) in headers)
            {
                response.Headers[name] = value;
            }
        }
        var writer = RentWriter(out var buffer);
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
        writer.Flush();
        WriteBody(response, buffer);
    }

    private static Utf8JsonWriter RentWriter(out ArrayBufferWriter<byte> buffer)
    {
        buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = _threadWriter ??= new Utf8JsonWriter(buffer, _writerOptions);
        writer.Reset(buffer);
        return writer;
    }

    /// <summary>
    /// Copies the body into the response pipe with its length. Kestrel sends it with the headers when the request
    /// ends: one send, and nothing to await here.
    /// </summary>
    private static void WriteBody(HttpResponse response, ArrayBufferWriter<byte> buffer)
    {
        response.ContentLength = buffer.WrittenCount;
        response.BodyWriter.Write(buffer.WrittenSpan);
        if (buffer.Capacity > RetainedBufferBytes)
        {
            _threadBuffer = null;
            _threadWriter = null;
        }
    }
}
