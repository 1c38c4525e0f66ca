using System.Collections.Concurrent;
using DataHub.Host.Diagnostics;
using DataHub.Plugins;
using Polly;
using Polly.Retry;

namespace DataHub.Host.Calls;

/// <summary>
/// Runs a call again while it fails transiently and provably committed nothing (<see
/// cref="ProcessorContext.FailureIsTransient"/>), up to the retries the caller asked for and the instance allows:
/// exponential backoff with jitter, all within the request's time limit (the token). Each attempt gets a fresh context.
/// One pipeline per retry count is built on first use and shared by every call: what differs between calls travels
/// in the Polly context.
/// </summary>
public sealed class CallRetries(DataHubMetrics metrics)
{
    /// <summary>The response header that says how many retries were made.</summary>
    public const string Header = "DataHub-Retries";

    /// <summary>The cap when an instance sets none.</summary>
    public const int DefaultCap = 3;

    private static readonly TimeSpan _firstDelay = TimeSpan.FromMilliseconds(200);
    private static readonly ResiliencePropertyKey<string> _instance = new("datahub.instance");
    private static readonly ResiliencePropertyKey<int> _retried = new("datahub.retried");

    // Keyed by retry count, which the schema bounds (instance.json maxRetries), so the cache stays small.
    private readonly ConcurrentDictionary<int, ResiliencePipeline<ProcessorContext>> _pipelines = new();

    /// <summary>Runs the call once and then retries up to <paramref name="maxRetries"/> times; returns the last attempt's context.</summary>
    public async Task<(ProcessorContext Context, int Retries)> RunAsync(
        Func<ProcessorContext> newContext, IProcessor processor, int maxRetries, string instance, CancellationToken cancellationToken)
    {
        var pipeline = _pipelines.GetOrAdd(maxRetries, Build);
        var resilience = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            resilience.Properties.Set(_instance, instance);
            var context = await pipeline.ExecuteAsync(static async (resilience, call) =>
            {
                var attempt = call.newContext();
                await call.processor.ExecuteAsync(attempt, resilience.CancellationToken);
                return attempt;
            }, resilience, (newContext, processor));
            return (context, resilience.Properties.GetValue(_retried, 0));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilience);
        }
    }

    private ResiliencePipeline<ProcessorContext> Build(int maxRetries) =>
        new ResiliencePipelineBuilder<ProcessorContext>()
            .AddRetry(new RetryStrategyOptions<ProcessorContext>
            {
                // Only outcomes the plug-in marked; exceptions are failures of the plug-in, never retried.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { FailureIsTransient: true }),
                MaxRetryAttempts = maxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _firstDelay,
                OnRetry = args =>
                {
                    args.Context.Properties.Set(_retried, args.AttemptNumber + 1);
                    metrics.CallRetried(args.Context.Properties.GetValue(_instance, DataHubMetrics.Unresolved));
                    return default;
                },
            })
            .Build();
}
