using DataHub.Host.Diagnostics;
using OpenTelemetry.Metrics;

namespace DataHub.Host.Operations;

/// <summary>
/// OpenTelemetry metrics with the Prometheus exporter: the host's "DataHub.*" meters, ASP.NET Core's and Kestrel's,
/// Npgsql's connection pool meter and the runtime's. Served at DataHub:Operations:MetricsPath to operators only; with
/// the path empty nothing listens to the meters, so recording them costs nothing.
/// </summary>
public static class TelemetryWiring
{
    /// <summary>Meters other than the host's own that operators want beside it.</summary>
    private static readonly string[] _frameworkMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Npgsql", "System.Runtime"];

    public static void AddDataHubTelemetry(this WebApplicationBuilder builder)
    {
        builder.AddDataHubOperatorAccess();
        if (OperationsOptions.Read(builder.Configuration).MetricsPath is not { Length: > 0 })
        {
            return;
        }
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(DataHubMetrics.MeterNamePrefix + "*")
            .AddMeter(_frameworkMeters)
            .AddPrometheusExporter());
    }

    /// <summary>
    /// Answers the scrape of an operator (bearer operator token); anyone else falls through to the ordinary 404, so
    /// the endpoint does not even show it exists.
    /// </summary>
    public static void UseDataHubMetricsEndpoint(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<OperationsOptions>();
        var access = app.Services.GetRequiredService<OperatorAccess>();
        if (options.MetricsPath is not { Length: > 0 } path)
        {
            return;
        }
        app.UseOpenTelemetryPrometheusScrapingEndpoint(http => http.Request.Path == path && access.IsOperator(http.Request));
    }
}
