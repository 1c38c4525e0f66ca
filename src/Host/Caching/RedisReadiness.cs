using DataHub.Host.Operations;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataHub.Host.Caching;

/// <summary>
/// Readiness pings Redis when it is configured. Redis down reports <see cref="HealthStatus.Degraded"/>, which still
/// answers 200: the host serves every call without its caches, and an unready answer would take every host sharing
/// that Redis out of the load balancer at once, turning a cache outage into a full one.
/// </summary>
public sealed class RedisReadiness(RedisConnection redis, OperationsOptions options) : IHealthCheck
{
    public const string Name = "redis";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (redis.Multiplexer is not { } multiplexer)
        {
            return HealthCheckResult.Degraded("Redis is not connected yet: caches are bypassed.");
        }
        try
        {
            await multiplexer.GetDatabase().PingAsync().WaitAsync(options.ReadinessTimeout, cancellationToken);
            redis.ReportAnswered();
            return HealthCheckResult.Healthy("Redis answers.");
        }
        catch (Exception e) when (RedisConnection.IsFailure(e))
        {
            redis.ReportOutage();
            return HealthCheckResult.Degraded("Redis cannot be reached: caches are bypassed and each host counts rate limits alone.");
        }
    }
}

/// <summary>Wires Redis into the host: the connection (always registered, connected only when configured) and its readiness check.</summary>
public static class RedisWiring
{
    public static void AddDataHubRedis(this WebApplicationBuilder builder, RedisOptions options)
    {
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<RedisConnection>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RedisConnection>());
        if (options.IsConfigured)
        {
            builder.Services.AddHealthChecks().AddCheck<RedisReadiness>(RedisReadiness.Name, tags: [HealthEndpoints.ReadyTag]);
        }
    }
}
