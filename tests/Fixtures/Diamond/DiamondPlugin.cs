using System.Text.Json.Nodes;
using DataHub.Plugins;
using Microsoft.Extensions.Logging;

namespace DataHub.Fixtures.Diamond;

/// <summary>Would answer with a type from its private Microsoft.Extensions.Logging, whose own dependency the host cannot give it.</summary>
public sealed class DiamondPlugin : IProcessorPlugin
{
    public IReadOnlyCollection<string> ProcessorNames { get; } = ["Diamond"];

    public PrepareResult Prepare(ProcessorSetup setup) => PrepareResult.Success(new Processor());

    private sealed class Processor : IProcessor
    {
        public Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken)
        {
            context.Response = new JsonObject { ["options"] = typeof(LoggerFilterOptions).FullName };
            return Task.CompletedTask;
        }
    }
}
