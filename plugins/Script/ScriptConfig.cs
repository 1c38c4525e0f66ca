using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataHub.Plugins.Script;

/// <summary>The per-entity limits of a script. Every run gets them all.</summary>
/// <param name="TimeoutMs">Wall-clock time one run may take, async work included; past it the request ends with status 26 (504).</param>
/// <param name="MaxHeapMB">JavaScript heap one run may use beyond what the engine itself holds.</param>
/// <param name="MaxStackKB">Stack one run may use: deeper recursion ends the request with a clear error.</param>
/// <param name="MaxResponseBytes">The largest response, measured as compact UTF-8 JSON (a string: its UTF-8 bytes).</param>
/// <param name="LegacyRecursionDepth">The Jint-era maxRecursionDepth the stack limit was derived from, for messages.</param>
internal sealed record ScriptLimits(int TimeoutMs, int MaxHeapMB, int MaxStackKB, int MaxResponseBytes, int? LegacyRecursionDepth = null)
{
    public static ScriptLimits Default { get; } = new(
        TimeoutMs: 5_000, MaxHeapMB: 32, MaxStackKB: 1024, MaxResponseBytes: 10 * 1024 * 1024);

    /// <summary>A day: the host's own request limit cannot be longer.</summary>
    public const int MaxTimeoutMs = 24 * 60 * 60 * 1000;

    /// <summary>The largest heap limit: V8's own hard limit for an isolate is set well above it.</summary>
    public const int MaxHeapMBLimit = 1024;

    public const int MinStackKB = 64;

    /// <summary>Script threads have 16 MB of stack; V8 must stop well before the thread's end.</summary>
    public const int MaxStackKBLimit = 8192;

    /// <summary>The Jint-era maxRecursionDepth had no V8 meaning of its own: each level buys 1 KB of stack (at least 64 KB).</summary>
    public static int StackKBForRecursionDepth(int depth) => Math.Clamp(depth, MinStackKB, MaxStackKBLimit);

    /// <summary>What the stack limit is called in messages: the member the schema author wrote.</summary>
    public string StackLimitName => LegacyRecursionDepth is { } depth
        ? $"maxRecursionDepth ({depth})"
        : $"maxStackKB ({MaxStackKB})";
}

/// <summary>An entity's script and its limits, read from processorConfig, and what to warn the schema author about.</summary>
internal sealed record ScriptConfig(ScriptSource Source, ScriptLimits Limits, IReadOnlyList<string> Warnings);

/// <summary>What <see cref="ScriptConfigReader.Read"/> found: a configuration, or every problem with it.</summary>
internal sealed record ScriptConfigResult(ScriptConfig? Config, IReadOnlyList<string> Errors);

/// <summary>
/// Reads processorConfig in its three forms: the script as a string (as Datahub writes it); an object with
/// "script"; an object with "file", a path relative to the instance folder. The object forms may add limits.
/// A string holding such a JSON object is read as the object.
/// </summary>
internal static class ScriptConfigReader
{
    public const string InlineScriptName = "the inline script";

    private const string ScriptMember = "script";
    private const string FileMember = "file";
    private const string TimeoutMember = "timeoutMs";
    private const string HeapMember = "maxHeapMB";
    private const string StackMember = "maxStackKB";
    private const string ResponseBytesMember = "maxResponseBytes";
    // Jint-era limits: still accepted so existing schemas load.
    private const string StatementsMember = "maxStatements";
    private const string RecursionMember = "maxRecursionDepth";

    // As Linux: more links than this in one path is taken for a loop.
    private const int MaxLinksFollowed = 40;

    private static readonly string[] _members =
        [ScriptMember, FileMember, TimeoutMember, HeapMember, StackMember, ResponseBytesMember, StatementsMember, RecursionMember];

    public static ScriptConfigResult Read(JsonNode? processorConfig, string instanceDirectory, string entity)
    {
        switch (processorConfig)
        {
            case null:
                return Failed("processorConfig is missing: give the script as a string, or an object with \"script\" or \"file\".");
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                var text = value.GetValue<string>();
                return AsJsonObject(text) is { } embedded
                    ? ReadObject(embedded, instanceDirectory, entity)
                    : Accept(new ScriptSource(text, InlineScriptName, entity), ScriptLimits.Default, [], []);
            case JsonObject config:
                return ReadObject(config, instanceDirectory, entity);
            default:
                return Failed($"processorConfig must be the script as a string, or an object with \"script\" or \"file\"; not {Describe(processorConfig)}.");
        }
    }

