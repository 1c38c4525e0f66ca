using System.Text.Json.Nodes;

namespace DataHub.Plugins;

/// <summary>
/// Which entity a request called, under which request id and in which host environment: the typed form of the
/// <c>context</c> attribute (<see cref="ProcessorContext.Context"/>).
/// </summary>
public sealed record EntityCall(string Instance, string System, string Entity, string RequestId, string Environment)
{
    /// <summary>The <c>context</c> attribute: <c>{instance, system, entity, requestId, environment}</c>.</summary>
    public JsonObject ToJson() => new()
    {
        ["instance"] = Instance,
        ["system"] = System,
        ["entity"] = Entity,
        ["requestId"] = RequestId,
        ["environment"] = Environment,
    };
}
