using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataHub.Host.Servlet;
using DataHub.Plugins;

namespace DataHub.Host.Caching;

/// <summary>
/// A successful answer as a cache keeps it: the outputs the response is written from (response, HTTP status, status,
/// headers), as UTF-8 JSON, so a hit is written exactly as the run it came from.
/// </summary>
public static class CachedAnswer
{
    /// <summary>True when <paramref name="outputs"/> succeeded: a 2xx answer with no error status or message. Nothing else is kept.</summary>
    public static bool Succeeded(ProcessorContext outputs) =>
        (outputs.HttpStatus ?? StatusMapping.ToHttpStatus(outputs.Status)) is >= 200 and < 300
        && outputs.ErrorMessage is null
        && !(outputs.Status is { } status && MessageStatus.IsError(status));

    public static byte[] Serialize(ProcessorContext outputs)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (outputs.HttpStatus is { } httpStatus)
            {
                writer.WriteNumber("httpStatus", httpStatus);
            }
            if (outputs.Status is { } status)
            {
                writer.WriteNumber("status", status);
            }
            writer.WriteStartObject("headers");
            foreach (var (name, value) in outputs.HttpHeaders)
            {
                writer.WriteString(name, value);
            }
            writer.WriteEndObject();
            if (outputs.IsResponseSet)
            {
                writer.WritePropertyName("response");
                if (outputs.Response is { } response)
                {
                    response.WriteTo(writer);
                }
                else
                {
                    writer.WriteNullValue();
                }
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Sets a fresh context's outputs to those <see cref="Serialize"/> kept.</summary>
    public static void Restore(byte[] answer, ProcessorContext outputs)
    {
        var kept = JsonNode.Parse(answer)!.AsObject();
        outputs.HttpStatus = kept["httpStatus"]?.GetValue<int>();
        outputs.Status = kept["status"]?.GetValue<int>();
        foreach (var (name, value) in kept["headers"]!.AsObject())
        {
            outputs.HttpHeaders[name] = value!.GetValue<string>();
        }
        if (kept.TryGetPropertyValue("response", out var response))
        {
            kept.Remove("response");
            outputs.Response = response;
        }
    }
}
