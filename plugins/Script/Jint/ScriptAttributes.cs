using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Interop;

namespace DataHub.Plugins.Script.Jint;

/// <summary>
/// The script's global <c>attributes</c>: Datahub's attribute map with get, put, has and remove. Inputs become
/// plain JavaScript values on first read; httpStatus, status, errorMessage and httpHeaders go to the request's
/// context when put (a bad value throws a TypeError at the script's line); response is kept as the script's own
/// value and turned into JSON when the script ends, so changes made after put still count, as in Datahub.
/// </summary>
internal sealed class ScriptAttributes
{
    private const string Data = "data";
    private const string Context = "context";
    private const string User = "user";
    private const string Options = "options";
    private const string EntityMapping = "entityMapping";
    private const string Response = "response";
    private const string HttpStatus = "httpStatus";
    private const string HttpHeaders = "httpHeaders";
    private const string Status = "status";
    private const string ErrorMessage = "errorMessage";

    private readonly Engine _engine;
    private readonly JsonToJs _toJs;
    private readonly JsValue?[] _inputs = new JsValue?[5];
    private readonly Dictionary<string, JsValue> _others = new(StringComparer.Ordinal);
    private ProcessorContext? _context;

    public ScriptAttributes(Engine engine, JsonToJs toJs)
    {
        _engine = engine;
        _toJs = toJs;
        Object = engine.Object.Construct(Arguments.Empty);
        Object.FastAddProperty("get", new ClrFunctionInstance(engine, (_, arguments) => Get(NameOf(arguments)), 1), true, false, true);
        Object.FastAddProperty("put", new ClrFunctionInstance(engine, (_, arguments) => Put(NameOf(arguments), arguments.At(1)), 2), true, false, true);
        Object.FastAddProperty("has", new ClrFunctionInstance(engine, (_, arguments) => Has(NameOf(arguments)) ? JsValue.True : JsValue.False, 1), true, false, true);
        Object.FastAddProperty("remove", new ClrFunctionInstance(engine, (_, arguments) => Remove(NameOf(arguments)) ? JsValue.True : JsValue.False, 1), true, false, true);
    }

    /// <summary>The object the script sees as <c>attributes</c>.</summary>
    public ObjectInstance Object { get; }

    /// <summary>What the script put into response; null when it put none (or removed it).</summary>
    public JsValue? ResponseValue { get; private set; }

    private ProcessorContext Current => _context ?? throw new InvalidOperationException("No request is running.");

    public void Begin(ProcessorContext context) => _context = context;

    public void End()
    {
        _context = null;
        System.Array.Clear(_inputs);
        _others.Clear();
        ResponseValue = null;
    }

    private JsValue Get(string name) => name switch
    {
        Data => Input(0, name, Current.Data),
        Context => Input(1, name, Current.Context),
        User => Input(2, name, Current.User),
        Options => Input(3, name, Current.Options),
        EntityMapping => Input(4, name, Current.EntityMapping),
        Response => ResponseValue ?? JsValue.Null,
        HttpStatus => Current.HttpStatus is { } httpStatus ? new JsValue(httpStatus) : JsValue.Null,
        Status => Current.Status is { } status ? new JsValue(status) : JsValue.Null,
        ErrorMessage => Current.ErrorMessage is { } message ? new JsValue(message) : JsValue.Null,
        HttpHeaders => Current.HttpHeaders.Count == 0 ? JsValue.Null : HeadersObject(),
        _ => _others.GetValueOrDefault(name) ?? JsValue.Null,
    };

    private JsValue Put(string name, JsValue value)
    {
        var context = Current;
        var absent = value.IsUndefined() || value.IsNull();
        switch (name)
        {
            case Data or Context or User or Options or EntityMapping:
                throw TypeError($"'{name}' is an input attribute and cannot be replaced.");
            case Response:
                // JSON.stringify(undefined) is undefined: nothing to answer with. null is an answer.
                ResponseValue = value.IsUndefined() ? null : value;
                break;
            case HttpStatus:
                context.HttpStatus = absent ? null : WholeNumber(name, value, 100, 599);
                break;
            case Status:
                context.Status = absent ? null : WholeNumber(name, value, 0, int.MaxValue);
                break;
            case ErrorMessage:
                context.ErrorMessage = absent ? null : TypeConverter.ToString(value);
                break;
            case HttpHeaders:
                SetHeaders(context.HttpHeaders, value);
                break;
            default:
                if (value.IsUndefined())
                {
                    _others.Remove(name);
                }
                else
                {
                    _others[name] = value;
                }
                break;
        }
        return JsValue.Undefined;
    }

