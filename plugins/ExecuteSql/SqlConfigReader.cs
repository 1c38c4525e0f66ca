using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>Where a configuration comes from; a passThrough call may set fewer things than the schema.</summary>
internal enum ConfigSource
{
    Entity,
    Call,
}

/// <summary>Reads and checks an ExecuteSql configuration, collecting every problem rather than stopping at the first.</summary>
internal static class SqlConfigReader
{
    /// <summary>The largest precision SQL databases accept (SQL Server and PostgreSQL's declared numeric).</summary>
    private const int MaxPrecision = 38;

    /// <summary>The most digits after the point a .NET decimal holds.</summary>
    private const int MaxScale = 28;

    private static readonly JsonDocumentOptions _lenientJson = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    private static readonly HashSet<string> _entityMembers =
        new(StringComparer.Ordinal) { "sql", "parameters", "execute", "returnRows", "resultSets", "passThrough", "outputParameters", "dataStore" };

    private static readonly HashSet<string> _callMembers =
        new(StringComparer.Ordinal) { "sql", "parameters", "execute", "returnRows", "resultSets", "data" };

    private static readonly HashSet<string> _parameterMembers =
        new(StringComparer.Ordinal) { "reference", "name", "description", "type", "direction", "length", "precision", "scale", "default" };

    /// <summary>
    /// The members an unknown-member message lists: the everyday ones, as before stored procedures came; those only
    /// procedures use (returnRows, resultSets, outputParameters, direction) are left to the documentation.
    /// </summary>
    private static readonly HashSet<string> _listedMembers = new(StringComparer.Ordinal)
    {
        "sql", "parameters", "execute", "passThrough", "dataStore", "data",
        "reference", "name", "description", "type", "length", "precision", "scale", "default",
    };

    private static readonly Dictionary<string, ParameterType> _types = new(StringComparer.OrdinalIgnoreCase)
    {
        ["string"] = ParameterType.String,
        ["text"] = ParameterType.String,
        ["integer"] = ParameterType.Integer,
        ["smallint"] = ParameterType.SmallInt,
        ["bigint"] = ParameterType.BigInt,
        ["number"] = ParameterType.Double,
        ["double"] = ParameterType.Double,
        ["decimal"] = ParameterType.Decimal,
        ["boolean"] = ParameterType.Boolean,
        ["date"] = ParameterType.Date,
        ["timestamp"] = ParameterType.Timestamp,
    };

