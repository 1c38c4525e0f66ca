using StackExchange.Redis;

namespace DataHub.Host.Caching;

/// <summary>
/// The host's one connection to Redis (<see cref="RedisOptions"/>), opened at start-up and kept open; when Redis is not
/// configured it never connects and <see cref="IsConfigured"/> is false. An outage never stops the host: the client
/// reconnects in the background, the outage is logged once when it starts and once when it ends, and features that
/// depend on Redis ask <see cref="IsAvailable"/> and do without it meanwhile.
/// </summary>
public sealed partial class RedisConnection(RedisOptions options, ILogger<RedisConnection> logger) : IHostedService, IAsyncDisposable
{
    // After a failed command Redis is left alone this long, even if its connection still looks open.
    private const long RestAfterFailureMilliseconds = 5000;

    private readonly TaskCompletionSource<IConnectionMultiplexer> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ConnectionMultiplexer? _multiplexer;
    // 1 from the outage's first failure (logged) until Redis answers again.
    private int _down;
    private long _failedAt = long.MinValue / 2;

    public bool IsConfigured => options.IsConfigured;

    /// <summary>The open connection; null before start-up and when Redis is not configured.</summary>
    public IConnectionMultiplexer? Multiplexer => _multiplexer;

    /// <summary>The connection once start-up opened it, for clients created before then (the cache's second level).</summary>
    public Task<IConnectionMultiplexer> OpenedAsync => _opened.Task;

    /// <summary>True while Redis is configured and answering.</summary>
    public bool IsAvailable =>
        _multiplexer is { IsConnected: true } && Environment.TickCount64 - Volatile.Read(ref _failedAt) > RestAfterFailureMilliseconds;

    /// <summary>Raised when Redis answers again after an outage: what was missed meanwhile must be made good.</summary>
    public event Action? Restored;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!IsConfigured)
        {
            return;
        }
        // Never throws for an unreachable server (AbortOnConnectFail is off): it waits at most the connect timeout.
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(options.ToClientOptions());
        multiplexer.ConnectionFailed += (_, _) => ReportOutage();
        multiplexer.ConnectionRestored += (_, _) => ReportAnswered();
        _multiplexer = multiplexer;
        if (!multiplexer.IsConnected)
        {
            ReportOutage();
        }
        _opened.SetResult(multiplexer);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>True for the exceptions a command throws when Redis cannot be reached or does not answer in time.</summary>
    public static bool IsFailure(Exception e) => e is RedisException or TimeoutException;

    /// <summary>
    /// Records that Redis failed a command or a connection: the first failure of an outage is logged, later ones are
    /// not, so a down Redis under load writes one line instead of one per request.
    /// </summary>
    public void ReportOutage()
    {
        Volatile.Write(ref _failedAt, Environment.TickCount64);
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            LogUnreachable(logger);
        }
    }

    /// <summary>Records that Redis answered: the end of an outage, if there was one, is logged and <see cref="Restored"/> raised.</summary>
    public void ReportAnswered()
    {
        if (Volatile.Read(ref _down) == 1 && _multiplexer is { IsConnected: true } && Interlocked.Exchange(ref _down, 0) == 1)
        {
            LogRestored(logger);
            Restored?.Invoke();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _opened.TrySetCanceled();
        if (_multiplexer is { } multiplexer)
        {
            await multiplexer.DisposeAsync();
        }
    }

    [LoggerMessage(EventId = 1501, Level = LogLevel.Error,
        Message = "Redis cannot be reached: caches are bypassed (every call runs its plug-in) and each host counts rate limits alone until it answers again")]
    private static partial void LogUnreachable(ILogger logger);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Redis answers again: caches and shared rate limits are back in use")]
    private static partial void LogRestored(ILogger logger);
}
