using System.Globalization;
using Jint;
using Jint.Native;
using Jint.Native.Function;
using Jint.Parser;
using Jint.Parser.Ast;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;
using JintExecutionContext = Jint.Runtime.Environments.ExecutionContext;
using JintProgram = Jint.Parser.Ast.Program;

namespace DataHub.Plugins.Script.Jint;

/// <summary>
/// One engine prepared to run one entity's script, again and again, one request at a time: its limits, its
/// <c>attributes</c> and <c>console</c>, and a <see cref="RealmGuard"/> that undoes whatever a run changed, so the
/// next run starts from exactly the same state. Reused through <see cref="JintCompiledScript"/>'s pool.
/// </summary>
internal sealed class ScriptRealm
{
    // Changing attributes or extensibility in place happens only through these: see RealmGuard.NoteReconfigured.
    private static readonly string[] _reconfiguringFunctions = ["defineProperty", "defineProperties", "freeze", "seal", "preventExtensions"];

    private readonly Engine _engine;
    private readonly JintProgram _program;
    private readonly Statement[] _statements;
    private readonly string _source;
    private readonly ScriptLimits _limits;
    private readonly TimeSpan _timeout;
    private readonly StackGuard _stack = new();
    private readonly RunClock _clock = LongRunCompensation.NewClock();
    private readonly ScriptAttributes _attributes;
    private readonly ScriptConsole _console;
    private readonly JsToJson _toJson;
    private readonly JintExecutionContext _idleContext;
    private readonly RealmGuard _guard;
    private volatile bool _interrupted;

    public ScriptRealm(JintProgram program, ScriptSource source, ScriptLimits limits)
    {
        _program = program;
        _statements = [.. program.Body];
        _source = source.Text;
        _limits = limits;
        _timeout = TimeSpan.FromMilliseconds(limits.TimeoutMs);
        // No TimeoutInterval: RunProgram sets each run's deadline itself (see there).
        _engine = new Engine(options => options
            .MaxStatements(limits.MaxStatements)
            // Jint allows one level more than its limit; with the calls counted together (StackGuard) this is total depth.
            .LimitRecursion(limits.MaxRecursionDepth - 1)
            .Culture(CultureInfo.InvariantCulture));
        _stack.WatchCalls(JintInternals.CallStack(_engine));
        _toJson = new JsToJson(_stack, limits.MaxResponseBytes, runScript: true);
        _attributes = new ScriptAttributes(_engine, new JsonToJs(_engine, _stack));
        _console = new ScriptConsole(_engine, _stack, source.Entity);

        var global = _engine.Global;
        global.FastAddProperty("attributes", _attributes.Object, true, false, true);
        global.FastAddProperty("console", _console.Object, true, false, true);
        global.FastAddProperty(SyntaxTreePreparer.RegExpName, _engine.RegExp, false, false, false);
        global.FastAddProperty(SyntaxTreePreparer.StackProbeName, JsValue.Undefined, false, false, false);
        // Code built at run time is prepared like the script itself.
        var runtimeCode = new RuntimeCode(_engine);
        var functionConstructor = new RuntimeCode.FunctionConstructor(_engine, runtimeCode);
        global.FastSetProperty("eval", new PropertyDescriptor(runtimeCode.Eval(), true, false, true));
        global.FastSetProperty("Function", new PropertyDescriptor(functionConstructor, true, false, true));
        _engine.Function.PrototypeObject.FastSetProperty("constructor", new PropertyDescriptor(functionConstructor, true, false, true));
        WatchReconfiguration();

        // %ThrowTypeError% guards strict functions' caller and arguments: shared by all, reachable only through them.
        _guard = RealmGuard.Track(_engine, _stack, [global, _engine.Function.ThrowTypeError]);
        _idleContext = _engine.ExecutionContext;
    }

