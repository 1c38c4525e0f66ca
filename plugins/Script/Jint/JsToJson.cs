using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Jint.Native;
using Jint.Native.Array;
using Jint.Native.Boolean;
using Jint.Native.Date;
using Jint.Native.Number;
using Jint.Native.Object;
using Jint.Native.String;
using Jint.Runtime;
using Jint.Runtime.Descriptors;

namespace DataHub.Plugins.Script.Jint;

/// <summary>
/// Turns a script's value into JSON nodes the way JSON.stringify would write it, without going through JSON text:
/// toJSON is honoured (so dates become ISO 8601 strings), functions and undefined are left out (null in arrays),
/// NaN and Infinity become null, boxed primitives unwrap, and whole numbers up to 2^53 are written as integers.
/// Counts the compact UTF-8 JSON size as it goes and stops at a limit; refuses cycles and absurd nesting.
/// </summary>
/// <param name="stack">The run's stack guard, checked at every value.</param>
/// <param name="maxBytes">The largest conversion allowed, as compact UTF-8 JSON.</param>
/// <param name="runScript">Allows calling toJSON and getters (which run script code); without it only data
/// properties are read.</param>
internal sealed class JsToJson(StackGuard stack, long maxBytes, bool runScript)
{
    /// <summary>The host's JSON writer refuses deeper nesting than this.</summary>
    public const int MaxDepth = 1000;

    private const double MaxExactInteger = 9007199254740992d; // 2^53

    private static readonly SearchValues<char> _escaped = SearchValues.Create("\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F");

    private readonly HashSet<ObjectInstance> _ancestors = new(ReferenceEqualityComparer.Instance);
    private readonly List<List<KeyValuePair<string, PropertyDescriptor>>> _propertyLists = [];
    private long _bytes;

    /// <summary>
    /// Converts <paramref name="value"/>. Returns false when the value has no JSON form (undefined or a function),
    /// as JSON.stringify returns undefined.
    /// </summary>
    public bool TryConvert(JsValue value, out JsonNode? json)
    {
        _bytes = 0;
        _ancestors.Clear();
        if (value.IsString())
        {
            // A string answer is written as it is, not as a JSON string.
            var text = value.AsString();
            Count(Encoding.UTF8.GetByteCount(text));
            json = JsonValue.Create(text);
            return true;
        }
        return TryConvert(value, "", 0, 0, out json);
    }

    // The key toJSON is given is the property's name, or for an array element (name null) its index: the string
    // is made only when toJSON is called.
    private bool TryConvert(JsValue value, string? name, uint index, int depth, out JsonNode? json)
    {
        stack.Check();
        // ES5 says an invalid date's toJSON is null; Jint 2's throws a RangeError instead.
        if (value.IsObject() && value.AsObject() is DateInstance date && !double.IsFinite(date.PrimitiveValue))
        {
            value = JsValue.Null;
        }
        if (runScript && value.IsObject() && value.AsObject().Get("toJSON") is { } toJson && toJson.IsObject()
            && toJson.AsObject() is ICallable callable)
        {
            value = callable.Call(value, [new JsValue(name ?? index.ToString(CultureInfo.InvariantCulture))]);
        }
        if (value.IsObject())
        {
            value = value.AsObject() switch
            {
                NumberInstance number => number.PrimitiveValue,
                StringInstance text => text.PrimitiveValue,
                BooleanInstance flag => flag.PrimitiveValue,
                _ => value,
            };
        }
        switch (value.Type)
        {
            case Types.Null:
                Count(4);
                json = null;
                return true;
            case Types.Boolean:
                var flag = value.AsBoolean();
                Count(flag ? 4 : 5);
                json = JsonValue.Create(flag);
                return true;
            case Types.Number:
                json = Number(value.AsNumber());
                return true;
            case Types.String:
                var text = value.AsString();
                Count(StringBytes(text));
                json = JsonValue.Create(text);
                return true;
            case Types.Object when value.AsObject() is ICallable:
                json = null;
                return false;
            case Types.Object:
                json = Container(value.AsObject(), depth + 1);
                return true;
            default:
                json = null;
                return false;
        }
    }

