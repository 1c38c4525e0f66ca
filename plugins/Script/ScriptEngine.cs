using Microsoft.Extensions.Logging;

namespace DataHub.Plugins.Script;

/// <summary>
/// The seam between the plug-in and a JavaScript engine. The engine runs <see cref="ScriptPrelude"/> (the
/// engine-neutral rules for attributes, console and outputs, written in JavaScript) and the entity's script, takes
/// the request's inputs in as one JSON text and gives the outputs back as one text; <see cref="ScriptProcessor"/>
/// and <see cref="ScriptOutputs"/> turn that into the request's answer. What stays behind the seam is small:
/// where scripts run, how a limit is enforced, and how the engine reports a thrown value's position.
/// </summary>
internal interface IScriptEngine
{
    /// <summary>Checks <paramref name="source"/>'s syntax and prepares it to run; a syntax error is a value, not an exception.</summary>
    ScriptCompilation Compile(ScriptSource source, ScriptLimits limits);
}

/// <summary>A prepared script, shared by every request of its entity; thread-safe.</summary>
internal interface ICompiledScript
{
    /// <summary>Whether the script runs as an async function body (it awaits at its top level).</summary>
    bool IsAsync { get; }

    /// <summary>Where its throw statements are, for a thrown value that carries no position of its own.</summary>
    ThrowSites ThrowSites { get; }

    /// <summary>Runs the script for one request. Never throws for anything the script does.</summary>
    Task<ScriptRun> RunAsync(ScriptRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// One run's input: the JSON text of <see cref="ScriptInput"/> in consecutive pieces (the engine joins them), and
/// the request's logger for console.*.
/// </summary>
internal sealed record ScriptRequest(string[] InputParts, ILogger Logger);

/// <summary>A script's text, the name errors give it (its file, or "the inline script") and its entity, for logs.</summary>
internal sealed record ScriptSource(string Text, string Name, string Entity);

/// <summary>Where a problem is in a script: 1-based line and column.</summary>
internal readonly record struct ScriptPosition(int Line, int Column);

/// <summary>The result of <see cref="IScriptEngine.Compile"/>: a script, or why there is none.</summary>
internal sealed class ScriptCompilation
{
    private ScriptCompilation(ICompiledScript? script, string? error)
    {
        Script = script;
        Error = error;
    }

    public ICompiledScript? Script { get; }

    /// <summary>A sentence naming the file, line and column, for the schema author.</summary>
    public string? Error { get; }

    public static ScriptCompilation Success(ICompiledScript script) => new(script, null);

    public static ScriptCompilation Failure(string error) => new(null, error);
}

/// <summary>How a run ended.</summary>
internal enum ScriptEnd
{
    /// <summary>The script ran to its end (or threw): <see cref="ScriptRun.Output"/> holds what the prelude wrote.</summary>
    Completed,
    /// <summary>timeoutMs passed.</summary>
    TimedOut,
    /// <summary>The request was cancelled (the caller went away, or the host's own limit passed).</summary>
    Cancelled,
    /// <summary>A resource limit (heap, stack) stopped the script: <see cref="ScriptRun.Message"/> names it.</summary>
    LimitExceeded,
}

/// <summary>
/// How a run ended. For <see cref="ScriptEnd.Completed"/>, <see cref="Output"/> is the prelude's output text and
/// <see cref="ThrowPosition"/> where an uncaught throw happened when the engine knows it better than the thrown value.
/// </summary>
internal readonly record struct ScriptRun(ScriptEnd End, string? Output = null, string? Message = null, ScriptPosition? ThrowPosition = null)
{
    public static ScriptRun Finished(string output, ScriptPosition? throwPosition = null) => new(ScriptEnd.Completed, output, null, throwPosition);
}
