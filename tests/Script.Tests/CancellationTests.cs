using System.Diagnostics;

namespace DataHub.Script.Tests;

public sealed class CancellationTests
{
    [Test]
    public void A_cancelled_request_stops_its_running_script_promptly()
    {
        var processor = ScriptHarness.Processor("while (true) {}", new { timeoutMs = 60_000 });
        using var disconnect = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();

        Assert.ThrowsAsync<OperationCanceledException>(() => processor.RunAsync(cancellationToken: disconnect.Token));

        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "the script should stop long before its own timeout");
    }

    [Test]
    public void A_request_cancelled_before_it_starts_runs_no_script()
    {
        var processor = ScriptHarness.Processor("attributes.put('response', 1);");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAsync<OperationCanceledException>(() => processor.RunAsync(cancellationToken: cancelled.Token));
    }

    [Test]
    public async Task After_a_cancellation_the_engine_serves_the_next_request_with_its_full_timeout()
    {
        var processor = ScriptHarness.Processor("""
            var d = attributes.get('data'), until = Date.now() + d.busyMs;
            while (Date.now() < until) {}
            attributes.put('response', 'done');
            """, new { timeoutMs = 5_000 });
        using (var disconnect = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            Assert.ThrowsAsync<OperationCanceledException>(() => processor.RunAsync(System.Text.Json.Nodes.JsonNode.Parse("""{"busyMs": 60000}"""), disconnect.Token));
        }

        // Busy for longer than the cancelled run lasted: a deadline left over from it would cut this one short.
        using var live = new CancellationTokenSource();
        var context = await processor.RunAsync(System.Text.Json.Nodes.JsonNode.Parse("""{"busyMs": 300}"""), live.Token);

        Assert.That(context.ResponseJson(), Is.EqualTo("\"done\""));
    }

    [Test]
    public async Task Cancelling_after_a_request_ended_does_not_touch_the_next_one()
    {
        var processor = ScriptHarness.Processor("var until = Date.now() + 300; while (Date.now() < until) {} attributes.put('response', 'done');");
        using var first = new CancellationTokenSource();
        await processor.RunAsync(cancellationToken: first.Token);

        var second = processor.RunAsync(cancellationToken: CancellationToken.None);
        await first.CancelAsync();

        Assert.That((await second).ResponseJson(), Is.EqualTo("\"done\""));
    }
}
