using System.Globalization;
using System.Text;

namespace DataHub.Plugins.Actions;

/// <summary>
/// The SQL a provider speaks: quoted names, parameter markers, and the statements of create, update, delete and
/// reference steps. Names come from the database's own catalogue; values are always parameters.
/// </summary>
internal sealed class SqlText(string provider)
{
    public string Provider { get; } = provider;

    public bool IsSqlServer => Provider == DataStoreProviders.SqlServer;

    public string Quote(string name) => IsSqlServer
        ? "[" + name.Replace("]", "]]", StringComparison.Ordinal) + "]"
        : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The marker of parameter <paramref name="index"/> (from 0), and the name its DbParameter takes.</summary>
    public string Marker(int index) => Provider == DataStoreProviders.PostgreSql
        ? "$" + (index + 1).ToString(CultureInfo.InvariantCulture)
        : ParameterName(index);

    public string ParameterName(int index) => Provider == DataStoreProviders.PostgreSql
        ? ""
        : "@p" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A value marker cast to the column's type on PostgreSQL, where values travel as text and the server converts
    /// them (timestamps, numbers, uuid, json) as it would a literal.
    /// </summary>
    public string Value(int index, TableColumn column) => Provider == DataStoreProviders.PostgreSql
        ? $"{Marker(index)}::{column.TypeName}"
        : Marker(index);

    public string Insert(TableInfo table, IReadOnlyList<TableColumn> columns)
    {
        var names = string.Join(", ", columns.Select(c => Quote(c.Name)));
        var values = string.Join(", ", columns.Select((c, i) => Value(i, c)));
        if (IsSqlServer)
        {
            return columns.Count == 0
                ? $"INSERT INTO {table.QuotedName} OUTPUT INSERTED.* DEFAULT VALUES"
                : $"INSERT INTO {table.QuotedName} ({names}) OUTPUT INSERTED.* VALUES ({values})";
        }
        return columns.Count == 0
            ? $"INSERT INTO {table.QuotedName} DEFAULT VALUES RETURNING *"
            : $"INSERT INTO {table.QuotedName} ({names}) VALUES ({values}) RETURNING *";
    }

    public string Update(TableInfo table, IReadOnlyList<TableColumn> set, IReadOnlyList<TableColumn> where)
    {
        var assignments = string.Join(", ", set.Select((c, i) => $"{Quote(c.Name)} = {Value(i, c)}"));
        var condition = Conditions(where, set.Count);
        return IsSqlServer
            ? $"UPDATE {table.QuotedName} SET {assignments} OUTPUT INSERTED.* WHERE {condition}"
            : $"UPDATE {table.QuotedName} SET {assignments} WHERE {condition} RETURNING *";
    }

    public string Delete(TableInfo table, IReadOnlyList<TableColumn> where) =>
        $"DELETE FROM {table.QuotedName} WHERE {Conditions(where, 0)}";

    /// <summary>The key of the row whose <paramref name="through"/> column holds the value (at most two rows, to tell a non-unique column).</summary>
    public string Lookup(TableInfo table, TableColumn key, TableColumn through) => IsSqlServer
        ? $"SELECT TOP 2 {Quote(key.Name)} FROM {table.QuotedName} WHERE {Quote(through.Name)} = {Value(0, through)}"
        : $"SELECT {Quote(key.Name)} FROM {table.QuotedName} WHERE {Quote(through.Name)} = {Value(0, through)} LIMIT 2";

    private string Conditions(IReadOnlyList<TableColumn> where, int firstIndex) =>
        string.Join(" AND ", where.Select((c, i) => $"{Quote(c.Name)} = {Value(firstIndex + i, c)}"));

    /// <summary>
    /// Rewrites a query step's <c>?</c> placeholders into the provider's markers, skipping strings, quoted names and
    /// comments; returns how many there were.
    /// </summary>
    public string RewritePlaceholders(string sql, out int count)
    {
        var text = new StringBuilder(sql.Length + 16);
        count = 0;
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            switch (c)
            {
                case '\'' or '"' or '`' or '[' when c != '[' || IsSqlServer:
                    var close = c == '[' ? ']' : c;
                    var end = sql.IndexOf(close, i + 1);
                    end = end < 0 ? sql.Length - 1 : end;
                    text.Append(sql, i, end - i + 1);
                    i = end;
                    break;
                case '-' when i + 1 < sql.Length && sql[i + 1] == '-':
                    var lineEnd = sql.IndexOf('\n', i);
                    lineEnd = lineEnd < 0 ? sql.Length - 1 : lineEnd;
                    text.Append(sql, i, lineEnd - i + 1);
                    i = lineEnd;
                    break;
                case '/' when i + 1 < sql.Length && sql[i + 1] == '*':
                    var commentEnd = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    commentEnd = commentEnd < 0 ? sql.Length - 1 : commentEnd + 1;
                    text.Append(sql, i, commentEnd - i + 1);
                    i = commentEnd;
                    break;
                case '?':
                    text.Append(Marker(count++));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }
        return text.ToString();
    }
}

/// <summary>A column as the database names and types it.</summary>
internal sealed record TableColumn(string Name, string TypeName);

/// <summary>A table as the database knows it: its quoted name and its columns by name (ignoring case).</summary>
internal sealed record TableInfo(string Name, string QuotedName, IReadOnlyDictionary<string, TableColumn> Columns);
