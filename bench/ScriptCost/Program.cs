using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using DataHub.Plugins;
using DataHub.Plugins.Script;
using Microsoft.Extensions.Logging.Abstractions;

// Prints what one request costs the Script plug-in (time, and allocation on the calling thread), best of several
// rounds after a warm-up long enough for tiered JIT. A short script runs on the calling thread (a brief run, see
// docs/script.md), so there is no hand-off to a worker thread in these figures.
const int Requests = 20_000;
const int Rounds = 5;

var hello = Prepare("attributes.put('response',{message:'Hello world'});");
var withDeclarations = Prepare("const greeting = 'Hello'; const who = () => 'world'; attributes.put('response', {message: `${greeting} ${who()}`});");

var (helloMicros, helloBytes) = Measure(hello, new JsonObject(), Requests, IsHelloWorld);
var (declarationsMicros, declarationsBytes) = Measure(withDeclarations, new JsonObject(), Requests, IsHelloWorld);

Console.WriteLine($"hello world through the plug-in: {helloMicros:F2} µs and {helloBytes} bytes per request");
Console.WriteLine($"the same with const, an arrow function and a template literal: {declarationsMicros:F2} µs and {declarationsBytes} bytes per request");

// bench/run's transform case, without HTTP: the shared script over the shared 88 KB body (the context keeps its JSON
// text after the first request, as the host hands a body over: as text). Its path is the first argument, the
// script's the second; without them this case is skipped.
if (args is [var dataPath, var scriptPath])
{
    var transform = Prepare(File.ReadAllText(scriptPath));
    var data = JsonNode.Parse(File.ReadAllText(dataPath))!;
    var (transformMicros, transformBytes) = Measure(transform, data, Requests / 20, response => response?["top"] is JsonArray);
    Console.WriteLine($"transform through the plug-in: {transformMicros:F2} µs and {transformBytes} bytes per request");
}
return 0;

static bool IsHelloWorld(JsonNode? response) => response?["message"]?.GetValue<string>() == "Hello world";

static IProcessor Prepare(string script) =>
    new ScriptPlugin().Prepare(new ProcessorSetup
    {
        Entity = new EntityAddress("bench", "services", "hello"),
        ProcessorConfig = JsonValue.Create(script),
        EntityMapping = new JsonObject { ["execute"] = true, ["processor"] = "Script" },
        DataStoreName = "database",
        InstanceDirectory = Path.GetTempPath(),
        DataStores = new NoDataStores(),
        Logger = NullLogger.Instance,
    }).Processor ?? throw new InvalidOperationException("the script did not prepare");

static (double Micros, long Bytes) Measure(IProcessor processor, JsonNode data, int requests, Func<JsonNode?, bool> answered)
{
    var context = new ProcessorContext(new JsonObject { ["processor"] = "Script" })
    {
        Data = data,
        DataStores = new NoDataStores(),
        Logger = NullLogger.Instance,
        TraceId = "bench",
    };
    var warmUp = Stopwatch.StartNew();
    while (warmUp.Elapsed < TimeSpan.FromSeconds(2))
    {
        processor.ExecuteAsync(context, CancellationToken.None).GetAwaiter().GetResult();
    }
    if (!answered(context.Response))
    {
        throw new InvalidOperationException($"unexpected response {context.Response?.ToJsonString()}");
    }
    var best = double.MaxValue;
    long bytes = 0;
    for (var round = 0; round < Rounds; round++)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < requests; i++)
        {
            processor.ExecuteAsync(context, CancellationToken.None).GetAwaiter().GetResult();
        }
        var micros = watch.Elapsed.TotalMicroseconds / requests;
        if (micros < best)
        {
            best = micros;
            bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / requests;
        }
    }
    return (best, bytes);
}

internal sealed class NoDataStores : IDataStores
{
    public IReadOnlyCollection<string> Names => [];

    public bool TryGet(string name, [NotNullWhen(true)] out IDataStore? store)
    {
        store = null;
        return false;
    }
}
