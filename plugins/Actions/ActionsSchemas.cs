using System.Text.Json.Nodes;

namespace DataHub.Plugins.Actions;

/// <summary>An Actions entity's input declarations as the JSON Schema of its calls' data, for the host's OpenAPI document.</summary>
internal static class ActionsSchemas
{
    /// <summary>
    /// An object of the declared fields with their rules; undeclared fields are dropped, so they are not listed.
    /// Without declarations the data passes as it is: any object.
    /// </summary>
    public static JsonObject Input(IReadOnlyList<InputField>? fields)
    {
        var schema = new JsonObject { ["type"] = "object" };
        if (fields is null)
        {
            return schema;
        }
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var field in fields)
        {
            properties[field.Name] = Field(field);
            if (field.Required)
            {
                required.Add(field.Name);
            }
        }
        schema["properties"] = properties;
        if (required.Count > 0)
        {
            schema["required"] = required;
        }
        return schema;
    }

    private static JsonObject Field(InputField field)
    {
        var type = field.Type.ToString().ToLowerInvariant();
        // An optional field may be sent as null, which counts as absent.
        var schema = new JsonObject { ["type"] = field.Required ? type : new JsonArray(type, "null") };
        if (field.MaxLength is { } maxLength)
        {
            schema["maxLength"] = maxLength;
        }
        if (field.Minimum is { } minimum)
        {
            schema["minimum"] = minimum;
        }
        if (field.Maximum is { } maximum)
        {
            schema["maximum"] = maximum;
        }
        if (field.Enum is { } values)
        {
            var allowed = new JsonArray([.. values.Select(value => value?.DeepClone())]);
            if (!field.Required)
            {
                allowed.Add(null);
            }
            schema["enum"] = allowed;
        }
        if (field.DefaultLiteral is { } literal)
        {
            schema["default"] = literal.DeepClone();
        }
        else if (field.DefaultBlock is not null)
        {
            schema["description"] = "Defaults to an expression over the other inputs when absent.";
        }
        return schema;
    }
}
