using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>
/// One parameter, ready to bind on one provider: its DbType, size, precision and scale, its converted default, and the
/// conversion and checks a call's JSON value goes through. Built once when the statement is prepared.
/// </summary>
internal sealed class ParameterBinding
{
    private static readonly string[] _timestampFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mmK",
        "yyyy-MM-dd",
    ];

    private readonly ParameterType _type;
    private readonly int? _length;
    private readonly int? _precision;
    private readonly int? _scale;
    private readonly decimal? _integerDigitsLimit;
    private readonly bool _declareSize;
    private readonly bool _bindsOutputs;

    private ParameterBinding(ParameterDefinition definition, string? name, string provider)
    {
        Reference = definition.Reference;
        (Source, Field) = ParameterReference.Split(definition.Reference);
        Name = name;
        Direction = definition.Direction;
        _type = definition.Type;
        _length = definition.Length;
        _precision = definition.Precision;
        // SQL's meaning: decimal(p) is decimal(p, 0).
        _scale = definition.Scale ?? (definition.Precision is null ? null : 0);
        if (_precision is { } precision && precision - (_scale ?? 0) is var integerDigits and < 29)
        {
            _integerDigitsLimit = (decimal)BigInteger.Pow(10, integerDigits);
        }
        // Npgsql and Microsoft.Data.Sqlite cut a string to Size UTF-16 units, which could split a character; the value
        // is checked here, so only SQL Server, which sizes its nvarchar parameter from it, is told.
        _declareSize = provider == DataStoreProviders.SqlServer;
        // Only SqlClient binds real output parameters; PostgreSQL hands its out values back as a row.
        _bindsOutputs = provider == DataStoreProviders.SqlServer;
        DbType = definition.Type switch
        {
            ParameterType.String => DbType.String,
            ParameterType.Integer => DbType.Int32,
            ParameterType.SmallInt => DbType.Int16,
            ParameterType.BigInt => DbType.Int64,
            ParameterType.Double => DbType.Double,
            ParameterType.Decimal => DbType.Decimal,
            ParameterType.Boolean => DbType.Boolean,
            ParameterType.Date => DbType.Date,
            // DateTime2 keeps SQL Server's full range and precision; the other drivers treat it as DateTime.
            _ => DbType.DateTime2,
        };
    }

    /// <summary>The field of the call's data that supplies the value.</summary>
    public string Reference { get; }

    /// <summary>The input that supplies the value: data, filter or session.</summary>
    public ParameterSource Source { get; }

    /// <summary>The field of <see cref="Source"/> that supplies the value: the reference without its prefix.</summary>
    public string Field { get; }

    /// <summary>The parameter's name in the rewritten SQL, or null where it binds by position.</summary>
    public string? Name { get; }

    public DbType DbType { get; }

    public Direction Direction { get; }

    /// <summary>The parameter's type, for reading an output value back into JSON.</summary>
    public ParameterType Type => _type;

    /// <summary>The value bound when the call's data lacks the field: the converted default, else DBNull.</summary>
    public object DefaultValue { get; private set; } = DBNull.Value;

    /// <summary>Makes a binding, converting its default; adds a sentence to <paramref name="errors"/> if that fails.</summary>
    public static ParameterBinding Create(ParameterDefinition definition, string? name, string provider, List<string> errors)
    {
        var binding = new ParameterBinding(definition, name, provider);
        if (definition.Direction != Direction.In && provider == DataStoreProviders.SqlServer
            && definition.Type == ParameterType.Decimal && definition.Precision is null)
        {
            // SqlClient would otherwise round the output to a whole number (scale 0).
            errors.Add($"parameter '{definition.Reference}': an {SqlConfigReader.DirectionName(definition.Direction)} decimal parameter on SQL Server needs precision and scale to size it.");
        }
        if (definition.Default is { } defaultValue)
        {
            if (binding.TryConvert(defaultValue, out var value, out var error))
            {
                binding.DefaultValue = value;
            }
            else
            {
                errors.Add($"the default of {error}");
            }
        }
        return binding;
    }

    /// <summary>Adds a parameter for this binding to <paramref name="command"/>.</summary>
    public DbParameter AddTo(DbCommand command)
    {
        var parameter = command.CreateParameter();
        if (Name is not null)
        {
            parameter.ParameterName = Name;
        }
        parameter.DbType = DbType;
        if (_declareSize && _length is { } length)
        {
            // SqlClient also cuts to Size UTF-16 units: leave room for characters that take two.
            parameter.Size = (int)Math.Min(2L * length, int.MaxValue);
        }
        else if (_bindsOutputs && _type == ParameterType.String && Direction != Direction.In)
        {
            // An output string needs a size; without a length it may be as long as nvarchar(max) allows.
            parameter.Size = -1;
        }
        if (_bindsOutputs && Direction != Direction.In)
        {
            parameter.Direction = Direction == Direction.Out ? System.Data.ParameterDirection.Output : System.Data.ParameterDirection.InputOutput;
        }
        if (_precision is { } precision)
        {
            parameter.Precision = (byte)precision;
        }
        if (_scale is { } scale)
        {
            parameter.Scale = (byte)scale;
        }
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>
    /// Converts and checks a value from the call's data. JSON null gives DBNull. The error names the parameter and why
    /// the value does not fit, never the value itself.
    /// </summary>
    public bool TryConvert(JsonNode? node, out object value, out string? error)
    {
        error = null;
        value = DBNull.Value;
        if (node is null)
        {
            return true;
        }
        var kind = node.GetValueKind();
        if (kind == JsonValueKind.Null)
        {
            return true;
        }
        object? converted = _type switch
        {
            ParameterType.String => ToText(node, kind, out error),
            ParameterType.Integer => ToWhole(node, kind, int.MinValue, int.MaxValue, "an integer", out error) is { } whole ? (int)whole : null,
            ParameterType.SmallInt => ToWhole(node, kind, short.MinValue, short.MaxValue, "a smallint", out error) is { } whole ? (short)whole : null,
            ParameterType.BigInt => ToWhole(node, kind, long.MinValue, long.MaxValue, "a bigint", out error),
            ParameterType.Double => ToDouble(node, kind, out error),
            ParameterType.Decimal => ToDecimal(node, kind, out error),
            ParameterType.Boolean => kind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => Mismatch("true or false", kind, out error),
            },
            ParameterType.Date => ToDate(node, kind, out error),
            _ => ToTimestamp(node, kind, out error),
        };
        if (converted is null)
        {
            return false;
        }
        value = converted;
        return true;
    }

    private string? ToText(JsonNode node, JsonValueKind kind, out string? error)
    {
        error = null;
        var text = kind switch
        {
            JsonValueKind.String => node.GetValue<string>(),
            // A number is accepted as the text it was written as.
            JsonValueKind.Number => node.ToJsonString(),
            _ => null,
        };
        if (text is null)
        {
            Mismatch("a string", kind, out error);
            return null;
        }
        if (_length is { } length && text.Length > length && CountCharacters(text) > length)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"parameter '{Reference}' is longer than its length of {length} characters.");
            return null;
        }
        return text;
    }

    private long? ToWhole(JsonNode node, JsonValueKind kind, long min, long max, string what, out string? error)
    {
        error = null;
        if (kind != JsonValueKind.Number)
        {
            Mismatch($"{what} (a whole number)", kind, out error);
            return null;
        }
        var value = node.AsValue();
        var inRange = value.TryGetValue(out long whole);
        if (!inRange && TryGetDecimal(value, out var number))
        {
            if (number != decimal.Truncate(number))
            {
                error = $"parameter '{Reference}' must be {what}, a whole number, not a fraction.";
                return null;
            }
            inRange = number >= long.MinValue && number <= long.MaxValue;
            whole = inRange ? (long)number : 0;
        }
        if (inRange && whole >= min && whole <= max)
        {
            return whole;
        }
        error = string.Create(CultureInfo.InvariantCulture, $"parameter '{Reference}' must be {what} from {min} to {max}.");
        return null;
    }

    private double? ToDouble(JsonNode node, JsonValueKind kind, out string? error)
    {
        error = null;
        if (kind != JsonValueKind.Number)
        {
            Mismatch("a number", kind, out error);
            return null;
        }
        var value = node.AsValue();
        if ((value.TryGetValue(out double number) || double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number))
            && double.IsFinite(number))
        {
            return number;
        }
        error = $"parameter '{Reference}' is a number too large for a double.";
        return null;
    }

    private decimal? ToDecimal(JsonNode node, JsonValueKind kind, out string? error)
    {
        error = null;
        if (kind != JsonValueKind.Number)
        {
            Mismatch("a decimal number", kind, out error);
            return null;
        }
        if (!TryGetDecimal(node.AsValue(), out var number))
        {
            error = $"parameter '{Reference}' is a number too large or too precise for a decimal.";
            return null;
        }
        var scaleFits = _scale is not { } scale || decimal.Round(number, scale) == number;
        var precisionFits = _integerDigitsLimit is not { } limit || Math.Abs(decimal.Truncate(number)) < limit;
        if (scaleFits && precisionFits)
        {
            return number;
        }
        error = _precision is { } precision
            ? string.Create(CultureInfo.InvariantCulture,
                $"parameter '{Reference}' must have at most {precision - _scale} digits before the decimal point and {_scale} after (precision {precision}, scale {_scale}).")
            : string.Create(CultureInfo.InvariantCulture, $"parameter '{Reference}' must have at most {_scale} digits after the decimal point.");
        return null;
    }

    private object? ToDate(JsonNode node, JsonValueKind kind, out string? error)
    {
        error = null;
        if (kind == JsonValueKind.String
            && DateOnly.TryParseExact(node.GetValue<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }
        error = $"parameter '{Reference}' must be a date written as an ISO 8601 string (yyyy-MM-dd).";
        return null;
    }

    private object? ToTimestamp(JsonNode node, JsonValueKind kind, out string? error)
    {
        error = null;
        if (kind == JsonValueKind.String
            && DateTime.TryParseExact(node.GetValue<string>(), _timestampFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var timestamp))
        {
            // A time with an offset is stored as its UTC time; one without is stored as written.
            return DateTime.SpecifyKind(timestamp, DateTimeKind.Unspecified);
        }
        error = $"parameter '{Reference}' must be a timestamp written as an ISO 8601 string (yyyy-MM-ddTHH:mm:ss, optionally with fractions and an offset).";
        return null;
    }

    private object? Mismatch(string expected, JsonValueKind kind, out string? error)
    {
        var actual = kind switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            _ => "something else",
        };
        error = $"parameter '{Reference}' must be {expected}, not {actual}.";
        return null;
    }

    /// <summary>Values parsed from a request hold their JSON text; values built in code hold a CLR number.</summary>
    private static bool TryGetDecimal(JsonValue value, out decimal number) =>
        value.TryGetValue(out number)
        || decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);

    /// <summary>Counts characters as people and databases do: a surrogate pair is one.</summary>
    private static int CountCharacters(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }
        return count;
    }
}
