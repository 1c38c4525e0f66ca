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

    // Room kept per thread for names written with escapes.
    private const int UnescapedBytes = 256;
    private const int MaxKeptUnescapedBytes = 64 * 1024;

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
        frames.Start(json);
        try
        {
            return CheckNames(ref reader, json, root, frames);
        }
        finally
        {
            frames.Finish();
        }
    }

    private static (JsonTokenType Root, IReadOnlyList<TopLevelMember> Members, string? RepeatedName) CheckNames(
        ref Utf8JsonReader reader, ReadOnlyMemory<byte> json, JsonTokenType root, NameFrames frames)
    {
        var span = json.Span;
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
                    if (!frames.Add(ref reader, span))
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

    /// <summary>
    /// The names seen so far in each open object, by depth, reused by the thread's next check. A name is kept as where
    /// its bytes are: in the body when written plainly, or in <see cref="_unescaped"/> when it holds escapes (so "a"
    /// and "\u0061" are one name).
    /// </summary>
    private sealed class NameFrames
    {
        private readonly List<List<NameAt>> _names = [];
        private readonly List<HashSet<NameAt>?> _sets = [];
        private readonly NameComparer _comparer;
        private byte[] _unescaped = new byte[UnescapedBytes];
        private int _unescapedLength;

        public NameFrames() => _comparer = new NameComparer(this);

        /// <summary>The body being checked, between <see cref="Start"/> and <see cref="Finish"/>.</summary>
        public ReadOnlyMemory<byte> Json { get; private set; }

        public void Start(ReadOnlyMemory<byte> json)
        {
            Json = json;
            _unescapedLength = 0;
        }

        /// <summary>Lets go of the body, and of a buffer a body full of escaped names made large.</summary>
        public void Finish()
        {
            Json = default;
            if (_unescaped.Length > MaxKeptUnescapedBytes)
            {
                _unescaped = new byte[UnescapedBytes];
            }
        }

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

        /// <summary>False when the object at the reader's depth already has the name the reader is on.</summary>
        public bool Add(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
        {
            var name = At(ref reader);
            var span = Bytes(json, name);
            var names = _names[reader.CurrentDepth];
            if (names.Count < LinearNames)
            {
                foreach (var seen in names)
                {
                    if (seen.Length == name.Length && Bytes(json, seen).SequenceEqual(span))
                    {
                        return false;
                    }
                }
                names.Add(name);
                return true;
            }
            var set = _sets[reader.CurrentDepth] ??= new HashSet<NameAt>(_comparer);
            if (set.Count == 0)
            {
                set.UnionWith(names);
            }
            return set.Add(name);
        }

        public ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> json, NameAt name) =>
            name.Start >= 0 ? json.Slice(name.Start, name.Length) : _unescaped.AsSpan(~name.Start, name.Length);

        private NameAt At(ref Utf8JsonReader reader)
        {
            if (!reader.ValueIsEscaped)
            {
                return new NameAt((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            }
            if (_unescaped.Length - _unescapedLength < reader.ValueSpan.Length)
            {
                Array.Resize(ref _unescaped, Math.Max(_unescaped.Length * 2, _unescapedLength + reader.ValueSpan.Length));
            }
            var length = reader.CopyString(_unescaped.AsSpan(_unescapedLength));
            var name = new NameAt(~_unescapedLength, length);
            _unescapedLength += length;
            return name;
        }
    }

    /// <summary>Where a name's bytes are: at Start in the body, or at ~Start in the unescaped names.</summary>
    private readonly record struct NameAt(int Start, int Length);

    private sealed class NameComparer(NameFrames frames) : IEqualityComparer<NameAt>
    {
        public bool Equals(NameAt x, NameAt y) =>
            x.Length == y.Length && frames.Bytes(frames.Json.Span, x).SequenceEqual(frames.Bytes(frames.Json.Span, y));

        public int GetHashCode(NameAt name)
        {
            var hash = new HashCode();
            hash.AddBytes(frames.Bytes(frames.Json.Span, name));
            return hash.ToHashCode();
        }
    }
}