    private static readonly Dictionary<string, Direction> _directions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["in"] = Direction.In,
        ["out"] = Direction.Out,
        ["inout"] = Direction.InOut,
    };

    /// <summary>
    /// Reads a configuration, adding a sentence to <paramref name="errors"/> for every problem. Returns null only when
    /// there is no JSON object to read.
    /// </summary>
    public static SqlConfig? Read(JsonNode? node, ConfigSource source, List<string> errors)
    {
        var config = AsObject(node, source, errors);
        if (config is null)
        {
            return null;
        }

        var members = source == ConfigSource.Entity ? _entityMembers : _callMembers;
        foreach (var (name, _) in config)
        {
            if (!members.Contains(name))
            {
                errors.Add($"unknown member '{name}' (expected {string.Join(", ", members.Where(_listedMembers.Contains))}).");
            }
        }

        // A call may not set passThrough or dataStore: it is told they are unknown, and nothing more.
        var fromEntity = source == ConfigSource.Entity;
        var passThrough = fromEntity && ReadBoolean(config, "passThrough", errors);
        var execute = ReadBoolean(config, "execute", errors);
        var returnRows = ReadBoolean(config, "returnRows", errors);
        var resultSets = ReadResultSets(config, errors);
        var outputParameters = fromEntity && ReadBoolean(config, "outputParameters", errors);
        if (outputParameters && !passThrough)
        {
            errors.Add("outputParameters applies only to passThrough entities; elsewhere give the parameters a direction.");
        }
        // On a passThrough entity these say what calls may ask for, so they need not make sense together.
        if (!passThrough && returnRows && !execute)
        {
            errors.Add("returnRows applies to commands (execute: true); a query already answers its rows.");
        }
        if (!passThrough && resultSets == ResultSets.All && execute && !returnRows)
        {
            errors.Add("resultSets 'all' needs a query or returnRows: a command without returnRows answers only its status.");
        }
        var dataStore = fromEntity ? ReadString(config, "dataStore", errors) : null;
        if (dataStore is { Length: 0 })
        {
            errors.Add("dataStore must name a data store.");
        }

        string? sql = null;
        IReadOnlyList<ParameterDefinition> parameters = [];
        var parameterCount = 0;
        if (passThrough)
        {
            // Here sql and parameters come with each call; a copy in the schema would only mislead.
            foreach (var name in (ReadOnlySpan<string>)["sql", "parameters"])
            {
                if (config.ContainsKey(name))
                {
                    errors.Add($"{name} is read from each call when passThrough is set; remove it from processorConfig.");
                }
            }
        }
        else
        {
            sql = ReadString(config, "sql", errors);
            if (string.IsNullOrWhiteSpace(sql))
            {
                errors.Add("sql is required: the SQL to run, with a ? for each parameter.");
            }
            parameters = ReadParameters(config, errors, out parameterCount);
        }

        return new SqlConfig(sql, parameters, parameterCount, execute, passThrough, dataStore)
        {
            ReturnRows = returnRows,
            ResultSets = resultSets,
            OutputParameters = outputParameters,
        };
    }

    /// <summary>
    /// Checks a passThrough call's configuration against what its entity allows: out and inout parameters only with
    /// outputParameters, returnRows and all result sets only where the entity sets them too.
    /// </summary>
    public static void CheckAllowed(SqlConfig call, SqlConfig entity, List<string> errors)
    {
        if (!entity.OutputParameters)
        {
            for (var i = 0; i < call.Parameters.Count; i++)
            {
                if (call.Parameters[i] is { Direction: not Direction.In } parameter)
                {
                    errors.Add($"parameter '{parameter.Reference}': direction '{DirectionName(parameter.Direction)}' is not allowed; this entity's processorConfig does not set outputParameters.");
                }
            }
        }
        if (call.ReturnRows && !entity.ReturnRows)
        {
            errors.Add("returnRows is not allowed; this entity's processorConfig does not set it.");
        }
        if (call.ResultSets == ResultSets.All && entity.ResultSets != ResultSets.All)
        {
            errors.Add("resultSets 'all' is not allowed; this entity's processorConfig does not set it.");
        }
    }

    public static string DirectionName(Direction direction) => direction switch
    {
        Direction.Out => "out",
        Direction.InOut => "inout",
        _ => "in",
    };

    private static ResultSets ReadResultSets(JsonObject config, List<string> errors)
    {
        if (!config.TryGetPropertyValue("resultSets", out var node) || node is null)
        {
            return ResultSets.First;
        }
        if (node.GetValueKind() == JsonValueKind.String)
        {
            switch (node.GetValue<string>())
            {
                case "first":
                    return ResultSets.First;
                case "all":
                    return ResultSets.All;
            }
        }
        errors.Add("resultSets must be \"first\" (the default) or \"all\".");
        return ResultSets.First;
    }

    private static JsonObject? AsObject(JsonNode? node, ConfigSource source, List<string> errors)
    {
        var what = source == ConfigSource.Entity ? "processorConfig" : "a passThrough call's data";
        switch (node)
        {
            case JsonObject config:
                return config;
            case JsonValue value when source == ConfigSource.Entity && value.TryGetValue(out string? text):
                try
                {
                    // Datahub writes processorConfig as a string holding the JSON.
                    if (JsonNode.Parse(text, documentOptions: _lenientJson) is JsonObject parsed)
                    {
                        return parsed;
                    }
                }
                catch (JsonException e)
                {
                    errors.Add($"processorConfig is not valid JSON: {e.Message}");
                    return null;
                }
                break;
            case null:
                errors.Add($"{what} is missing: it must be a JSON object with sql and parameters.");
                return null;
        }
        errors.Add($"{what} must be a JSON object with sql and parameters.");
        return null;
    }

    private static IReadOnlyList<ParameterDefinition> ReadParameters(JsonObject config, List<string> errors, out int count)
    {
        count = 0;
        if (!config.TryGetPropertyValue("parameters", out var node) || node is null)
        {
            return [];
        }
        if (node is not JsonArray array)
        {
            errors.Add("parameters must be an array of field definitions.");
            return [];
        }
        count = array.Count;
        var parameters = new List<ParameterDefinition>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonObject definition)
            {
                if (ReadParameter(definition, $"parameters[{i}]", errors) is { } parameter)
                {
                    parameters.Add(parameter);
                }
            }
            else
            {
                errors.Add($"parameters[{i}] must be an object with reference and type.");
            }
        }
        return parameters;
    }

    private static ParameterDefinition? ReadParameter(JsonObject definition, string at, List<string> errors)
    {
        var before = errors.Count;
        var reference = ReadString(definition, "reference", errors, at);
        if (reference is null)
        {
            errors.Add(definition.ContainsKey("name")
                ? $"{at}: use reference, not name, to identify a parameter."
                : $"{at}: reference is required.");
        }
        else if (!IsReference(reference))
        {
            errors.Add($"{at}: reference '{reference}' may only hold letters, digits and _.");
        }
        else
        {
            at = $"{at} ('{reference}')";
        }

        foreach (var (name, _) in definition)
        {
            if (!_parameterMembers.Contains(name))
            {
                errors.Add($"{at}: unknown member '{name}' (expected {string.Join(", ", _parameterMembers.Where(_listedMembers.Contains))}).");
            }
        }

        var type = ParameterType.String;
        var typeName = ReadString(definition, "type", errors, at);
        if (typeName is not null && !_types.TryGetValue(typeName, out type))
        {
            errors.Add($"{at}: unknown type '{typeName}' (expected {string.Join(", ", _types.Keys)}).");
        }

        var direction = Direction.In;
        var directionName = ReadString(definition, "direction", errors, at);
        if (directionName is not null && !_directions.TryGetValue(directionName, out direction))
        {
            errors.Add($"{at}: unknown direction '{directionName}' (expected in, out, inout).");
        }

        var length = ReadWholeNumber(definition, "length", 1, int.MaxValue, errors, at);
        var precision = ReadWholeNumber(definition, "precision", 1, MaxPrecision, errors, at);
        var scale = ReadWholeNumber(definition, "scale", 0, MaxScale, errors, at);
        if (length is not null && type != ParameterType.String)
        {
            errors.Add($"{at}: length applies only to string parameters.");
        }
        if ((precision is not null || scale is not null) && type != ParameterType.Decimal)
        {
            errors.Add($"{at}: precision and scale apply only to decimal parameters.");
        }
        if (scale > precision)
        {
            errors.Add($"{at}: scale ({scale}) cannot be greater than precision ({precision}).");
        }

        definition.TryGetPropertyValue("default", out var defaultValue);
        if (direction == Direction.Out && defaultValue is not null)
        {
            errors.Add($"{at}: an out parameter takes no value from the call, so it cannot have a default.");
        }
        return errors.Count == before
            ? new ParameterDefinition(reference!, type, length, precision, scale, defaultValue, direction)
            : null;
    }

    private static bool IsReference(string reference)
    {
        if (reference.Length == 0)
        {
            return false;
        }
        foreach (var c in reference)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }
        return true;
    }

    private static string? ReadString(JsonObject config, string name, List<string> errors, string? at = null)
    {
        if (!config.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }
        if (node.GetValueKind() == JsonValueKind.String)
        {
            return node.GetValue<string>();
        }
        errors.Add($"{Where(at)}{name} must be a string.");
        return null;
    }

    private static bool ReadBoolean(JsonObject config, string name, List<string> errors)
    {
        if (!config.TryGetPropertyValue(name, out var node) || node is null)
        {
            return false;
        }
        switch (node.GetValueKind())
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                errors.Add($"{name} must be true or false.");
                return false;
        }
    }

    private static int? ReadWholeNumber(JsonObject definition, string name, int min, int max, List<string> errors, string at)
    {
        if (!definition.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }
        if (node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue(out int number) && number >= min && number <= max)
        {
            return number;
        }
        errors.Add(max == int.MaxValue
            ? $"{at}: {name} must be a whole number of at least {min}."
            : $"{at}: {name} must be a whole number from {min} to {max}.");
        return null;
    }

    private static string Where(string? at) => at is null ? "" : $"{at}: ";
}
