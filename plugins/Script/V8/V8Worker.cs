using Microsoft.ClearScript;
using Microsoft.ClearScript.V8;
using Microsoft.Extensions.Logging;

namespace DataHub.Plugins.Script.V8;

/// <summary>
/// One worker thread's V8 isolate and the engine it reuses for every script: the prelude runs once per engine,
/// each script is compiled once per engine (on first use), and a run crosses into V8 once with the input JSON and
/// once back with the output text (async scripts: once more, after their microtasks). An engine is dropped when a
/// run left it dirty, was interrupted, or hit a limit; the whole isolate when it ran out of heap.
/// Used by one thread at a time (its worker thread, or for brief runs the request thread that rented it from
/// <see cref="V8Pool"/>), apart from <see cref="Tick"/> (the watchdog) and the cancellation flag.
/// </summary>
internal sealed partial class V8Worker : IDisposable
{
    /// <summary>Past this many compiled scripts the engine starts afresh, so its heap stays bounded.</summary>
    public const int MaxScriptsPerEngine = 256;

    /// <summary>Outside the heap: typed arrays' memory, per isolate.</summary>
    private const ulong MaxArrayBufferBytes = 64UL * 1024 * 1024;

    private const string DirtyMark = "{\"dirty\":true";

    private const long InterruptRepeatMs = 50;

    /// <summary>A brief run may wait for a core this many times its CPU budget, in all, before it moves.</summary>
    private const int BriefWallFactor = 10;

    private static readonly (LogLevel Level, string Method)[] _consoleMethods =
        [(LogLevel.Information, "log"), (LogLevel.Information, "info"), (LogLevel.Warning, "warn"), (LogLevel.Error, "error"), (LogLevel.Debug, "debug")];

    private readonly Dictionary<V8CompiledScript, ScriptObject> _runners = new(ReferenceEqualityComparer.Instance);
    // Promises rejected with no handler during the current run, and why; a handler added later takes one off.
    private readonly List<(object Promise, object? Reason)> _unhandled = [];
    private readonly Lock _gate = new();
    private readonly int _threadId;
    // Brief runs happen on the request's own thread: their console lines wait until the run is known to stand.
    private readonly List<(int Level, string Line)>? _heldConsole;
    // ClearScript's heap watch costs every run a heap census and a native timer, and samples no sooner than 50 ms in:
    // a brief run is stopped by then (its CPU budget), so only dedicated workers, whose runs go on, are watched.
    private readonly bool _watchesHeap;
    private long _deadline;
    private long _lowerAt;
    private long _briefUntil;
    // A brief run's budget is the CPU time of the thread it runs on, so a busy machine that leaves the thread waiting
    // for a core does not count against it; _briefUntil bounds the wall-clock time too. The budget counts from the
    // first watchdog tick that sees the run (at most one period after it began), which spares every run a system call.
    private int _briefThread;
    private int _briefMs;
    private long _briefCpuUntil;
    private long _repeatAt;
    private volatile bool _cancelRequested;
    private V8Runtime? _runtime;
    private V8ScriptEngine? _engine;
    // What the prelude returns: its functions are called by name (InvokeMethod). Invoking a function first read out as
    // a property costs ClearScript ~100 ms of one-time binding work in each process, and a first request waits for it.
    private ScriptObject? _prelude;
    private string _pending = "";
    private ulong _heapBaseline;
    private ulong _heapLimit;
    private ulong _stackLimit;
    private bool _running;
    private Interruption _interruption;
    private ScriptRequest? _request;
    private string _entity = "";

    /// <summary>A worker for a dedicated thread (the calling one), which may lower that thread's priority.</summary>
    public V8Worker()
        : this(onRequestThreads: false)
    {
    }

    private V8Worker(bool onRequestThreads)
    {
        _threadId = onRequestThreads ? 0 : ThreadNice.CurrentThreadId();
        _heldConsole = onRequestThreads ? [] : null;
        _watchesHeap = !onRequestThreads;
        V8Watchdog.Watch(this);
    }

    /// <summary>A worker for brief runs on whichever request thread rents it: never lowers a thread.</summary>
    public static V8Worker ForRequestThreads() => new(onRequestThreads: true);

    /// <summary>True once this worker's thread runs at a lowered priority it cannot raise again: retire it.</summary>
    public bool Lowered { get; private set; }

    private enum Interruption
    {
        None,
        TimedOut,
        Cancelled,
        PastBrief,
    }

