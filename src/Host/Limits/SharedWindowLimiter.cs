using System.Threading.RateLimiting;
using DataHub.Host.Caching;
using StackExchange.Redis;

namespace DataHub.Host.Limits;

/// <summary>
/// One key's count in one clock-aligned window (a partition of <see cref="RateLimits"/>), kept in Redis so that every
/// host sharing that Redis admits the limit once in total. While Redis cannot be reached the host counts the window in
/// its own memory instead: it fails open (each host then admits up to the limit) rather than refusing or failing every
/// call, and <see cref="RedisConnection"/> logs the outage once.
/// </summary>
/// <remarks>
/// Not RedisRateLimiting's fixed window: its windows start at a key's first request rather than on the clock (so
/// Retry-After could not be the seconds left in a shared window), and a Redis outage makes every acquisition throw.
/// </remarks>
internal sealed class SharedWindowLimiter : RateLimiter
{
    // The count and its expiry in one atomic step, so no key is ever left without an expiry.
    private const string CountScript = """
        local count = redis.call('INCRBY', KEYS[1], ARGV[1])
        if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return count
        """;

    // A key outlives its window this long: a host whose clock lags a little still counts into it.
    private static readonly TimeSpan _expirySlack = TimeSpan.FromMinutes(1);

    private static readonly RateLimitLease _admitted = new Lease(true);
    private static readonly RateLimitLease _refused = new Lease(false);

    private readonly RedisConnection _redis;
    private readonly RedisKey _key;
    private readonly int _permitLimit;
    private readonly DateTimeOffset _windowEnd;
    private readonly TimeProvider _time;
    // Lives for this one window only, so it never needs replenishing.
    private readonly FixedWindowRateLimiter _ownCount;
    private int _inFlight;

    public SharedWindowLimiter(RedisConnection redis, RedisKey key, RateLimitWindow limit, DateTimeOffset windowEnd, TimeProvider time)
    {
        _redis = redis;
        _key = key;
        _permitLimit = limit.PermitLimit;
        _windowEnd = windowEnd;
        _time = time;
        _ownCount = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            QueueLimit = 0,
            AutoReplenishment = false,
        });
    }

    /// <summary>Idle once its window has ended and no call is in flight: the partitioned limiter then drops it.</summary>
    public override TimeSpan? IdleDuration =>
        Volatile.Read(ref _inFlight) == 0 && _time.GetUtcNow() - _windowEnd is { Ticks: >= 0 } sinceEnd ? sinceEnd : null;

    public override RateLimiterStatistics? GetStatistics() => null;

    /// <summary>
    /// Never admits: the count lives in Redis, which is only asked asynchronously. ASP.NET Core's middleware then
    /// calls <see cref="AcquireAsyncCore"/>.
    /// </summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => _refused;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (_redis.IsAvailable && _redis.Multiplexer is { } multiplexer)
        {
            Interlocked.Increment(ref _inFlight);
            try
            {
                var expiry = (long)(_windowEnd - _time.GetUtcNow() + _expirySlack).TotalMilliseconds;
                var count = (long)await multiplexer.GetDatabase().ScriptEvaluateAsync(CountScript, [_key], [permitCount, expiry]);
                _redis.ReportAnswered();
                return count <= _permitLimit ? _admitted : _refused;
            }
            catch (Exception e) when (RedisConnection.IsFailure(e))
            {
                _redis.ReportOutage();
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
        return await _ownCount.AcquireAsync(permitCount, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _ownCount.Dispose();
        }
        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await _ownCount.DisposeAsync();
        await base.DisposeAsyncCore();
    }

    private sealed class Lease(bool acquired) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
