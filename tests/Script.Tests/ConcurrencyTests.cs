using System.Diagnostics;
using System.Text.Json.Nodes;
using DataHub.Plugins;

namespace DataHub.Script.Tests;

public sealed class ConcurrencyTests
{
    private const int TimeoutMs = 4_000;
    private const int Looping = 0, Recursing = 1, Allocating = 2, Good = 3;

    [Test]
    public async Task Fifty_concurrent_requests_mixing_good_and_runaway_scripts_each_get_their_own_answer()
    {
        var good = ScriptHarness.Processor("""
            var d = attributes.get('data'), sum = 0;
            for (var i = 0; i <= d.n; i++) { sum += i; }
            attributes.put('response', {n: d.n, sum: sum});
            """, new { timeoutMs = TimeoutMs });
        var looping = ScriptHarness.Processor("while (true) {}", new { timeoutMs = TimeoutMs });
        var recursing = ScriptHarness.Processor("function f(n) { return f(n + 1) + 1; } f(0);", new { maxRecursionDepth = 60 });
        var allocating = ScriptHarness.Processor("var a = []; for (;;) { a.push(new Array(100000).fill(a.length)); }", new { maxHeapMB = 16, timeoutMs = 20_000 });

        var requests = Enumerable.Range(0, 50).Select(i => Kind(i) switch
        {
            Looping => Run(looping, i),
            Recursing => Run(recursing, i),
            Allocating => Run(allocating, i),
            _ => Run(good, i),
        }).ToArray();
        var results = await Task.WhenAll(requests);

        TestContext.Out.WriteLine($"isolates (workers) alive: {DataHub.Plugins.Script.V8.V8Engine.Shared.Pool.Workers}");
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
                case Allocating:
                    Assert.That(context.ErrorMessage, Does.Contain("maxHeapMB (16 MB)"), $"request {index}");
                    break;
                default:
                    var n = index * 10;
                    Assert.That(context.ResponseJson(), Is.EqualTo($$"""{"n":{{n}},"sum":{{n * (n + 1) / 2}}}"""), $"request {index}");
                    // Each good request's own answer, not a timeout. Its time includes making a fresh isolate and engine on
                    // a cold worker while twenty runaways spin on two cores; on a quiet machine that is well under a second,
                    // so the bound only catches a good request queued behind a runaway for its whole timeout, twice.
                    Assert.That(elapsed, Is.LessThan(TimeSpan.FromMilliseconds(TimeoutMs)), $"request {index} should not wait on the runaways");
                    break;
            }
        }
    }

    // Promise.all over an endless iterator queues promise jobs as fast as it loops, and V8 keeps them in the isolate,
    // not in the engine an interrupted run discards: the next run there used to execute them first (16 s late).
    [Test]
    public async Task Promise_jobs_left_by_an_interrupted_run_are_never_run_by_the_next()
    {
        var runaway = ScriptHarness.Processor(
            "var it = {}; it[Symbol.iterator] = () => ({ next: () => ({ value: null, done: false }) }); Promise.all(it);",
            new { timeoutMs = 500, maxHeapMB = 1024 });
        var hello = ScriptHarness.Processor("attributes.put('response', {message: 'Hello world'});", new { timeoutMs = 3000 });

        var stopped = await runaway.RunAsync();
        var watch = Stopwatch.StartNew();
        var next = await hello.RunAsync();

        Assert.That(stopped.Status, Is.EqualTo(MessageStatus.ReprocessTimeout));
        Assert.That(next.Response?["message"]?.GetValue<string>(), Is.EqualTo("Hello world"), next.ErrorMessage);
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)), "the next run is not slowed past its own timeout");
    }

    // Of every ten requests: four loop until their timeout, one recurses, one allocates without end, four are good.
    private static int Kind(int index) => (index % 10) switch
    {
        0 or 2 or 5 or 7 => Looping,
        1 => Recursing,
        3 => Allocating,
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
