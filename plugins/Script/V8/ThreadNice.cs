using System.Runtime.InteropServices;

namespace DataHub.Plugins.Script.V8;

/// <summary>
/// Per-thread scheduling, from the watchdog: the CPU time a thread has used (a brief run's budget), and lowering a
/// worker thread's CPU priority once its run has gone on for a while, so that runaway scripts (which
/// spin until their timeout) take a small share of the CPU and short scripts on other workers are not slowed by
/// them. Linux only (each thread has its own nice value there); elsewhere it does nothing. Raising the priority
/// back needs privileges a host rarely has, so a worker whose thread was lowered is retired after its run.
/// </summary>
internal static class ThreadNice
{
    /// <summary>How long a run may go before its thread is lowered.</summary>
    public static readonly TimeSpan After = TimeSpan.FromMilliseconds(200);

    private const int ProcessScope = 0; // PRIO_PROCESS: on Linux, with a thread id, that one thread.
    private const int Lowered = 10;

    // Asked on every brief run: kept per thread, since asking Linux is a system call.
    [ThreadStatic]
    private static int _currentThreadId;

    /// <summary>The calling thread's id, for <see cref="Lower"/>; 0 where threads cannot be lowered.</summary>
    public static int CurrentThreadId() => _currentThreadId != 0 ? _currentThreadId
        : OperatingSystem.IsLinux() ? _currentThreadId = GetTid() : 0;

    /// <summary>Lowers the thread (from any thread); false when it could not.</summary>
    public static bool Lower(int threadId) => threadId != 0 && SetPriority(ProcessScope, threadId, Lowered) == 0;

    /// <summary>Restores the thread's normal priority, which only a privileged process may do; false otherwise.</summary>
    public static bool Restore(int threadId) => threadId != 0 && SetPriority(ProcessScope, threadId, 0) == 0;

    /// <summary>
    /// CPU time a thread (by id, from any thread) has used, in milliseconds; 0 where threads cannot be measured. Linux
    /// names a thread's CPU clock by its id: ((~tid) &lt;&lt; 3) | CPUCLOCK_PERTHREAD | CPUCLOCK_SCHED.
    /// </summary>
    public static long CpuTimeMs(int threadId)
    {
        if (threadId == 0 || ClockGetTime(((~threadId) << 3) | 6, out var time) != 0)
        {
            return 0;
        }
        return (time.Seconds * 1000) + (time.Nanoseconds / 1_000_000);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    // DllImport rather than LibraryImport: these signatures need no marshalling, and the plug-in stays free of unsafe code.
    [DllImport("libc", EntryPoint = "gettid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int GetTid();

    [DllImport("libc", EntryPoint = "setpriority")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetPriority(int which, int who, int priority);
}