    /// <summary>Runs the script to its end, whatever it takes up to its limits.</summary>
    public ScriptRun Run(V8CompiledScript script, ScriptRequest request, CancellationToken cancellationToken) =>
        RunWithin(script, request, cancellationToken, briefMs: 0)!.Value;

    /// <summary>
    /// Runs the script if it ends within <paramref name="briefMs"/>; otherwise stops it and returns false, having
    /// left nothing behind (not even console lines), so it can run again elsewhere.
    /// </summary>
    public bool TryRunBriefly(V8CompiledScript script, ScriptRequest request, CancellationToken cancellationToken, int briefMs, out ScriptRun run)
    {
        var ended = RunWithin(script, request, cancellationToken, briefMs);
        if (ended is not null)
        {
            foreach (var (level, line) in _heldConsole!)
            {
                WriteConsole(request, level, line);
            }
        }
        _heldConsole!.Clear();
        run = ended.GetValueOrDefault();
        return ended is not null;
    }

    // Null when the run went past briefMs (0: no such bound) and was stopped.
    private ScriptRun? RunWithin(V8CompiledScript script, ScriptRequest request, CancellationToken cancellationToken, int briefMs)
    {
        var limits = script.Limits;
        ScriptObject runner;
        try
        {
            runner = RunnerFor(script);
        }
        catch (Exception e) when (e is IScriptEngineException problem)
        {
            // Checked at load, by a parser that is not V8's: what V8 alone rejects gets here, or a request thread's
            // stack too small for the parser (then the run moves to a dedicated worker). Start afresh next time.
            DiscardEngine();
            return briefMs != 0 ? null : ScriptRun.Finished(ThrownOutput(V8Engine.Describe(script.Source, SyntaxProblem.From(problem, script.IsAsync))));
        }
        SetLimits(limits);

        _request = request;
        _entity = script.Source.Entity;
        var now = Environment.TickCount64;
        lock (_gate)
        {
            _running = true;
            _interruption = Interruption.None;
            _cancelRequested = false;
            _deadline = now + limits.TimeoutMs;
            _lowerAt = _threadId == 0 ? long.MaxValue : now + (long)ThreadNice.After.TotalMilliseconds;
            _briefUntil = briefMs == 0 ? long.MaxValue : now + (BriefWallFactor * briefMs);
            _briefThread = briefMs == 0 ? 0 : ThreadNice.CurrentThreadId();
            _briefMs = briefMs;
            _briefCpuUntil = long.MaxValue;
            _repeatAt = long.MaxValue;
        }
        // Only a flag: the watchdog thread does the interrupting, so no thread-pool thread ever calls into V8.
        var registration = cancellationToken.UnsafeRegister(static state => ((V8Worker)state!)._cancelRequested = true, this);
        var discard = false;
        try
        {
            var output = (string)runner.Invoke(false, request.InputParts);
            if (ReferenceEquals(output, _pending) || output == _pending)
            {
                // The engine has drained the microtasks: a rejection nothing handled fails the run, as a throw would.
                output = _unhandled.Count > 0
                    ? (string)_prelude!.InvokeMethod("fail", _unhandled[0].Reason, limits.MaxResponseBytes)
                    : (string)_prelude!.InvokeMethod("settle");
            }
            discard = output.StartsWith(DirtyMark, StringComparison.Ordinal);
            return ScriptRun.Finished(output);
        }
        // An interrupted run's isolate is discarded below (finally); one stopped by the heap limit by OutOfMemory.
        catch (ScriptInterruptedException)
        {
            return Interrupted(limits);
        }
        catch (ScriptEngineException e) when (e.IsFatal)
        {
            return OutOfMemory(limits);
        }
        catch (ScriptEngineException e)
        {
            if (CurrentInterruption() != Interruption.None)
            {
                return Interrupted(limits);
            }
            // Thrown past the prelude's own catch (the script's throws stop there): ClearScript knows where; the
            // prelude describes the value and writes the outputs.
            var position = ScriptPrelude.FindPosition(e.ErrorDetails, script.IsAsync);
            try
            {
                var output = (string)_prelude!.InvokeMethod("fail", e.ScriptException, limits.MaxResponseBytes);
                discard = output.StartsWith(DirtyMark, StringComparison.Ordinal);
                return ScriptRun.Finished(output, position);
            }
            catch (Exception again) when (again is IScriptEngineException)
            {
                discard = true;
                return CurrentInterruption() != Interruption.None
                    ? Interrupted(limits)
                    : ScriptRun.Finished(ThrownOutput(e.Message), position);
            }
        }
        finally
        {
            // Waits for a cancellation callback already running, so none reaches the engine after this.
            registration.Dispose();
            bool interrupted;
            lock (_gate)
            {
                _running = false;
                interrupted = _interruption != Interruption.None;
            }
            _request = null;
            _unhandled.Clear();
            if (Lowered && ThreadNice.Restore(_threadId))
            {
                Lowered = false;
            }
            // An interrupted run can leave promise jobs queued, and V8's microtask queue is the isolate's, not the
            // engine's: the next run in this isolate would execute them first (measured: a hello world 16 s late
            // after an interrupted Promise.all over an endless iterator). The isolate goes with the engine.
            if (interrupted)
            {
                DiscardRuntime();
            }
            else if (discard)
            {
                DiscardEngine();
            }
        }
    }

