using System.Text.Json.Nodes;

namespace DataHub.Plugins;

/// <summary>
/// A processor that can say what its calls send and, where its configuration fixes it, what a successful answer
/// looks like. The host puts both in the instance's OpenAPI document; a processor without this interface is described
/// by the entity's <c>fields</c>, or as taking any JSON object. Added in contract 1.3.
/// </summary>
public interface IInputSchemaProvider : IProcessor
{
    /// <summary>
    /// The JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) of a call's data: the POST body, or the
    /// <c>data</c> URL parameter. Called when a document is built, never during a request; the host reads it and does
    /// not change it, so a processor may build it once at prepare time. <see cref="InputSchemas.Field"/> describes a
    /// Datahub field definition.
    /// </summary>
    JsonObject InputSchema { get; }

    /// <summary>
    /// The JSON Schema of a successful answer's body, or null when the configuration does not fix it (a script's
    /// answer, say). Read like <see cref="InputSchema"/>.
    /// </summary>
    JsonObject? ResponseSchema { get; }
}
