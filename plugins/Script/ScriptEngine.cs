namespace DataHub.Plugins.Script;

/// <summary>
/// The seam between the plug-in and a JavaScript engine: compile once at load, run many times. Everything
/// engine-specific (parsing, pooling, the attributes bridge, JSON conversion) lives behind it.
/// </summary>
internal interface IScriptEngine
{
    /// <summary>Parses and prepares <paramref name="source"/>; a syntax error is a value, not an exception.</summary>
    ScriptCompilation Compile(ScriptSource source, ScriptLimits limits);
}

/// <summary>A prepared script, shared by every request of its entity; thread-safe.</summary>
internal interface ICompiledScript
{
    /// <summary>
    /// Runs the script for one request: it reads the context's inputs and sets its outputs. Returns how the run
    /// ended; the caller turns a failure into status and errorMessage.
    /// </summary>
    ScriptOutcome Run(ProcessorContext context, CancellationToken cancellationToken);
}

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
    /// <summary>The script ran to its end and its outputs are set.</summary>
    Completed,
    /// <summary>The script threw (or a host function refused a value): <see cref="ScriptOutcome.Message"/> says what.</summary>
    Threw,
    /// <summary>timeoutMs passed.</summary>
    TimedOut,
    /// <summary>The request was cancelled (the caller went away, or the host's own limit passed).</summary>
    Cancelled,
    /// <summary>maxStatements, maxRecursionDepth or the thread's stack ran out: the message names which.</summary>
    LimitExceeded,
    /// <summary>The response could not be turned into JSON: too large (maxResponseBytes), too deep, or cyclic.</summary>
    InvalidResponse,
}

/// <summary>How a run ended, with the message and the script position when it failed.</summary>
internal readonly record struct ScriptOutcome(ScriptEnd End, string? Message = null, ScriptPosition? Position = null)
{
    public static ScriptOutcome Completed { get; } = new(ScriptEnd.Completed);
}
