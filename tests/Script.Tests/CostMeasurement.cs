using System.Diagnostics;
using DataHub.Plugins;
using DataHub.Plugins.Script;
using DataHub.Plugins.Script.Jint;
using Jint;

namespace DataHub.Script.Tests;

/// <summary>
/// A measurement, not a timed test: prints what a request costs the plug-in (run with
/// <c>--logger "console;verbosity=detailed"</c> to see it), and checks only that the numbers come from correct runs.
/// </summary>
public sealed class CostMeasurement
{
    private const int Requests = 20_000;

    [Test]
    public async Task Measures_the_per_request_cost_of_hello_world_and_of_making_an_engine()
    {
        var hello = ScriptHarness.Processor("attributes.put('response',{message:'Hello world'});");
        var withGlobals = ScriptHarness.Processor("var greeting = 'Hello'; function who() { return 'world'; } attributes.put('response', {message: greeting + ' ' + who()});");

        var (helloMicros, helloBytes) = await MeasureAsync(hello);
        var (globalsMicros, globalsBytes) = await MeasureAsync(withGlobals);
        var engineMicros = Measure(() => new Engine(), 2_000);
        var compiled = (JintCompiledScript)new JintScriptEngine()
            .Compile(new ScriptSource("attributes.put('response',{message:'Hello world'});", "hello", "bench"), ScriptLimits.Default).Script!;
        var realmMicros = Measure(() => compiled.CreateRealm(), 500);

        TestContext.Out.WriteLine($"hello world through the plug-in: {helloMicros:F2} µs and {helloBytes} bytes per request");
        TestContext.Out.WriteLine($"a script declaring globals (restored after each run): {globalsMicros:F2} µs and {globalsBytes} bytes per request");
        TestContext.Out.WriteLine($"new Engine() in Jint 2.10.4: {engineMicros:F1} µs; a pooled, guarded engine: {realmMicros:F1} µs");
        Assert.That((await hello.RunAsync()).ResponseJson(), Is.EqualTo("""{"message":"Hello world"}"""));
        Assert.That((await withGlobals.RunAsync()).ResponseJson(), Is.EqualTo("""{"message":"Hello world"}"""));
    }

    private static async Task<(double Micros, long Bytes)> MeasureAsync(IProcessor processor)
    {
        for (var i = 0; i < Requests / 10; i++)
        {
            await processor.ExecuteAsync(ScriptHarness.Context(), CancellationToken.None);
        }
        var contexts = Enumerable.Range(0, Requests).Select(_ => ScriptHarness.Context()).ToArray();
        using var cancellation = new CancellationTokenSource();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        foreach (var context in contexts)
        {
            // Synchronous inside: the task is already complete.
            processor.ExecuteAsync(context, cancellation.Token).GetAwaiter().GetResult();
        }
        watch.Stop();
        var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.That(contexts.All(c => c.Response is not null), "every request should have answered");
        return (watch.Elapsed.TotalMicroseconds / Requests, bytes / Requests);
    }

    private static double Measure(Action action, int times)
    {
        action();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < times; i++)
        {
            action();
        }
        return watch.Elapsed.TotalMicroseconds / times;
    }
}