    public void Dispose()
    {
        V8Watchdog.Forget(this);
        DiscardRuntime();
    }

    /// <summary>Called by the watchdog thread every few milliseconds: enforces the deadline, cancellation and priority.</summary>
    public void Tick(long now)
    {
        lock (_gate)
        {
            if (!_running)
            {
                return;
            }
            if (_cancelRequested)
            {
                Interrupt(Interruption.Cancelled, now);
            }
            else if (now >= _deadline)
            {
                Interrupt(Interruption.TimedOut, now);
            }
            else if (now >= _briefUntil || BriefCpuSpent())
            {
                Interrupt(Interruption.PastBrief, now);
            }
            else if (_interruption != Interruption.None && now >= _repeatAt)
            {
                Interrupt(_interruption, now);
            }
            if (!Lowered && now >= _lowerAt)
            {
                Lowered = ThreadNice.Lower(_threadId);
            }
        }
    }

    // Under the gate, on the watchdog thread.
    private bool BriefCpuSpent()
    {
        if (_briefThread == 0)
        {
            return false;
        }
        var cpu = ThreadNice.CpuTimeMs(_briefThread);
        if (_briefCpuUntil == long.MaxValue)
        {
            _briefCpuUntil = cpu + _briefMs;
            return false;
        }
        return cpu >= _briefCpuUntil;
    }

    private ScriptRun? Interrupted(ScriptLimits limits) => CurrentInterruption() switch
    {
        Interruption.PastBrief => null,
        Interruption.Cancelled => new ScriptRun(ScriptEnd.Cancelled),
        Interruption.TimedOut => new ScriptRun(ScriptEnd.TimedOut, Message: $"The script ran past its timeoutMs of {limits.TimeoutMs} ms"),
        // Interrupted by nothing this worker asked for: V8's heap watch.
        _ => OutOfMemory(limits),
    };

    private ScriptRun OutOfMemory(ScriptLimits limits)
    {
        DiscardRuntime();
        return new ScriptRun(ScriptEnd.LimitExceeded, Message: $"The script used more memory than maxHeapMB ({limits.MaxHeapMB} MB) allows");
    }

    private Interruption CurrentInterruption()
    {
        lock (_gate)
        {
            return _interruption;
        }
    }

    // Under the gate, on the watchdog thread. An interrupt that arrives just before V8 enters the script is lost, so
    // it is repeated until the run ends.
    private void Interrupt(Interruption why, long now)
    {
        if (_interruption == Interruption.None)
        {
            _interruption = why;
        }
        else if (now < _repeatAt)
        {
            return;
        }
        _engine?.Interrupt();
        _repeatAt = now + InterruptRepeatMs;
    }

    /// <summary>
    /// Compiles the code without running it, in this worker's engine: null when it compiles, else why not. Nothing
    /// compiled here is kept; V8's parser stops at the engine's stack limit.
    /// </summary>
    public SyntaxProblem? CheckSyntax(string code, bool isAsync)
    {
        try
        {
            var engine = Engine();
            // The parser gets V8's own stack limit, not the last run's maxStackKB.
            if (_stackLimit != 0)
            {
                engine.MaxRuntimeStackUsage = UIntPtr.Zero;
                _stackLimit = 0;
            }
            engine.Compile(new DocumentInfo(ScriptPrelude.ScriptDocument), code).Dispose();
            return null;
        }
        catch (Exception e) when (e is IScriptEngineException problem)
        {
            return SyntaxProblem.From(problem, isAsync);
        }
    }

