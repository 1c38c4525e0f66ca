using System.Text.Json.Nodes;
using DataHub.Plugins;

namespace DataHub.Fixtures.ContractPlugin;

/// <summary>
/// Uses only what contract 1.0 had (Prepare, ExecuteAsync, Data, Response). Built against several contract versions
/// (the Contract* projects beside it); its processor name says which.
/// </summary>
public sealed class ContractPlugin : IProcessorPlugin
{
    public IReadOnlyCollection<string> ProcessorNames { get; } = [ThisAssembly.ProcessorName];

    public PrepareResult Prepare(ProcessorSetup setup) => PrepareResult.Success(new Processor());

    private sealed class Processor : IProcessor
    {
        public Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken)
        {
            context.Response = new JsonObject
            {
                ["builtAgainst"] = typeof(ContractPlugin).Assembly.GetReferencedAssemblies()
                    .Single(a => a.Name == "DataHub.Plugin.Abstractions").Version!.ToString(2),
                ["data"] = context.Data?.DeepClone(),
            };
            return Task.CompletedTask;
        }
    }
}
