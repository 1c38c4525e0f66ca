using System.Diagnostics;
using DataHub.Host.Diagnostics;
using DataHub.Host.Schema;

namespace DataHub.Host.Operations;

/// <summary>
/// Times and counts every answer on an execute route, wherever it was decided: the rate limiter's 429, the early
/// authentication's 401, the servlet's own answers. Labels are the loaded names the route resolves to, never the URL's
/// text, so a caller cannot make new series by inventing names.
/// </summary>
public static class RequestMetrics
{
    /// <summary>Adds the measuring step; it must come before the rate limiter so its refusals are counted.</summary>
    public static void UseDataHubRequestMetrics(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<DataHubMetrics>();
        var catalog = app.Services.GetRequiredService<SchemaCatalog>();
        app.Use(next => http => metrics.IsEnabled && http.GetRouteValue("entity") is string
            ? MeasureAsync(http, next, metrics, catalog)
            : next(http));
    }

    private static async Task MeasureAsync(HttpContext http, RequestDelegate next, DataHubMetrics metrics, SchemaCatalog catalog)
    {
        var started = Stopwatch.GetTimestamp();
        // An exception passes through here before the exception handler answers it with 500.
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(http);
            status = http.Response.StatusCode;
        }
        finally
        {
            var (instance, system, entity) = Resolve(catalog.Current, http);
            metrics.RequestServed(instance, system, entity, status, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>The loaded names a route leads to, each <see cref="DataHubMetrics.Unresolved"/> from the first that does not resolve.</summary>
    internal static (string Instance, string System, string Entity) Resolve(SchemaSnapshot snapshot, HttpContext http)
    {
        const string unresolved = DataHubMetrics.Unresolved;
        if (http.GetRouteValue("instance") is not string instanceName || !snapshot.Instances.TryGetValue(instanceName, out var instance))
        {
            return (unresolved, unresolved, unresolved);
        }
        var systemName = http.GetRouteValue("system") as string ?? SystemDefinition.DefaultReference;
        if (!instance.Systems.TryGetValue(systemName, out var system))
        {
            return (instance.Name, unresolved, unresolved);
        }
        return http.GetRouteValue("entity") is string entityName && system.Entities.TryGetValue(entityName, out var entity)
            ? (instance.Name, system.Reference, entity.Address.Entity)
            : (instance.Name, system.Reference, unresolved);
    }
}
