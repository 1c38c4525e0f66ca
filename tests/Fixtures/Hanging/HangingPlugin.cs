using DataHub.Plugins;
using Microsoft.Extensions.Logging;

namespace DataHub.Fixtures.Hanging;

/// <summary>Never returns until its request is cancelled; logs that it saw the cancellation.</summary>
public sealed class HangingPlugin : IProcessorPlugin
{
    public const string CancelledMessage = "hanging processor observed cancellation";

    public IReadOnlyCollection<string> ProcessorNames { get; } = ["Hanging"];

    public PrepareResult Prepare(ProcessorSetup setup) => PrepareResult.Success(new Processor());

    private sealed class Processor : IProcessor
    {
        public async Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
#pragma warning disable CA1848, CA2254 // A fixture: clarity over logging performance.
                context.Logger.LogInformation(CancelledMessage);
#pragma warning restore CA1848, CA2254
                throw;
            }
        }
    }
}
