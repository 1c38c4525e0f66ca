using DataHub.Plugins;

namespace DataHub.Fixtures.Broken;

/// <summary>Fails while the host loads it: its constructor throws.</summary>
public sealed class BrokenPlugin : IProcessorPlugin
{
    public BrokenPlugin() => throw new InvalidOperationException("the broken fixture refuses to start");

    public IReadOnlyCollection<string> ProcessorNames => ["Broken"];

    public PrepareResult Prepare(ProcessorSetup setup) => throw new NotSupportedException();
}
