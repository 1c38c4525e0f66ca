using System.Runtime.Loader;
using System.Text.Json.Nodes;
using DataHub.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataHub.Fixtures.SharedDependency;

/// <summary>Logs through the ILogger the host gives it and says which load context its logging and DI types come from.</summary>
public sealed class SharedDependencyPlugin : IProcessorPlugin
{
    private readonly string _dependencyInjection;

    // Touches the dependency before the shared assembly that references it, so that it loads first: it must come
    // from the host even so, not from this plug-in's folder.
    public SharedDependencyPlugin() =>
        _dependencyInjection = AssemblyLoadContext.GetLoadContext(typeof(IServiceCollection).Assembly)!.Name!;

    public IReadOnlyCollection<string> ProcessorNames { get; } = ["SharedDependency"];

    public PrepareResult Prepare(ProcessorSetup setup)
    {
        setup.Logger.LogInformation("SharedDependency prepared {Entity}", setup.Entity.Entity);
        return PrepareResult.Success(new Processor(_dependencyInjection));
    }

    private sealed class Processor(string dependencyInjection) : IProcessor
    {
        public Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken)
        {
            context.Response = new JsonObject
            {
                ["logging"] = AssemblyLoadContext.GetLoadContext(typeof(ILogger).Assembly)!.Name,
                ["dependencyInjection"] = dependencyInjection,
            };
            return Task.CompletedTask;
        }
    }
}
