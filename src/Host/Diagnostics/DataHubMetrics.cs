using System.Diagnostics;
using System.Diagnostics.Metrics;
using DataHub.Host.Auth;

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
    private readonly Counter<long> _passwordHashes;

    public DataHubMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("datahub.requests", description: "Execute requests served, by entity and HTTP status.");
        _duration = meter.CreateHistogram<double>("datahub.request.duration", unit: "s",
            description: "Time to serve an execute request, by entity.");
        _passwordHashes = meter.CreateCounter<long>(BasicUsers.HashesComputedInstrument,
            description: "Password hashes computed to check Basic credentials.");
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

    /// <summary>One PBKDF2 run, known user or not; a cache hit runs none. A rising rate is a password-guessing attempt.</summary>
    public void PasswordHashComputed() => _passwordHashes.Add(1);
}
