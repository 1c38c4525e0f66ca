using Jint.Native;
using Jint.Runtime.Descriptors;

namespace DataHub.Plugins.Script.Jint;

/// <summary>
/// Stands in for an original property of a built-in object. Assigning its value (the only change Jint makes to a
/// descriptor in place, except through Object.defineProperty and its kin, which are watched separately) is noted,
/// and <see cref="Reset"/> puts back every attribute it had.
/// </summary>
internal sealed class TrackedPropertyDescriptor : PropertyDescriptor
{
    private readonly TrackedObject _owner;
    private readonly JsValue? _value;
    private readonly JsValue? _get;
    private readonly JsValue? _set;
    private readonly bool? _enumerable;
    private readonly bool? _writable;
    private readonly bool? _configurable;

    public TrackedPropertyDescriptor(PropertyDescriptor original, TrackedObject owner)
        : base(original)
    {
        _owner = owner;
        _value = original.Value;
        _get = original.Get;
        _set = original.Set;
        _enumerable = original.Enumerable;
        _writable = original.Writable;
        _configurable = original.Configurable;
    }

    public override JsValue Value
    {
        get => base.Value;
        set
        {
            // The base constructor assigns the value before the owner is known.
            _owner?.MarkChanged(this);
            base.Value = value;
        }
    }

    /// <summary>True while the value may differ from the original.</summary>
    public bool IsChanged { get; set; }

    public void Reset()
    {
        base.Value = _value!;
        Get = _get!;
        Set = _set!;
        Enumerable = _enumerable;
        Writable = _writable;
        Configurable = _configurable;
        IsChanged = false;
    }
}
