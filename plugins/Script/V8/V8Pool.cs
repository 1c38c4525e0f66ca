using System.Globalization;

namespace DataHub.Plugins.Script.V8;

/// <summary>
/// Where scripts run. First on the request's own thread, in one of a few isolates kept for that (two per core), but
/// only for <see cref="BriefMs"/>: a run still going then is stopped, leaving nothing behind, and runs again on a
/// dedicated worker, as the script's later runs do until one of them is brief again. So no request thread is held
/// longer than a brief, CPU-bound piece of work would hold it, and a short script costs no thread hand-off (two
/// thread wake-ups, most of a hello-world request's cost). Scripts allowed more stack than a request thread has go
/// to the workers directly.
/// The dedicated workers: a bounded set of threads, each owning one V8 isolate. A script runs synchronously on
/// its worker, so a long one holds that worker and never an ASP.NET Core thread-pool thread. A run is handed straight
/// to the most recently idle worker (its isolate's caches and compiled code are the warmest) and wakes that one
/// thread only; when none is idle a new worker starts, up to <see cref="MaxIsolates"/>; past that, runs queue and
/// the next worker to finish takes one. Workers start on demand (an idle host holds no isolate) and stop after a
/// minute without work. The bound is configuration, not load: DATAHUB_SCRIPT_ISOLATES (default 32).
/// </summary>
internal sealed class V8Pool
{
    public const string IsolatesVariable = "DATAHUB_SCRIPT_ISOLATES";
    public const int DefaultIsolates = 32;

    /// <summary>A worker's stack: V8 is held to <see cref="ScriptLimits.MaxStackKBLimit"/>, well inside it.</summary>
    private const int WorkerStackBytes = 16 * 1024 * 1024;

    /// <summary>How long a run may take on a request thread before it moves to a dedicated worker.</summary>
    public const int BriefMs = 50;

    /// <summary>
    /// The most stack a run on a request thread may be allowed: .NET gives thread-pool threads 1.5 MB on Linux, and
    /// V8 needs room beyond its limit (and the request's own frames below it). The default maxStackKB fits.
    /// </summary>
    public const int BriefStackKB = 1024;

    private readonly Stack<V8Worker> _brief = new();
    private readonly int _maxBrief = 2 * Environment.ProcessorCount;
    private int _briefWorkers;

    private readonly Lock _lock = new();
    private readonly List<WorkerThread> _idle = [];
    private readonly Queue<V8Job> _queue = new();
    private readonly TimeSpan _idleTimeout;
    private int _workers;

