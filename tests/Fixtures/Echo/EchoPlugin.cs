using System.Text.Json.Nodes;
using DataHub.Plugins;

namespace DataHub.Fixtures.Echo;

/// <summary>
/// Answers with every input it was given, or sets the outputs listed in data.set through the attributes view.
/// processorConfig {"reject": ["…"]} makes Prepare fail with those messages.
/// </summary>
public sealed class EchoPlugin : IProcessorPlugin
{
    public IReadOnlyCollection<string> ProcessorNames { get; } = ["Echo", "com.example.EchoPlugIn"];

    public PrepareResult Prepare(ProcessorSetup setup) =>
        setup.ProcessorConfig is JsonObject config && config["reject"] is JsonArray reasons
            ? PrepareResult.Failure([.. reasons.Select(r => r!.GetValue<string>())])
            : PrepareResult.Success(new EchoProcessor());

    private sealed class EchoProcessor : IProcessor
    {
        public Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken)
        {
            var attributes = context.Attributes;
            if (context.Data is JsonObject data && data["set"] is JsonObject outputs)
            {
                foreach (var (name, value) in outputs)
                {
                    attributes.Put(name, value?.DeepClone());
                }
                return Task.CompletedTask;
            }
            attributes.Put("response", new JsonObject
            {
                ["data"] = context.Data?.DeepClone(),
                ["context"] = context.Context.DeepClone(),
                ["user"] = context.User?.DeepClone(),
                ["options"] = context.Options?.DeepClone(),
                ["entityMapping"] = context.EntityMapping.DeepClone(),
                ["processorConfig"] = context.ProcessorConfig?.DeepClone(),
                ["dataStore"] = context.DataStoreName,
                ["traceId"] = context.TraceId,
            });
            return Task.CompletedTask;
        }
    }
}
