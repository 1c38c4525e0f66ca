using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace DataHub.Host.Servlet;

/// <summary>
/// Checks a call's JSON text for what the parser lets through but no plug-in can read: bytes that are not UTF-8, and
/// <c>\uD800</c>-style escapes of half a surrogate pair, in any string or key. Checked once where input is read, so
/// that such a value never reaches a plug-in (where reading it would throw).
/// </summary>
internal static class JsonText
{
    // Unescaped strings this long or shorter are checked on the stack.
    private const int StackBufferBytes = 256;

    public static bool IsValidUtf8(ReadOnlySequence<byte> text)
    {
        if (text.IsSingleSegment)
        {
            return Utf8.IsValid(text.FirstSpan);
        }
        return Utf8.IsValid(text.ToArray());
    }

    /// <summary>Why <paramref name="json"/> cannot be accepted, as the end of a sentence; null when it can.</summary>
    public static string? FindInvalidText(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
        {
            return "is not valid UTF-8.";
        }
        // Only an escape can make half a surrogate pair: most input has none and needs no second look.
        if (json.IndexOf("\\u"u8) >= 0 && HasLoneSurrogateEscape(json))
        {
            return "holds a \\u escape of half a surrogate pair (\\uD800-\\uDFFF alone), which is not Unicode text.";
        }
        return null;
    }

    /// <summary>
    /// True when parsing failed because the text nests objects and arrays deeper than <paramref name="maxDepth"/>,
    /// not for any other reason.
    /// </summary>
    public static bool IsNestedTooDeeply(ReadOnlySpan<byte> json, int maxDepth)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = Math.Max(maxDepth * 16, 1024) });
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth >= maxDepth)
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
            return reader.CurrentDepth >= maxDepth;
        }
        return false;
    }

    private static bool HasLoneSurrogateEscape(ReadOnlySpan<byte> json)
    {
        // Depth is not this check's business: the parse that follows refuses too deep a text with its own message.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = int.MaxValue });
        Span<byte> stackBuffer = stackalloc byte[StackBufferBytes];
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped
                    && !Unescapes(ref reader, stackBuffer))
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
            // Not valid JSON: the parse that follows says where.
        }
        return false;
    }

    private static bool Unescapes(ref Utf8JsonReader reader, scoped Span<byte> stackBuffer)
    {
        var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        var rented = length > stackBuffer.Length ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            // Unescaping throws on a \u escape that is half a surrogate pair.
            reader.CopyString(rented ?? stackBuffer);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
