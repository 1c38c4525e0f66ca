using System.Text;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>
/// Finds the <c>?</c> placeholders of a statement, skipping string literals, quoted identifiers and comments as the
/// provider's SQL dialect writes them, and rewrites them into the provider's own parameter markers.
/// </summary>
internal static class PlaceholderScanner
{
    /// <summary>
    /// The positions of the placeholders in <paramref name="sql"/>, or an error for an unclosed literal or comment.
    /// <paramref name="separators"/>, when given, receives the positions of the <c>;</c> between statements.
    /// </summary>
    public static IReadOnlyList<int>? Find(string sql, string provider, out string? error, List<int>? separators = null)
    {
        var postgres = provider == DataStoreProviders.PostgreSql;
        var sqlServer = provider == DataStoreProviders.SqlServer;
        var positions = new List<int>();
        error = null;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var next = i + 1 < sql.Length ? sql[i + 1] : '\0';
            switch (c)
            {
                case '?':
                    positions.Add(i);
                    i++;
                    break;
                case ';':
                    separators?.Add(i);
                    i++;
                    break;
                case '\'':
                    // PostgreSQL's E'...' strings take backslash escapes; everywhere else only '' escapes a quote.
                    var backslashes = postgres && i > 0 && sql[i - 1] is 'E' or 'e' && (i < 2 || !IsIdentifierChar(sql[i - 2]));
                    i = SkipQuoted(sql, i, '\'', backslashes);
                    if (i < 0)
                    {
                        error = "sql has a string literal that is never closed.";
                        return null;
                    }
                    break;
                case '"':
                    i = SkipQuoted(sql, i, '"', backslashes: false);
                    if (i < 0)
                    {
                        error = "sql has a quoted identifier that is never closed.";
                        return null;
                    }
                    break;
                case '[' when !postgres:
                    i = SkipQuoted(sql, i, ']', backslashes: false);
                    if (i < 0)
                    {
                        error = "sql has a [bracketed] identifier that is never closed.";
                        return null;
                    }
                    break;
                case '`' when provider == DataStoreProviders.Sqlite:
                    i = SkipQuoted(sql, i, '`', backslashes: false);
                    if (i < 0)
                    {
                        error = "sql has a `quoted` identifier that is never closed.";
                        return null;
                    }
                    break;
                case '-' when next == '-':
                    var endOfLine = sql.IndexOf('\n', i);
                    i = endOfLine < 0 ? sql.Length : endOfLine + 1;
                    break;
                case '/' when next == '*':
                    // PostgreSQL and SQL Server nest block comments; SQLite ends one at the first */.
                    i = SkipBlockComment(sql, i, nested: postgres || sqlServer);
                    if (i < 0)
                    {
                        error = "sql has a /* comment that is never closed.";
                        return null;
                    }
                    break;
                case '$' when postgres && (i == 0 || !IsIdentifierChar(sql[i - 1])):
                    i = SkipDollarQuoted(sql, i);
                    if (i < 0)
                    {
                        error = "sql has a $$ dollar-quoted string that is never closed.";
                        return null;
                    }
                    break;
                default:
                    i++;
                    break;
            }
        }
        return positions;
    }

    /// <summary>
    /// Replaces each placeholder with the provider's marker: <c>$1..$n</c> for PostgreSQL, <c>@p1..@pn</c> elsewhere
    /// (Microsoft.Data.Sqlite does not bind a bare <c>?</c> by position). With <paramref name="named"/>, PostgreSQL gets
    /// <c>@p1..@pn</c> too: Npgsql then splits several statements itself, which positional markers do not allow.
    /// </summary>
    public static string Rewrite(string sql, IReadOnlyList<int> positions, string provider, bool named = false)
    {
        if (positions.Count == 0)
        {
            return sql;
        }
        var builder = new StringBuilder(sql.Length + (positions.Count * 4));
        var start = 0;
        for (var n = 0; n < positions.Count; n++)
        {
            var at = positions[n];
            builder.Append(sql, start, at - start);
            // Keep the marker a token of its own: "x=?and" must not become "x=$1and".
            if (at > 0 && IsIdentifierChar(sql[at - 1]))
            {
                builder.Append(' ');
            }
            builder.Append(MarkerPrefix(provider, named)).Append(n + 1);
            if (at + 1 < sql.Length && IsIdentifierChar(sql[at + 1]))
            {
                builder.Append(' ');
            }
            start = at + 1;
        }
        builder.Append(sql, start, sql.Length - start);
        return builder.ToString();
    }

    /// <summary>The name a parameter goes by in the rewritten SQL: null for PostgreSQL's positional <c>$n</c>.</summary>
    public static string? ParameterName(int index, string provider, bool named = false) =>
        provider == DataStoreProviders.PostgreSql && !named ? null : $"{MarkerPrefix(provider, named)}{index + 1}";

    private static string MarkerPrefix(string provider, bool named) => provider == DataStoreProviders.PostgreSql && !named ? "$" : "@p";

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '$' or '@' or '#';

    /// <summary>Skips a quoted run that starts at <paramref name="start"/>; a doubled closing character escapes it.</summary>
    private static int SkipQuoted(string sql, int start, char close, bool backslashes)
    {
        var i = start + 1;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (backslashes && c == '\\')
            {
                i += 2;
            }
            else if (c == close)
            {
                if (i + 1 < sql.Length && sql[i + 1] == close)
                {
                    i += 2;
                }
                else
                {
                    return i + 1;
                }
            }
            else
            {
                i++;
            }
        }
        return -1;
    }

    private static int SkipBlockComment(string sql, int start, bool nested)
    {
        var depth = 0;
        var i = start;
        while (i < sql.Length - 1)
        {
            if (sql[i] == '/' && sql[i + 1] == '*' && (nested || depth == 0))
            {
                depth++;
                i += 2;
            }
            else if (sql[i] == '*' && sql[i + 1] == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                {
                    return i;
                }
            }
            else
            {
                i++;
            }
        }
        return -1;
    }

    /// <summary>Skips <c>$tag$ ... $tag$</c>. A <c>$</c> that starts no such tag (as in <c>$1</c>) is just a character.</summary>
    private static int SkipDollarQuoted(string sql, int start)
    {
        var tagEnd = start + 1;
        while (tagEnd < sql.Length && (char.IsLetter(sql[tagEnd]) || sql[tagEnd] == '_' || (tagEnd > start + 1 && char.IsDigit(sql[tagEnd]))))
        {
            tagEnd++;
        }
        if (tagEnd >= sql.Length || sql[tagEnd] != '$')
        {
            return start + 1;
        }
        var tag = sql.AsSpan(start, tagEnd - start + 1);
        var close = sql.AsSpan(tagEnd + 1).IndexOf(tag, StringComparison.Ordinal);
        return close < 0 ? -1 : tagEnd + 1 + close + tag.Length;
    }
}
