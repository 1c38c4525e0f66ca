using DataHub.Host.Diagnostics;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DataHub.Host.Operations;

/// <summary>
/// OpenTelemetry. Metrics with the Prometheus exporter: the host's "DataHub.*" meters, ASP.NET Core's and Kestrel's,
/// Npgsql's connection pool meter and the runtime's, served at DataHub:Operations:MetricsPath to operators only; with
/// the path empty nothing listens to the meters, so recording them costs nothing. Traces by OTLP when
/// DataHub:Operations:OtlpTracesEndpoint is set: the host's request spans and every "DataHub.*" activity source (a
/// plug-in's script runs, say), with Npgsql's command spans as their children.
/// </summary>
public static class TelemetryWiring
{
    /// <summary>Meters other than the host's own that operators want beside it.</summary>
    private static readonly string[] _frameworkMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Npgsql", "System.Runtime"];

    /// <summary>
    /// Series kept per framework instrument. The SDK sets aside room for its limit (2,000 by default) per instrument
    /// up front; the framework's meters label by route template, method, status and the like, so far fewer suffice,
    /// and the host's own (by entity) keep the default.
    /// </summary>
    private const int FrameworkCardinalityLimit = 200;

    public static void AddDataHubTelemetry(this WebApplicationBuilder builder, OperationsOptions options)
    {
        var metricsOn = options.MetricsPath is { Length: > 0 };
        var tracesOn = options.OtlpTracesEndpoint is { Length: > 0 };
        if (!metricsOn && !tracesOn)
        {
            return;
        }
        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("datahub"));
        if (metricsOn)
        {
            telemetry.WithMetrics(metrics => metrics
                .AddMeter(DataHubMetrics.MeterNamePrefix + "*")
                .AddMeter(_frameworkMeters)
                .AddView(instrument => instrument.Meter.Name.StartsWith(DataHubMetrics.MeterNamePrefix, StringComparison.Ordinal)
                    ? null
                    : new MetricStreamConfiguration { CardinalityLimit = FrameworkCardinalityLimit })
                .AddPrometheusExporter());
        }
        if (tracesOn)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(DataHubMetrics.MeterNamePrefix + "*", "Npgsql")
                .AddOtlpExporter(otlp =>
                {
                    otlp.Endpoint = new Uri(options.OtlpTracesEndpoint!);
                    otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
                }));
        }
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
