using Microsoft.ClearScript;
using Microsoft.ClearScript.V8;

namespace DataHub.Plugins.Script.V8;

/// <summary>
/// The V8 implementation of <see cref="IScriptEngine"/> (Microsoft.ClearScript.V8): checks a script's syntax when
/// the schema loads (<see cref="JavaScriptSyntax"/>, and V8 itself only for what that rejects) and hands back a
/// <see cref="V8CompiledScript"/> whose runs go to the process's <see cref="V8Pool"/>. Nothing is compiled for
/// running until a request needs it.
/// </summary>
internal sealed class V8Engine(V8Pool pool) : IScriptEngine
{
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
        // Accepted without V8 at load: the first request makes the first isolate.
        foreach (var isAsync in (ReadOnlySpan<bool>)[false, true])
        {
            if (JavaScriptSyntax.Parse(ScriptPrelude.Wrap(source.Text, isAsync)) is { } parsed)
            {
                return ScriptCompilation.Success(new V8CompiledScript(pool, source, limits, isAsync, ThrowSites.Of(parsed, source.Text, isAsync)));
            }
        }
        // Rejected: V8 has the last word, and its message is the one the schema author gets.
        var sync = pool.CheckSyntax(ScriptPrelude.Wrap(source.Text, isAsync: false), isAsync: false);
        if (sync is null)
        {
            return ScriptCompilation.Success(new V8CompiledScript(pool, source, limits, isAsync: false, ThrowSites.None));
        }
        // Top-level await makes the script an async function body.
        if (sync.Message.Contains("await", StringComparison.Ordinal)
            && pool.CheckSyntax(ScriptPrelude.Wrap(source.Text, isAsync: true), isAsync: true) is var async)
        {
            if (async is null)
            {
                return ScriptCompilation.Success(new V8CompiledScript(pool, source, limits, isAsync: true, ThrowSites.None));
            }
            sync = async;
        }
        return ScriptCompilation.Failure(Describe(source, sync));
    }

    /// <summary>The schema author's sentence for a syntax problem: the file, line and column, and V8's description.</summary>
    public static string Describe(ScriptSource source, SyntaxProblem problem)
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
