using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataHub.Plugins.Script;

/// <summary>
/// The request's inputs as the one JSON text an engine receives (in pieces, see <see cref="WriteParts"/>): {"data",
/// "context", "user", "options", "filter", "session", "entityMapping"}. The prelude parses it on the script's first
/// read of an input, so a script that reads none costs no parsing at all.
/// </summary>
internal static class ScriptInput
{
    private static readonly JsonWriterOptions _options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>At most this many chars per piece: 64 KB as UTF-16, below the large object heap's 85,000 bytes.</summary>
    private const int PartBytes = 32 * 1024;

    private const int MaxKeptBufferBytes = 256 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    /// <summary>The entity's mapping as JSON, written once when the entity is prepared (it is the same for every request).</summary>
    public static byte[] EntityMappingJson(JsonObject entityMapping) => JsonSerializer.SerializeToUtf8Bytes(entityMapping);

    /// <summary>
    /// The JSON text in pieces of at most <see cref="PartBytes"/> UTF-8 bytes, so that no string lands on the large
    /// object heap: a large body's one string there made every request slower (measured with bench/ScriptCost).
    /// </summary>
    public static string[] WriteParts(ProcessorContext context, byte[] entityMappingJson)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, _options))
        {
            writer.WriteStartObject();
            // The body's own text when the host kept it (most calls): no parse and no write here, V8 parses it.
            writer.WritePropertyName("data");
            if (context.DataJson is { IsEmpty: false } data)
            {
                writer.WriteRawValue(data.Span, skipInputValidation: true);
            }
            else
            {
                writer.WriteNullValue();
            }
            Write(writer, "context", context.Context);
            Write(writer, "user", context.User);
            Write(writer, "options", context.Options);
            Write(writer, "filter", context.Filter);
            Write(writer, "session", context.Session);
            writer.WritePropertyName("entityMapping");
            writer.WriteRawValue(entityMappingJson, skipInputValidation: true);
            writer.WriteEndObject();
        }
        var parts = Split(buffer.WrittenSpan);
        // A very large body should not stay pinned to the thread; below that, regrowing the buffer for every request
        // (by doubling, on the large object heap past 85 KB) costs more than keeping it.
        if (buffer.Capacity > MaxKeptBufferBytes)
        {
            _buffer = null;
        }
        return parts;
    }

    private static string[] Split(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length <= PartBytes)
        {
            return [Encoding.UTF8.GetString(utf8)];
        }
        var parts = new List<string>((utf8.Length / PartBytes) + 1);
        while (!utf8.IsEmpty)
        {
            var length = Math.Min(PartBytes, utf8.Length);
            // Never between the bytes of one character: back up past continuation bytes (10xxxxxx).
            while (length < utf8.Length && (utf8[length] & 0xC0) == 0x80)
            {
                length--;
            }
            parts.Add(Encoding.UTF8.GetString(utf8[..length]));
            utf8 = utf8[length..];
        }
        return [.. parts];
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
