using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ClearScript;
using Microsoft.ClearScript.V8;

namespace DataHub.Plugins.Actions.Expressions;

/// <summary>
/// The plug-in's only use of V8. Every block of an entity is checked at load and written into one piece of code,
/// which an engine compiles when a call first needs it (an entity never called makes no isolate); a call hands the
/// action context over as JSON text and gets the block's value back as JSON text, one crossing each way. No .NET
/// object or type is ever exposed to scripts. V8 isolates are single-threaded, so concurrent calls each take an engine
/// from a pool; an engine that was interrupted or ran out of heap is thrown away, never reused.
/// </summary>
internal sealed class ExpressionEngine : IDisposable
{
    private const string Prelude = """
        "use strict";
        function now() { return new Date().toISOString(); }
        """;

    private readonly string _code;
    private readonly ScriptLimits _limits;
    private readonly IReadOnlyList<ExpressionBlock> _blocks;
    private readonly ConcurrentBag<Engine> _idle = [];
    private bool _disposed;

    private ExpressionEngine(string code, IReadOnlyList<ExpressionBlock> blocks, ScriptLimits limits)
    {
        _code = code;
        _blocks = blocks;
        _limits = limits;
    }

    /// <summary>
    /// Checks every expression and script for syntax errors (each reported with where it was written) and prepares
    /// the blocks' code; no isolate is made until a call evaluates. Returns null when <paramref name="errors"/> got any.
    /// </summary>
    public static ExpressionEngine? Compile(IReadOnlyList<ExpressionBlock> blocks, ScriptLimits limits, List<string> errors)
    {
        // Only what the parser rejects is compiled by V8, whose message is the one reported.
        using var checker = new SyntaxChecker(limits);
        var before = errors.Count;
        foreach (var block in blocks)
        {
            foreach (var expression in block.Expressions)
            {
                checker.Check($"(function (c) {{ {Destructure(block.Visible)} return ({expression.Source}\n); }})", expression.Where, errors);
            }
            if (block.Script is { } script)
            {
                checker.Check($"(function (args) {{ {script}\n}})", block.ScriptWhere!, errors);
            }
        }
        if (errors.Count > before)
        {
            return null;
        }

        // Each part parsed alone, so only their combination can fail here, such as a script ending in a comment.
        var code = BuildCode(blocks);
        checker.Check(code, "the expressions do not compile together", errors);
        return errors.Count > before ? null : new ExpressionEngine(code, blocks, limits);
    }

    /// <summary>
    /// Evaluates block <paramref name="block"/> over the context (of which only the names the block reads cross into
    /// the engine); throws <see cref="EvaluationException"/>.
    /// </summary>
    public JsonNode? Evaluate(int block, JsonObject context, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var json = ContextJson(_blocks[block].Visible, context);
        // An engine is only taken for the synchronous run itself, so the pool holds at most as many engines as
        // threads ever evaluated at once: every one is kept, since making an isolate costs more than a whole call.
        var engine = _idle.TryTake(out var idle) ? idle : Engine.Loaded(_limits, _code);
        var reusable = false;
        try
        {
            var result = engine.Run(block, json, _limits.Timeout, cancellationToken, out reusable);
            return result is null ? null : JsonNode.Parse(result);
        }
        finally
        {
            if (reusable && !_disposed)
            {
                _idle.Add(engine);
            }
            else
            {
                engine.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var engine))
        {
            engine.Dispose();
        }
    }

