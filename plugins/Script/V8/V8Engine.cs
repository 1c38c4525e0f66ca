using Microsoft.ClearScript;
using Microsoft.ClearScript.V8;

namespace DataHub.Plugins.Script.V8;

/// <summary>
/// The V8 implementation of <see cref="IScriptEngine"/> (Microsoft.ClearScript.V8): checks a script's syntax when
/// the schema loads (in an isolate of its own, on the loading thread) and hands back a <see cref="V8CompiledScript"/> whose runs go to the process's
/// <see cref="V8Pool"/>. Nothing is compiled for running until a request needs it.
/// </summary>
internal sealed class V8Engine(V8Pool pool) : IScriptEngine, IDisposable
{
    private readonly Lock _checkerLock = new();
    private V8ScriptEngine? _checker;

    private const string StackOverflow = "Maximum call stack size exceeded";

    static V8Engine()
    {
        // V8 would otherwise hand its background work (concurrent GC, compilation) to the .NET thread pool, where it
        // competes with the host's requests: each isolate does its own on its worker thread instead.
        V8Settings.GlobalFlags |= V8GlobalFlags.DisableBackgroundWork;
    }

    /// <summary>One pool for the whole process: the number of isolates is bounded for the process, not per entity.</summary>
    public static V8Engine Shared { get; } = new(new V8Pool(V8Pool.ConfiguredIsolates()));

    public V8Pool Pool => pool;

    public ScriptCompilation Compile(ScriptSource source, ScriptLimits limits)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(limits);
        var sync = Check(ScriptPrelude.Wrap(source.Text, isAsync: false), isAsync: false);
        if (sync is null)
        {
            return ScriptCompilation.Success(new V8CompiledScript(pool, source, limits, isAsync: false));
        }
        // Top-level await makes the script an async function body.
        if (sync.Message.Contains("await", StringComparison.Ordinal)
            && Check(ScriptPrelude.Wrap(source.Text, isAsync: true), isAsync: true) is var async)
        {
            if (async is null)
            {
                return ScriptCompilation.Success(new V8CompiledScript(pool, source, limits, isAsync: true));
            }
            sync = async;
        }
        return ScriptCompilation.Failure(Describe(source, sync));
    }

    public void Dispose()
    {
        lock (_checkerLock)
        {
            _checker?.Dispose();
            _checker = null;
        }
    }

    // On the calling thread, in an engine kept for checking only: a schema of many scripts loads without a hand-off
    // to a worker per script. Compiling runs no script code; V8's parser stops at its own stack limit. An engine, not
    // a bare V8Runtime: compiling in a runtime costs milliseconds per script and its heap keeps every one (500
    // scripts: 1.5 s and 100 MB); in an engine it is tens of microseconds, and nothing compiled here is kept.
    private SyntaxProblem? Check(string code, bool isAsync)
    {
        lock (_checkerLock)
        {
            try
            {
                using var compiled = (_checker ??= new V8ScriptEngine("DataHub script syntax check", V8ScriptEngineFlags.DisableGlobalMembers)).Compile(new DocumentInfo(ScriptPrelude.ScriptDocument), code);
                return null;
            }
            catch (ScriptEngineException e)
            {
                return SyntaxProblem.From(e, isAsync);
            }
        }
    }

    private static string Describe(ScriptSource source, SyntaxProblem problem)
    {
        if (problem.Message.Contains(StackOverflow, StringComparison.Ordinal))
        {
            return $"{Capitalise(source.Name)} nests expressions and statements too deeply for the parser; split it into functions.";
        }
        var description = problem.Message.StartsWith("SyntaxError: ", StringComparison.Ordinal) ? problem.Message["SyntaxError: ".Length..] : problem.Message;
        return problem.Position is { } at
            ? $"Syntax error in {source.Name} at line {at.Line}, column {at.Column}: {description}"
            : $"Syntax error in {source.Name}: {description}";
    }

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}

/// <summary>Why a script does not compile: the engine's message and, when known, where.</summary>
internal sealed record SyntaxProblem(string Message, ScriptPosition? Position)
{
    public static SyntaxProblem From(IScriptEngineException exception, bool isAsync) =>
        new(exception.Message, ScriptPrelude.FindPosition(exception.ErrorDetails, isAsync));
}
