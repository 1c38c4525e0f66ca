using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataHub.Plugins.Actions;

/// <summary>Validation errors keyed by field, each a list of <c>{code, message}</c>: the <c>errors</c> member of a 400.</summary>
internal sealed class ValidationErrors
{
    private readonly JsonObject _errors = [];

    public bool Any => _errors.Count > 0;

    public void Add(string field, string code, string message)
    {
        if (_errors[field] is not JsonArray list)
        {
            _errors[field] = list = [];
        }
        list.Add(new JsonObject { ["code"] = code, ["message"] = message });
    }

    /// <summary>The 400 body: status 25, a summary, the errors and the trace id.</summary>
    public JsonObject ToResponse(string traceId)
    {
        var fields = string.Join(", ", _errors.Select(e => e.Key));
        return new JsonObject
        {
            ["status"] = MessageStatus.DataInvalid,
            ["errorMessage"] = $"The input is not valid: {fields}.",
            ["errors"] = _errors.DeepClone(),
            ["traceId"] = traceId,
        };
    }
}

/// <summary>Checks a call's data against the declared input: every problem of every field, before any step runs.</summary>
internal static class InputValidator
{
    /// <summary>
    /// The declared fields of <paramref name="data"/> (undeclared ones are left out), with the errors found. Fields
    /// that are absent or null and have a default are returned in <paramref name="missing"/> for the caller to fill.
    /// </summary>
    public static JsonObject Validate(IReadOnlyList<InputField> fields, JsonObject data, ValidationErrors errors, List<InputField> missing)
    {
        var input = new JsonObject();
        foreach (var field in fields)
        {
            var value = data[field.Name];
            if (value is null || value.GetValueKind() == JsonValueKind.Null)
            {
                if (field.Required)
                {
                    errors.Add(field.Name, "required", $"{field.Name} is required.");
                }
                else if (field.DefaultLiteral is not null || field.DefaultBlock is not null)
                {
                    missing.Add(field);
                }
                else
                {
                    input[field.Name] = null;
                }
                continue;
            }
            if (!HasType(value, field.Type))
            {
                errors.Add(field.Name, "unexpected-type", $"{field.Name} must be {Article(field.Type)}.");
                continue;
            }
            if (field.MaxLength is { } maxLength && value.GetValueKind() == JsonValueKind.String
                && new StringInfo(value.GetValue<string>()).LengthInTextElements > maxLength)
            {
                errors.Add(field.Name, "too-long", string.Create(CultureInfo.InvariantCulture, $"{field.Name} must be at most {maxLength} characters long."));
            }
            if (value.GetValueKind() == JsonValueKind.Number && value.AsValue().TryGetValue(out decimal number))
            {
                if (field.Minimum is { } minimum && number < minimum)
                {
                    errors.Add(field.Name, "too-small", string.Create(CultureInfo.InvariantCulture, $"{field.Name} must be at least {minimum}."));
                }
                if (field.Maximum is { } maximum && number > maximum)
                {
                    errors.Add(field.Name, "too-large", string.Create(CultureInfo.InvariantCulture, $"{field.Name} must be at most {maximum}."));
                }
            }
            if (field.Enum is { } allowed && !allowed.Any(option => JsonNode.DeepEquals(option, value)))
            {
                errors.Add(field.Name, "not-in-enum",
                    $"{field.Name} must be one of {string.Join(", ", allowed.Select(option => option?.ToJsonString() ?? "null"))}.");
            }
            input[field.Name] = value.DeepClone();
        }
        return input;
    }

    private static bool HasType(JsonNode value, InputType type) => (type, value.GetValueKind()) switch
    {
        (InputType.String, JsonValueKind.String) => true,
        (InputType.Number, JsonValueKind.Number) => true,
        (InputType.Integer, JsonValueKind.Number) => value.AsValue().TryGetValue(out decimal d) && decimal.Truncate(d) == d,
        (InputType.Boolean, JsonValueKind.True or JsonValueKind.False) => true,
        (InputType.Object, JsonValueKind.Object) => true,
        (InputType.Array, JsonValueKind.Array) => true,
        _ => false,
    };

    private static string Article(InputType type) => type switch
    {
        InputType.Integer or InputType.Array or InputType.Object => "an " + type.ToString().ToLowerInvariant(),
        _ => "a " + type.ToString().ToLowerInvariant(),
    };
}
