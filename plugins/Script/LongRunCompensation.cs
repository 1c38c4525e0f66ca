namespace DataHub.Plugins.Script;

/// <summary>
/// Keeps the host's thread pool serving while scripts run long. A script runs synchronously on its request's
/// thread-pool thread; a few scripts looping until their timeout would hold every thread the pool has, and the
/// pool adds threads only slowly (about two a second), so other requests would queue behind them. A watcher on its
/// own thread (a pool thread could itself be starved) looks every <see cref="Period"/> for runs older than
/// <see cref="Threshold"/>. While there are any, it raises the pool's minimum thread count by their number plus
/// the work items waiting (at most <see cref="MaxBurst"/>), so the pool starts threads for waiting requests at once
/// instead of feeding them one by one to whatever is queued first; the minimum goes back down as those runs end.
/// </summary>
internal static class LongRunCompensation
{
    public static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(50);

    /// <summary>The most threads granted at once for waiting work, on top of one per long run.</summary>
    public const int MaxBurst = 64;

    private static readonly List<WeakReference<RunClock>> _clocks = [];
    private static readonly Lock _clocksLock = new();
    private static Thread? _watcher;
    private static int _compensation;

    /// <summary>The extra minimum threads currently granted.</summary>
    public static int Compensation => Volatile.Read(ref _compensation);

    /// <summary>A clock for one engine (used by one run at a time), watched from now on.</summary>
    public static RunClock NewClock()
    {
        var clock = new RunClock();
        lock (_clocksLock)
        {
            _clocks.Add(new WeakReference<RunClock>(clock));
            if (_watcher is null)
            {
                _watcher = new Thread(Watch) { IsBackground = true, Name = "DataHub script watcher" };
                _watcher.Start();
            }
        }
        return clock;
    }

    private static void Watch()
    {
        while (true)
        {
            Thread.Sleep(Period);
            var longRuns = CountLongRuns();
            Adjust(longRuns == 0 ? 0 : longRuns + (int)Math.Min(ThreadPool.PendingWorkItemCount, MaxBurst));
        }
    }

    private static int CountLongRuns()
    {
        var now = Environment.TickCount64;
        var threshold = (long)Threshold.TotalMilliseconds;
        var count = 0;
        lock (_clocksLock)
        {
            _clocks.RemoveAll(reference => !reference.TryGetTarget(out _));
            foreach (var reference in _clocks)
            {
                if (reference.TryGetTarget(out var clock) && clock.StartedAt is var started && started != 0 && now - started > threshold)
                {
                    count++;
                }
            }
        }
        return count;
    }

    private static void Adjust(int extra)
    {
        var granted = Volatile.Read(ref _compensation);
        if (extra == granted)
        {
            return;
        }
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        if (ThreadPool.SetMinThreads(Math.Max(1, workers - granted + extra), completionPorts))
        {
            Volatile.Write(ref _compensation, extra);
        }
    }
}

/// <summary>When the current run of one engine started, in TickCount64 milliseconds (0 while idle): two writes per request.</summary>
internal sealed class RunClock
{
    private long _startedAt;

    public long StartedAt => Volatile.Read(ref _startedAt);

    // The coarse clock is enough for a 100 ms threshold, and cheaper than Stopwatch.
    public void Start() => Volatile.Write(ref _startedAt, Math.Max(1, Environment.TickCount64));

    public void Stop() => Volatile.Write(ref _startedAt, 0);
}