    private ScriptObject RunnerFor(V8CompiledScript script)
    {
        var engine = Engine();
        if (_runners.TryGetValue(script, out var runner))
        {
            return runner;
        }
        if (_runners.Count >= MaxScriptsPerEngine)
        {
            DiscardEngine();
            engine = Engine();
        }
        using (var compiled = engine.Compile(new DocumentInfo(ScriptPrelude.ScriptDocument), script.Code))
        {
            var function = (ScriptObject)engine.Evaluate(compiled);
            runner = (ScriptObject)_prelude!.InvokeMethod("runner", function, script.TwoSteps, script.Limits.MaxResponseBytes);
        }
        _runners.Add(script, runner);
        _heapBaseline = _runtime!.GetHeapInfo().TotalHeapSize;
        return runner;
    }

    private void SetLimits(ScriptLimits limits)
    {
        // The heap limit counts what the engine and its compiled scripts already hold, so each run gets its own maxHeapMB.
        var heap = _heapBaseline + ((ulong)limits.MaxHeapMB * 1024 * 1024);
        if (_watchesHeap && heap != _heapLimit)
        {
            _runtime!.MaxHeapSize = (UIntPtr)heap;
            _heapLimit = heap;
        }
        var stack = (ulong)limits.MaxStackKB * 1024;
        if (stack != _stackLimit)
        {
            _engine!.MaxRuntimeStackUsage = (UIntPtr)stack;
            _stackLimit = stack;
        }
    }

    private V8Runtime Runtime() => _runtime ??= new V8Runtime(
        "DataHub script isolate",
        new V8RuntimeConstraints
        {
            // V8's own hard limit ends the process: keep it far above any entity's maxHeapMB, and let V8 grow past it
            // rather than die while ClearScript's heap watch (below it) stops the script.
            MaxOldSpaceSize = ScriptLimits.MaxHeapMBLimit * 2,
            HeapExpansionMultiplier = 1.5,
            MaxArrayBufferAllocation = MaxArrayBufferBytes,
        });

    private V8ScriptEngine Engine()
    {
        if (_engine is not null)
        {
            return _engine;
        }
        var engine = Runtime().CreateScriptEngine(V8ScriptEngineFlags.DisableGlobalMembers | V8ScriptEngineFlags.HideHostExceptions);
        var factory = (ScriptObject)engine.Evaluate(new DocumentInfo(ScriptPrelude.PreludeDocument), ScriptPrelude.Source);
        _prelude = (ScriptObject)factory.Invoke(false, new Action<int, string>(Log));
        engine.PromiseRejectionCallback = OnPromiseRejection;
        _pending = (string)_prelude.GetProperty("pending");
        lock (_gate)
        {
            _engine = engine;
        }
        _stackLimit = 0;
        _heapBaseline = _runtime!.GetHeapInfo().TotalHeapSize;
        return engine;
    }

    private void DiscardEngine()
    {
        foreach (var runner in _runners.Values)
        {
            (runner as IDisposable)?.Dispose();
        }
        _runners.Clear();
        V8ScriptEngine? engine;
        lock (_gate)
        {
            engine = _engine;
            _engine = null;
        }
        engine?.Dispose();
        _prelude = null;
    }

    private void DiscardRuntime()
    {
        DiscardEngine();
        _runtime?.Dispose();
        _runtime = null;
        _heapLimit = 0;
    }

    // A run's output when the prelude itself could not write one.
    private static string ThrownOutput(string message) =>
        System.Text.Json.JsonSerializer.Serialize(new { dirty = true, error = new { message } });

    // From V8, on this worker's thread, while a script runs. A promise awaited or caught later is not unhandled.
    private void OnPromiseRejection(V8PromiseRejectionEventKind kind, object promise, object? value)
    {
        if (kind == V8PromiseRejectionEventKind.RejectedWithoutHandler)
        {
            _unhandled.Add((promise, value));
        }
        else if (kind == V8PromiseRejectionEventKind.HandlerAddedAfterRejection)
        {
            _unhandled.RemoveAll(entry => entry.Promise.Equals(promise));
        }
    }

    // console.* from the running script, on this worker's thread.
    private void Log(int level, string line)
    {
        if (_request is not { } request || (uint)level >= (uint)_consoleMethods.Length)
        {
            return;
        }
        if (_heldConsole is null)
        {
            WriteConsole(request, level, line);
        }
        else
        {
            _heldConsole.Add((level, line));
        }
    }

    private void WriteConsole(ScriptRequest request, int level, string line)
    {
        var (logLevel, method) = _consoleMethods[level];
        LogConsole(request.Logger, logLevel, _entity, method, line);
    }

    [LoggerMessage(EventId = 3110, Message = "Script {Entity} console.{Method}: {Line}")]
    private static partial void LogConsole(ILogger logger, LogLevel level, string entity, string method, string line);
}
