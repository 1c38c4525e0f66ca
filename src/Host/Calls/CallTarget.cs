using System.Text.Json.Nodes;
using DataHub.Host.Schema;

namespace DataHub.Host.Calls;

/// <summary>
/// An execute entity a caller may run, found from either endpoint: its instance, system, entity and processor, the
/// entity name as the caller wrote it, and the authenticated user (null when anonymous).
/// </summary>
public sealed record CallTarget(
    InstanceDefinition Instance,
    SystemDefinition System,
    EntityDefinition Entity,
    PreparedProcessor Processor,
    string EntityName,
    JsonObject? User);
