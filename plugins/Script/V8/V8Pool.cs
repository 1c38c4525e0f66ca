using System.Collections.Concurrent;
using System.Globalization;

namespace DataHub.Plugins.Script.V8;

/// <summary>
/// Where scripts run: a bounded set of dedicated threads, each owning one V8 isolate, fed from one queue. A script
/// runs synchronously on its worker, so a long one holds that worker and never an ASP.NET Core thread-pool thread.
/// Workers start on demand (an idle host holds no isolate) up to <see cref="MaxIsolates"/>, and stop after a
/// minute without work. The bound is configuration, not load: DATAHUB_SCRIPT_ISOLATES (default 32).
/// </summary>
internal sealed class V8Pool
{
    public const string IsolatesVariable = "DATAHUB_SCRIPT_ISOLATES";
    public const int DefaultIsolates = 32;

    /// <summary>A worker's stack: V8 is held to <see cref="ScriptLimits.MaxStackKBLimit"/>, well inside it.</summary>
    private const int WorkerStackBytes = 16 * 1024 * 1024;

    private readonly ConcurrentQueue<V8Job> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Lock _workersLock = new();
    private readonly TimeSpan _idleTimeout;
    private int _workers;
    private int _waiting;

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

    public void Post(V8Job job)
    {
        _queue.Enqueue(job);
        // More work waiting than idle workers: start one, so a run never queues behind a long one while the bound allows.
        if (Volatile.Read(ref _waiting) < _queue.Count)
        {
            StartWorker();
        }
        _signal.Release();
    }

    private void StartWorker()
    {
        lock (_workersLock)
        {
            if (_workers >= MaxIsolates)
            {
                return;
            }
            _workers++;
        }
        new Thread(Work, WorkerStackBytes) { IsBackground = true, Name = "DataHub V8 worker" }.Start();
    }

    private void Work()
    {
        using var worker = new V8Worker();
        while (true)
        {
            Interlocked.Increment(ref _waiting);
            var signalled = _signal.Wait(_idleTimeout);
            Interlocked.Decrement(ref _waiting);
            if (!signalled)
            {
                lock (_workersLock)
                {
                    // Work posted after the wait timed out is still seen: Post counts this worker as gone or finds it here.
                    if (_queue.IsEmpty)
                    {
                        _workers--;
                        return;
                    }
                }
                continue;
            }
            if (_queue.TryDequeue(out var job))
            {
                job.Execute(worker);
                if (worker.Lowered)
                {
                    // Its thread keeps the lowered priority: a fresh worker takes its place on demand.
                    lock (_workersLock)
                    {
                        _workers--;
                    }
                    return;
                }
            }
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
    private readonly TaskCompletionSource<ScriptRun> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<ScriptRun> Task => _completion.Task;

    protected override void Run(V8Worker worker)
    {
        ScriptRun run;
        try
        {
            run = cancellationToken.IsCancellationRequested
                ? new ScriptRun(ScriptEnd.Cancelled)
                : worker.Run(script, request, cancellationToken);
        }
        catch (Exception e)
        {
            _completion.SetException(e);
            return;
        }
        _completion.SetResult(run);
    }
}
