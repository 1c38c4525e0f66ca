using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataHub.Host.Calls;
using DataHub.Host.Schema;
using DataHub.Host.Servlet;
using DataHub.Plugins;

namespace DataHub.Host.Caching;

/// <summary>One declared cache: how long its entries live, whether each caller gets their own, the largest answer it keeps.</summary>
public sealed record CacheDefinition(string Tag, TimeSpan TimeToLive, bool VaryByUser, int MaxEntryBytes)
{
    /// <summary>The default of <see cref="MaxEntryBytes"/>.</summary>
    public const int DefaultMaxEntryBytes = 1024 * 1024;

    /// <summary>The largest <see cref="MaxEntryBytes"/> an instance may declare.</summary>
    public const int MaxEntryBytesLimit = 16 * 1024 * 1024;
}

/// <summary>
/// What an execute entity says about caches: the cache its answers go to unless a call names one, and what a
/// successful run evicts. <paramref name="Definition"/> is the entity's mapping as JSON text: every key of its answers
/// hashes it, so that a changed entity never serves the answers of its old definition.
/// </summary>
public sealed record EntityCaching(CacheDefinition? DefaultCache, IReadOnlyList<string> EvictionTags, string Definition)
{
    public bool Evicts => EvictionTags.Count > 0;
}

/// <summary>Where one call's answer is kept: its cache, its key and the tags that evict it.</summary>
public sealed record CachePlan(string Instance, CacheDefinition Cache, string Key, IReadOnlyList<string> Tags);

/// <summary>
/// An instance's caches (instance.json <c>"caches": {"&lt;tag&gt;": {"ttlSeconds", "varyByUser", "maxEntryBytes"}}</c>) and
/// its execute entities' <c>cache</c> (the default cache) and <c>evicts</c> (<c>{"caches": [tags], "entities":
/// ["system:entity" or "entity"]}</c>: what a successful run makes stale).
/// </summary>
public sealed partial class InstanceCaches
{
    private const int MaxTimeToLiveSeconds = 30 * 24 * 3600;
    private static readonly string[] _cacheMembers = ["ttlSeconds", "varyByUser", "maxEntryBytes"];
    private static readonly string[] _evictsMembers = ["caches", "entities"];

    private readonly IReadOnlyDictionary<string, CacheDefinition> _caches;
    private readonly Dictionary<EntityDefinition, EntityCaching> _entities;

    private InstanceCaches(IReadOnlyDictionary<string, CacheDefinition> caches, Dictionary<EntityDefinition, EntityCaching> entities)
    {
        _caches = caches;
        _entities = entities;
    }

    /// <summary>An instance that declares no caches.</summary>
    public static InstanceCaches None { get; } = new(new Dictionary<string, CacheDefinition>(), new(ReferenceEqualityComparer.Instance));

    /// <summary>The declared tags, in order.</summary>
    public IEnumerable<string> Tags => _caches.Keys.Order(StringComparer.Ordinal);

    /// <summary>The tag every entry of <paramref name="cache"/> carries.</summary>
    public static string CacheTag(string instance, string cache) => $"cache:{instance}:{cache}";

    /// <summary>The tag every entry of an entity's answers carries, whichever cache holds it.</summary>
    public static string EntityTag(EntityAddress address) => $"entity:{address.Instance}/{address.System}/{address.Entity}";

    /// <summary>
    /// Reads the <c>caches</c> member of instance.json and the cache members of every execute entity in
    /// <paramref name="systems"/>; reports every problem (an entity's through <paramref name="reportEntity"/>) and returns
    /// null if there is one.
    /// </summary>
    public static InstanceCaches? Read(JsonNode? node, string instance, IReadOnlyDictionary<string, SystemDefinition> systems,
        Action<string> report, Action<SystemDefinition, EntityDefinition, string> reportEntity)
    {
        var problems = new ProblemReport(report);
        var caches = ReadCaches(node, problems.Add);
        var entities = new Dictionary<EntityDefinition, EntityCaching>(ReferenceEqualityComparer.Instance);
        var failed = problems.Count > 0;
        foreach (var system in systems.Values)
        {
            foreach (var entity in system.Entities.Values)
            {
                var entityProblems = new ProblemReport(message => reportEntity(system, entity, message));
                if (ReadEntity(entity, instance, caches, systems, entityProblems.Add) is { } caching)
                {
                    entities.Add(entity, caching);
                }
                failed |= entityProblems.Count > 0;
            }
        }
        return failed ? null : new InstanceCaches(caches, entities);
    }

