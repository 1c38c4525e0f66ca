using System.Text.RegularExpressions;

namespace DataHub.Plugins.Script;

/// <summary>
/// The engine-neutral JavaScript every engine runs first (Prelude/prelude.js: attributes, console, the output
/// text and the lockdown of the intrinsics), and how a script is wrapped to run as a function body, so that its
/// declarations are its own and a request leaves nothing behind.
/// </summary>
internal static partial class ScriptPrelude
{
    /// <summary>The document name an engine gives a script, so its positions can be told from the prelude's.</summary>
    public const string ScriptDocument = "user-script";

    public const string PreludeDocument = "datahub-prelude";

    private const string SyncPrefix = "(function () {";
    private const string AsyncPrefix = "(async function () {";

    /// <summary>The prelude's source: an expression for a function taking the host's log(level, text).</summary>
    public static string Source { get; } = ReadSource();

    /// <summary>
    /// The script as the body of a function (async when it awaits at its top level). The prefix shares the first
    /// line, so line numbers are the script's own; <see cref="FindPosition"/> takes the prefix off first-line columns.
    /// </summary>
    public static string Wrap(string script, bool isAsync) => (isAsync ? AsyncPrefix : SyncPrefix) + script + "\n})";

    /// <summary>
    /// Whether the engine must drain the script's promises and microtasks before reading its outputs (two calls
    /// instead of one). Code that names none of these can start no asynchronous work.
    /// </summary>
    public static bool NeedsTwoSteps(string script, bool isAsync) => isAsync || AsyncWords().IsMatch(script);

    /// <summary>
    /// The script's position in an engine's stack trace or error details ("user-script:3:7", "user-script [2]:3:7"),
    /// or null when none of it is the script's.
    /// </summary>
    public static ScriptPosition? FindPosition(string? trace, bool isAsync)
    {
        if (trace is null || ScriptFrame().Match(trace) is not { Success: true } frame)
        {
            return null;
        }
        var line = int.Parse(frame.Groups[1].ValueSpan, provider: System.Globalization.CultureInfo.InvariantCulture);
        var column = int.Parse(frame.Groups[2].ValueSpan, provider: System.Globalization.CultureInfo.InvariantCulture);
        return Unwrapped(line, column, isAsync);
    }

    /// <summary>A 1-based position in the wrapped script as one in the script itself: the prefix shares its first line.</summary>
    public static ScriptPosition Unwrapped(int line, int column, bool isAsync) =>
        new(line, line == 1 ? Math.Max(1, column - (isAsync ? AsyncPrefix : SyncPrefix).Length) : column);

    private static string ReadSource()
    {
        using var stream = typeof(ScriptPrelude).Assembly.GetManifestResourceStream("DataHub.Plugins.Script.prelude.js")
            ?? throw new InvalidOperationException("The Script plug-in was built without its prelude.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"\b(?:async|await|Promise|then|queueMicrotask|eval|Function|fromAsync|import)\b", RegexOptions.CultureInvariant)]
    private static partial Regex AsyncWords();

    [GeneratedRegex(@"user-script[^:\n]*:(\d+):(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex ScriptFrame();
}
