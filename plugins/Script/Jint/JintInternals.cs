using System.Runtime.CompilerServices;
using Jint;
using Jint.Native.Array;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.CallStack;
using Jint.Runtime.Descriptors;

namespace DataHub.Plugins.Script.Jint;

/// <summary>
/// The few private members of Jint 2.10.4 the plug-in needs, and why: Jint has no cancellation, counts recursion
/// per function rather than in total, and offers no hook to see a script change the built-ins. Each accessor fails
/// fast (MissingFieldException / MissingMethodException) when the first engine is made if Jint changes; the
/// version is pinned in Directory.Packages.props.
/// </summary>
internal static class JintInternals
{
    /// <summary>When the running script times out, in DateTime ticks, checked before every statement; each run sets it.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_timeoutTicks")]
    public static extern ref long TimeoutTicks(Engine engine);

    /// <summary>Forgets the statement the last run ended on, which error positions are read from.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "ResetLastStatement")]
    public static extern void ResetLastStatement(Engine engine);

    /// <summary>The call stack Jint checks its recursion limit against.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "CallStack")]
    public static extern ref JintCallStack CallStack(Engine engine);

    /// <summary>The call stack's counts per function, keyed through a comparer we choose.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_statistics")]
    public static extern ref Dictionary<CallStackElement, int> CallCounts(JintCallStack callStack);

    /// <summary>An object's own named properties.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "<Properties>k__BackingField")]
    public static extern ref IDictionary<string, PropertyDescriptor> Properties(ObjectInstance target);

    /// <summary>An array's indexed elements.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_array")]
    public static extern ref IDictionary<uint, PropertyDescriptor> Elements(ArrayInstance array);

    /// <summary>An array's length property.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_length")]
    public static extern ref PropertyDescriptor Length(ArrayInstance array);
}
