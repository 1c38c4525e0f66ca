using DataHub.Plugins;

namespace DataHub.Fixtures.Throwing;

/// <summary>Throws on every request, with a message full of things that must never reach a caller.</summary>
public sealed class ThrowingPlugin : IProcessorPlugin
{
    public const string SecretMessage = "Host=db;Password=hunter2 failed running SELECT secret FROM vault";

    public IReadOnlyCollection<string> ProcessorNames { get; } = ["Throwing"];

    public PrepareResult Prepare(ProcessorSetup setup) => PrepareResult.Success(new Processor());

    private sealed class Processor : IProcessor
    {
        public Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(SecretMessage);
    }
}
