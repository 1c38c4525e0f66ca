using System.Text.Json.Nodes;

namespace DataHub.Plugins.Actions;

/// <summary>The JSON types an input field may declare.</summary>
internal enum InputType
{
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
}

/// <summary>
/// One declared input field. A default is a JSON literal, or (written as a string) an expression over the other
/// inputs, evaluated through block <see cref="DefaultBlock"/>.
/// </summary>
internal sealed record InputField(
    string Name, InputType Type, bool Required, int? MaxLength, decimal? Minimum, decimal? Maximum, IReadOnlyList<JsonNode?>? Enum)
{
    public JsonNode? DefaultLiteral { get; init; }

    public int? DefaultBlock { get; init; }
}

/// <summary>A column set from an expression; its value is element <see cref="Index"/> of the step's block.</summary>
internal sealed record ColumnValue(string Column, int Index);

/// <summary>
/// A column whose value is the key of a row found by another unique column (<c>reference … through</c>): the row of
/// <see cref="Table"/> whose <see cref="Through"/> equals the value; <see cref="Key"/> is what is stored.
/// A missing row is a validation error under <see cref="Field"/>.
/// </summary>
internal sealed record ReferenceValue(string Column, string Table, string Through, string Key, string Field, int Index);

/// <summary>One step of an action, in the order it runs. <see cref="Block"/> is its expressions' block.</summary>
internal abstract record Step(int Position, string Kind, string? Alias, int Block)
{
    /// <summary>How errors and logs name it, as the configuration does: "actions[2] (create org)".</summary>
    public string Name => Alias is null ? $"actions[{Position}] ({Kind})" : $"actions[{Position}] ({Kind} {Alias})";
}

/// <summary>SQL with <c>?</c> placeholders; an array of rows, or exactly one row when <see cref="Single"/>.</summary>
internal sealed record QueryStep(int Position, string? Alias, int Block, string Sql, int ParameterCount, bool Single)
    : Step(Position, "query", Alias, Block);

/// <summary>A create, update or delete of rows of one table; the written row is returned for create and update.</summary>
internal sealed record WriteStep(
    int Position, string Kind, string? Alias, int Block, string Table,
    IReadOnlyList<ColumnValue> Set, IReadOnlyList<ReferenceValue> References, IReadOnlyList<ColumnValue> Where)
    : Step(Position, Kind, Alias, Block);

/// <summary>A rule that must hold, or <see cref="Code"/> is reported under <see cref="Key"/>.</summary>
internal sealed record ValidateStep(int Position, int Block, string Key, string Code, string Message)
    : Step(Position, "validate", null, Block);

/// <summary>A script whose return value is stored under its alias.</summary>
internal sealed record ExecuteStep(int Position, string? Alias, int Block) : Step(Position, "execute", Alias, Block);

/// <summary>The answer: body, then one value per header, in <see cref="Headers"/> order.</summary>
internal sealed record RespondStep(int Position, int Block, int? HttpStatus, IReadOnlyList<string> Headers)
    : Step(Position, "respond", null, Block);

/// <summary>An Actions entity's configuration, checked and compiled.</summary>
internal sealed record ActionsConfig(
    string DataStore, bool AllowsDryRun, IReadOnlyList<InputField>? Input, IReadOnlyList<Step> Steps);
