namespace DataHub.Plugins.Script.V8;

/// <summary>
/// One thread that looks at every worker every few milliseconds and interrupts the runs past their timeout, past
/// their brief-run budget (to move to a dedicated worker) or whose request was cancelled, and lowers the priority
/// of long runs. Timers would run these on the thread pool, and calling into V8 there can hold a pool thread while
/// an isolate is busy: the pool is the host's, not ours.
/// </summary>
internal static class V8Watchdog
{
    private const int PeriodMs = 5;

    private static readonly List<V8Worker> _workers = [];
    private static readonly Lock _lock = new();
    private static Thread? _thread;

    public static void Watch(V8Worker worker)
    {
        lock (_lock)
        {
            _workers.Add(worker);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "DataHub V8 watchdog" };
                _thread.Start();
            }
        }
    }

    public static void Forget(V8Worker worker)
    {
        lock (_lock)
        {
            _workers.Remove(worker);
        }
    }

    private static void Run()
    {
        var snapshot = new List<V8Worker>();
        while (true)
        {
            Thread.Sleep(PeriodMs);
            lock (_lock)
            {
                snapshot.Clear();
                snapshot.AddRange(_workers);
            }
            var now = Environment.TickCount64;
            foreach (var worker in snapshot)
            {
                worker.Tick(now);
            }
        }
    }
}
