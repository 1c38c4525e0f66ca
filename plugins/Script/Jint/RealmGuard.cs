using Jint;
using Jint.Native;
using Jint.Native.Array;
using Jint.Native.Date;
using Jint.Native.Object;
using Jint.Runtime.Descriptors;

namespace DataHub.Plugins.Script.Jint;

/// <summary>
/// Keeps a pooled engine's global object and built-ins exactly as they were made, so that nothing one request
/// does (a sloppy global, a var, a changed prototype, a frozen built-in) is seen by the next. Every object
/// reachable from the global object when the engine is made is tracked (<see cref="TrackedObject"/>); after a
/// run only the objects the script changed are put back, so a run that changes nothing costs nothing.
/// </summary>
internal sealed class RealmGuard
{
    private readonly Dictionary<ObjectInstance, TrackedObject> _tracked = new(ReferenceEqualityComparer.Instance);
    private readonly List<TrackedObject> _changed = [];
    private readonly DatePrototype _datePrototype;
    private readonly double _datePrototypeTime;

    private RealmGuard(Engine engine, StackGuard stack)
    {
        Stack = stack;
        _datePrototype = engine.Date.PrototypeObject;
        _datePrototypeTime = _datePrototype.PrimitiveValue;
    }

    public StackGuard Stack { get; }

    /// <summary>Tracks everything reachable from <paramref name="roots"/>, as it is now.</summary>
    public static RealmGuard Track(Engine engine, StackGuard stack, IEnumerable<ObjectInstance> roots)
    {
        var guard = new RealmGuard(engine, stack);
        var pending = new Stack<ObjectInstance>(roots);
        while (pending.TryPop(out var target))
        {
            if (guard._tracked.ContainsKey(target))
            {
                continue;
            }
            var tracked = new TrackedObject(target, guard);
            guard._tracked.Add(target, tracked);
            foreach (var reachable in tracked.Reachable())
            {
                pending.Push(reachable);
            }
        }
        return guard;
    }

    /// <summary>
    /// Object.defineProperty, defineProperties, freeze, seal and preventExtensions change a property's attributes
    /// or an object's extensibility in place, which nothing else can: their wrappers report the target here.
    /// </summary>
    public void NoteReconfigured(JsValue target)
    {
        if (target.IsObject() && _tracked.TryGetValue(target.AsObject(), out var tracked))
        {
            tracked.MarkRebuild();
        }
    }

    /// <summary>True when the last run left nothing to put back.</summary>
    public bool IsClean => _changed.Count == 0 && BitConverter.DoubleToInt64Bits(_datePrototype.PrimitiveValue) == BitConverter.DoubleToInt64Bits(_datePrototypeTime);

    /// <summary>Puts back whatever the last run changed.</summary>
    public void Restore()
    {
        foreach (var tracked in _changed)
        {
            tracked.Restore();
        }
        _changed.Clear();
        // Date.prototype is itself a Date: its setters change its time value, which lives outside any property.
        _datePrototype.PrimitiveValue = _datePrototypeTime;
    }

    internal void Enlist(TrackedObject tracked) => _changed.Add(tracked);
}

/// <summary>One tracked object: its original prototype, extensibility and properties, and what a run changed.</summary>
internal sealed class TrackedObject
{
    private readonly ObjectInstance _target;
    private readonly RealmGuard _guard;
    private readonly ObjectInstance? _prototype;
    private readonly bool _extensible;
    private readonly TrackedPropertyMap<string> _properties;
    private readonly TrackedArray? _array;
    private readonly List<TrackedPropertyDescriptor> _changedValues = [];
    private bool _enlisted;
    private bool _rebuild;

    public TrackedObject(ObjectInstance target, RealmGuard guard)
    {
        _target = target;
        _guard = guard;
        _prototype = target.Prototype;
        _extensible = target.Extensible;

        ref var properties = ref JintInternals.Properties(target);
        _properties = new TrackedPropertyMap<string>(properties, this);
        properties = _properties;

        if (target is ArrayInstance array)
        {
            _array = new TrackedArray(array, this);
        }
    }

    public StackGuard Stack => _guard.Stack;

    /// <summary>The objects this one leads to: its prototype and the values, getters and setters of its properties.</summary>
    public IEnumerable<ObjectInstance> Reachable()
    {
        if (_prototype is not null)
        {
            yield return _prototype;
        }
        var descriptors = _properties.OriginalDescriptors;
        if (_array is not null)
        {
            descriptors = descriptors.Concat(_array.OriginalDescriptors);
        }
        foreach (var descriptor in descriptors)
        {
            foreach (var value in new[] { descriptor.Value, descriptor.Get, descriptor.Set })
            {
                if (value is not null && value.IsObject())
                {
                    yield return value.AsObject();
                }
            }
        }
    }

    /// <summary>A key was added: removing the added keys will undo it.</summary>
    public void MarkChanged() => Enlist();

    /// <summary>An original property's value was assigned: resetting it will undo it.</summary>
    public void MarkChanged(TrackedPropertyDescriptor descriptor)
    {
        if (!descriptor.IsChanged)
        {
            descriptor.IsChanged = true;
            _changedValues.Add(descriptor);
        }
        Enlist();
    }

    /// <summary>An original property was replaced or removed, or attributes changed: put everything back.</summary>
    public void MarkRebuild()
    {
        _rebuild = true;
        Enlist();
    }

    public void Restore()
    {
        if (_rebuild)
        {
            _properties.Rebuild();
            _target.Prototype = _prototype!;
            _target.Extensible = _extensible;
            _array?.Rebuild();
        }
        else
        {
            _properties.RemoveAddedKeys();
            _array?.RemoveAddedKeys();
            foreach (var descriptor in _changedValues)
            {
                descriptor.Reset();
            }
        }
        // The property map is not replaced by anyone but us, but be sure the object still reads through it.
        JintInternals.Properties(_target) = _properties;
        _changedValues.Clear();
        _rebuild = false;
        _enlisted = false;
    }

    private void Enlist()
    {
        if (!_enlisted)
        {
            _enlisted = true;
            _guard.Enlist(this);
        }
    }

    /// <summary>An array's elements and length live outside its property map (only Array.prototype is one).</summary>
    private sealed class TrackedArray
    {
        private readonly ArrayInstance _array;
        private readonly TrackedPropertyMap<uint> _elements;
        private readonly TrackedPropertyDescriptor _length;

        public TrackedArray(ArrayInstance array, TrackedObject owner)
        {
            _array = array;
            ref var elements = ref JintInternals.Elements(array);
            _elements = new TrackedPropertyMap<uint>(elements, owner);
            elements = _elements;
            ref var length = ref JintInternals.Length(array);
            _length = new TrackedPropertyDescriptor(length, owner);
            length = _length;
        }

        public IEnumerable<PropertyDescriptor> OriginalDescriptors =>
            _elements.OriginalDescriptors.Append(_length);

        public void RemoveAddedKeys()
        {
            _elements.RemoveAddedKeys();
            // Jint replaces the length descriptor only when redefining it, which marks a rebuild; be sure.
            JintInternals.Length(_array) = _length;
        }

        public void Rebuild()
        {
            _elements.Rebuild();
            JintInternals.Elements(_array) = _elements;
            _length.Reset();
            JintInternals.Length(_array) = _length;
        }
    }
}