    private JsonNode Container(ObjectInstance target, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ResponseConversionException($"The response is nested more than {MaxDepth} levels deep.");
        }
        if (!_ancestors.Add(target))
        {
            throw new ResponseConversionException("The response contains a cycle: an object inside itself cannot be written as JSON.");
        }
        JsonNode json = target is ArrayInstance array ? Array(array, depth) : Object(target, depth);
        _ancestors.Remove(target);
        return json;
    }

    private JsonArray Array(ArrayInstance array, int depth)
    {
        var length = TypeConverter.ToUint32(JintInternals.Length(array).Value);
        var elements = JintInternals.Elements(array);
        var json = new JsonArray();
        Count(2);
        for (uint i = 0; i < length; i++)
        {
            if (i > 0)
            {
                Count(1);
            }
            // A hole or a getter reads through [[Get]], as JSON.stringify does, when script may run.
            var element = elements.TryGetValue(i, out var descriptor) && descriptor.IsDataDescriptor()
                ? descriptor.Value
                : runScript ? array.Get(i.ToString(CultureInfo.InvariantCulture)) : JsValue.Undefined;
            if (TryConvert(element, null, i, depth, out var node))
            {
                json.Add(node);
            }
            else
            {
                Count(4);
                json.Add(null);
            }
        }
        return json;
    }

    private JsonObject Object(ObjectInstance target, int depth)
    {
        // Read the keys first, as JSON.stringify does: a getter may change the object.
        while (_propertyLists.Count <= depth)
        {
            _propertyLists.Add([]);
        }
        var properties = _propertyLists[depth];
        properties.Clear();
        foreach (var property in target.GetOwnProperties())
        {
            if (property.Value.Enumerable == true)
            {
                properties.Add(property);
            }
        }
        var json = new JsonObject();
        Count(2);
        foreach (var (name, descriptor) in properties)
        {
            var value = descriptor.IsDataDescriptor()
                ? descriptor.Value
                : runScript ? target.Get(name) : JsValue.Undefined;
            var before = _bytes;
            if (!TryConvert(value, name, 0, depth, out var node))
            {
                _bytes = before;
                continue;
            }
            Count((json.Count > 0 ? 1 : 0) + StringBytes(name) + 1);
            json.Add(name, node);
        }
        properties.Clear();
        return json;
    }

    private JsonValue? Number(double number)
    {
        if (double.IsNaN(number) || double.IsInfinity(number))
        {
            Count(4);
            return null;
        }
        Span<char> digits = stackalloc char[32];
        if (Math.Abs(number) <= MaxExactInteger && number == Math.Floor(number))
        {
            var whole = (long)number;
            whole.TryFormat(digits, out var length, default, CultureInfo.InvariantCulture);
            Count(length);
            return JsonValue.Create(whole);
        }
        Count(number.TryFormat(digits, out var written, "R", CultureInfo.InvariantCulture) ? written : digits.Length);
        return JsonValue.Create(number);
    }

    // Quotes, UTF-8 bytes, and one or five more for every character JSON must escape.
    private static long StringBytes(string text)
    {
        long bytes = Encoding.UTF8.GetByteCount(text) + 2;
        var rest = text.AsSpan();
        int at;
        while ((at = rest.IndexOfAny(_escaped)) >= 0)
        {
            bytes += rest[at] is '"' or '\\' or '\b' or '\t' or '\n' or '\f' or '\r' ? 1 : 5;
            rest = rest[(at + 1)..];
        }
        return bytes;
    }

    private void Count(long bytes)
    {
        _bytes += bytes;
        if (_bytes > maxBytes)
        {
            throw new ResponseConversionException($"The response is larger than maxResponseBytes ({maxBytes} bytes).");
        }
    }
}

/// <summary>The response has no faithful JSON form within the limits.</summary>
internal sealed class ResponseConversionException : Exception
{
    public ResponseConversionException(string message)
        : base(message)
    {
    }
}
