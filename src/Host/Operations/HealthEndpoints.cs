using System.Text.Json;
using DataHub.Host.Schema;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataHub.Host.Operations;

/// <summary>
/// Liveness and readiness on ASP.NET Core's health checks. <c>/health/live</c> runs no check: the process answers.
/// <c>/health/ready</c> (and <c>/health</c>, for probes written before the split) pings every data store and answers
/// 503 when one is down. Anyone gets the status; only an operator (<see cref="OperatorAccess"/>) gets the details.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>The tag of the checks readiness runs; a feature with something to check (Redis, say) adds one with it.</summary>
    public const string ReadyTag = "ready";

    public static IHealthChecksBuilder AddDataHubHealth(this WebApplicationBuilder builder) =>
        builder.Services.AddHealthChecks()
            .AddCheck<DataStoreReadiness>(DataStoreReadiness.Name, tags: [ReadyTag])
            .AddCheck<PluginHealth>(PluginHealth.Name, tags: [ReadyTag]);

    public static void MapDataHubHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        var ready = new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync };
        app.MapHealthChecks("/health/ready", ready);
        app.MapHealthChecks("/health", ready);
    }

    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        var isOperator = http.RequestServices.GetRequiredService<OperatorAccess>().IsOperator(http.Request);
        object body = isOperator
            ? Details(report, http.RequestServices.GetRequiredService<SchemaCatalog>())
            : new { status = Status(report.Status) };
        http.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(http.Response.Body, body, cancellationToken: http.RequestAborted);
    }

    private static string Status(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };

    private static object Details(HealthReport report, SchemaCatalog catalog)
    {
        var storeStates = report.Entries.TryGetValue(DataStoreReadiness.Name, out var stores) ? stores.Data : null;
        var plugins = catalog.Plugins;
        return new
        {
            status = Status(report.Status),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = Status(e.Value.Status),
                description = e.Value.Description,
                milliseconds = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
            instances = catalog.Current.Instances.Values.Select(instance => new
            {
                name = instance.Name,
                anonymous = instance.Access.AllowsAnonymous,
                systems = instance.Systems.Values.Select(s => new { reference = s.Reference, entities = s.Entities.Count }),
                dataStores = DataStoreReadiness.StoresOf(instance).Select(used => new
                {
                    name = used.Name,
                    environment = used.Environment,
                    provider = used.Store?.Provider,
                    state = storeStates?.GetValueOrDefault(DataStoreReadiness.Key(instance.Name, used)) as string,
                }),
            }),
            plugins = plugins.Plugins.Select(p => new { name = p.Name, processors = p.Plugin.ProcessorNames, contract = p.ContractVersion.ToString() }),
            pluginFailures = plugins.Failures.Select(f => new { folder = f.Directory, reason = f.Reason }),
        };
    }
}