    private static ScriptConfigResult ReadObject(JsonObject config, string instanceDirectory, string entity)
    {
        var errors = new List<string>();
        foreach (var (name, _) in config)
        {
            if (!_members.Contains(name, StringComparer.Ordinal))
            {
                errors.Add($"Unknown member \"{name}\"; a script's processorConfig may have {string.Join(", ", _members)}.");
            }
        }

        var defaults = ScriptLimits.Default;
        var warnings = new List<string>();
        int? recursionDepth = config.ContainsKey(RecursionMember)
            ? ReadWholeNumber(config, RecursionMember, 100, 1_000_000, errors)
            : null;
        var stackKB = config.ContainsKey(StackMember) || recursionDepth is null
            ? ReadWholeNumber(config, StackMember, defaults.MaxStackKB, ScriptLimits.MaxStackKBLimit, errors, ScriptLimits.MinStackKB)
            : ScriptLimits.StackKBForRecursionDepth(recursionDepth.Value);
        var limits = new ScriptLimits(
            ReadWholeNumber(config, TimeoutMember, defaults.TimeoutMs, ScriptLimits.MaxTimeoutMs, errors),
            ReadWholeNumber(config, HeapMember, defaults.MaxHeapMB, ScriptLimits.MaxHeapMBLimit, errors),
            stackKB,
            ReadWholeNumber(config, ResponseBytesMember, defaults.MaxResponseBytes, int.MaxValue, errors),
            config.ContainsKey(StackMember) ? null : recursionDepth);
        if (config.ContainsKey(StatementsMember))
        {
            ReadWholeNumber(config, StatementsMember, 1, int.MaxValue, errors);
            warnings.Add($"\"{StatementsMember}\" has no meaning on V8 and is ignored; \"{TimeoutMember}\" ({limits.TimeoutMs} ms) bounds the run instead.");
        }

        var hasScript = config.TryGetPropertyValue(ScriptMember, out var scriptNode);
        var hasFile = config.TryGetPropertyValue(FileMember, out var fileNode);
        ScriptSource? source = null;
        if (hasScript == hasFile)
        {
            errors.Add($"Give exactly one of \"{ScriptMember}\" (the script itself) and \"{FileMember}\" (a script file in the instance folder).");
        }
        else if (hasScript)
        {
            if (AsString(scriptNode) is { } script)
            {
                source = new ScriptSource(script, InlineScriptName, entity);
            }
            else
            {
                errors.Add($"\"{ScriptMember}\" must be a string holding the script, not {Describe(scriptNode)}.");
            }
        }
        else if (AsString(fileNode) is { } file)
        {
            source = ReadFile(file, instanceDirectory, entity, errors);
        }
        else
        {
            errors.Add($"\"{FileMember}\" must be a string: a path relative to the instance folder, not {Describe(fileNode)}.");
        }

        return source is null ? new ScriptConfigResult(null, errors) : Accept(source, limits, errors, warnings);
    }

    private static ScriptConfigResult Accept(ScriptSource source, ScriptLimits limits, List<string> errors, List<string> warnings)
    {
        if (string.IsNullOrWhiteSpace(source.Text))
        {
            errors.Add($"{Capitalise(source.Name)} is empty.");
        }
        return errors.Count == 0
            ? new ScriptConfigResult(new ScriptConfig(source, limits, warnings), [])
            : new ScriptConfigResult(null, errors);
    }

    private static ScriptSource? ReadFile(string file, string instanceDirectory, string entity, List<string> errors)
    {
        if (file.Length == 0 || Path.IsPathRooted(file))
        {
            errors.Add($"\"{FileMember}\" must be a path relative to the instance folder, not '{file}'.");
            return null;
        }
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(instanceDirectory));
        var path = Path.GetFullPath(Path.Combine(root, file));
        if (!IsInside(root, path))
        {
            errors.Add($"Script file '{file}' is outside the instance folder; scripts must live inside it.");
            return null;
        }
        if (!File.Exists(path))
        {
            errors.Add($"Script file '{file}' does not exist in the instance folder.");
            return null;
        }
        // A link inside the folder, to the file or to any folder on the way, must not lead out of it either.
        if (RealPath(root) is not { } realRoot || RealPath(path) is not { } realPath || !IsInside(realRoot, realPath))
        {
            errors.Add($"Script file '{file}' links to a file outside the instance folder; scripts must live inside it.");
            return null;
        }
        try
        {
            return new ScriptSource(File.ReadAllText(path), file, entity);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"Script file '{file}' could not be read: {e.Message}");
            return null;
        }
    }

    // The path the OS opens: every link along it followed, each part in turn as the OS does. Null for a loop of links.
    private static string? RealPath(string fullPath)
    {
        var real = Path.GetPathRoot(fullPath)!;
        var pending = new Stack<string>();
        PushParts(pending, fullPath[real.Length..]);
        var linksFollowed = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                // The path so far has no links in it, so its parent is the real parent.
                real = Path.GetDirectoryName(real) ?? real;
                continue;
            }
            var next = Path.Combine(real, part);
            if (new FileInfo(next).LinkTarget is not { } target)
            {
                real = next;
                continue;
            }
            if (++linksFollowed > MaxLinksFollowed)
            {
                return null;
            }
            // A relative target goes on from the link's folder, an absolute one from its root.
            var targetRoot = Path.GetPathRoot(target) ?? "";
            if (targetRoot.Length > 0)
            {
                real = Path.GetPathRoot(Path.GetFullPath(target, real))!;
            }
            PushParts(pending, target[targetRoot.Length..]);
        }
        return real;
    }

    private static void PushParts(Stack<string> pending, string path)
    {
        var parts = path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }

    private static bool IsInside(string root, string path) =>
        path.StartsWith(root + Path.DirectorySeparatorChar, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    private static int ReadWholeNumber(JsonObject config, string name, int fallback, int max, List<string> errors, int min = 1)
    {
        if (!config.TryGetPropertyValue(name, out var node))
        {
            return fallback;
        }
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            && value.Deserialize<double>() is var number && number >= min && number <= max && number == Math.Floor(number))
        {
            return (int)number;
        }
        errors.Add($"\"{name}\" must be a whole number from {min} to {max}, not {Describe(node)}.");
        return fallback;
    }

    private static string? AsString(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    // Datahub writes processorConfig as a string; one holding a JSON object is the object form.
    private static JsonObject? AsJsonObject(string text)
    {
        if (!text.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => $"the string {node.ToJsonString()}",
        JsonValue => node.ToJsonString(),
        JsonArray => "an array",
        _ => "an object",
    };

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static ScriptConfigResult Failed(string error) => new(null, [error]);
}
