using System.Buffers;
using System.Text.Json.Nodes;

namespace DataHub.Host.Calls;

/// <summary>
/// A call's data, either as the JSON text a body carried (checked, not parsed: a plug-in that hands it on as text
/// never needs a parse) or as a node (from a URL parameter, a form field or the <c>/_db/execute</c> body). Text held
/// in a pooled buffer goes back to the pool on <see cref="Dispose"/>, when the request is done.
/// </summary>
public sealed class CallData : IDisposable
{
    private static readonly byte[] _emptyObject = "{}"u8.ToArray();

    private byte[]? _rented;
    private readonly ReadOnlyMemory<byte> _json;
    private JsonNode? _node;

    private CallData(ReadOnlyMemory<byte> json, JsonNode? node, byte[]? rented)
    {
        _json = json;
        _node = node;
        _rented = rented;
    }

    /// <summary>No data.</summary>
    public static CallData None { get; } = new(default, null, null);

    /// <summary>The most common body of a call without data: <c>{}</c>.</summary>
    public static CallData EmptyObject => new(_emptyObject, null, null);

    public static CallData FromNode(JsonNode? node) => node is null ? None : new(default, node, null);

    /// <summary>Checked JSON text inside a buffer rented from <see cref="ArrayPool{T}.Shared"/>, which this now owns.</summary>
    internal static CallData FromRentedText(byte[] rented, ReadOnlyMemory<byte> json) => new(json, null, rented);

    /// <summary>The data parsed (once, on first read); null when there is none.</summary>
    public JsonNode? Node => _node ??= _json.IsEmpty ? null : JsonNode.Parse(_json.Span);

    /// <summary>The checked JSON text the data came as; empty when it came as a node or there is none.</summary>
    public ReadOnlyMemory<byte> Text => _json;

    /// <summary>
    /// The node if there is one already (the data came as a node, or <see cref="Node"/> parsed it for a cache key), for
    /// a processor's context; null when only the text exists, which the context parses if a processor asks.
    /// </summary>
    public JsonNode? NodeIfParsed => _node;

    public void Dispose()
    {
        if (_rented is { } rented)
        {
            _rented = null;
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
