using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using DataHub.Host.Auth;
using DataHub.Host.Caching;
using DataHub.Host.Schema;
using DataHub.Host.Servlet;
using DataHub.Plugins;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Net.Http.Headers;

namespace DataHub.Host.Limits;

/// <summary>
/// Rate limits on ASP.NET Core's rate limiter, in three steps: a limit per client address (before any password is
/// checked, so that guessing is throttled too), then early authentication of calls to an instance, then a limit
/// per authenticated user. Over a limit: 429 in the error shape, with Retry-After. With Redis configured every host
/// counts into Redis (<see cref="SharedWindowLimiter"/>), so the hosts sharing it admit each limit once in total;
/// without it each host counts in its own memory.
/// </summary>
public static partial class RateLimits
{
    /// <summary>Keys remembered for logging refusals before those of past windows are swept.</summary>
    private const int RefusalKeysKept = 10_000;

    /// <summary>Registers the rate limiter's services with the "DataHub:RateLimits" settings, already checked.</summary>
    public static void AddDataHubRateLimits(this WebApplicationBuilder builder, RateLimitOptions options)
    {
        builder.Services.AddSingleton(options);
        builder.Services.AddRateLimiter(_ => { });
    }

    /// <summary>
    /// Adds the three steps to the pipeline; a limit that is off adds nothing. Needs routing to have run
    /// (WebApplication does that first).
    /// </summary>
    public static void UseDataHubRateLimits(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<RateLimitOptions>();
        var catalog = app.Services.GetRequiredService<SchemaCatalog>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RateLimits));
        var time = app.Services.GetService<TimeProvider>() ?? TimeProvider.System;
        var redis = app.Services.GetRequiredService<RedisConnection>();
        if (options.TrustsProxies)
        {
            app.UseForwardedHeaders(ForwardedHeaders(options));
        }
        if (options.PerAddress.IsEnabled)
        {
            app.UseRateLimiter(Limiter(options.PerAddress, "address", ClientAddress, logger, time, redis));
        }
        app.Use(next => http => AdmitCaller(http, next, catalog));
        if (options.PerUser.IsEnabled)
        {
            app.UseRateLimiter(Limiter(options.PerUser, "user", AuthenticatedUser, logger, time, redis));
        }
    }

    /// <summary>X-Forwarded-For from the configured proxies only: ASP.NET Core's defaults (loopback) are replaced.</summary>
    private static ForwardedHeadersOptions ForwardedHeaders(RateLimitOptions options)
    {
        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor };
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var proxy in options.KnownProxies)
        {
            forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
        }
        foreach (var network in options.KnownNetworks)
        {
            forwarded.KnownIPNetworks.Add(IPNetwork.Parse(network));
        }
        return forwarded;
    }

    /// <summary>
    /// The partition key of a client: its IPv4 address, or its IPv6 /64 network (one host usually holds a whole
    /// /64). Behind a reverse proxy listed in DataHub:RateLimits:KnownProxies or KnownNetworks, the address its
    /// X-Forwarded-For names.
    /// </summary>
    public static string ClientAddress(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>The partition key of an authenticated caller, instance and user id; null for anonymous calls.</summary>
    public static string? AuthenticatedUser(HttpContext http) =>
        http.Features.Get<AuthenticatedCall>() is { Result.User: { } user } call && user["id"]?.GetValue<string>() is { } id
            ? $"{call.Access.InstanceName}\n{id}"
            : null;

    // An instance that authenticates nobody lets every call through: nothing to do, and nothing to await.
    private static Task AdmitCaller(HttpContext http, RequestDelegate next, SchemaCatalog catalog) =>
        http.GetRouteValue("instance") is string name
        && catalog.Current.Instances.TryGetValue(name, out var instance)
        && instance.Access.AuthenticatesUsers
            ? AdmitAsync(http, next, instance.Access)
            : next(http);

    private static async Task AdmitAsync(HttpContext http, RequestDelegate next, InstanceAccess access)
    {
        AccessResult admitted;
        try
        {
            admitted = await access.AdmitAsync(http, http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        if (admitted.Error is { } refused)
        {
            JsonOutput.WriteError(http, refused);
            return;
        }
        await next(http);
    }

    /// <summary>
    /// A fixed-window limit whose windows are aligned to the clock: the partition key carries the window's number, so
    /// a refusal knows when its window ends (Retry-After is the seconds left, not the whole window), and a new window
    /// starts a fresh partition (an old one is dropped once idle). A refusal is logged once per window and key (on each
    /// host: each answers its own refusals).
    /// </summary>
    private static RateLimiterOptions Limiter(RateLimitWindow limit, string kind, Func<HttpContext, string?> partitionKey,
        ILogger logger, TimeProvider time, RedisConnection redis)
    {
        var windowTicks = limit.Window.Ticks;
        // The end of the window in which each key's refusal was last logged.
        var refusalsLogged = new ConcurrentDictionary<string, long>();
        var options = new RateLimiterOptions { RejectionStatusCode = StatusCodes.Status429TooManyRequests };
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
        {
            if (partitionKey(http) is not { } key)
            {
                return RateLimitPartition.GetNoLimiter("\0unlimited");
            }
            var window = time.GetUtcNow().UtcTicks / windowTicks;
            var partition = string.Create(CultureInfo.InvariantCulture, $"{key}\n{window}");
            return redis.IsConfigured
                ? RateLimitPartition.Get(partition, _ => new SharedWindowLimiter(redis, $"datahub:ratelimit:{kind}:{partition}", limit,
                    new DateTimeOffset((window + 1) * windowTicks, TimeSpan.Zero), time))
                : RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit.PermitLimit,
                    Window = limit.Window,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
        });
        options.OnRejected = (rejected, _) =>
        {
            var http = rejected.HttpContext;
            var now = time.GetUtcNow().UtcTicks;
            var windowEnd = (now / windowTicks + 1) * windowTicks;
            var seconds = Math.Max(1, (int)Math.Ceiling(TimeSpan.FromTicks(windowEnd - now).TotalSeconds));
            if (FirstRefusalInWindow(refusalsLogged, partitionKey(http) ?? "", windowEnd, now))
            {
                LogRejected(new RequestLogger(logger, http.TraceIdentifier), kind, seconds, http.TraceIdentifier);
            }
            JsonOutput.WriteError(http, new HostError(StatusCodes.Status429TooManyRequests, MessageStatus.GeneralError,
                string.Create(CultureInfo.InvariantCulture, $"Too many requests from this {kind}: retry in {seconds} s."))
            {
                Headers = new Dictionary<string, string> { [HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture) },
            });
            return ValueTask.CompletedTask;
        };
        return options;
    }

    /// <summary>True for one refusal per key and window; keys of past windows are dropped as the map grows.</summary>
    private static bool FirstRefusalInWindow(ConcurrentDictionary<string, long> logged, string key, long windowEnd, long now)
    {
        var first = logged.TryGetValue(key, out var loggedEnd)
            ? loggedEnd != windowEnd && logged.TryUpdate(key, windowEnd, loggedEnd)
            : logged.TryAdd(key, windowEnd);
        if (first && logged.Count > RefusalKeysKept)
        {
            foreach (var (oldKey, oldEnd) in logged)
            {
                if (oldEnd <= now)
                {
                    logged.TryRemove(oldKey, out _);
                }
            }
        }
        return first;
    }

    [LoggerMessage(EventId = 3001, EventName = "RateLimited", Level = LogLevel.Information,
        Message = "Rate limit per {Kind} reached; answering 429 for the {Seconds} s left in the window, logged once per window (trace {TraceId})")]
    private static partial void LogRejected(ILogger logger, string kind, int seconds, string traceId);
}
