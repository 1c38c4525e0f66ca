using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Jint.Runtime.Descriptors;

namespace DataHub.Plugins.Script.Jint;

/// <summary>
/// Stands in for a built-in object's property dictionary: reads pass straight through (with a stack check),
/// and every change is noted on the object's <see cref="TrackedObject"/> so that it can be undone after the
/// request. A new key is remembered so it can simply be removed; replacing or removing an original property
/// calls for a full restore of the object.
/// </summary>
internal sealed class TrackedPropertyMap<TKey>(IDictionary<TKey, PropertyDescriptor> inner, TrackedObject owner)
    : IDictionary<TKey, PropertyDescriptor>
    where TKey : notnull
{
    private readonly HashSet<TKey> _originalKeys = new(inner.Keys);
    private readonly List<TKey> _addedKeys = [];

    /// <summary>The dictionary this one wraps; changing it directly is not tracked.</summary>
    public IDictionary<TKey, PropertyDescriptor> Inner => inner;

    public PropertyDescriptor this[TKey key]
    {
        get
        {
            owner.Stack.Check();
            return inner[key];
        }
        set
        {
            NoteWrite(key);
            inner[key] = value;
        }
    }

    public ICollection<TKey> Keys => inner.Keys;

    public ICollection<PropertyDescriptor> Values => inner.Values;

    public int Count => inner.Count;

    public bool IsReadOnly => false;

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out PropertyDescriptor value)
    {
        owner.Stack.Check();
        return inner.TryGetValue(key, out value);
    }

    public bool ContainsKey(TKey key)
    {
        owner.Stack.Check();
        return inner.ContainsKey(key);
    }

    public void Add(TKey key, PropertyDescriptor value)
    {
        NoteWrite(key);
        inner.Add(key, value);
    }

    public bool Remove(TKey key)
    {
        if (_originalKeys.Contains(key))
        {
            owner.MarkRebuild();
        }
        return inner.Remove(key);
    }

    public void Clear()
    {
        owner.MarkRebuild();
        inner.Clear();
    }

    public void Add(KeyValuePair<TKey, PropertyDescriptor> item) => Add(item.Key, item.Value);

    public bool Contains(KeyValuePair<TKey, PropertyDescriptor> item) => inner.Contains(item);

    public void CopyTo(KeyValuePair<TKey, PropertyDescriptor>[] array, int arrayIndex) => inner.CopyTo(array, arrayIndex);

    public bool Remove(KeyValuePair<TKey, PropertyDescriptor> item) =>
        Contains(item) && Remove(item.Key);

    public IEnumerator<KeyValuePair<TKey, PropertyDescriptor>> GetEnumerator() => inner.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Undoes the keys added since the last restore (the object needs no full rebuild).</summary>
    public void RemoveAddedKeys()
    {
        // Newest first: the dictionary then reuses the freed slots in their original order, so keys a later run
        // adds enumerate in the order it adds them, as on a fresh engine.
        for (var i = _addedKeys.Count - 1; i >= 0; i--)
        {
            inner.Remove(_addedKeys[i]);
        }
        _addedKeys.Clear();
    }

    /// <summary>Forgets the keys added: a full rebuild is replacing the whole content.</summary>
    public void ForgetAddedKeys() => _addedKeys.Clear();

    private void NoteWrite(TKey key)
    {
        if (_originalKeys.Contains(key))
        {
            owner.MarkRebuild();
        }
        else
        {
            _addedKeys.Add(key);
            owner.MarkChanged();
        }
    }
}
