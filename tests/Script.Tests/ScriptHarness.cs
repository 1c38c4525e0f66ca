using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using DataHub.Plugins;
using DataHub.Plugins.Script;
using DataHub.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataHub.Script.Tests;

/// <summary>Drives the plug-in through its contract, as the host does: Prepare once, then ExecuteAsync per request.</summary>
internal static class ScriptHarness
{
    public static readonly EntityAddress Entity = new("product", "services", "test");

    /// <summary>Prepares with the plug-in given (by default the real one, with V8 behind it).</summary>
    public static PrepareResult Prepare(JsonNode? processorConfig, string? instanceDirectory = null, ScriptPlugin? plugin = null) =>
        (plugin ?? new ScriptPlugin()).Prepare(new ProcessorSetup
        {
            Entity = Entity,
            ProcessorConfig = processorConfig,
            EntityMapping = new JsonObject { ["execute"] = true, ["processor"] = "Script" },
            DataStoreName = "database",
            InstanceDirectory = instanceDirectory ?? Path.GetTempPath(),
            DataStores = new NoDataStores(),
            Logger = NullLogger.Instance,
        });

    /// <summary>Prepares a script given as Datahub writes it (a string), or as the object form.</summary>
    public static IProcessor Processor(JsonNode processorConfig, string? instanceDirectory = null)
    {
        var prepared = Prepare(processorConfig, instanceDirectory);
        Assert.That(prepared.Errors, Is.Empty, "the script should prepare");
        return prepared.Processor!;
    }

    public static IProcessor Processor(string script) => Processor(JsonValue.Create(script));

    /// <summary>A script with limits: {"script": …, plus the limits given}.</summary>
    public static IProcessor Processor(string script, object limits)
    {
        var config = new JsonObject { ["script"] = script };
        foreach (var property in limits.GetType().GetProperties())
        {
            config[property.Name] = JsonValue.Create(property.GetValue(limits));
        }
        return Processor(config);
    }

    public static ProcessorContext Context(JsonNode? data = null, ILogger? logger = null, JsonObject? user = null, JsonNode? options = null) =>
        new(new JsonObject { ["execute"] = true, ["processor"] = "Script", ["description"] = "for tests" })
        {
            Data = data,
            Context = new JsonObject { ["instance"] = "product", ["system"] = "services", ["entity"] = "test", ["requestId"] = "trace-1" },
            User = user,
            Options = options,
            DataStores = new NoDataStores(),
            Logger = logger ?? NullLogger.Instance,
            TraceId = "trace-1",
        };

    public static async Task<ProcessorContext> RunAsync(this IProcessor processor, JsonNode? data = null, CancellationToken cancellationToken = default)
    {
        var context = Context(data);
        await processor.ExecuteAsync(context, cancellationToken);
        return context;
    }

    public static Task<ProcessorContext> RunAsync(this IProcessor processor, string dataJson) =>
        processor.RunAsync(JsonNode.Parse(dataJson));

    /// <summary>The response as compact JSON text ("(unset)" when the script set none).</summary>
    public static string ResponseJson(this ProcessorContext context) =>
        !context.IsResponseSet ? "(unset)" : context.Response?.ToJsonString() ?? "null";

    public static ILogger Logger(this CapturedLog log) => log.CreateLogger("DataHub.Plugins.Script");

    private sealed class NoDataStores : IDataStores
    {
        public IReadOnlyCollection<string> Names => [];

        public bool TryGet(string name, [NotNullWhen(true)] out IDataStore? store)
        {
            store = null;
            return false;
        }
    }
}
