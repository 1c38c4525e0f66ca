using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;

namespace DataHub.Plugins;

/// <summary>
/// JSON Schemas of Datahub field definitions (<c>reference</c>, <c>type</c>, <c>length</c>, <c>precision</c>,
/// <c>scale</c>, <c>default</c>), as an entity's <c>fields</c> and ExecuteSql's <c>parameters</c> write them, so that
/// every processor describes a field the same way. Added in contract 1.3.
/// </summary>
public static class InputSchemas
{
    /// <summary>
    /// The schema of one field's value: its JSON type (JSON null always allowed: it stands for SQL NULL), its OpenAPI
    /// format, <c>maxLength</c> from <paramref name="length"/>, the digits of a decimal, and its default. Null for a
    /// type Datahub does not define. The type names are matched ignoring case: string (or text), integer, smallint,
    /// bigint, double (or number), decimal, boolean, date, timestamp.
    /// </summary>
    public static JsonObject? Field(string type, int? length = null, int? precision = null, int? scale = null, JsonNode? defaultValue = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        (string JsonType, string? Format)? known = type.ToLowerInvariant() switch
        {
            "string" or "text" => ("string", null),
            "integer" => ("integer", "int32"),
            "smallint" => ("integer", "int16"),
            "bigint" => ("integer", "int64"),
            "double" or "number" => ("number", "double"),
            "decimal" => ("number", "decimal"),
            "boolean" => ("boolean", null),
            "date" => ("string", "date"),
            "timestamp" => ("string", "date-time"),
            _ => null,
        };
        if (known is not var (jsonType, format))
        {
            return null;
        }
        var schema = new JsonObject { ["type"] = new JsonArray(jsonType, "null") };
        if (format is not null)
        {
            schema["format"] = format;
        }
        if (length is { } maxLength && jsonType == "string")
        {
            schema["maxLength"] = maxLength;
        }
        if (precision is { } digits && format == "decimal")
        {
            // decimal(p, s) holds fewer than 10^(p - s) in magnitude; s alone is SQL's decimal(18, s).
            var fraction = scale ?? 0;
            schema["description"] = string.Create(CultureInfo.InvariantCulture, $"decimal({digits}, {fraction})");
            if (digits - fraction is var whole and >= 0 and < 29)
            {
                var bound = (decimal)BigInteger.Pow(10, whole);
                schema["exclusiveMaximum"] = bound;
                schema["exclusiveMinimum"] = -bound;
            }
        }
        if (defaultValue is not null)
        {
            schema["default"] = defaultValue.DeepClone();
        }
        return schema;
    }
}
