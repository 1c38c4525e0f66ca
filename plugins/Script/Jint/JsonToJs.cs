using System.Text.Json;
using System.Text.Json.Nodes;
using Jint;
using Jint.Native;
using Jint.Native.Array;
using Jint.Runtime;
using Jint.Runtime.Descriptors;

namespace DataHub.Plugins.Script.Jint;

/// <summary>
/// Turns the request's JSON inputs into plain JavaScript values (objects, arrays, numbers, strings, booleans and
/// null) built directly in the engine, with no JSON text in between. Numbers become doubles, as in any JavaScript.
/// </summary>
internal sealed class JsonToJs(Engine engine, StackGuard stack)
{
    /// <summary>Deeper input than this is refused rather than risking the stack.</summary>
    public const int MaxDepth = 1000;

    public JsValue Convert(JsonNode? node, string name) => Convert(node, name, 0);

    private JsValue Convert(JsonNode? node, string name, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new JavaScriptException(engine.RangeError, $"{name} is nested more than {MaxDepth} levels deep.");
        }
        stack.Check();
        switch (node)
        {
            case null:
                return JsValue.Null;
            case JsonObject json:
                var target = engine.Object.Construct(Arguments.Empty);
                foreach (var (key, value) in json)
                {
                    target.FastAddProperty(key, Convert(value, name, depth + 1), true, true, true);
                }
                return target;
            case JsonArray json:
                return Array(json, name, depth);
            case JsonValue value:
                return Primitive(value);
            default:
                throw new InvalidOperationException($"Unexpected JSON node {node.GetType().Name}.");
        }
    }

    private ArrayInstance Array(JsonArray json, string name, int depth)
    {
        var array = (ArrayInstance)engine.Array.Construct(Arguments.Empty);
        var elements = JintInternals.Elements(array);
        for (var i = 0; i < json.Count; i++)
        {
            elements[(uint)i] = new PropertyDescriptor(Convert(json[i], name, depth + 1), true, true, true);
        }
        JintInternals.Length(array).Value = new JsValue(json.Count);
        return array;
    }

    private static JsValue Primitive(JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return new JsValue(value.TryGetValue(out string? text) ? text : value.Deserialize<string>()!);
            case JsonValueKind.Number:
                return new JsValue(Number(value));
            case JsonValueKind.True:
                return JsValue.True;
            case JsonValueKind.False:
                return JsValue.False;
            default:
                return JsValue.Null;
        }
    }

    // A parsed node answers as a double; one the host built from a CLR number answers only to its own type.
    private static double Number(JsonValue value)
    {
        if (value.TryGetValue(out double number))
        {
            return number;
        }
        if (value.TryGetValue(out long whole))
        {
            return whole;
        }
        if (value.TryGetValue(out int small))
        {
            return small;
        }
        if (value.TryGetValue(out decimal exact))
        {
            return (double)exact;
        }
        return value.Deserialize<double>();
    }
}
