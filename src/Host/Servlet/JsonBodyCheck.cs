using System.Text.Json;

namespace DataHub.Host.Servlet;

/// <summary>A top-level member of a JSON object body: its name, its value's first token, and where its value's text is.</summary>
internal readonly record struct TopLevelMember(string Name, JsonTokenType Kind, Range Value);

/// <summary>
/// Checks a JSON body in one pass of <see cref="Utf8JsonReader"/>: syntax, nesting depth and duplicate property names,
/// the same rules <see cref="JsonDocument"/> applies with <c>AllowDuplicateProperties = false</c>, without building
/// a document the host would only throw away (for an 88 KB body that document cost more than the reader's pass).
/// Notes the root's kind and, for an object, its members, so a wrapper body's <c>data</c> can be cut out as text.
/// </summary>
internal static class JsonBodyCheck
{
    // Names of one object are compared one by one up to this many; past it they go into a set.
    private const int LinearNames = 8;

    [ThreadStatic]
    private static NameFrames? _frames;

    /// <summary>
    /// The root's first token and, for an object root, its members in order; or the first name an object repeats.
    /// Throws <see cref="JsonException"/>, with the line and position, for bad syntax or too deep a nesting.
    /// </summary>
    public static (JsonTokenType Root, IReadOnlyList<TopLevelMember> Members, string? RepeatedName) Check(ReadOnlyMemory<byte> json, int maxDepth)
    {
        var reader = new Utf8JsonReader(json.Span, new JsonReaderOptions { MaxDepth = maxDepth });
        if (!reader.Read())
        {
            throw new JsonException("The text holds no JSON value.", null, 0, 0);
        }
        var root = reader.TokenType;
        if (root is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            // A single value: reading on refuses anything after it.
            while (reader.Read())
            {
            }
            return (root, [], null);
        }

        // Each object's names are cleared when it opens, so a thread's frames need no clearing between checks.
        var frames = _frames ??= new NameFrames();
        if (root == JsonTokenType.StartObject)
        {
            frames.Open(1);
        }
        List<TopLevelMember>? members = root == JsonTokenType.StartObject ? [] : null;
        string? memberName = null;
        var memberStart = -1;
        var memberDepth = 0;
        var memberKind = JsonTokenType.None;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    frames.Open(reader.CurrentDepth + 1);
                    break;
                case JsonTokenType.PropertyName:
                    if (!frames.Add(reader.CurrentDepth, NameOf(ref reader, json)))
                    {
                        return (root, [], reader.GetString());
                    }
                    if (members is not null && reader.CurrentDepth == 1)
                    {
                        memberName = reader.GetString();
                        memberStart = -1;
                    }
                    continue;
            }
            if (memberName is null)
            {
                continue;
            }
            // The value of a top-level member: from its first token to the end of its last.
            if (memberStart < 0)
            {
                memberStart = (int)reader.TokenStartIndex;
                memberDepth = reader.CurrentDepth;
                memberKind = reader.TokenType;
            }
            if (reader.CurrentDepth == memberDepth && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                members!.Add(new TopLevelMember(memberName, memberKind, memberStart..(int)reader.BytesConsumed));
                memberName = null;
            }
        }
        return (root, (IReadOnlyList<TopLevelMember>?)members ?? [], null);
    }

    // The name's bytes as written, or unescaped when it holds escapes (so "a" and "\u0061" are one name).
    private static ReadOnlyMemory<byte> NameOf(ref Utf8JsonReader reader, ReadOnlyMemory<byte> json)
    {
        if (!reader.ValueIsEscaped)
        {
            return json.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
        }
        var unescaped = new byte[reader.ValueSpan.Length];
        return unescaped.AsMemory(0, reader.CopyString(unescaped));
    }

    /// <summary>The names seen so far in each open object, by depth; reused by the thread's next check.</summary>
    private sealed class NameFrames
    {
        private readonly List<List<ReadOnlyMemory<byte>>> _names = [];
        private readonly List<HashSet<ReadOnlyMemory<byte>>?> _sets = [];

        /// <summary>An object starts whose names are at <paramref name="depth"/>.</summary>
        public void Open(int depth)
        {
            while (_names.Count <= depth)
            {
                _names.Add([]);
                _sets.Add(null);
            }
            _names[depth].Clear();
            _sets[depth]?.Clear();
        }

        /// <summary>False when the object at <paramref name="depth"/> already has the name.</summary>
        public bool Add(int depth, ReadOnlyMemory<byte> name)
        {
            var names = _names[depth];
            if (names.Count < LinearNames)
            {
                foreach (var seen in names)
                {
                    if (seen.Span.SequenceEqual(name.Span))
                    {
                        return false;
                    }
                }
                names.Add(name);
                return true;
            }
            var set = _sets[depth] ??= new HashSet<ReadOnlyMemory<byte>>(ByteComparer.Instance);
            if (set.Count == 0)
            {
                set.UnionWith(names);
            }
            return set.Add(name);
        }
    }

    private sealed class ByteComparer : IEqualityComparer<ReadOnlyMemory<byte>>
    {
        public static readonly ByteComparer Instance = new();

        public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

        public int GetHashCode(ReadOnlyMemory<byte> obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj.Span);
            return hash.ToHashCode();
        }
    }
}
