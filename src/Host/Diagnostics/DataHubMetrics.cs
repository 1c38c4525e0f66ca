using System.Diagnostics;
using System.Diagnostics.Metrics;
using DataHub.Host.Auth;
using DataHub.Host.Caching;
using DataHub.Host.Schema;
using DataHub.Plugins;

namespace DataHub.Host.Diagnostics;

/// <summary>
/// The host's metrics, on the "DataHub.Host" <see cref="Meter"/>; the Prometheus endpoint exports every meter whose
/// name starts with "DataHub." (see <see cref="MeterNamePrefix"/>), so a plug-in with counters of its own (the Script
/// plug-in's "DataHub.Script": timeouts and memory kills) creates a meter named "DataHub.&lt;Feature&gt;" and is
/// scraped too. The host's own counters all live here.
/// Entity, system and instance labels only ever hold loaded names: anything else is <see cref="Unresolved"/>.
/// </summary>
public sealed class DataHubMetrics
{
    public const string MeterName = "DataHub.Host";

    /// <summary>Meters named with this prefix are exported.</summary>
    public const string MeterNamePrefix = "DataHub.";

    /// <summary>The one label value every name that did not resolve to a loaded instance, system or entity gets.</summary>
    public const string Unresolved = "_unresolved";

    // Seconds, from a fast cached answer to the request time limit.
    private static readonly double[] _durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _processorFailures;
    private readonly Counter<long> _schemaReloads;
    private readonly Counter<long> _pluginReloads;
    private readonly Counter<long> _passwordHashes;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _cacheBypasses;
    private readonly Counter<long> _cacheEvictions;
    private readonly Counter<long> _sessions;
    private readonly Counter<long> _retries;

    public DataHubMetrics(IMeterFactory meterFactory, SchemaCatalog catalog)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("datahub.requests",
            description: "Execute requests answered, by instance, system, entity and HTTP status (401, 403 and 429 included).");
        _duration = meter.CreateHistogram<double>("datahub.request.duration", unit: "s",
            description: "Time to answer an execute request, by instance, system, entity and HTTP status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = _durationBuckets });
        _processorFailures = meter.CreateCounter<long>("datahub.processor.failures",
            description: "Requests on which a plug-in's processor threw, by instance, system, entity and plug-in.");
        _schemaReloads = meter.CreateCounter<long>("datahub.schema.reloads",
            description: "Schema reloads, by outcome: published, rejected (invalid) or failed (its data stores could not be initialised).");
        _pluginReloads = meter.CreateCounter<long>("datahub.plugins.reloads",
            description: "Plug-in changes seen while running, by outcome: applied, rejected (the schema did not prepare against it) or failed (it did not load).");
        _passwordHashes = meter.CreateCounter<long>(BasicUsers.HashesComputedInstrument,
            description: "Password hashes computed to check Basic credentials.");
        _cacheHits = meter.CreateCounter<long>("datahub.cache.hits",
            description: "Calls answered from a cache without running their plug-in, by instance and cache tag.");
        _cacheMisses = meter.CreateCounter<long>("datahub.cache.misses",
            description: "Calls that named a cache but found no answer in it and ran their plug-in, by instance and cache tag.");
        _cacheBypasses = meter.CreateCounter<long>("datahub.cache.bypasses",
            description: "Calls that named a cache while Redis could not be reached and ran their plug-in, by instance and cache tag.");
        _cacheEvictions = meter.CreateCounter<long>("datahub.cache.evictions",
            description: "Cache tags evicted by a successful write, by instance, evicted tag (a cache or an entity) and origin (local: a write here; peer: a write on another host).");
        _sessions = meter.CreateCounter<long>("datahub.sessions",
            description: "Calls that named a session or needed one, by instance, session tag and outcome (verified, refused, unknown_tag, missing).");
        _retries = meter.CreateCounter<long>("datahub.retries",
            description: "Calls run again after a transient failure, by instance.");
        meter.CreateObservableGauge("datahub.schema.entities", () => catalog.IsLoaded ? catalog.Current.EntityCount : 0,
            description: "Entities the current schema serves.");
        meter.CreateObservableGauge("datahub.plugins.failed", () => catalog.IsLoaded ? catalog.Plugins.Failures.Count : 0,
            description: "Plug-in folders that did not load.");
    }

    /// <summary>True while something listens: the tags cost allocations, so nobody should pay for them unread.</summary>
    public bool IsEnabled => _requests.Enabled || _duration.Enabled;

    /// <summary>One answered request; the names must be loaded names or <see cref="Unresolved"/>.</summary>
    public void RequestServed(string instance, string system, string entity, int httpStatus, TimeSpan elapsed)
    {
        if (!IsEnabled)
        {
            return;
        }
        var tags = new TagList
        {
            { "datahub.instance", instance },
            { "datahub.system", system },
            { "datahub.entity", entity },
            { "http.response.status_code", httpStatus },
        };
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
    }

    public void ProcessorFailed(EntityAddress address, string plugin) =>
        _processorFailures.Add(1, new TagList
        {
            { "datahub.instance", address.Instance },
            { "datahub.system", address.System },
            { "datahub.entity", address.Entity },
            { "datahub.plugin", plugin },
        });

    /// <summary>One reload attempt: "published", "rejected" or "failed".</summary>
    public void SchemaReloaded(string outcome) => _schemaReloads.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>A cache lookup: "hit", "miss" or "bypass". Labels are the loaded instance and the declared cache tag, never the key.</summary>
    public void CacheLookedUp(string instance, string cache, string outcome)
    {
        var counter = outcome switch
        {
            CacheOutcome.Hit => _cacheHits,
            CacheOutcome.Miss => _cacheMisses,
            _ => _cacheBypasses,
        };
        if (counter.Enabled)
        {
            counter.Add(1, new TagList { { "datahub.instance", instance }, { "datahub.cache", cache } });
        }
    }

    /// <summary>One evicted tag; <paramref name="evicted"/> is a declared cache or a loaded entity, "local" or "peer".</summary>
    public void CacheEvicted(string instance, string evicted, string origin)
    {
        if (_cacheEvictions.Enabled)
        {
            _cacheEvictions.Add(1, new TagList { { "datahub.instance", instance }, { "datahub.cache.evicted", evicted }, { "origin", origin } });
        }
    }

    /// <summary>One plug-in change: "applied", "rejected" or "failed".</summary>
    public void PluginsReloaded(string outcome) => _pluginReloads.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>One session check. Bounded tags only: the instance and the declared tag, never the subject.</summary>
    public void SessionChecked(string instance, string tag, string outcome)
    {
        if (_sessions.Enabled)
        {
            _sessions.Add(1, new TagList { { "datahub.instance", instance }, { "datahub.session.tag", tag }, { "outcome", outcome } });
        }
    }

    /// <summary>One call run again after a transient failure.</summary>
    public void CallRetried(string instance) => _retries.Add(1, new KeyValuePair<string, object?>("datahub.instance", instance));

    /// <summary>One PBKDF2 run, known user or not; a cache hit runs none. A rising rate is a password-guessing attempt.</summary>
    public void PasswordHashComputed() => _passwordHashes.Add(1);
}
