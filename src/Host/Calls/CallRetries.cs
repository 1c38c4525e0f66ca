using System.Diagnostics;
using System.Diagnostics.Metrics;
using DataHub.Host.Diagnostics;
using DataHub.Plugins;
using Polly;
using Polly.Retry;

namespace DataHub.Host.Calls;

/// <summary>
/// Runs a call again while it fails transiently and provably committed nothing (<see
/// cref="ProcessorContext.FailureIsTransient"/>), up to the retries the caller asked for and the instance allows:
/// exponential backoff with jitter, all within the request's time limit (the token). Each attempt gets a fresh context.
/// </summary>
public static class CallRetries
{
    /// <summary>The response header that says how many retries were made.</summary>
    public const string Header = "DataHub-Retries";

    /// <summary>The cap when an instance sets none.</summary>
    public const int DefaultCap = 3;

    private static readonly TimeSpan _firstDelay = TimeSpan.FromMilliseconds(200);
    private static readonly Meter _meter = new(DataHubMetrics.MeterName);
    private static readonly Counter<long> _retries = _meter.CreateCounter<long>("datahub.retries",
        description: "Calls run again after a transient failure, by instance.");

    /// <summary>Runs the call once and then retries up to <paramref name="maxRetries"/> times; returns the last attempt's context.</summary>
    public static async Task<(ProcessorContext Context, int Retries)> RunAsync(
        Func<ProcessorContext> newContext, IProcessor processor, int maxRetries, string instance, CancellationToken cancellationToken)
    {
        var retried = 0;
        var pipeline = new ResiliencePipelineBuilder<ProcessorContext>()
            .AddRetry(new RetryStrategyOptions<ProcessorContext>
            {
                // Only outcomes the plug-in marked; exceptions are failures of the plug-in, never retried.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { FailureIsTransient: true }),
                MaxRetryAttempts = maxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _firstDelay,
                OnRetry = _ =>
                {
                    retried++;
                    if (_retries.Enabled)
                    {
                        _retries.Add(1, new TagList { { "datahub.instance", instance } });
                    }
                    return default;
                },
            })
            .Build();
        var context = await pipeline.ExecuteAsync(async token =>
        {
            var attempt = newContext();
            await processor.ExecuteAsync(attempt, token);
            return attempt;
        }, cancellationToken);
        return (context, retried);
    }
}
