using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DataHub.Host.Diagnostics;

/// <summary>
/// The host's metrics, on the framework's own <see cref="Meter"/> (read them with dotnet-counters or any
/// OpenTelemetry collector listening to the "DataHub.Host" meter).
/// </summary>
public sealed class DataHubMetrics
{
    public const string MeterName = "DataHub.Host";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public DataHubMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("datahub.requests", description: "Execute requests served, by entity and HTTP status.");
        _duration = meter.CreateHistogram<double>("datahub.request.duration", unit: "s",
            description: "Time to serve an execute request, by entity.");
    }

    /// <summary>True while something listens: the tags cost allocations, so nobody should pay for them unread.</summary>
    public bool IsEnabled => _requests.Enabled || _duration.Enabled;

    public void RequestServed(string instance, string system, string entity, int httpStatus, TimeSpan elapsed)
    {
        if (!IsEnabled)
        {
            return;
        }
        var tags = new TagList
        {
            { "datahub.instance", instance },
            { "datahub.system", system },
            { "datahub.entity", entity },
            { "http.response.status_code", httpStatus },
        };
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
    }
}
