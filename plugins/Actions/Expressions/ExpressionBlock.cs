namespace DataHub.Plugins.Actions.Expressions;

/// <summary>One JavaScript expression of the configuration, with where it was written (for error messages).</summary>
internal sealed record Expression(string Where, string Source);

/// <summary>
/// What one step evaluates in one crossing into the engine: its expressions, seeing the context names
/// <see cref="Visible"/>. Without a script the block's value is the array of the expressions' values; with one,
/// the expressions are the script's <c>args</c> (named <see cref="ArgNames"/>) and the block's value is what the script returns.
/// </summary>
internal sealed record ExpressionBlock(IReadOnlyList<string> Visible, IReadOnlyList<Expression> Expressions)
{
    public string? Script { get; init; }

    public string? ScriptWhere { get; init; }

    public IReadOnlyList<string> ArgNames { get; init; } = [];
}

/// <summary>Limits of one evaluation: the wall-clock time it may take and the heap an engine may use.</summary>
internal sealed record ScriptLimits(TimeSpan Timeout, int HeapMegabytes)
{
    public static readonly ScriptLimits Default = new(TimeSpan.FromSeconds(1), 64);
}

/// <summary>Why an evaluation failed: the script threw, ran out of time, or ran out of memory.</summary>
internal enum EvaluationFailure
{
    Threw,
    TimedOut,
    OutOfMemory,
}

/// <summary>An evaluation that did not produce a value. <see cref="Detail"/> is the engine's text: Debug logs only.</summary>
internal sealed class EvaluationException(EvaluationFailure failure, string detail) : Exception(detail)
{
    public EvaluationFailure Failure { get; } = failure;

    public string Detail { get; } = detail;
}
