using System.Text.Json.Nodes;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>The types a parameter may declare (Datahub's field types, plus the execute page's <c>string</c>).</summary>
internal enum ParameterType
{
    String,
    Integer,
    SmallInt,
    BigInt,
    Double,
    Decimal,
    Boolean,
    Date,
    Timestamp,
}

/// <summary>One <c>parameters</c> entry: a field definition identified by <c>reference</c>.</summary>
internal sealed record ParameterDefinition(
    string Reference, ParameterType Type, int? Length, int? Precision, int? Scale, JsonNode? Default);

/// <summary>
/// An ExecuteSql configuration: from the entity's processorConfig, or from a passThrough call. Read even when it has
/// errors, so that the placeholder check can still be reported with them: <paramref name="ParameterCount"/> counts
/// every entry of <c>parameters</c>, <paramref name="Parameters"/> only the valid ones.
/// </summary>
internal sealed record SqlConfig(
    string? Sql, IReadOnlyList<ParameterDefinition> Parameters, int ParameterCount, bool Execute, bool PassThrough, string? DataStore);