    private bool Has(string name) => name switch
    {
        Data => Current.Data is not null,
        Context or EntityMapping => true,
        User => Current.User is not null,
        Options => Current.Options is not null,
        Response => ResponseValue is not null,
        HttpStatus => Current.HttpStatus is not null,
        Status => Current.Status is not null,
        ErrorMessage => Current.ErrorMessage is not null,
        HttpHeaders => Current.HttpHeaders.Count > 0,
        _ => _others.ContainsKey(name),
    };

    private bool Remove(string name)
    {
        var had = Has(name);
        switch (name)
        {
            case Data or Context or User or Options or EntityMapping:
                throw TypeError($"'{name}' is an input attribute and cannot be removed.");
            case Response:
                ResponseValue = null;
                break;
            case HttpStatus:
                Current.HttpStatus = null;
                break;
            case Status:
                Current.Status = null;
                break;
            case ErrorMessage:
                Current.ErrorMessage = null;
                break;
            case HttpHeaders:
                Current.HttpHeaders.Clear();
                break;
            default:
                _others.Remove(name);
                break;
        }
        return had;
    }

    private JsValue Input(int slot, string name, JsonNode? node) => _inputs[slot] ??= _toJs.Convert(node, name);

    private ObjectInstance HeadersObject()
    {
        var headers = _engine.Object.Construct(Arguments.Empty);
        foreach (var (key, value) in Current.HttpHeaders)
        {
            headers.FastAddProperty(key, new JsValue(value), true, true, true);
        }
        return headers;
    }

    // As Datahub: a JSON string or an object (a map); each value a string, number or boolean.
    private void SetHeaders(IDictionary<string, string> headers, JsValue value)
    {
        if (value.IsString())
        {
            value = ParseHeaders(value.AsString());
        }
        var pairs = new List<KeyValuePair<string, string>>();
        if (value.IsObject() && value.AsObject() is { Class: "Object" } map)
        {
            foreach (var (key, descriptor) in map.GetOwnProperties())
            {
                if (descriptor.Enumerable == true && HeaderValue(key, map.Get(key)) is { } text)
                {
                    pairs.Add(KeyValuePair.Create(key, text));
                }
            }
        }
        else if (!value.IsUndefined() && !value.IsNull())
        {
            throw TypeError("httpHeaders must be an object of header names and values, or a JSON string of one.");
        }
        headers.Clear();
        foreach (var (key, text) in pairs)
        {
            headers[key] = text;
        }
    }

    // The JSON string form, as the object it holds.
    private JsValue ParseHeaders(string text)
    {
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException e)
        {
            throw TypeError($"httpHeaders is not valid JSON: {e.Message}");
        }
        return json is null
            ? throw TypeError("httpHeaders as a string must hold a JSON object.")
            : _toJs.Convert(json, HttpHeaders);
    }

    private string? HeaderValue(string name, JsValue value) => value.Type switch
    {
        Types.Undefined or Types.Null => null,
        Types.String or Types.Number or Types.Boolean => TypeConverter.ToString(value),
        _ => throw TypeError($"httpHeaders '{name}' must be a string, number or boolean."),
    };

    private int WholeNumber(string name, JsValue value, int min, int max)
    {
        if (value.IsNumber())
        {
            var number = value.AsNumber();
            if (number >= min && number <= max && number == Math.Floor(number))
            {
                return (int)number;
            }
        }
        throw TypeError($"{name} must be a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not {Describe(value)}.");
    }

    private string NameOf(JsValue[] arguments)
    {
        var name = arguments.At(0);
        return name.IsString() ? name.AsString() : throw TypeError($"An attribute name must be a string, not {Describe(name)}.");
    }

    private static string Describe(JsValue value) => value.Type switch
    {
        Types.String => $"'{value.AsString()}'",
        Types.Object => value.AsObject().Class == "Function" ? "a function" : "an object",
        _ => TypeConverter.ToString(value),
    };

    private JavaScriptException TypeError(string message) => new(_engine.TypeError, message);
}
