using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace DataHub.Plugins;

/// <summary>What <see cref="IProcessorPlugin.Prepare"/> knows about the entity it prepares.</summary>
public sealed class ProcessorSetup
{
    /// <summary>The entity being prepared.</summary>
    public required EntityAddress Entity { get; init; }

    /// <summary>
    /// The entity's <c>processorConfig</c> as written: a JSON object, or a string (which may hold JSON or a script,
    /// as Datahub writes it), or null when absent.
    /// </summary>
    public JsonNode? ProcessorConfig { get; init; }

    /// <summary>The entity's definition as written in the schema. Read-only by convention: it is not copied.</summary>
    public required JsonObject EntityMapping { get; init; }

    /// <summary>The entity's data store name: its <c>dataStore</c>, else the instance default <c>database</c>.</summary>
    public required string DataStoreName { get; init; }

    /// <summary>The roles the entity requires (a caller needs one of them); empty when it lists none.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The instance's folder, against which relative file names in a configuration resolve.</summary>
    public required string InstanceDirectory { get; init; }

    /// <summary>
    /// The instance's data stores, to check a configured store exists. Do not connect at prepare time. They are the
    /// same stores the entity's requests get in <see cref="ProcessorContext.DataStores"/> (a reload replaces both), so a
    /// processor may keep the one it needs.
    /// </summary>
    public required IDataStores DataStores { get; init; }

    /// <summary>A logger named after the plug-in.</summary>
    public required ILogger Logger { get; init; }
}