    /// <summary>False once a run left the engine in a state that cannot be trusted: it is then dropped.</summary>
    public bool IsReusable { get; private set; } = true;

    public ScriptOutcome Run(ProcessorContext context, CancellationToken cancellationToken)
    {
        _clock.Start();
        _attributes.Begin(context);
        _console.Begin(context.Logger);
        _stack.Arm();
        // Registering runs the callback at once when the token is already cancelled: no cancellation is missed.
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static realm => ((ScriptRealm)realm!).Interrupt(), this)
            : default;
        try
        {
            return Execute(context);
        }
        finally
        {
            // Waits for a callback already running, so none can reach the engine after it is back in the pool.
            registration.Dispose();
            _stack.Disarm();
            _console.End();
            _attributes.End();
            Reset();
            _clock.Stop();
        }
    }

    private ScriptOutcome Execute(ProcessorContext context)
    {
        try
        {
            var thrown = RunProgram();
            // After a throw the response stands only if the script chose its own status first.
            if (thrown is null || context.Status is not null || context.HttpStatus is not null)
            {
                SetResponse(context);
            }
            return thrown is { } uncaught ? Threw(uncaught.Error, uncaught.Location) : ScriptOutcome.Completed;
        }
        catch (JavaScriptException e)
        {
            return Threw(e.Error, e.Location);
        }
        catch (TimeoutException)
        {
            return _interrupted
                ? new ScriptOutcome(ScriptEnd.Cancelled)
                : new ScriptOutcome(ScriptEnd.TimedOut, $"The script ran past its timeoutMs of {_limits.TimeoutMs} ms", LastPosition());
        }
        catch (StatementsCountOverflowException)
        {
            return new ScriptOutcome(ScriptEnd.LimitExceeded, $"The script ran more than maxStatements ({_limits.MaxStatements}) statements", LastPosition());
        }
        catch (RecursionDepthOverflowException)
        {
            return new ScriptOutcome(ScriptEnd.LimitExceeded, $"The script nested function calls deeper than maxRecursionDepth ({_limits.MaxRecursionDepth})", LastPosition());
        }
        catch (Exception e) when (e is StackBudgetExceededException or InsufficientExecutionStackException)
        {
            return new ScriptOutcome(ScriptEnd.LimitExceeded,
                $"The script nested calls or data too deeply for the request's stack (maxRecursionDepth is {_limits.MaxRecursionDepth})", LastPosition());
        }
        catch (ResponseConversionException e)
        {
            return new ScriptOutcome(ScriptEnd.InvalidResponse, e.Message);
        }
        catch (ArgumentException e) when (e.Message == "The value is not a string")
        {
            // Jint 2 reads a string message from any object thrown out of a function, and fails when there is none.
            IsReusable = false;
            return new ScriptOutcome(ScriptEnd.Threw,
                "The script threw an object without a message out of a function; throw Error objects (new Error('…')) instead", LastPosition());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Jint itself failed (a bug or an unsupported case): the engine's state is unknown, so drop it.
            IsReusable = false;
            return new ScriptOutcome(ScriptEnd.Threw, $"The script engine failed ({e.GetType().Name}: {e.Message})", LastPosition());
        }
    }

    private void SetResponse(ProcessorContext context)
    {
        if (_attributes.ResponseValue is not { } value)
        {
            return;
        }
        if (!_toJson.TryConvert(value, out var json))
        {
            return;
        }
        context.Response = json;
    }

    /// <summary>
    /// Runs the program as Engine.Execute does, but takes an uncaught throw as the thrown value itself: Jint would
    /// wrap it in an exception whose constructor fails for objects without a string message.
    /// </summary>
    private (JsValue Error, Location? Location)? RunProgram()
    {
        _engine.ResetStatementsCount();
        // Set here rather than by Jint's ResetTimeoutTicks, so no interrupt is lost: the exchange is a full fence,
        // so an interrupt whose ticks it overwrote has already set the flag read next; a later one lands in the ticks.
        ref var deadline = ref JintInternals.TimeoutTicks(_engine);
        Interlocked.Exchange(ref deadline, DateTime.UtcNow.Ticks + _timeout.Ticks);
        if (_interrupted)
        {
            Volatile.Write(ref deadline, 1);
        }
        JintInternals.ResetLastStatement(_engine);
        _engine.ResetCallStack();
        // A scope that is not strict changes nothing in Jint 2: only a strict program needs one.
        using (_program.Strict ? new StrictModeScope(true, false) : null)
        {
            // Binding nothing still costs Jint an enumeration and its allocations, on every request.
            if (_program.FunctionDeclarations.Count > 0 || _program.VariableDeclarations.Count > 0)
            {
                _engine.DeclarationBindingInstantiation(DeclarationBindingType.GlobalCode, _program.FunctionDeclarations, _program.VariableDeclarations, null, null);
            }
            foreach (var statement in _statements)
            {
                Completion completion;
                try
                {
                    completion = _engine.ExecuteStatement(statement);
                }
                catch (JavaScriptException e)
                {
                    return (e.Error, e.Location ?? statement.Location);
                }
                if (completion.Type == Completion.Throw)
                {
                    return (completion.GetValueOrDefault(), completion.Location ?? statement.Location);
                }
            }
        }
        return null;
    }

    private ScriptOutcome Threw(JsValue error, Location? location)
    {
        var message = ErrorText.Describe(error);
        var at = location is not null ? new ScriptPosition(location.Start.Line, location.Start.Column + 1) : LastPosition();
        // Jint raises many of its own errors without a message ("TypeError"): show the code that failed instead.
        if (ErrorText.IsBareBuiltInError(error, message) && at is { } position && SourceAt(position) is { } code)
        {
            message += $" in `{code}`";
        }
        return new ScriptOutcome(ScriptEnd.Threw, message, at);
    }

    // The rest of the source line from a position, cut short.
    private string? SourceAt(ScriptPosition position)
    {
        var lines = _source.Split('\n');
        if (position.Line < 1 || position.Line > lines.Length || position.Column < 1 || position.Column > lines[position.Line - 1].Length)
        {
            return null;
        }
        var text = lines[position.Line - 1][(position.Column - 1)..].Trim();
        return text.Length > 100 ? text[..100] + "…" : text;
    }

    private ScriptPosition? LastPosition() =>
        _engine.GetLastSyntaxNode()?.Location?.Start is { } start ? new ScriptPosition(start.Line, start.Column + 1) : null;

    // Called on the canceller's thread: make the running script time out at its next statement.
    private void Interrupt()
    {
        // The flag first: a run that has not set its deadline yet reads it after doing so (see RunProgram).
        _interrupted = true;
        Volatile.Write(ref JintInternals.TimeoutTicks(_engine), 1);
    }

    private void Reset()
    {
        // The registration is disposed: no interrupt can come any more.
        _interrupted = false;
        // Every call pushes an execution context and pops it, even when a limit interrupts it; if not, drop the engine.
        if (!ReferenceEquals(_engine.ExecutionContext, _idleContext))
        {
            IsReusable = false;
            return;
        }
        if (!_guard.IsClean)
        {
            _guard.Restore();
        }
    }

    private void WatchReconfiguration()
    {
        var objectConstructor = _engine.Object;
        foreach (var name in _reconfiguringFunctions)
        {
            var original = (FunctionInstance)objectConstructor.Get(name).AsObject();
            var length = (int)TypeConverter.ToNumber(original.Get("length"));
            var watched = new ClrFunctionInstance(_engine, (self, arguments) =>
            {
                _guard.NoteReconfigured(arguments.At(0));
                return original.Call(self, arguments);
            }, length);
            objectConstructor.FastSetProperty(name, new PropertyDescriptor(watched, true, false, true));
        }
    }
}
