using System.Diagnostics;
using DataHub.Plugins;
using DataHub.Plugins.Script;
using DataHub.Plugins.Script.Jint;
using Jint;

namespace DataHub.Script.Tests;

/// <summary>
/// A measurement, not a timed test: prints what a request costs the plug-in (run with
/// <c>-c Release --logger "console;verbosity=detailed"</c> to see it), best of several rounds because the machine is
/// shared, and checks only that the numbers come from correct runs.
/// </summary>
public sealed class CostMeasurement
{
    private const int Requests = 20_000;
    private const int Rounds = 5;
    private const string Hello = "attributes.put('response',{message:'Hello world'});";

    [Test]
    public async Task Measures_the_per_request_cost_of_hello_world_and_of_making_an_engine()
    {
        var hello = ScriptHarness.Processor(Hello);
        var withGlobals = ScriptHarness.Processor("var greeting = 'Hello'; function who() { return 'world'; } attributes.put('response', {message: greeting + ' ' + who()});");
        var compiled = (JintCompiledScript)new JintScriptEngine().Compile(new ScriptSource(Hello, "hello", "bench"), ScriptLimits.Default).Script!;

        var (helloMicros, helloBytes) = Measure(hello);
        var (globalsMicros, globalsBytes) = Measure(withGlobals);
        var engineMicros = Best(() => new Engine(), 200);
        var realmMicros = Best(() => compiled.CreateRealm(), 50);

        TestContext.Out.WriteLine($"hello world through the plug-in: {helloMicros:F2} µs and {helloBytes} bytes per request");
        TestContext.Out.WriteLine($"a script declaring globals, restored after each run: {globalsMicros:F2} µs and {globalsBytes} bytes per request");
        TestContext.Out.WriteLine($"new Engine() in Jint 2.10.4: {engineMicros:F0} µs; a pooled engine with its guard and host objects: {realmMicros:F0} µs");
        Assert.That((await hello.RunAsync()).ResponseJson(), Is.EqualTo("""{"message":"Hello world"}"""));
        Assert.That((await withGlobals.RunAsync()).ResponseJson(), Is.EqualTo("""{"message":"Hello world"}"""));
    }

    // One context reused, so that only the plug-in's own work and allocations are counted.
    private static (double Micros, long Bytes) Measure(IProcessor processor)
    {
        using var cancellation = new CancellationTokenSource();
        var context = ScriptHarness.Context();
        // Long enough for the JIT's tiering to reach the code a server runs in its steady state.
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < TimeSpan.FromSeconds(2))
        {
            processor.ExecuteAsync(context, cancellation.Token).GetAwaiter().GetResult();
        }
        var best = double.MaxValue;
        long bytes = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < Requests; i++)
            {
                // Synchronous inside: the task is already complete.
                processor.ExecuteAsync(context, cancellation.Token).GetAwaiter().GetResult();
            }
            watch.Stop();
            bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / Requests;
            best = Math.Min(best, watch.Elapsed.TotalMicroseconds / Requests);
        }
        Assert.That(context.Status, Is.Null, context.ErrorMessage);
        return (best, bytes);
    }

    private static double Best(Action action, int times)
    {
        action();
        var best = double.MaxValue;
        for (var round = 0; round < Rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < times; i++)
            {
                action();
            }
            best = Math.Min(best, watch.Elapsed.TotalMicroseconds / times);
        }
        return best;
    }
}
