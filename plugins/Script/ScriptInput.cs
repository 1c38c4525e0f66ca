using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataHub.Plugins.Script;

/// <summary>
/// The request's inputs as the one JSON text an engine receives: {"data", "context", "user", "options", "filter",
/// "session", "entityMapping"}. The prelude parses it on the script's first read of an input, so a script that reads none
/// costs no parsing at all.
/// </summary>
internal static class ScriptInput
{
    private static readonly JsonWriterOptions _options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    /// <summary>The entity's mapping as JSON, written once when the entity is prepared (it is the same for every request).</summary>
    public static byte[] EntityMappingJson(JsonObject entityMapping) => JsonSerializer.SerializeToUtf8Bytes(entityMapping);

    public static string Write(ProcessorContext context, byte[] entityMappingJson)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, _options))
        {
            writer.WriteStartObject();
            Write(writer, "data", context.Data);
            Write(writer, "context", context.Context);
            Write(writer, "user", context.User);
            Write(writer, "options", context.Options);
            Write(writer, "filter", context.Filter);
            Write(writer, "session", context.Session);
            writer.WritePropertyName("entityMapping");
            writer.WriteRawValue(entityMappingJson, skipInputValidation: true);
            writer.WriteEndObject();
        }
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        // A large body should not stay pinned to the thread.
        if (buffer.Capacity > 64 * 1024)
        {
            _buffer = null;
        }
        return text;
    }

    private static void Write(Utf8JsonWriter writer, string name, JsonNode? node)
    {
        writer.WritePropertyName(name);
        if (node is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            node.WriteTo(writer);
        }
    }
}
