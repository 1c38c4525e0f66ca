using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Jint.Runtime.Descriptors;

namespace DataHub.Plugins.Script.Jint;

/// <summary>
/// Stands in for a built-in object's property dictionary: reads pass straight through (with a stack check),
/// and every change is noted on the object's <see cref="TrackedObject"/> so that it can be undone after the
/// request. A new key is remembered so it can simply be removed; replacing or removing an original property
/// calls for a full <see cref="Rebuild"/>.
/// </summary>
internal sealed class TrackedPropertyMap<TKey> : IDictionary<TKey, PropertyDescriptor>
    where TKey : notnull
{
    private readonly IDictionary<TKey, PropertyDescriptor> _inner;
    private readonly TrackedObject _owner;
    private readonly KeyValuePair<TKey, TrackedPropertyDescriptor>[] _original;
    private readonly HashSet<TKey> _originalKeys;
    private readonly List<TKey> _addedKeys = [];

    /// <summary>Wraps <paramref name="inner"/>, whose descriptors are swapped in place for tracked copies.</summary>
    public TrackedPropertyMap(IDictionary<TKey, PropertyDescriptor> inner, TrackedObject owner)
    {
        _inner = inner;
        _owner = owner;
        _original = [.. inner.Select(p => KeyValuePair.Create(p.Key, new TrackedPropertyDescriptor(p.Value, owner)))];
        _originalKeys = [.. _original.Select(p => p.Key)];
        Refill();
    }

    /// <summary>The properties as they were when tracking began.</summary>
    public IEnumerable<PropertyDescriptor> OriginalDescriptors => _original.Select(p => (PropertyDescriptor)p.Value);

    public PropertyDescriptor this[TKey key]
    {
        get
        {
            _owner.Stack.Check();
            return _inner[key];
        }
        set
        {
            NoteWrite(key);
            _inner[key] = value;
        }
    }

    public ICollection<TKey> Keys => _inner.Keys;

    public ICollection<PropertyDescriptor> Values => _inner.Values;

    public int Count => _inner.Count;

    public bool IsReadOnly => false;

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out PropertyDescriptor value)
    {
        _owner.Stack.Check();
        return _inner.TryGetValue(key, out value);
    }

    public bool ContainsKey(TKey key)
    {
        _owner.Stack.Check();
        return _inner.ContainsKey(key);
    }

    public void Add(TKey key, PropertyDescriptor value)
    {
        NoteWrite(key);
        _inner.Add(key, value);
    }

    public bool Remove(TKey key)
    {
        if (_originalKeys.Contains(key))
        {
            _owner.MarkRebuild();
        }
        return _inner.Remove(key);
    }

    public void Clear()
    {
        _owner.MarkRebuild();
        _inner.Clear();
    }

    public void Add(KeyValuePair<TKey, PropertyDescriptor> item) => Add(item.Key, item.Value);

    public bool Contains(KeyValuePair<TKey, PropertyDescriptor> item) => _inner.Contains(item);

    public void CopyTo(KeyValuePair<TKey, PropertyDescriptor>[] array, int arrayIndex) => _inner.CopyTo(array, arrayIndex);

    public bool Remove(KeyValuePair<TKey, PropertyDescriptor> item) =>
        Contains(item) && Remove(item.Key);

    public IEnumerator<KeyValuePair<TKey, PropertyDescriptor>> GetEnumerator() => _inner.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Undoes the keys added since the last restore (the object needs no full rebuild).</summary>
    public void RemoveAddedKeys()
    {
        // Newest first: the dictionary then reuses the freed slots in their original order, so keys a later run
        // adds enumerate in the order it adds them, as on a fresh engine.
        for (var i = _addedKeys.Count - 1; i >= 0; i--)
        {
            _inner.Remove(_addedKeys[i]);
        }
        _addedKeys.Clear();
    }

    /// <summary>Puts back exactly the original properties, each with its original attributes and value.</summary>
    public void Rebuild()
    {
        foreach (var (_, descriptor) in _original)
        {
            descriptor.Reset();
        }
        Refill();
        _addedKeys.Clear();
    }

    private void Refill()
    {
        _inner.Clear();
        foreach (var (key, descriptor) in _original)
        {
            _inner.Add(key, descriptor);
        }
    }

    private void NoteWrite(TKey key)
    {
        if (_originalKeys.Contains(key))
        {
            _owner.MarkRebuild();
        }
        else
        {
            _addedKeys.Add(key);
            _owner.MarkChanged();
        }
    }
}
