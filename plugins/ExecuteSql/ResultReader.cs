using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>
/// Reads a result set straight into a JSON array of row objects. Each column's reader is chosen once per result set
/// from its field type; SQLite, whose values carry their own storage class, is read value by value with the column's
/// declared type as a hint (so a DECIMAL column gives decimals and a BOOLEAN one booleans).
/// </summary>
internal static class ResultReader
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK";
    private const string DateFormat = "yyyy-MM-dd";

    private enum ColumnKind
    {
        String,
        Byte,
        Int16,
        Int32,
        Int64,
        Decimal,
        Single,
        Double,
        Boolean,
        Date,
        DateOnly,
        Timestamp,
        TimestampWithOffset,
        Time,
        TimeOnly,
        Guid,
        Bytes,
        Json,
        Other,
        SqliteValue,
        SqliteDecimal,
        SqliteBoolean,
        SqliteTimestamp,
    }

    /// <summary>Reads the first result set that has columns; an empty array when there is none.</summary>
    public static async Task<JsonArray> ReadAsync(DbDataReader reader, bool sqlite, CancellationToken cancellationToken)
    {
        while (reader.FieldCount == 0)
        {
            if (!await reader.NextResultAsync(cancellationToken))
            {
                return [];
            }
        }
        return await ReadSetAsync(reader, sqlite, cancellationToken);
    }

    /// <summary>Reads the rows of the reader's current result set, which has columns.</summary>
    public static async Task<JsonArray> ReadSetAsync(DbDataReader reader, bool sqlite, CancellationToken cancellationToken)
    {
        var count = reader.FieldCount;
        var names = new string[count];
        var kinds = Kinds(reader, sqlite);
        for (var i = 0; i < count; i++)
        {
            names[i] = reader.GetName(i);
        }

        var rows = new JsonArray();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new JsonObject();
            for (var i = 0; i < count; i++)
            {
                // The indexer, not Add: a repeated column name keeps its last value instead of throwing.
                row[names[i]] = reader.IsDBNull(i) ? null : Read(reader, i, kinds[i]);
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// Reads the first row of the current result set by position (PostgreSQL's out values, whose column names need not
    /// be the parameters' references); null when it has no row.
    /// </summary>
    public static async Task<JsonNode?[]?> ReadFirstRowAsync(DbDataReader reader, bool sqlite, CancellationToken cancellationToken)
    {
        var kinds = Kinds(reader, sqlite);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var values = new JsonNode?[kinds.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.IsDBNull(i) ? null : Read(reader, i, kinds[i]);
        }
        return values;
    }

    /// <summary>Whether every column of the current result set is a PostgreSQL refcursor, as a function returning cursors gives.</summary>
    public static bool IsCursorSet(DbDataReader reader)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (reader.GetDataTypeName(i) != "refcursor")
            {
                return false;
            }
        }
        return reader.FieldCount > 0;
    }

    /// <summary>An output parameter's value, written by the same rules as a column of its type.</summary>
    public static JsonNode? FromValue(object? value, ParameterType type) => value switch
    {
        null or DBNull => null,
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        byte number => JsonValue.Create(number),
        short number => JsonValue.Create(number),
        int number => JsonValue.Create(number),
        long number => JsonValue.Create(number),
        decimal number => JsonValue.Create(number),
        float number => Number(number),
        double number => Number(number),
        DateTime time when type == ParameterType.Date => JsonValue.Create(time.ToString(DateFormat, CultureInfo.InvariantCulture)),
        DateTime time => JsonValue.Create(time.ToString(TimestampFormat, CultureInfo.InvariantCulture)),
        DateOnly date => JsonValue.Create(date.ToString(DateFormat, CultureInfo.InvariantCulture)),
        DateTimeOffset time => JsonValue.Create(time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)),
        Guid id => JsonValue.Create(id.ToString()),
        byte[] bytes => JsonValue.Create(Convert.ToBase64String(bytes)),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    private static ColumnKind[] Kinds(DbDataReader reader, bool sqlite)
    {
        var kinds = new ColumnKind[reader.FieldCount];
        for (var i = 0; i < kinds.Length; i++)
        {
            kinds[i] = sqlite ? SqliteKind(reader.GetDataTypeName(i)) : Kind(reader.GetFieldType(i), reader, i);
        }
        return kinds;
    }

    private static ColumnKind Kind(Type type, DbDataReader reader, int ordinal)
    {
        if (type == typeof(string))
        {
            return reader.GetDataTypeName(ordinal) is "json" or "jsonb" ? ColumnKind.Json : ColumnKind.String;
        }
        if (type == typeof(DateTime))
        {
            return string.Equals(reader.GetDataTypeName(ordinal), "date", StringComparison.OrdinalIgnoreCase)
                ? ColumnKind.Date
                : ColumnKind.Timestamp;
        }
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Byte => ColumnKind.Byte,
            TypeCode.Int16 => ColumnKind.Int16,
            TypeCode.Int32 => ColumnKind.Int32,
            TypeCode.Int64 => ColumnKind.Int64,
            TypeCode.Decimal => ColumnKind.Decimal,
            TypeCode.Single => ColumnKind.Single,
            TypeCode.Double => ColumnKind.Double,
            TypeCode.Boolean => ColumnKind.Boolean,
            _ when type == typeof(DateTimeOffset) => ColumnKind.TimestampWithOffset,
            _ when type == typeof(DateOnly) => ColumnKind.DateOnly,
            _ when type == typeof(TimeSpan) => ColumnKind.Time,
            _ when type == typeof(TimeOnly) => ColumnKind.TimeOnly,
            _ when type == typeof(Guid) => ColumnKind.Guid,
            _ when type == typeof(byte[]) => ColumnKind.Bytes,
            _ => ColumnKind.Other,
        };
    }

    /// <summary>Follows SQLite's own affinity rules loosely: the declared type says what the stored value means.</summary>
    private static ColumnKind SqliteKind(string declaredType)
    {
        if (declaredType.Contains("BOOL", StringComparison.OrdinalIgnoreCase))
        {
            return ColumnKind.SqliteBoolean;
        }
        if (declaredType.Contains("DEC", StringComparison.OrdinalIgnoreCase)
            || declaredType.Contains("NUMERIC", StringComparison.OrdinalIgnoreCase)
            || declaredType.Contains("MONEY", StringComparison.OrdinalIgnoreCase))
        {
            return ColumnKind.SqliteDecimal;
        }
        return declaredType.Contains("TIMESTAMP", StringComparison.OrdinalIgnoreCase)
            || declaredType.Contains("DATETIME", StringComparison.OrdinalIgnoreCase)
            ? ColumnKind.SqliteTimestamp
            : ColumnKind.SqliteValue;
    }

    private static JsonNode? Read(DbDataReader reader, int i, ColumnKind kind) => kind switch
    {
        ColumnKind.String => JsonValue.Create(reader.GetString(i)),
        ColumnKind.Byte => JsonValue.Create(reader.GetByte(i)),
        ColumnKind.Int16 => JsonValue.Create(reader.GetInt16(i)),
        ColumnKind.Int32 => JsonValue.Create(reader.GetInt32(i)),
        ColumnKind.Int64 => JsonValue.Create(reader.GetInt64(i)),
        ColumnKind.Decimal => JsonValue.Create(reader.GetDecimal(i)),
        ColumnKind.Single => Number(reader.GetFloat(i)),
        ColumnKind.Double => Number(reader.GetDouble(i)),
        ColumnKind.Boolean => JsonValue.Create(reader.GetBoolean(i)),
        ColumnKind.Date => JsonValue.Create(reader.GetDateTime(i).ToString(DateFormat, CultureInfo.InvariantCulture)),
        ColumnKind.DateOnly => JsonValue.Create(reader.GetFieldValue<DateOnly>(i).ToString(DateFormat, CultureInfo.InvariantCulture)),
        ColumnKind.Timestamp => JsonValue.Create(reader.GetDateTime(i).ToString(TimestampFormat, CultureInfo.InvariantCulture)),
        ColumnKind.TimestampWithOffset => JsonValue.Create(
            reader.GetFieldValue<DateTimeOffset>(i).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)),
        ColumnKind.Time => JsonValue.Create(reader.GetFieldValue<TimeSpan>(i).ToString("c", CultureInfo.InvariantCulture)),
        ColumnKind.TimeOnly => JsonValue.Create(reader.GetFieldValue<TimeOnly>(i).ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)),
        ColumnKind.Guid => JsonValue.Create(reader.GetGuid(i).ToString()),
        ColumnKind.Bytes => JsonValue.Create(Convert.ToBase64String(reader.GetFieldValue<byte[]>(i))),
        ColumnKind.Json => JsonNode.Parse(reader.GetString(i)),
        ColumnKind.SqliteValue => SqliteValue(reader, i),
        ColumnKind.SqliteDecimal => SqliteDecimal(reader, i),
        ColumnKind.SqliteBoolean => reader.GetFieldType(i) == typeof(long) ? JsonValue.Create(reader.GetInt64(i) != 0) : SqliteValue(reader, i),
        ColumnKind.SqliteTimestamp => SqliteTimestamp(reader, i),
        _ => JsonValue.Create(Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)),
    };

    /// <summary>JSON has no NaN or infinity; those travel as strings.</summary>
    private static JsonValue Number(double value) =>
        double.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));

    private static JsonNode? SqliteValue(DbDataReader reader, int i)
    {
        var storage = reader.GetFieldType(i);
        if (storage == typeof(long))
        {
            return JsonValue.Create(reader.GetInt64(i));
        }
        if (storage == typeof(double))
        {
            return Number(reader.GetDouble(i));
        }
        return storage == typeof(byte[])
            ? JsonValue.Create(Convert.ToBase64String(reader.GetFieldValue<byte[]>(i)))
            : JsonValue.Create(reader.GetString(i));
    }

    /// <summary>
    /// SQLite keeps a DECIMAL as an integer or a double: a double becomes the decimal with the same shortest
    /// round-trip digits, so 23.47 stays 23.47.
    /// </summary>
    private static JsonNode? SqliteDecimal(DbDataReader reader, int i)
    {
        var storage = reader.GetFieldType(i);
        if (storage == typeof(long))
        {
            return JsonValue.Create((decimal)reader.GetInt64(i));
        }
        if (storage == typeof(double))
        {
            var number = reader.GetDouble(i);
            return decimal.TryParse(number.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out var exact)
                ? JsonValue.Create(exact)
                : Number(number);
        }
        if (storage == typeof(string)
            && decimal.TryParse(reader.GetString(i), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            return JsonValue.Create(parsed);
        }
        return SqliteValue(reader, i);
    }

    /// <summary>Microsoft.Data.Sqlite stores timestamps as "yyyy-MM-dd HH:mm:ss"; answer ISO 8601's "T" form.</summary>
    private static JsonNode? SqliteTimestamp(DbDataReader reader, int i)
    {
        if (reader.GetFieldType(i) != typeof(string))
        {
            return SqliteValue(reader, i);
        }
        var text = reader.GetString(i);
        if (text.Length > 10 && text[10] == ' ' && text[4] == '-' && text[7] == '-')
        {
            text = string.Create(text.Length, text, static (span, source) =>
            {
                source.AsSpan().CopyTo(span);
                span[10] = 'T';
            });
        }
        return JsonValue.Create(text);
    }
}
