using System.Runtime.Loader;
using System.Text.Json.Nodes;
using DataHub.Plugins;
using Npgsql;

namespace DataHub.Fixtures.OldNpgsql;

/// <summary>Reports which Npgsql it runs with and which load context holds it.</summary>
public sealed class OldNpgsqlPlugin : IProcessorPlugin
{
    public IReadOnlyCollection<string> ProcessorNames { get; } = ["OldNpgsql"];

    public PrepareResult Prepare(ProcessorSetup setup) => PrepareResult.Success(new Processor());

    private sealed class Processor : IProcessor
    {
        public Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken)
        {
            var npgsql = typeof(NpgsqlConnection).Assembly;
            context.Response = new JsonObject
            {
                ["npgsqlVersion"] = npgsql.GetName().Version!.ToString(),
                ["loadContext"] = AssemblyLoadContext.GetLoadContext(npgsql)!.Name,
            };
            return Task.CompletedTask;
        }
    }
}
