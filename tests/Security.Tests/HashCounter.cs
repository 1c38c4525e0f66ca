using System.Diagnostics.Metrics;
using DataHub.Host.Auth;

namespace DataHub.Security.Tests;

/// <summary>Counts the password hashes the host computes, through the metric operators read.</summary>
internal sealed class HashCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public HashCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == BasicUsers.HashesComputedInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
