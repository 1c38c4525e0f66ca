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

/// <summary>Which way a parameter's value travels: <c>in</c> from the call's data, <c>out</c> back in the answer, or both.</summary>
internal enum Direction
{
    In,
    Out,
    InOut,
}

/// <summary>Which result sets a statement answers with: the first with columns (as always), or every one in order.</summary>
internal enum ResultSets
{
    First,
    All,
}

/// <summary>One <c>parameters</c> entry: a field definition identified by <c>reference</c>.</summary>
internal sealed record ParameterDefinition(
    string Reference, ParameterType Type, int? Length, int? Precision, int? Scale, JsonNode? Default,
    Direction Direction = Direction.In);

/// <summary>
/// An ExecuteSql configuration: from the entity's processorConfig, or from a passThrough call. Read even when it has
/// errors, so that the placeholder check can still be reported with them: <paramref name="ParameterCount"/> counts
/// every entry of <c>parameters</c>, <paramref name="Parameters"/> only the valid ones. On a passThrough entity,
/// <paramref name="Execute"/>, <see cref="ReturnRows"/>, <see cref="ResultSets"/> and
/// <see cref="OutputParameters"/> say what its calls may ask for.
/// </summary>
internal sealed record SqlConfig(
    string? Sql, IReadOnlyList<ParameterDefinition> Parameters, int ParameterCount, bool Execute, bool PassThrough, string? DataStore)
{
    /// <summary>A command answers the rows it returns (<c>insert … returning</c>, SQL Server's OUTPUT) instead of its status.</summary>
    public bool ReturnRows { get; init; }

    public ResultSets ResultSets { get; init; }

    /// <summary>passThrough only: calls may declare <c>out</c> and <c>inout</c> parameters.</summary>
    public bool OutputParameters { get; init; }
}