    /// <summary>The entity's cache rules; none for an entity of another snapshot.</summary>
    public EntityCaching? For(EntityDefinition entity) => _entities.GetValueOrDefault(entity);

    /// <summary>The declared cache named <paramref name="tag"/>.</summary>
    public bool TryGet(string tag, out CacheDefinition cache) => _caches.TryGetValue(tag, out cache!);

    /// <summary>
    /// Where a call's answer is kept: in the cache the call names, else in the entity's default cache; null when
    /// neither names one. A call may not cache an entity that evicts: its second run would not happen.
    /// </summary>
    public (CachePlan? Plan, HostError? Error) Plan(EntityDefinition entity, string? callCache, CallIdentity call)
    {
        if (For(entity) is not { } caching)
        {
            return default;
        }
        var cache = callCache is not null && TryGet(callCache, out var named) ? named : caching.DefaultCache;
        if (cache is null)
        {
            return default;
        }
        if (caching.Evicts)
        {
            return (null, HostError.InvalidInput(
                $"Entity '{entity.Address.Entity}' evicts caches when it runs: it is a write, and its answers are never cached."));
        }
        var address = entity.Address;
        var key = $"{address.Instance}/{address.System}/{address.Entity}:{Hash(caching.Definition, call, cache.VaryByUser)}";
        return (new CachePlan(address.Instance, cache, key, [CacheTag(address.Instance, cache.Tag), EntityTag(address)]), null);
    }

