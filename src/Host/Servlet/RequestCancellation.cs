using Microsoft.Extensions.ObjectPool;

namespace DataHub.Host.Servlet;

/// <summary>
/// What cancels a request's processor: its caller going away, or its time limit passing. The token sources are
/// pooled: a request that ends in time gives its source back reset, timer and all, so a request allocates none.
/// </summary>
internal sealed class RequestCancellation(TimeSpan limit)
{
    private readonly DefaultObjectPool<CancellationTokenSource> _sources = new(new ResettingPolicy());

    public TimeSpan Limit => limit;

    /// <summary>Starts the clock for one request; dispose the result when the processor has returned.</summary>
    public Scope Start(CancellationToken requestAborted)
    {
        var source = _sources.Get();
        source.CancelAfter(limit);
        var link = requestAborted.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), source);
        return new Scope(this, source, link);
    }

    public readonly struct Scope(RequestCancellation owner, CancellationTokenSource source, CancellationTokenRegistration link) : IDisposable
    {
        public CancellationToken Token => source.Token;

        public bool IsCancellationRequested => source.IsCancellationRequested;

        public void Dispose()
        {
            // Waits for a cancellation already running, so none reaches the source once it is back in the pool.
            link.Dispose();
            owner._sources.Return(source);
        }
    }

    private sealed class ResettingPolicy : IPooledObjectPolicy<CancellationTokenSource>
    {
        public CancellationTokenSource Create() => new();

        // TryReset stops the timer and drops every registration; a cancelled source cannot be reused.
        public bool Return(CancellationTokenSource source)
        {
            if (source.TryReset())
            {
                return true;
            }
            source.Dispose();
            return false;
        }
    }
}
