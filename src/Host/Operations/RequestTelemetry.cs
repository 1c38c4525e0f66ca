using System.Diagnostics;
using DataHub.Host.Diagnostics;
using DataHub.Host.Schema;

namespace DataHub.Host.Operations;

/// <summary>
/// Times, counts and traces every answer on an execute route, wherever it was decided: the rate limiter's 429, the
/// early authentication's 401, the servlet's own answers. Labels and span tags are the loaded names the route resolves
/// to, never the URL's text (so a caller cannot make new series by inventing names) and never data values. With
/// neither metrics nor tracing listening, the step costs one check per request.
/// </summary>
public static class RequestTelemetry
{
    /// <summary>The host's activity source: one span per execute request, parent of the data stores' command spans.</summary>
    public static readonly ActivitySource Source = new(DataHubMetrics.MeterName);

    /// <summary>Adds the measuring step; it must come before the rate limiter so its refusals are counted.</summary>
    public static void UseDataHubRequestTelemetry(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<DataHubMetrics>();
        var catalog = app.Services.GetRequiredService<SchemaCatalog>();
        app.Use(next => http => (metrics.IsEnabled || Source.HasListeners()) && http.GetRouteValue("entity") is string
            ? MeasureAsync(http, next, metrics, catalog)
            : next(http));
    }

    private static async Task MeasureAsync(HttpContext http, RequestDelegate next, DataHubMetrics metrics, SchemaCatalog catalog)
    {
        using var activity = StartActivity(http);
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
            if (activity is not null)
            {
                activity.DisplayName = $"{http.Request.Method} {instance}/{system}/{entity}";
                activity.SetTag("datahub.instance", instance);
                activity.SetTag("datahub.system", system);
                activity.SetTag("datahub.entity", entity);
                activity.SetTag("http.request.method", http.Request.Method);
                activity.SetTag("http.response.status_code", status);
                if (status >= StatusCodes.Status500InternalServerError)
                {
                    activity.SetStatus(ActivityStatusCode.Error);
                }
            }
        }
    }

    /// <summary>
    /// The request's span, joined to the caller's trace: under ASP.NET Core's request activity where one was started,
    /// else under the caller's <c>traceparent</c>, read as ASP.NET Core reads it.
    /// </summary>
    private static Activity? StartActivity(HttpContext http)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        if (Activity.Current is null)
        {
            DistributedContextPropagator.Current.ExtractTraceIdAndState(http.Request.Headers,
                static (carrier, name, out value, out values) =>
                {
                    values = default;
                    value = carrier is IHeaderDictionary headers ? headers[name].ToString() : null;
                },
                out var traceParent, out var traceState);
            if (ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent))
            {
                return Source.StartActivity("datahub.request", ActivityKind.Server, parent);
            }
        }
        return Source.StartActivity("datahub.request", ActivityKind.Server);
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
