using System.Text.Json.Nodes;
using DataHub.Plugins;

namespace DataHub.Fixtures.Swap;

/// <summary>
/// Two builds of one plug-in, "Swap" (SwapV1/ and SwapV2/), for replacing a plug-in in a running host. It answers
/// with its version after waiting data.waitMs; version 2 refuses a processorConfig that sets "legacy".
/// </summary>
public sealed class SwapPlugin : IProcessorPlugin
{
    public IReadOnlyCollection<string> ProcessorNames { get; } = ["Swap"];

    public PrepareResult Prepare(ProcessorSetup setup) =>
        ThisVersion.Number > 1 && setup.ProcessorConfig is JsonObject config && config.ContainsKey("legacy")
            ? PrepareResult.Failure($"version {ThisVersion.Number} no longer takes 'legacy'")
            : PrepareResult.Success(new Processor());

    private sealed class Processor : IProcessor
    {
        public async Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken)
        {
            if (context.Data is JsonObject data && data["waitMs"] is JsonValue wait && wait.TryGetValue<int>(out var milliseconds))
            {
                await Task.Delay(milliseconds, cancellationToken);
            }
            context.Response = new JsonObject { ["version"] = ThisVersion.Number };
        }
    }
}