    // The key's variable part: a SHA-256 of everything the answer depends on, each part length-prefixed so that no
    // two different calls write the same bytes. The definition makes a changed entity miss its old answers. Hashed
    // here, by calls whose answer is cached, not at load: SHA-256 loads OpenSSL (3 MB resident), which a host that
    // caches nothing never needs.
    private static string Hash(string definition, CallIdentity call, bool varyByUser)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string? part)
        {
            var bytes = Encoding.UTF8.GetBytes(part ?? "\0");
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
        Add(definition);
        Add(call.Environment);
        Add(call.Data.Node?.ToJsonString());
        Add(call.Filter?.ToJsonString());
        Add(call.Options?.ToJsonString());
        Add(varyByUser ? call.User?["id"]?.ToJsonString() : null);
        Add(varyByUser ? call.Session?["tag"]?.ToJsonString() + " " + call.Session?["subject"]?.ToJsonString() : null);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static Dictionary<string, CacheDefinition> ReadCaches(JsonNode? node, Action<string> report)
    {
        var caches = new Dictionary<string, CacheDefinition>(StringComparer.Ordinal);
        if (node is null)
        {
            return caches;
        }
        if (node is not JsonObject declared)
        {
            report("caches must be an object of named caches: {\"<tag>\": {\"ttlSeconds\": 60, \"varyByUser\": false, \"maxEntryBytes\": 1048576}}.");
            return caches;
        }
        foreach (var (tag, settingsNode) in declared)
        {
            var label = $"caches.{tag}";
            if (!TagPattern().IsMatch(tag))
            {
                report($"{label}: a cache tag is letters, digits, '-' and '_' (at most 64).");
            }
            if (settingsNode is not JsonObject settings)
            {
                report($"{label} must be an object: {{\"ttlSeconds\", \"varyByUser\", \"maxEntryBytes\"}}.");
                continue;
            }
            SchemaJson.CheckMembers(settings, _cacheMembers, $"{label}", message => report($"{label}: {message}"));
            var ttl = WholeNumber(settings, "ttlSeconds", 1, MaxTimeToLiveSeconds, label, report);
            if (settings["ttlSeconds"] is null)
            {
                report($"{label}.ttlSeconds is required: how many seconds an answer stays in the cache.");
            }
            var varyByUser = SchemaJson.GetBoolean(settings, "varyByUser", report, label: $"{label}.varyByUser");
            var maxEntryBytes = WholeNumber(settings, "maxEntryBytes", 1, CacheDefinition.MaxEntryBytesLimit, label, report)
                ?? CacheDefinition.DefaultMaxEntryBytes;
            if (ttl is { } seconds)
            {
                caches[tag] = new CacheDefinition(tag, TimeSpan.FromSeconds(seconds), varyByUser, maxEntryBytes);
            }
        }
        return caches;
    }

    private static int? WholeNumber(JsonObject settings, string member, int min, int max, string label, Action<string> report)
    {
        switch (settings[member])
        {
            case null:
                return null;
            case JsonValue value when value.TryGetValue(out int number) && number >= min && number <= max:
                return number;
            default:
                report(string.Create(CultureInfo.InvariantCulture, $"{label}.{member} must be a whole number from {min} to {max}."));
                return null;
        }
    }

    private static EntityCaching? ReadEntity(EntityDefinition entity, string instance, Dictionary<string, CacheDefinition> caches,
        IReadOnlyDictionary<string, SystemDefinition> systems, Action<string> report)
    {
        var mapping = entity.Mapping;
        if (entity.Processor is null)
        {
            if (mapping["cache"] is not null || mapping["evicts"] is not null)
            {
                report("Only an execute entity has answers to cache or evicts caches: 'cache' and 'evicts' need \"execute\": true.");
            }
            return null;
        }

        CacheDefinition? defaultCache = null;
        if (SchemaJson.GetString(mapping, "cache", report) is { } tag)
        {
            if (!caches.TryGetValue(tag, out defaultCache))
            {
                report(UnknownCache(tag, caches.Keys));
            }
        }

        var tags = new List<string>();
        switch (mapping["evicts"])
        {
            case null:
                break;
            case JsonObject evicts:
                SchemaJson.CheckMembers(evicts, _evictsMembers, "'evicts'", message => report($"evicts: {message}"));
                foreach (var evicted in ReadStrings(evicts, "caches", report))
                {
                    if (caches.ContainsKey(evicted))
                    {
                        tags.Add(CacheTag(instance, evicted));
                    }
                    else
                    {
                        report("evicts.caches: " + UnknownCache(evicted, caches.Keys));
                    }
                }
                foreach (var evicted in ReadStrings(evicts, "entities", report))
                {
                    if (FindEntity(evicted, systems) is { Processor: not null } target)
                    {
                        tags.Add(EntityTag(target.Address));
                    }
                    else
                    {
                        report($"evicts.entities: '{evicted}' is not an execute entity of this instance (write \"<system>:<entity>\", or \"<entity>\" for the default system).");
                    }
                }
                if (evicts.All(member => member.Value is JsonArray { Count: 0 }))
                {
                    report("evicts names no cache and no entity.");
                }
                break;
            default:
                report("'evicts' must be an object: {\"caches\": [\"<cache tag>\"], \"entities\": [\"<system>:<entity>\"]}.");
                break;
        }
        if (defaultCache is not null && tags.Count > 0)
        {
            report("An entity that evicts is a write: its answers are never cached, so it names no 'cache'.");
        }
        return new EntityCaching(defaultCache, tags.Distinct(StringComparer.Ordinal).ToList(), mapping.ToJsonString());
    }

    private static IEnumerable<string> ReadStrings(JsonObject evicts, string member, Action<string> report) =>
        evicts[member] switch
        {
            null => [],
            JsonArray array when array.All(item => item is JsonValue v && v.TryGetValue(out string? _)) => array.Select(item => item!.GetValue<string>()),
            _ => Report(report, $"evicts.{member} must be an array of strings."),
        };

    private static IEnumerable<string> Report(Action<string> report, string message)
    {
        report(message);
        return [];
    }

    // "system:entity" or "entity" (of the default system), as a Ductape event names them.
    private static EntityDefinition? FindEntity(string reference, IReadOnlyDictionary<string, SystemDefinition> systems)
    {
        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        var (systemName, entityName) = colon < 0
            ? (SystemDefinition.DefaultReference, reference)
            : (reference[..colon], reference[(colon + 1)..]);
        return systems.TryGetValue(systemName, out var system) && system.Entities.TryGetValue(entityName, out var entity) ? entity : null;
    }

    /// <summary>The message for a cache tag the instance does not declare.</summary>
    public static string UnknownCache(string tag, IEnumerable<string> declared)
    {
        var names = declared.Order(StringComparer.Ordinal).ToList();
        return names.Count == 0
            ? $"Cache '{tag}' is not one this instance declares; it declares none."
            : $"Cache '{tag}' is not one this instance declares; it declares: {string.Join(", ", names)}.";
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex TagPattern();
}

/// <summary>What a call's answer depends on besides its entity: its environment, inputs and caller.</summary>
public readonly record struct CallIdentity(string Environment, CallData Data, JsonObject? Filter, JsonNode? Options, JsonObject? User, JsonObject? Session);
