using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DataHub.Host.Schema;

/// <summary>Reads schema files as JSON and their members with type checks, reporting problems instead of throwing.</summary>
internal static partial class SchemaJson
{
    private static readonly JsonDocumentOptions _documentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Parses a file that must hold a JSON object; reports invalid JSON with its line and column.</summary>
    public static JsonObject? ReadObject(string path, string displayPath, List<SchemaError> errors)
    {
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path), nodeOptions: null, _documentOptions);
            if (node is JsonObject json)
            {
                return json;
            }
            errors.Add(new SchemaError(displayPath, "The file must hold a JSON object."));
        }
        catch (JsonException e)
        {
            errors.Add(new SchemaError(displayPath, $"Invalid JSON: {FirstSentence(e.Message)}", Line: (e.LineNumber ?? 0) + 1,
                Column: (e.BytePositionInLine ?? 0) + 1));
        }
        catch (IOException e)
        {
            errors.Add(new SchemaError(displayPath, $"Cannot read the file: {e.Message}"));
        }
        return null;
    }

    /// <summary>
    /// The member's text, or null when it is absent or (reported) not a string. The message names the member as
    /// <paramref name="label"/>, or <c>'member'</c>.
    /// </summary>
    public static string? GetString(JsonObject json, string member, Action<string> report, string? label = null)
    {
        switch (json[member])
        {
            case null:
                return null;
            case JsonValue value when value.TryGetValue(out string? text):
                return text;
            default:
                report($"{label ?? $"'{member}'"} must be a string.");
                return null;
        }
    }

    /// <summary>
    /// The member's value, or <paramref name="fallback"/> when it is absent or (reported) not a boolean. The message
    /// names the member as <paramref name="label"/>, or <c>'member'</c>.
    /// </summary>
    public static bool GetBoolean(JsonObject json, string member, Action<string> report, string? label = null, bool fallback = false)
    {
        switch (json[member])
        {
            case null:
                return fallback;
            case JsonValue value when value.TryGetValue(out bool flag):
                return flag;
            default:
                report($"{label ?? $"'{member}'"} must be true or false.");
                return fallback;
        }
    }

    public static IReadOnlyList<string> GetStrings(JsonObject json, string member, Action<string> report)
    {
        switch (json[member])
        {
            case null:
                return [];
            case JsonArray array when array.All(item => item is JsonValue v && v.TryGetValue(out string? _)):
                return [.. array.Select(item => item!.GetValue<string>())];
            default:
                report($"'{member}' must be an array of strings.");
                return [];
        }
    }

    /// <summary>
    /// Reports every member of <paramref name="json"/> that is not in <paramref name="known"/>, with the nearest known
    /// name as a suggestion: a misspelt member would otherwise be ignored, and "role" for "roles" makes an entity public.
    /// </summary>
    public static void CheckMembers(JsonObject json, IReadOnlyList<string> known, string what, Action<string> report)
    {
        foreach (var (member, _) in json)
        {
            if (!known.Contains(member, StringComparer.Ordinal))
            {
                report(Nearest(member, known) is { } suggestion
                    ? $"unknown member '{member}' — did you mean '{suggestion}'?"
                    : $"unknown member '{member}'. {what} takes {string.Join(", ", known)}.");
            }
        }
    }

    /// <summary>The known name closest to <paramref name="name"/> in edits (ignoring case), if close enough to be a slip.</summary>
    public static string? Nearest(string name, IEnumerable<string> known)
    {
        var allowed = Math.Max(2, name.Length / 3);
        return known
            .Select(candidate => (Candidate: candidate, Distance: EditDistance(name.ToUpperInvariant(), candidate.ToUpperInvariant())))
            .Where(c => c.Distance <= allowed)
            .OrderBy(c => c.Distance)
            .Select(c => c.Candidate)
            .FirstOrDefault();
    }

    /// <summary>Levenshtein distance, with a swap of two neighbours counting as one edit ("exectue").</summary>
    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }

    /// <summary>
    /// Replaces every <c>${env:NAME}</c> in the string values of <paramref name="node"/>, in place, so that secrets
    /// stay out of files. A variable that is not set is reported by name; its value never appears in a message.
    /// </summary>
    public static void SubstituteEnvironment(JsonNode? node, Func<string, string?> lookup, Action<string> report)
    {
        switch (node)
        {
            case JsonObject json:
                foreach (var (key, child) in json.ToList())
                {
                    if (child is JsonValue value && value.TryGetValue(out string? text))
                    {
                        json[key] = Substitute(text, lookup, report);
                    }
                    else
                    {
                        SubstituteEnvironment(child, lookup, report);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue(out string? text))
                    {
                        array[i] = Substitute(text, lookup, report);
                    }
                    else
                    {
                        SubstituteEnvironment(array[i], lookup, report);
                    }
                }
                break;
        }
    }

    private static string Substitute(string text, Func<string, string?> lookup, Action<string> report) =>
        EnvironmentReference().Replace(text, match =>
        {
            var name = match.Groups[1].Value;
            if (lookup(name) is { } value)
            {
                return value;
            }
            report($"Environment variable '{name}' is not set.");
            return "";
        });

    private static string FirstSentence(string message)
    {
        // System.Text.Json appends the path and position, which the error reports in its own words.
        var end = message.IndexOfAny(" Path:", " LineNumber:");
        return end < 0 ? message : message[..end].TrimEnd();
    }

    private static int IndexOfAny(this string text, params string[] markers) =>
        markers.Select(m => text.IndexOf(m, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();

    [GeneratedRegex(@"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex EnvironmentReference();
}
