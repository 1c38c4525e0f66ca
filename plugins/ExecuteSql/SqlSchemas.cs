using System.Text.Json.Nodes;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>What an ExecuteSql entity's calls send and answer, as JSON Schemas for the host's OpenAPI document.</summary>
internal static class SqlSchemas
{
    /// <summary>
    /// The call's data: an object of the parameters read from the data (by reference, each with its type, length,
    /// precision, scale and default), or an array of such objects; a missing field takes its default.
    /// </summary>
    public static JsonObject Input(SqlConfig config)
    {
        var element = DataObject(config.Parameters);
        return new JsonObject
        {
            ["anyOf"] = new JsonArray(element, new JsonObject { ["type"] = "array", ["items"] = element.DeepClone() }),
        };
    }

    /// <summary>A passThrough call: its own sql, parameters and execute, with the values in <c>data</c>.</summary>
    public static JsonObject PassThroughInput() => new()
    {
        ["type"] = "object",
        ["required"] = new JsonArray("sql"),
        ["properties"] = new JsonObject
        {
            ["sql"] = new JsonObject { ["type"] = "string", ["description"] = "The SQL, with ? placeholders." },
            ["parameters"] = new JsonObject
            {
                ["type"] = "array",
                ["description"] = "One field definition per placeholder: reference, type, length, precision, scale, default.",
                ["items"] = new JsonObject { ["type"] = "object", ["required"] = new JsonArray("reference") },
            },
            ["execute"] = new JsonObject { ["type"] = "boolean" },
            ["returnRows"] = new JsonObject { ["type"] = "boolean" },
            ["resultSets"] = new JsonObject { ["enum"] = new JsonArray("first", "all") },
            ["data"] = new JsonObject { ["type"] = new JsonArray("object", "array") },
        },
    };

    /// <summary>A successful answer, which the configuration fixes: rows, a command's status, or the answer object.</summary>
    public static JsonObject Response(SqlStatement statement, bool execute)
    {
        var rows = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object" } };
        if (statement.AnswersObject)
        {
            var answer = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["resultSets"] = new JsonObject { ["type"] = "array", ["items"] = rows },
                    ["outputs"] = new JsonObject { ["type"] = "object" },
                },
            };
            // A batch answers one such object per element.
            return new JsonObject { ["anyOf"] = new JsonArray(answer, new JsonObject { ["type"] = "array", ["items"] = answer.DeepClone() }) };
        }
        if (execute && !statement.ReturnRows)
        {
            return new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["status"] = new JsonObject { ["const"] = MessageStatus.Processed },
                    ["rowsAffected"] = new JsonObject { ["type"] = "integer" },
                },
            };
        }
        return rows;
    }

    private static JsonObject DataObject(IReadOnlyList<ParameterDefinition> parameters)
    {
        var properties = new JsonObject();
        foreach (var parameter in parameters)
        {
            var (source, field) = ParameterReference.Split(parameter.Reference);
            // filter. and session. parameters come from elsewhere; out parameters only come back. A reference used
            // twice is one field.
            if (source != ParameterSource.Data || parameter.Direction == Direction.Out || properties.ContainsKey(field))
            {
                continue;
            }
            properties[field] = InputSchemas.Field(
                parameter.Type.ToString(), parameter.Length, parameter.Precision, parameter.Scale, parameter.Default);
        }
        return new JsonObject { ["type"] = "object", ["properties"] = properties };
    }
}
