using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataHub.Plugins;

/// <summary>
/// Datahub's attributes map over a <see cref="ProcessorContext"/>, so ported plug-ins read naturally:
/// <c>attributes.Get("data")</c>, <c>attributes.Put("response", …)</c>. The known names map to the context's
/// properties; any other name is a free slot for the plug-in's own use during the request.
/// </summary>
public sealed class Attributes
{
    /// <summary>The input attributes, which a plug-in reads but does not replace.</summary>
    public static readonly IReadOnlySet<string> InputNames =
        new HashSet<string>(StringComparer.Ordinal) { "data", "filter", "session", "context", "user", "options", "entityMapping" };

    private readonly ProcessorContext _context;
    private readonly Dictionary<string, object?> _extra = new(StringComparer.Ordinal);

    internal Attributes(ProcessorContext context) => _context = context;

    /// <summary>
    /// Reads an attribute: JSON nodes for data, filter, session, context, user, options, entityMapping and response; an int for
    /// httpStatus and status; a string for errorMessage; a <see cref="JsonObject"/> for httpHeaders.
    /// </summary>
    public object? Get(string name) => name switch
    {
        "data" => _context.Data,
        "filter" => _context.Filter,
        "session" => _context.Session,
        "context" => _context.Context,
        "user" => _context.User,
        "options" => _context.Options,
        "entityMapping" => _context.EntityMapping,
        "response" => _context.Response,
        "httpStatus" => _context.HttpStatus,
        "httpHeaders" => _context.HttpHeaders.Count == 0 ? null : HeadersAsJson(),
        "status" => _context.Status,
        "errorMessage" => _context.ErrorMessage,
        _ => _extra.GetValueOrDefault(name),
    };

    /// <summary>True when the attribute has a value.</summary>
    public bool Has(string name) => name switch
    {
        "response" => _context.IsResponseSet,
        "httpHeaders" => _context.HttpHeaders.Count > 0,
        _ when IsKnown(name) => Get(name) is not null,
        _ => _extra.ContainsKey(name),
    };

    /// <summary>
    /// Sets an attribute. response takes any JSON node, string, number, boolean, null or serialisable object;
    /// httpHeaders takes a JSON string, a JSON object or a map; httpStatus and status take whole numbers.
    /// </summary>
    /// <exception cref="ArgumentException">The name is an input, or the value does not fit the attribute.</exception>
    public void Put(string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (name)
        {
            case "response":
                _context.Response = ToJsonNode(value);
                break;
            case "httpStatus":
                _context.HttpStatus = ToWholeNumber(name, value);
                break;
            case "status":
                _context.Status = ToWholeNumber(name, value);
                break;
            case "errorMessage":
                _context.ErrorMessage = value switch
                {
                    null => null,
                    JsonValue json when json.TryGetValue(out string? text) => text,
                    _ => Convert.ToString(value, CultureInfo.InvariantCulture),
                };
                break;
            case "httpHeaders":
                SetHeaders(value);
                break;
            case var input when InputNames.Contains(input):
                throw new ArgumentException($"'{name}' is an input attribute and cannot be replaced.", nameof(name));
            default:
                _extra[name] = value;
                break;
        }
    }

    /// <summary>Clears an attribute; returns whether it had a value.</summary>
    public bool Remove(string name)
    {
        var had = Has(name);
        switch (name)
        {
            case "response": _context.ClearResponse(); break;
            case "httpStatus": _context.HttpStatus = null; break;
            case "status": _context.Status = null; break;
            case "errorMessage": _context.ErrorMessage = null; break;
            case "httpHeaders": _context.HttpHeaders.Clear(); break;
            case var input when InputNames.Contains(input):
                throw new ArgumentException($"'{name}' is an input attribute and cannot be removed.", nameof(name));
            default: _extra.Remove(name); break;
        }
        return had;
    }

    private static bool IsKnown(string name) =>
        InputNames.Contains(name) || name is "response" or "httpStatus" or "httpHeaders" or "status" or "errorMessage";

    private JsonObject HeadersAsJson()
    {
        var headers = new JsonObject();
        foreach (var (key, value) in _context.HttpHeaders)
        {
            headers[key] = value;
        }
        return headers;
    }

    private void SetHeaders(object? value)
    {
        var headers = _context.HttpHeaders;
        headers.Clear();
        switch (value)
        {
            case null:
                return;
            case string text:
                SetHeaders(ParseHeaderJson(text));
                return;
            case JsonValue json when json.TryGetValue(out string? text):
                SetHeaders(ParseHeaderJson(text));
                return;
            case JsonObject json:
                foreach (var (key, node) in json)
                {
                    headers[key] = node is JsonValue v && v.TryGetValue(out string? s) ? s : node?.ToJsonString() ?? "";
                }
                return;
            case IDictionary map:
                foreach (DictionaryEntry entry in map)
                {
                    headers[Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!] =
                        Convert.ToString(entry.Value, CultureInfo.InvariantCulture) ?? "";
                }
                return;
            case IEnumerable<KeyValuePair<string, string>> pairs:
                foreach (var (key, header) in pairs)
                {
                    headers[key] = header;
                }
                return;
            default:
                throw new ArgumentException(
                    $"httpHeaders must be a JSON string, a JSON object or a map, not {value.GetType().Name}.", nameof(value));
        }
    }

    private static JsonObject ParseHeaderJson(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject
                ?? throw new ArgumentException("httpHeaders as a string must hold a JSON object.", nameof(text));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"httpHeaders is not valid JSON: {e.Message}", nameof(text), e);
        }
    }

    private static int? ToWholeNumber(string name, object? value)
    {
        try
        {
            return value switch
            {
                null => null,
                int i => i,
                JsonValue json when json.TryGetValue(out int i) => i,
                JsonValue json when json.TryGetValue(out string? s) => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture),
                JsonValue json => checked((int)json.GetValue<double>()),
                string s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture),
                IConvertible c => Convert.ToInt32(c, CultureInfo.InvariantCulture),
                _ => throw new FormatException(),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException or InvalidOperationException)
        {
            throw new ArgumentException($"{name} must be a whole number, not '{value}'.", nameof(value), e);
        }
    }

    private static JsonNode? ToJsonNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node,
        JsonElement element => JsonNode.Parse(element.GetRawText()),
        string text => JsonValue.Create(text),
        _ => JsonSerializer.SerializeToNode(value, value.GetType()),
    };
}
