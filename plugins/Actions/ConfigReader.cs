using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataHub.Plugins.Actions.Expressions;

namespace DataHub.Plugins.Actions;

/// <summary>
/// Reads an Actions processorConfig, collecting every problem (each naming its step) rather than stopping at the
/// first, and lists the expression blocks the engine compiles.
/// </summary>
internal static partial class ConfigReader
{
    /// <summary>The names every expression sees besides the aliases defined before it.</summary>
    public static readonly IReadOnlyList<string> ContextNames = ["input", "user", "context", "session", "filter"];

    private static readonly string[] _stepKinds = ["query", "create", "update", "delete", "validate", "execute", "respond"];

    private static readonly HashSet<string> _reservedNames = new(StringComparer.Ordinal)
    {
        "input", "user", "context", "session", "filter", "now", "args", "c", "undefined", "NaN", "Infinity", "globalThis",
        "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
        "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null",
        "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
        "let", "static", "implements", "interface", "package", "private", "protected", "public", "await", "async",
    };

    private static readonly Dictionary<string, InputType> _inputTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["string"] = InputType.String,
        ["integer"] = InputType.Integer,
        ["number"] = InputType.Number,
        ["boolean"] = InputType.Boolean,
        ["object"] = InputType.Object,
        ["array"] = InputType.Array,
    };

    /// <summary>Reads the configuration; null (with <paramref name="errors"/> filled) when it has any problem.</summary>
    public static (ActionsConfig? Config, List<ExpressionBlock> Blocks, ScriptLimits Limits) Read(
        JsonNode? node, string defaultDataStore, string provider, List<string> errors)
    {
        var blocks = new List<ExpressionBlock>();
        if (node is not JsonObject config)
        {
            errors.Add("processorConfig must be a JSON object with 'actions' (and usually 'input').");
            return (null, blocks, ScriptLimits.Default);
        }
        foreach (var (name, _) in config)
        {
            if (name is not ("input" or "actions" or "dataStore" or "dryRun" or "timeoutMs" or "maxHeapMb" or "description"))
            {
                errors.Add($"unknown member '{name}' (expected input, actions, dataStore, dryRun, timeoutMs, maxHeapMb).");
            }
        }

        var dataStore = ReadString(config, "dataStore", "", errors) ?? defaultDataStore;
        var allowsDryRun = ReadBoolean(config, "dryRun", "", errors) ?? true;
        var timeoutMs = ReadInteger(config, "timeoutMs", "", errors, 1, 600_000) ?? (int)ScriptLimits.Default.Timeout.TotalMilliseconds;
        var heap = ReadInteger(config, "maxHeapMb", "", errors, 16, 4096) ?? ScriptLimits.Default.HeapMegabytes;
        var limits = new ScriptLimits(TimeSpan.FromMilliseconds(timeoutMs), heap);

        var input = ReadInput(config["input"], blocks, errors);
        var steps = ReadSteps(config["actions"], blocks, new SqlText(provider), errors);
        return (errors.Count == 0 ? new ActionsConfig(dataStore, allowsDryRun, input, steps) : null, blocks, limits);
    }

    private static List<InputField>? ReadInput(JsonNode? node, List<ExpressionBlock> blocks, List<string> errors)
    {
        if (node is null)
        {
            return null;
        }
        if (node is not JsonObject fields)
        {
            errors.Add("input must be an object of field declarations, such as { \"name\": { \"type\": \"string\", \"required\": true } }.");
            return null;
        }
        var result = new List<InputField>();
        foreach (var (name, declaration) in fields)
        {
            var where = $"input.{name}";
            if (declaration is not JsonObject field)
            {
                errors.Add($"{where} must be an object such as {{ \"type\": \"string\" }}.");
                continue;
            }
            foreach (var (member, _) in field)
            {
                if (member is not ("type" or "required" or "maxLength" or "minimum" or "maximum" or "enum" or "default" or "description"))
                {
                    errors.Add($"{where}: unknown member '{member}' (expected type, required, maxLength, minimum, maximum, enum, default, description).");
                }
            }
            var typeName = ReadString(field, "type", where, errors) ?? "string";
            if (!_inputTypes.TryGetValue(typeName, out var type))
            {
                errors.Add($"{where}: type '{typeName}' is not one of {string.Join(", ", _inputTypes.Keys)}.");
            }
            var required = ReadBoolean(field, "required", where, errors) ?? false;
            var maxLength = ReadInteger(field, "maxLength", where, errors, 0, int.MaxValue);
            var minimum = ReadNumber(field, "minimum", where, errors);
            var maximum = ReadNumber(field, "maximum", where, errors);
            IReadOnlyList<JsonNode?>? allowed = null;
            if (field["enum"] is { } enumNode)
            {
                if (enumNode is JsonArray { Count: > 0 } values)
                {
                    allowed = [.. values.Select(v => v?.DeepClone())];
                }
                else
                {
                    errors.Add($"{where}: enum must be a non-empty array of the allowed values.");
                }
            }
            var inputField = new InputField(name, type, required, maxLength, minimum, maximum, allowed);
            if (field["default"] is { } defaultNode)
            {
                if (required)
                {
                    errors.Add($"{where}: a required field never takes its default; drop one of them.");
                }
                if (defaultNode.GetValueKind() == JsonValueKind.String)
                {
                    // A string default is an expression over the inputs: write 'text' for a literal string.
                    blocks.Add(new ExpressionBlock(["input"], [new Expression($"{where}.default", defaultNode.GetValue<string>())]));
                    inputField = inputField with { DefaultBlock = blocks.Count - 1 };
                }
                else
                {
                    inputField = inputField with { DefaultLiteral = defaultNode.DeepClone() };
                }
            }
            result.Add(inputField);
        }
        return result;
    }

    private static List<Step> ReadSteps(JsonNode? node, List<ExpressionBlock> blocks, SqlText sql, List<string> errors)
    {
        var steps = new List<Step>();
        if (node is not JsonArray { Count: > 0 } actions)
        {
            errors.Add("actions must be a non-empty array of steps, such as [ { \"query\": { … } }, { \"respond\": { … } } ].");
            return steps;
        }

        // Every alias and the step that defines it, to tell "used before defined" from "never defined".
        var definedBy = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < actions.Count; i++)
        {
            if (actions[i] is JsonObject { Count: 1 } one && one.First().Value is JsonObject body && body["as"] is JsonValue alias
                && alias.TryGetValue(out string? name) && !definedBy.ContainsKey(name))
            {
                definedBy[name] = i;
            }
        }

        var visible = new List<string>(ContextNames);
        var respondAt = -1;
        for (var i = 0; i < actions.Count; i++)
        {
            var at = $"actions[{i}]";
            if (actions[i] is not JsonObject { Count: 1 } step)
            {
                errors.Add($"{at} must be an object with exactly one member naming the step ({string.Join(", ", _stepKinds)}).");
                continue;
            }
            var (kind, value) = step.First();
            if (!_stepKinds.Contains(kind))
            {
                errors.Add($"{at}: unknown step '{kind}' (expected {string.Join(", ", _stepKinds)}).");
                continue;
            }
            if (respondAt >= 0)
            {
                errors.Add($"{at} ({kind}) comes after respond (actions[{respondAt}]) and would never run: respond must be the last step.");
            }
            if (value is not JsonObject members)
            {
                errors.Add($"{at} ({kind}) must be an object.");
                continue;
            }
            var stepReader = new StepReader(i, kind, members, visible, definedBy, blocks, errors);
            var read = stepReader.Read(sql);
            if (kind == "respond")
            {
                respondAt = i;
            }
            if (stepReader.Alias is { } defined)
            {
                if (visible.Contains(defined))
                {
                    errors.Add($"actions[{i}] ({kind} {defined}): alias '{defined}' is already defined by an earlier step; each alias names one step.");
                }
                else
                {
                    // Even a step with errors defines its alias, so later steps are not told it is missing.
                    visible.Add(defined);
                }
            }
            if (read is not null)
            {
                steps.Add(read);
            }
        }
        return steps;
    }

    /// <summary>Reads one step, registering its block of expressions.</summary>
    private sealed class StepReader(
        int index, string kind, JsonObject members, List<string> visible, Dictionary<string, int> definedBy,
        List<ExpressionBlock> blocks, List<string> errors)
    {
        private readonly List<Expression> _expressions = [];
        private string? _alias;

        public string? Alias => _alias;

        private string Where => _alias is null ? $"actions[{index}] ({kind})" : $"actions[{index}] ({kind} {_alias})";

        public Step? Read(SqlText sql)
        {
            var allowed = kind switch
            {
                "query" => new[] { "as", "sql", "parameters", "single" },
                "create" => ["as", "table", "set", "reference"],
                "update" => ["as", "table", "set", "reference", "where"],
                "delete" => ["table", "where"],
                "validate" => ["key", "rule", "code", "message"],
                "execute" => ["as", "script", "args"],
                _ => ["body", "httpStatus", "headers"],
            };
            _alias = ReadAlias();
            var before = errors.Count;
            foreach (var (name, _) in members)
            {
                if (!allowed.Contains(name))
                {
                    errors.Add(name == "as" && kind == "delete"
                        ? $"{Where}: delete has no alias: it returns nothing."
                        : $"{Where}: unknown member '{name}' (expected {string.Join(", ", allowed)}).");
                }
            }
            var step = kind switch
            {
                "query" => ReadQuery(sql),
                "create" or "update" or "delete" => ReadWrite(),
                "validate" => ReadValidate(),
                "execute" => ReadExecute(),
                _ => ReadRespond(),
            };
            return errors.Count > before ? null : step;
        }

        private string? ReadAlias()
        {
            if (members["as"] is not { } node)
            {
                return null;
            }
            var alias = node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;
            if (alias is null || !AliasPattern().IsMatch(alias) || _reservedNames.Contains(alias))
            {
                errors.Add($"actions[{index}] ({kind}): 'as' must be a JavaScript name that is not reserved (input, user, context, session, filter, now, keywords).");
                return null;
            }
            return alias;
        }

        private Step? ReadQuery(SqlText sql)
        {
            var text = ReadString(members, "sql", Where, errors);
            if (string.IsNullOrWhiteSpace(text))
            {
                errors.Add($"{Where}: sql is required.");
                return null;
            }
            var rewritten = sql.RewritePlaceholders(text, out var count);
            var parameters = members["parameters"] switch
            {
                null => [],
                JsonArray array => array,
                _ => null,
            };
            if (parameters is null)
            {
                errors.Add($"{Where}: parameters must be an array of expressions, one per ? in the sql.");
                return null;
            }
            for (var p = 0; p < parameters.Count; p++)
            {
                AddExpression($"parameters[{p}]", parameters[p]);
            }
            if (parameters.Count != count)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{Where}: sql has {count} ? placeholder(s) but {parameters.Count} parameter(s); they must match one for one."));
            }
            var single = ReadBoolean(members, "single", Where, errors) ?? false;
            if (_alias is null)
            {
                errors.Add($"{Where}: a query needs an alias ('as'): its rows are only read through it.");
            }
            return new QueryStep(index, _alias, AddBlock(), rewritten, count, single);
        }

        private Step? ReadWrite()
        {
            var table = ReadString(members, "table", Where, errors);
            if (string.IsNullOrWhiteSpace(table))
            {
                errors.Add($"{Where}: table is required.");
            }
            var set = ReadColumns("set");
            var references = ReadReferences();
            var where = ReadColumns("where");
            if (kind != "delete" && set.Count + references.Count == 0 && kind == "update")
            {
                errors.Add($"{Where}: update needs 'set' or 'reference': the columns it changes.");
            }
            if (kind != "create" && where.Count == 0)
            {
                errors.Add($"{Where}: {kind} needs 'where': the columns and values that find the row.");
            }
            return new WriteStep(index, kind, _alias, AddBlock(), table ?? "", set, references, where);
        }

        private List<ColumnValue> ReadColumns(string member)
        {
            var columns = new List<ColumnValue>();
            switch (members[member])
            {
                case null:
                    break;
                case JsonObject map:
                    foreach (var (column, expression) in map)
                    {
                        columns.Add(new ColumnValue(column, AddExpression($"{member}.{column}", expression)));
                    }
                    break;
                default:
                    errors.Add($"{Where}: {member} must be an object of column: expression.");
                    break;
            }
            return columns;
        }

        private List<ReferenceValue> ReadReferences()
        {
            var references = new List<ReferenceValue>();
            if (members["reference"] is null)
            {
                return references;
            }
            if (members["reference"] is not JsonObject map)
            {
                errors.Add($"{Where}: reference must be an object of column: {{ table, through, value }}.");
                return references;
            }
            foreach (var (column, node) in map)
            {
                var at = $"{Where}: reference.{column}";
                if (node is not JsonObject reference)
                {
                    errors.Add($"{at} must be an object {{ \"table\", \"through\", \"value\" }}.");
                    continue;
                }
                var table = ReadString(reference, "table", at, errors);
                var through = ReadString(reference, "through", at, errors);
                var key = ReadString(reference, "key", at, errors) ?? "id";
                var field = ReadString(reference, "field", at, errors);
                if (table is null || through is null || reference["value"] is null)
                {
                    errors.Add($"{at} needs table, through and value.");
                    continue;
                }
                var value = reference["value"]!.GetValueKind() == JsonValueKind.String ? reference["value"]!.GetValue<string>() : "";
                // A failed lookup is reported under the input field the value comes from, else under the column.
                field ??= InputFieldPattern().Match(value) is { Success: true } match ? match.Groups[1].Value : column;
                references.Add(new ReferenceValue(column, table, through, key, field, AddExpression($"reference.{column}.value", reference["value"])));
            }
            return references;
        }

        private Step? ReadValidate()
        {
            var key = ReadString(members, "key", Where, errors);
            var code = ReadString(members, "code", Where, errors) ?? "invalid";
            var message = ReadString(members, "message", Where, errors) ?? $"The value does not pass the rule '{code}'.";
            if (key is null)
            {
                errors.Add($"{Where}: key is required: the field the error is reported under.");
            }
            AddExpression("rule", members["rule"]);
            return new ValidateStep(index, AddBlock(), key ?? "", code, message);
        }

        private Step? ReadExecute()
        {
            var script = ReadString(members, "script", Where, errors);
            if (string.IsNullOrWhiteSpace(script))
            {
                errors.Add($"{Where}: script is required: a function body that reads args and returns the value.");
            }
            var names = new List<string>();
            if (members["args"] is JsonObject args)
            {
                foreach (var (name, expression) in args)
                {
                    names.Add(name);
                    AddExpression($"args.{name}", expression);
                }
            }
            else if (members["args"] is not null)
            {
                errors.Add($"{Where}: args must be an object of name: expression.");
            }
            var block = new ExpressionBlock(Read(), [.. _expressions])
            {
                Script = script ?? "",
                ScriptWhere = $"{Where}: script",
                ArgNames = names,
            };
            blocks.Add(block);
            return new ExecuteStep(index, _alias, blocks.Count - 1);
        }

        private Step? ReadRespond()
        {
            AddExpression("body", members["body"]);
            var status = ReadInteger(members, "httpStatus", Where, errors, 100, 599);
            var headers = new List<string>();
            if (members["headers"] is JsonObject map)
            {
                foreach (var (name, expression) in map)
                {
                    headers.Add(name);
                    AddExpression($"headers.{name}", expression);
                }
            }
            else if (members["headers"] is not null)
            {
                errors.Add($"{Where}: headers must be an object of header name: expression.");
            }
            return new RespondStep(index, AddBlock(), status, headers);
        }

        private int AddExpression(string member, JsonNode? node)
        {
            var at = $"{Where}: {member}";
            if (node?.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace(node.GetValue<string>()))
            {
                errors.Add($"{at} must be a JavaScript expression, written as a string.");
                _expressions.Add(new Expression(at, "null"));
                return _expressions.Count - 1;
            }
            var source = node.GetValue<string>();
            foreach (var name in NameScanner.FreeNames(source))
            {
                if (!visible.Contains(name) && definedBy.TryGetValue(name, out var definer))
                {
                    errors.Add(definer == index
                        ? $"{at}: alias '{name}' is this step's own result and cannot be used in it."
                        : $"{at}: alias '{name}' is used before it is defined (by actions[{definer}]).");
                }
            }
            _expressions.Add(new Expression(at, source));
            return _expressions.Count - 1;
        }

        private int AddBlock()
        {
            blocks.Add(new ExpressionBlock(Read(), [.. _expressions]));
            return blocks.Count - 1;
        }

        /// <summary>The visible names the step's expressions read: only those are handed to the engine.</summary>
        private List<string> Read()
        {
            var read = _expressions.SelectMany(e => NameScanner.FreeNames(e.Source)).ToHashSet(StringComparer.Ordinal);
            return [.. visible.Where(read.Contains)];
        }
    }

    private static string? ReadString(JsonObject node, string name, string where, List<string> errors)
    {
        if (node[name] is not { } value)
        {
            return null;
        }
        if (value.GetValueKind() == JsonValueKind.String)
        {
            return value.GetValue<string>();
        }
        errors.Add($"{Prefix(where)}{name} must be a string.");
        return null;
    }

    private static bool? ReadBoolean(JsonObject node, string name, string where, List<string> errors)
    {
        if (node[name] is not { } value)
        {
            return null;
        }
        if (value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetValue<bool>();
        }
        errors.Add($"{Prefix(where)}{name} must be true or false.");
        return null;
    }

    private static int? ReadInteger(JsonObject node, string name, string where, List<string> errors, int min, int max)
    {
        if (node[name] is not { } value)
        {
            return null;
        }
        if (value is JsonValue number && number.TryGetValue(out int result) && result >= min && result <= max)
        {
            return result;
        }
        errors.Add(string.Create(CultureInfo.InvariantCulture, $"{Prefix(where)}{name} must be a whole number from {min} to {max}."));
        return null;
    }

    private static decimal? ReadNumber(JsonObject node, string name, string where, List<string> errors)
    {
        if (node[name] is not { } value)
        {
            return null;
        }
        if (value is JsonValue number && number.TryGetValue(out decimal result))
        {
            return result;
        }
        errors.Add($"{Prefix(where)}{name} must be a number.");
        return null;
    }

    private static string Prefix(string where) => where.Length == 0 ? "" : where + ": ";

    [GeneratedRegex(@"^[A-Za-z_$][A-Za-z0-9_$]*$")]
    private static partial Regex AliasPattern();

    [GeneratedRegex(@"^\s*input\s*\.\s*([A-Za-z_$][A-Za-z0-9_$]*)\s*$")]
    private static partial Regex InputFieldPattern();
}