    private static string ContextJson(IReadOnlyList<string> names, JsonObject context)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var name in names)
            {
                if (context.TryGetPropertyValue(name, out var value))
                {
                    writer.WritePropertyName(name);
                    if (value is null)
                    {
                        writer.WriteNullValue();
                    }
                    else
                    {
                        value.WriteTo(writer);
                    }
                }
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Destructure(IReadOnlyList<string> names) =>
        names.Count == 0 ? "" : $"const {{ {string.Join(", ", names)} }} = c;";

    private static string BuildCode(IReadOnlyList<ExpressionBlock> blocks)
    {
        var code = new StringBuilder(Prelude);
        for (var i = 0; i < blocks.Count; i++)
        {
            if (blocks[i].Script is { } script)
            {
                code.Append("const __script").Append(i).Append(" = function (args) { ").Append(script).Append("\n};\n");
            }
        }
        code.Append("const __blocks = [\n");
        for (var i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            code.Append("function (c) { ").Append(Destructure(block.Visible));
            if (block.Script is not null)
            {
                code.Append(" return __script").Append(i).Append("({");
                for (var a = 0; a < block.Expressions.Count; a++)
                {
                    code.Append(JsonSerializer.Serialize(block.ArgNames[a])).Append(": (").Append(block.Expressions[a].Source).Append("\n),");
                }
                code.Append("}); },\n");
            }
            else
            {
                code.Append(" return [");
                foreach (var expression in block.Expressions)
                {
                    code.Append('(').Append(expression.Source).Append("\n),");
                }
                code.Append("]; },\n");
            }
        }
        code.Append("""
            ];
            function __run(i, json) {
                try {
                    const value = __blocks[i](JSON.parse(json));
                    const text = value === undefined ? null : JSON.stringify(value);
                    // JSON.stringify escapes half a surrogate pair (and only that): the host's UTF-8 cannot hold it.
                    if (text !== null && text.includes('\\ud') && /(?<!\\)(?:\\\\)*\\ud[89a-f]/.test(text)) {
                        return '\u0000The value holds half a surrogate pair (\\uD800-\\uDFFF alone), which is not Unicode text.';
                    }
                    return text;
                } catch (e) {
                    // Never thrown on to the host: ClearScript 7.5.1.1 ends the process when the text of a value
                    // thrown to it holds half a surrogate pair.
                    let detail;
                    try { detail = e instanceof Error && typeof e.stack === 'string' ? e.stack : String(e); } catch { detail = 'a value that cannot be shown'; }
                    return '\u0000' + detail.toWellFormed();
                }
            }
            """);
        return code.ToString();
    }

    /// <summary>One V8 isolate, with the entity's code loaded when it evaluates: used by one call at a time.</summary>
    private sealed class Engine : IDisposable
    {
        // What __run's answer starts with when the block threw (a JSON text never does), followed by what it threw.
        private const char ThrewMark = '\0';

        private readonly V8ScriptEngine _engine;
        private ScriptObject? _run;

        public Engine(ScriptLimits limits)
        {
            var megabytes = limits.HeapMegabytes;
            // The monitored limit interrupts a script that passes it; V8's own hard limit, which ends the process, is
            // set well above it, and V8 may grow past it (HeapExpansionMultiplier) rather than die while the monitor,
            // which samples, catches up with a script that allocates fast.
            var constraints = new V8RuntimeConstraints { MaxOldSpaceSize = megabytes * 4, HeapExpansionMultiplier = 1.5 };
            _engine = new V8ScriptEngine(constraints, V8ScriptEngineFlags.None)
            {
                MaxRuntimeHeapSize = (UIntPtr)(megabytes * 1024L * 1024L),
                AllowReflection = false,
            };
        }

        /// <summary>
        /// An engine with the entity's code loaded. V8 may still refuse code the load-time parser accepted (syntax
        /// newer than V8's): then the call fails as a throw would, with V8's message.
        /// </summary>
        public static Engine Loaded(ScriptLimits limits, string code)
        {
            var engine = new Engine(limits);
            try
            {
                engine._engine.Execute(code);
                engine._run = (ScriptObject)engine._engine.Evaluate("__run");
                return engine;
            }
            catch (ScriptEngineException e)
            {
                engine.Dispose();
                throw new EvaluationException(EvaluationFailure.Threw, $"the expressions do not compile: {e.Message}");
            }
        }

        public void CheckSyntax(string code) => _engine.Compile(code).Dispose();

        public string? Run(int block, string contextJson, TimeSpan timeout, CancellationToken cancellationToken, out bool reusable)
        {
            reusable = false;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            var interrupt = deadline.Token.Register(static engine => ((V8ScriptEngine)engine!).Interrupt(), _engine);
            try
            {
                var result = _run!.Invoke(false, block, contextJson) as string;
                // Disposing the registration waits for a callback under way: an interrupt that raced the end of the
                // run may still be pending in the isolate, so that engine is not reused.
                interrupt.Dispose();
                reusable = !deadline.IsCancellationRequested;
                return result is [ThrewMark, .. var detail] ? throw new EvaluationException(EvaluationFailure.Threw, detail) : result;
            }
            catch (ScriptInterruptedException e)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw deadline.IsCancellationRequested
                    ? new EvaluationException(EvaluationFailure.TimedOut, e.Message)
                    : new EvaluationException(EvaluationFailure.OutOfMemory, e.Message);
            }
            catch (ScriptEngineException e)
            {
                cancellationToken.ThrowIfCancellationRequested();
                interrupt.Dispose();
                reusable = !e.IsFatal && !deadline.IsCancellationRequested;
                throw new EvaluationException(
                    deadline.IsCancellationRequested ? EvaluationFailure.TimedOut : e.IsFatal ? EvaluationFailure.OutOfMemory : EvaluationFailure.Threw,
                    e.ErrorDetails ?? e.Message);
            }
            finally
            {
                interrupt.Dispose();
            }
        }

        public void Dispose() => _engine.Dispose();
    }

    /// <summary>
    /// Syntax checks at load: <see cref="JavaScriptSyntax"/> accepts without V8; only what it rejects is compiled by V8
    /// (one engine, made on the first such part), whose verdict and message stand.
    /// </summary>
    private sealed class SyntaxChecker(ScriptLimits limits) : IDisposable
    {
        private Engine? _engine;

        public void Check(string code, string where, List<string> errors)
        {
            if (JavaScriptSyntax.Parses(code))
            {
                return;
            }
            try
            {
                (_engine ??= new Engine(limits)).CheckSyntax(code);
            }
            catch (ScriptEngineException e)
            {
                errors.Add($"{where}: {e.Message}");
            }
        }

        public void Dispose() => _engine?.Dispose();
    }
}
