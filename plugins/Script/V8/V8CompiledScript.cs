namespace DataHub.Plugins.Script.V8;

/// <summary>
/// One entity's script, ready to run on V8: its source wrapped as a function body, its limits, and whether it
/// needs its microtasks drained before its outputs are read. Each worker compiles it on first use, once per isolate.
/// </summary>
internal sealed class V8CompiledScript(V8Pool pool, ScriptSource source, ScriptLimits limits, bool isAsync, ThrowSites throwSites) : ICompiledScript
{
    public bool IsAsync => isAsync;

    public ThrowSites ThrowSites => throwSites;

    public ScriptSource Source => source;

    public ScriptLimits Limits => limits;

    /// <summary>The code a worker compiles: the script as the body of a function.</summary>
    public string Code { get; } = ScriptPrelude.Wrap(source.Text, isAsync);

    /// <summary>Whether the outputs are read only after the engine has drained the script's promises.</summary>
    public bool TwoSteps { get; } = ScriptPrelude.NeedsTwoSteps(source.Text, isAsync);

    /// <summary>Whether the last run went past <see cref="V8Pool.BriefMs"/>: then the next one goes to a dedicated worker.</summary>
    public bool RunsLong { get; set; }

    public Task<ScriptRun> RunAsync(ScriptRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!RunsLong && limits.MaxStackKB <= V8Pool.BriefStackKB && pool.TryRunHere(this, request, cancellationToken, out var run))
        {
            return Task.FromResult(run);
        }
        var job = new V8RunJob(this, request, cancellationToken);
        pool.Post(job);
        return job.Task;
    }
}
