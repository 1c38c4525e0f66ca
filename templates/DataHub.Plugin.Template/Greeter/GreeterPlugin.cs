using System.Text.Json;
using System.Text.Json.Nodes;
using DataHub.Plugins;

namespace Greeter;

/// <summary>
/// The plug-in's entry point. The host creates it once and calls <see cref="Prepare"/> once for every entity whose
/// "processor" is "Greeter", when the schema loads; each entity's requests then go to the processor it returned.
/// </summary>
public sealed class GreeterPlugin : IProcessorPlugin
{
    public IReadOnlyCollection<string> ProcessorNames { get; } = ["Greeter"];

    /// <summary>Checks the entity's processorConfig, <c>{"greeting": "Hello"}</c> (optional), once.</summary>
    public PrepareResult Prepare(ProcessorSetup setup)
    {
        var greeting = "Hello";
        if (setup.ProcessorConfig is JsonObject config && config["greeting"] is { } configured)
        {
            if (configured.GetValueKind() != JsonValueKind.String)
            {
                // Every problem is reported with the entity's file and name; nothing is served until it is fixed.
                return PrepareResult.Failure("processorConfig.greeting must be a string.");
            }
            greeting = configured.GetValue<string>();
        }
        return PrepareResult.Success(new GreeterProcessor(greeting));
    }
}

/// <summary>Serves one entity; shared by all its requests at once, so it keeps no per-request state.</summary>
internal sealed class GreeterProcessor(string greeting) : IProcessor
{
    public Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken)
    {
        var name = "world";
        if (context.Data is JsonObject data && data["name"] is { } given)
        {
            // Read data by its kind, never with GetValue<string>() on whatever came: {"name": 42} is the caller's
            // mistake (400, status 25), not a crash (500).
            if (given.GetValueKind() != JsonValueKind.String)
            {
                context.Fail(MessageStatus.DataInvalid, "'name' must be a string.");
                return Task.CompletedTask;
            }
            name = given.GetValue<string>();
        }
        context.Response = new JsonObject { ["greeting"] = $"{greeting}, {name}!" };
        return Task.CompletedTask;
    }
}
