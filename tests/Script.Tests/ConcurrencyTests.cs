using System.Diagnostics;
using System.Text.Json.Nodes;
using DataHub.Plugins;
using DataHub.Plugins.Script;

namespace DataHub.Script.Tests;

public sealed class ConcurrencyTests
{
    private const int TimeoutMs = 4_000;
    private const int Looping = 0, Recursing = 1, Counting = 2, Good = 3;

    [Test]
    public async Task Fifty_concurrent_requests_mixing_good_and_runaway_scripts_each_get_their_own_answer()
    {
        var good = ScriptHarness.Processor("""
            var d = attributes.get('data'), sum = 0;
            for (var i = 0; i <= d.n; i++) { sum += i; }
            attributes.put('response', {n: d.n, sum: sum});
            """, new { timeoutMs = TimeoutMs });
        var looping = ScriptHarness.Processor("while (true) {}", new { timeoutMs = TimeoutMs, maxStatements = int.MaxValue });
        var recursing = ScriptHarness.Processor("function f(n) { return f(n + 1) + 1; } f(0);", new { maxRecursionDepth = 60 });
        var counting = ScriptHarness.Processor("for (;;) {}", new { maxStatements = 200_000 });

        var requests = Enumerable.Range(0, 50).Select(i => Kind(i) switch
        {
            Looping => Run(looping, i),
            Recursing => Run(recursing, i),
            Counting => Run(counting, i),
            _ => Run(good, i),
        }).ToArray();
        var results = await Task.WhenAll(requests);

        TestContext.Out.WriteLine("good requests (index: ms): "
            + string.Join(", ", results.Where(r => Kind(r.Index) == Good).Select(r => $"{r.Index}: {r.Elapsed.TotalMilliseconds:F0}")));
        foreach (var (index, context, elapsed) in results)
        {
            switch (Kind(index))
            {
                case Looping:
                    Assert.That(context.Status, Is.EqualTo(MessageStatus.ReprocessTimeout), $"request {index}");
                    break;
                case Recursing:
                    Assert.That(context.ErrorMessage, Does.Contain("maxRecursionDepth (60)"), $"request {index}");
                    break;
                case Counting:
                    Assert.That(context.ErrorMessage, Does.Contain("maxStatements (200000)"), $"request {index}");
                    break;
                default:
                    var n = index * 10;
                    Assert.That(context.ResponseJson(), Is.EqualTo($$"""{"n":{{n}},"sum":{{n * (n + 1) / 2}}}"""), $"request {index}");
                    // Half the timeout both kinds have: a good request that waited for a runaway to end would take longer.
                    Assert.That(elapsed, Is.LessThan(TimeSpan.FromMilliseconds(TimeoutMs / 2)), $"request {index} should not wait on the runaways");
                    break;
            }
        }
    }

    [Test]
    public async Task The_thread_pool_minimum_raised_for_long_runs_returns_to_what_it_was()
    {
        await LongRunsEndedAsync();
        ThreadPool.GetMinThreads(out var before, out _);
        var looping = ScriptHarness.Processor("while (true) {}", new { timeoutMs = 600, maxStatements = int.MaxValue });

        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Run(looping, i)));
        ThreadPool.GetMinThreads(out var during, out _);
        await LongRunsEndedAsync();
        ThreadPool.GetMinThreads(out var after, out _);

        Assert.That(LongRunCompensation.Compensation, Is.Zero);
        Assert.That(after, Is.EqualTo(before));
        TestContext.Out.WriteLine($"minimum worker threads: {before} before, {during} at the end of the long runs, {after} after");
    }

    // Other tests' long runs may still be winding down.
    private static async Task LongRunsEndedAsync()
    {
        var waited = Stopwatch.StartNew();
        while (LongRunCompensation.Compensation != 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }
    }

    // Of every ten requests: four loop until their timeout, one recurses, one counts statements, four are good.
    private static int Kind(int index) => (index % 10) switch
    {
        0 or 2 or 5 or 7 => Looping,
        1 => Recursing,
        3 => Counting,
        _ => Good,
    };

    // Every request starts on its own thread-pool work item, as Kestrel's do; its time includes any wait for a thread.
    private static Task<(int Index, ProcessorContext Context, TimeSpan Elapsed)> Run(IProcessor processor, int index)
    {
        var watch = Stopwatch.StartNew();
        return Task.Run(async () =>
        {
            var context = ScriptHarness.Context(new JsonObject { ["n"] = index * 10 });
            await processor.ExecuteAsync(context, CancellationToken.None);
            return (index, context, watch.Elapsed);
        });
    }
}
