namespace DataHub.Plugins;

/// <summary>
/// A processor that can run a call as a dry run: every step runs in one transaction, which it rolls back instead of
/// committing, and the answer is what a real run would have sent. The host refuses a dry run (<c>Prefer: tx=rollback</c>
/// or the <c>dryRun</c> parameter) for a processor that does not implement this, or whose
/// <see cref="AllowsDryRun"/> is false, so a dry run is never silently a real one. Added in contract 1.2.
/// </summary>
public interface IDryRunProcessor : IProcessor
{
    /// <summary>False when the entity's configuration forbids dry runs; then the host refuses them with a 400.</summary>
    bool AllowsDryRun { get; }
}
