namespace DataHub.Plugins;

/// <summary>The outcome of <see cref="IProcessorPlugin.Prepare"/>: a processor, or every reason there is none.</summary>
public sealed class PrepareResult
{
    private PrepareResult(IProcessor? processor, IReadOnlyList<string> errors)
    {
        Processor = processor;
        Errors = errors;
    }

    /// <summary>The prepared processor; null when <see cref="Errors"/> is not empty.</summary>
    public IProcessor? Processor { get; }

    /// <summary>Every problem found in the configuration, each a sentence a schema author can act on.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>The configuration was accepted.</summary>
    public static PrepareResult Success(IProcessor processor)
    {
        ArgumentNullException.ThrowIfNull(processor);
        return new PrepareResult(processor, []);
    }

    /// <summary>The configuration was rejected for these reasons (at least one).</summary>
    public static PrepareResult Failure(params string[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Length == 0)
        {
            throw new ArgumentException("A failure needs at least one error.", nameof(errors));
        }
        return new PrepareResult(null, errors);
    }
}