    public V8Pool(int maxIsolates, TimeSpan? idleTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIsolates, 1);
        MaxIsolates = maxIsolates;
        _idleTimeout = idleTimeout ?? TimeSpan.FromMinutes(1);
    }

    public int MaxIsolates { get; }

    /// <summary>Workers alive now (each with at most one isolate).</summary>
    public int Workers => Volatile.Read(ref _workers);

    /// <summary>The configured bound: DATAHUB_SCRIPT_ISOLATES when it holds a whole number from 1 to 1024.</summary>
    public static int ConfiguredIsolates() =>
        int.TryParse(Environment.GetEnvironmentVariable(IsolatesVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        && value is >= 1 and <= 1024 ? value : DefaultIsolates;

    /// <summary>
    /// Runs the script here if an isolate for brief runs is free and the run ends within <see cref="BriefMs"/>;
    /// false otherwise (when it took too long, the script is marked to run on dedicated workers until a run is brief).
    /// </summary>
    public bool TryRunHere(V8CompiledScript script, ScriptRequest request, CancellationToken cancellationToken, out ScriptRun run)
    {
        if (RentBrief() is not { } worker)
        {
            run = default;
            return false;
        }
        try
        {
            if (!worker.TryRunBriefly(script, request, cancellationToken, BriefMs, out run))
            {
                script.RunsLong = true;
                return false;
            }
            return true;
        }
        finally
        {
            ReturnBrief(worker);
        }
    }

    /// <summary>
    /// Checks a script's syntax in a brief-run isolate, on the calling thread (compiling runs no script code): only for
    /// scripts <see cref="JavaScriptSyntax"/> rejected, so that V8's verdict and message stand. No isolate is kept for
    /// checking alone. When every brief isolate is busy (a reload under load), a temporary one checks.
    /// </summary>
    public SyntaxProblem? CheckSyntax(string code, bool isAsync)
    {
        var pooled = RentBrief();
        var worker = pooled ?? V8Worker.ForRequestThreads();
        try
        {
            return worker.CheckSyntax(code, isAsync);
        }
        finally
        {
            if (pooled is null)
            {
                worker.Dispose();
            }
            else
            {
                ReturnBrief(pooled);
            }
        }
    }

    // An idle brief-run worker, else a new one while there are fewer than the bound; null past the bound.
    private V8Worker? RentBrief()
    {
        lock (_lock)
        {
            if (_brief.TryPop(out var idle))
            {
                return idle;
            }
            if (_briefWorkers >= _maxBrief)
            {
                return null;
            }
            _briefWorkers++;
        }
        // Only registers with the watchdog: the isolate is made on first use.
        return V8Worker.ForRequestThreads();
    }

    private void ReturnBrief(V8Worker worker)
    {
        lock (_lock)
        {
            _brief.Push(worker);
        }
    }

    public void Post(V8Job job)
    {
        WorkerThread? idle;
        lock (_lock)
        {
            if (_idle.Count > 0)
            {
                idle = _idle[^1];
                _idle.RemoveAt(_idle.Count - 1);
            }
            else if (_workers < MaxIsolates)
            {
                _workers++;
                idle = null;
            }
            else
            {
                _queue.Enqueue(job);
                return;
            }
        }
        if (idle is null)
        {
            Start(job);
        }
        else
        {
            idle.Give(job);
        }
    }

    private void Start(V8Job first) =>
        new Thread(static state => { var (pool, job) = ((V8Pool, V8Job))state!; pool.Work(job); }, WorkerStackBytes)
        {
            IsBackground = true,
            Name = "DataHub V8 worker",
        }.Start((this, first));

    private void Work(V8Job first)
    {
        using var worker = new V8Worker();
        var thread = new WorkerThread();
        V8Job? job = first;
        while (job is not null)
        {
            job.Execute(worker);
            job = null;
            lock (_lock)
            {
                if (worker.Lowered)
                {
                    // Its thread keeps the lowered priority: a fresh worker takes its place, and its queued run.
                    if (_queue.TryDequeue(out var next))
                    {
                        Start(next);
                    }
                    else
                    {
                        _workers--;
                    }
                    return;
                }
                if (!_queue.TryDequeue(out job))
                {
                    _idle.Add(thread);
                }
            }
            job ??= thread.Wait(_idleTimeout) ?? Retire(thread);
        }
    }

    // The wait timed out: stop, unless a run was handed over meanwhile.
    private V8Job? Retire(WorkerThread thread)
    {
        lock (_lock)
        {
            if (_idle.Remove(thread))
            {
                _workers--;
                return null;
            }
        }
        // Post took this worker off the idle list: its run is on the way.
        return thread.Wait(Timeout.InfiniteTimeSpan);
    }

    /// <summary>An idle worker's mailbox: one run at a time, handed over by <see cref="Post"/>.</summary>
    private sealed class WorkerThread
    {
        // No spinning: an idle worker sleeps until it is given a run; spinning workers only took CPU from the busy ones.
        private readonly ManualResetEventSlim _signal = new(false, spinCount: 0);
        private V8Job? _job;

        public void Give(V8Job job)
        {
            Volatile.Write(ref _job, job);
            _signal.Set();
        }

        public V8Job? Wait(TimeSpan timeout)
        {
            if (!_signal.Wait(timeout))
            {
                return null;
            }
            _signal.Reset();
            return Interlocked.Exchange(ref _job, null);
        }
    }
}

/// <summary>Work for a V8 worker, run in the execution context it was posted from (so logs keep the request's scope).</summary>
internal abstract class V8Job
{
    private readonly ExecutionContext? _context = ExecutionContext.Capture();

    public void Execute(V8Worker worker)
    {
        if (_context is null)
        {
            Run(worker);
        }
        else
        {
            ExecutionContext.Run(_context, static state => { var (job, w) = ((V8Job, V8Worker))state!; job.Run(w); }, (this, worker));
        }
    }

    protected abstract void Run(V8Worker worker);
}

internal sealed class V8RunJob(V8CompiledScript script, ScriptRequest request, CancellationToken cancellationToken) : V8Job
{
    // Continuations run on the worker, straight after the script: the request carries on without waiting for a
    // thread-pool thread to wake. A worker whose priority was lowered hands them to the pool instead.
    private readonly TaskCompletionSource<ScriptRun> _completion = new();

    public Task<ScriptRun> Task => _completion.Task;

    protected override void Run(V8Worker worker)
    {
        ScriptRun run;
        try
        {
            if (cancellationToken.IsCancellationRequested)
            {
                run = new ScriptRun(ScriptEnd.Cancelled);
            }
            else
            {
                var started = Environment.TickCount64;
                run = worker.Run(script, request, cancellationToken);
                // A run that went long on a busy machine (its thread waiting for a core) may be brief next time.
                script.RunsLong = Environment.TickCount64 - started >= V8Pool.BriefMs;
            }
        }
        catch (Exception e)
        {
            Complete(worker, completion => completion.SetException(e));
            return;
        }
        Complete(worker, completion => completion.SetResult(run));
    }

    private void Complete(V8Worker worker, Action<TaskCompletionSource<ScriptRun>> complete)
    {
        if (worker.Lowered)
        {
            ThreadPool.UnsafeQueueUserWorkItem(complete, _completion, preferLocal: false);
        }
        else
        {
            complete(_completion);
        }
    }
}
