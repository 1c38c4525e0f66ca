using System.Diagnostics;

namespace DataHub.Host.Operations;

/// <summary>
/// Trace and span ids on every log line of a request when the console writes JSON (Logging:Console:FormatterName
/// "json", the format log pipelines read). ASP.NET Core starts a request's activity only when something listens to it,
/// and with tracing off and its diagnostics category silenced nothing does, so the host then listens itself, asking
/// for ids only (propagation, not recording). The simple format keeps the cheaper RequestId alone: an activity costs
/// every request about a microsecond and a few allocations.
/// </summary>
public static class LoggingWiring
{
    private const string AspNetCoreSource = "Microsoft.AspNetCore";

    public static void AddDataHubLogContext(this WebApplicationBuilder builder)
    {
        if (!string.Equals(builder.Configuration["Logging:Console:FormatterName"], "json", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        builder.Logging.Configure(logging =>
            logging.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Services.AddHostedService<RequestActivityListener>();
    }

    private sealed class RequestActivityListener : IHostedService, IDisposable
    {
        private readonly ActivityListener _listener = new()
        {
            ShouldListenTo = source => source.Name == AspNetCoreSource,
            // A sampler that records (tracing on) still wins: the strongest answer of all listeners is taken.
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
        };

        public Task StartAsync(CancellationToken cancellationToken)
        {
            ActivitySource.AddActivityListener(_listener);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose() => _listener.Dispose();
    }
}
