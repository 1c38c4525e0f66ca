namespace DataHub.Plugins.Actions.Expressions;

/// <summary>
/// Finds the names an expression reads from its scope: identifiers outside strings and comments, not after a dot and
/// not an object literal's key. Enough to tell an alias used before its step and which names to hand the engine; the
/// engine itself checks the syntax.
/// </summary>
internal static class NameScanner
{
    public static IReadOnlySet<string> FreeNames(string source)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        var previous = '\0';
        while (i < source.Length)
        {
            var c = source[i];
            if (c == '`')
            {
                // A template literal's text is scanned as code: its ${…} parts read names, and counting a word of
                // its text as one more name is harmless.
                i++;
                continue;
            }
            if (c is '"' or '\'')
            {
                i = SkipString(source, i);
                previous = 'x';
                continue;
            }
            if (c == '/' && i + 1 < source.Length && source[i + 1] == '/')
            {
                i = source.IndexOf('\n', i) is var end and >= 0 ? end : source.Length;
                continue;
            }
            if (c == '/' && i + 1 < source.Length && source[i + 1] == '*')
            {
                i = source.IndexOf("*/", i + 2, StringComparison.Ordinal) is var end and >= 0 ? end + 2 : source.Length;
                continue;
            }
            if (char.IsAsciiDigit(c))
            {
                while (i < source.Length && (char.IsAsciiLetterOrDigit(source[i]) || source[i] is '.' or '_'))
                {
                    i++;
                }
                previous = '0';
                continue;
            }
            if (IsStart(c))
            {
                var start = i;
                while (i < source.Length && IsPart(source[i]))
                {
                    i++;
                }
                var name = source[start..i];
                var next = NextNonBlank(source, i);
                var isKey = previous is '{' or ',' && next == ':';
                if (previous != '.' && !isKey)
                {
                    names.Add(name);
                }
                previous = 'a';
                continue;
            }
            if (!char.IsWhiteSpace(c))
            {
                // "?." reads a property too.
                previous = c == '.' || (c == '?' && i + 1 < source.Length && source[i + 1] == '.') ? '.' : c;
                if (c == '?' && previous == '.')
                {
                    i++;
                }
            }
            i++;
        }
        return names;
    }

    private static bool IsStart(char c) => char.IsAsciiLetter(c) || c is '_' or '$';

    private static bool IsPart(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '$';

    private static char NextNonBlank(string source, int i)
    {
        while (i < source.Length && char.IsWhiteSpace(source[i]))
        {
            i++;
        }
        return i < source.Length ? source[i] : '\0';
    }

    private static int SkipString(string source, int i)
    {
        var quote = source[i++];
        while (i < source.Length && source[i] != quote)
        {
            i += source[i] == '\\' ? 2 : 1;
        }
        return i + 1;
    }
}
