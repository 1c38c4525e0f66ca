using DataHub.Host.Diagnostics;
using DataHub.Plugins;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using StackExchange.Redis;

namespace DataHub.Host.Caching;

/// <summary>The <see cref="Header"/> values: how a call that named a cache was answered.</summary>
public static class CacheOutcome
{
    /// <summary>The response header that says whether the answer came from the cache.</summary>
    public const string Header = "X-DataHub-Cache";

    public const string Hit = "hit";
    public const string Miss = "miss";

    /// <summary>Redis could not be reached: the cache was not used.</summary>
    public const string Bypass = "bypass";
}

/// <summary>
/// Keeps successful answers in HybridCache: in memory, and in Redis as its second level when Redis is configured, so
/// several hosts share them. HybridCache's tag eviction reaches this host's memory and Redis but not the copies other
/// hosts hold in memory, so every eviction is also published on a Redis channel and every host evicts the same tags.
/// While Redis cannot be reached the cache is bypassed altogether: a host's memory alone would miss the other hosts'
/// evictions. When Redis answers again each host drops everything it kept and tells the others to do the same, since
/// writes made meanwhile evicted nothing.
/// </summary>
public sealed partial class AnswerCache(HybridCache cache, RedisConnection redis, DataHubMetrics metrics, ILogger<AnswerCache> logger)
    : IHostedService
{
    private const string Everything = "*";
    private const string LocalOrigin = "local";
    private const string PeerOrigin = "peer";

    private static readonly RedisChannel _evictions = RedisChannel.Literal("datahub:cache:evictions");
    private static readonly HybridCacheEntryOptions _lookupOnly = new() { Flags = HybridCacheEntryFlags.DisableUnderlyingData };

    // Tells this host's own messages from its peers'.
    private readonly string _hostId = Guid.NewGuid().ToString("N");
    private int _subscribed;

    private bool IsBypassed => redis.IsConfigured && !redis.IsAvailable;

    /// <summary>The answer kept for <paramref name="plan"/>, or null; and the <see cref="CacheOutcome"/> to report.</summary>
    public async Task<(byte[]? Answer, string Outcome)> LookUpAsync(CachePlan plan, CancellationToken cancellationToken)
    {
        byte[]? answer = null;
        var outcome = CacheOutcome.Bypass;
        if (!IsBypassed)
        {
            try
            {
                answer = await cache.GetOrCreateAsync(plan.Key, static _ => ValueTask.FromResult<byte[]>(null!), _lookupOnly, plan.Tags,
                    cancellationToken: cancellationToken);
                outcome = answer is null ? CacheOutcome.Miss : CacheOutcome.Hit;
                redis.ReportAnswered();
            }
            catch (Exception e) when (RedisConnection.IsFailure(e))
            {
                redis.ReportOutage();
            }
        }
        metrics.CacheLookedUp(plan.Instance, plan.Cache.Tag, outcome);
        return (answer, outcome);
    }

    /// <summary>Keeps a successful answer (<see cref="CachedAnswer.Succeeded"/>) for its cache's time to live; an error or an oversized answer is not kept.</summary>
    public async Task StoreAsync(CachePlan plan, ProcessorContext outputs, CancellationToken cancellationToken)
    {
        if (!CachedAnswer.Succeeded(outputs) || IsBypassed)
        {
            return;
        }
        var answer = CachedAnswer.Serialize(outputs);
        if (answer.Length > plan.Cache.MaxEntryBytes)
        {
            LogTooLarge(logger, plan.Key, answer.Length, plan.Cache.Tag, plan.Cache.MaxEntryBytes);
            return;
        }
        var lifetime = new HybridCacheEntryOptions { Expiration = plan.Cache.TimeToLive, LocalCacheExpiration = plan.Cache.TimeToLive };
        try
        {
            await cache.SetAsync(plan.Key, answer, lifetime, plan.Tags, cancellationToken);
        }
        catch (Exception e) when (RedisConnection.IsFailure(e))
        {
            redis.ReportOutage();
        }
    }

    /// <summary>Evicts every answer carrying one of <paramref name="tags"/>, here and on every host sharing Redis.</summary>
    public async Task EvictAsync(string instance, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        if (IsBypassed)
        {
            // Nothing is read meanwhile, and everything is dropped when Redis answers again.
            return;
        }
        await EvictHereAsync(instance, tags, LocalOrigin, cancellationToken);
        await PublishAsync(instance, tags);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!redis.IsConfigured)
        {
            return;
        }
        redis.Restored += () => _ = RecoverAsync();
        await SubscribeAsync(await redis.OpenedAsync);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EvictHereAsync(string instance, IEnumerable<string> tags, string origin, CancellationToken cancellationToken)
    {
        foreach (var tag in tags)
        {
            try
            {
                await cache.RemoveByTagAsync(tag, cancellationToken);
            }
            catch (Exception e) when (RedisConnection.IsFailure(e))
            {
                // This host's memory is already evicted (HybridCache marks the tag before writing it to Redis).
                redis.ReportOutage();
            }
            metrics.CacheEvicted(instance, tag, origin);
        }
    }

    private async Task PublishAsync(string instance, IEnumerable<string> tags)
    {
        if (redis.Multiplexer is not { } multiplexer)
        {
            // One host, no Redis: nobody else to tell.
            return;
        }
        try
        {
            await multiplexer.GetSubscriber().PublishAsync(_evictions, string.Join('\n', [_hostId, instance, .. tags]));
        }
        catch (Exception e) when (RedisConnection.IsFailure(e))
        {
            redis.ReportOutage();
        }
    }

    private async Task SubscribeAsync(IConnectionMultiplexer multiplexer)
    {
        if (Interlocked.Exchange(ref _subscribed, 1) == 1)
        {
            return;
        }
        try
        {
            await multiplexer.GetSubscriber().SubscribeAsync(_evictions, (channel, message) => _ = EvictFromPeerAsync(message));
        }
        catch (Exception e) when (RedisConnection.IsFailure(e))
        {
            // Redis is down at start-up: subscribe when it answers (RecoverAsync).
            Volatile.Write(ref _subscribed, 0);
        }
    }

    private async Task EvictFromPeerAsync(RedisValue message)
    {
        var parts = message.ToString().Split('\n');
        if (parts.Length < 3 || parts[0] == _hostId)
        {
            return;
        }
        await EvictHereAsync(parts[1], parts[2..], PeerOrigin, CancellationToken.None);
    }

    private async Task RecoverAsync()
    {
        await SubscribeAsync(redis.Multiplexer!);
        await EvictHereAsync(Everything, [Everything], LocalOrigin, CancellationToken.None);
        await PublishAsync(Everything, [Everything]);
    }

    [LoggerMessage(EventId = 1503, Level = LogLevel.Debug,
        Message = "Answer for {Key} not cached: {Bytes} bytes, over cache {Cache}'s maxEntryBytes of {MaxEntryBytes}")]
    private static partial void LogTooLarge(ILogger logger, string key, int bytes, string cache, int maxEntryBytes);
}

/// <summary>Wires the answer cache: HybridCache in memory, with Redis as its second level when configured.</summary>
public static class AnswerCacheWiring
{
    public static void AddDataHubCaches(this WebApplicationBuilder builder, RedisOptions redis)
    {
        builder.Services.AddHybridCache(options =>
        {
            // Each cache enforces its own maxEntryBytes; HybridCache's limit only has to let the largest through.
            options.MaximumPayloadBytes = CacheDefinition.MaxEntryBytesLimit + 64 * 1024;
        });
        if (redis.IsConfigured)
        {
            builder.Services.AddStackExchangeRedisCache(_ => { });
            builder.Services.AddOptions<RedisCacheOptions>().Configure<RedisConnection>((options, connection) =>
            {
                options.InstanceName = "datahub:";
                options.ConnectionMultiplexerFactory = () => connection.OpenedAsync;
            });
        }
        builder.Services.AddSingleton<AnswerCache>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AnswerCache>());
    }
}
