using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataHub.Plugins.Actions;

/// <summary>Between JSON and the database: values into parameters, rows into JSON objects.</summary>
internal static class DbValues
{
    /// <summary>A value as its JSON type suggests: string, whole number, number, boolean, or JSON text for an object or array.</summary>
    public static object ToParameter(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null or JsonValueKind.Undefined => DBNull.Value,
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when value.AsValue().TryGetValue(out long whole) => whole,
        JsonValueKind.Number when value.AsValue().TryGetValue(out decimal exact) => exact,
        JsonValueKind.Number => value.GetValue<double>(),
        _ => value.ToJsonString(),
    };

    /// <summary>A value as text, for PostgreSQL to convert to the column's type as it would a literal.</summary>
    public static object ToText(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null or JsonValueKind.Undefined => DBNull.Value,
        JsonValueKind.String => value.GetValue<string>(),
        _ => value.ToJsonString(),
    };

    public static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    public static async Task<JsonArray> ReadRowsAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var rows = new JsonArray();
        string[]? names = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            names ??= Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            var row = new JsonObject();
            for (var i = 0; i < names.Length; i++)
            {
                row[names[i]] = reader.IsDBNull(i) ? null : ToJson(reader.GetValue(i));
            }
            rows.Add(row);
        }
        return rows;
    }

    private static JsonNode? ToJson(object value) => value switch
    {
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        long or int or short or byte or sbyte or ushort or uint => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ulong big => JsonValue.Create(big),
        decimal exact => JsonValue.Create(exact),
        double real when double.IsFinite(real) => JsonValue.Create(real),
        float real when float.IsFinite(real) => JsonValue.Create(real),
        DateTime time => JsonValue.Create(time.ToString("O", CultureInfo.InvariantCulture)),
        DateTimeOffset time => JsonValue.Create(time.ToString("O", CultureInfo.InvariantCulture)),
        DateOnly date => JsonValue.Create(date.ToString("O", CultureInfo.InvariantCulture)),
        TimeOnly time => JsonValue.Create(time.ToString("O", CultureInfo.InvariantCulture)),
        TimeSpan span => JsonValue.Create(span.ToString("c", CultureInfo.InvariantCulture)),
        Guid id => JsonValue.Create(id.ToString()),
        byte[] bytes => JsonValue.Create(Convert.ToBase64String(bytes)),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };
}
