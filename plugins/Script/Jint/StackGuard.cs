using System.Runtime.CompilerServices;
using Jint.Runtime;
using Jint.Runtime.CallStack;

namespace DataHub.Plugins.Script.Jint;

/// <summary>
/// Stops a script before it exhausts the thread's stack, which would end the whole process. Jint 2 recurses on the
/// .NET stack for every nested call, getter, callback and built-in (an array containing itself recurses forever in
/// join), so the checks sit where all of those pass: every function call, and every property lookup on a built-in
/// object (see <see cref="TrackedPropertyMap{TKey}"/>). A run may use <see cref="Budget"/> bytes of stack beyond
/// where it started, and never the last stretch .NET itself reserves.
/// </summary>
internal sealed class StackGuard
{
    /// <summary>Stack a run may use: some 250 to 400 nested script calls, well within any request thread.</summary>
    public const int Budget = 1024 * 1024;

    private nint _limit;

    /// <summary>Starts measuring from the current stack depth.</summary>
    public unsafe void Arm()
    {
        byte here = 0;
        _limit = (nint)(&here) - Budget;
    }

    /// <summary>Stops checking: the engine is idle.</summary>
    public void Disarm() => _limit = 0;

    /// <summary>The cheap check, for property lookups: has this run used its budget?</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Check()
    {
        byte here = 0;
        if ((nint)(&here) < _limit)
        {
            throw new StackBudgetExceededException();
        }
    }

    /// <summary>The full check, for function calls: also asks .NET whether the thread itself has room left.</summary>
    public void CheckDeep()
    {
        Check();
        if (_limit != 0 && !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new StackBudgetExceededException();
        }
    }

    /// <summary>
    /// Swaps the engine's per-function call counts for one shared count, so that Jint's recursion limit bounds
    /// the total depth of nested calls (a fresh closure per level would otherwise never count as recursion), and
    /// checks the stack on every call.
    /// </summary>
    public void WatchCalls(JintCallStack callStack) =>
        JintInternals.CallCounts(callStack) = new Dictionary<CallStackElement, int>(new AllCallsAlike(this));

    private sealed class AllCallsAlike(StackGuard guard) : IEqualityComparer<CallStackElement>
    {
        public bool Equals(CallStackElement? x, CallStackElement? y) => true;

        public int GetHashCode(CallStackElement obj)
        {
            guard.CheckDeep();
            return 0;
        }
    }
}

/// <summary>A run went past its stack budget.</summary>
internal sealed class StackBudgetExceededException : Exception
{
    public StackBudgetExceededException()
        : base("The script nested calls or data too deeply for the thread's stack.")
    {
    }
}
