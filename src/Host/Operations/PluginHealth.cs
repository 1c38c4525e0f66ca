using DataHub.Host.Schema;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataHub.Host.Operations;

/// <summary>
/// A plug-in folder that did not load leaves the host degraded, still ready: what loaded is served, and entities on a
/// missing plug-in were already refused when the schema loaded.
/// </summary>
public sealed class PluginHealth(SchemaCatalog catalog) : IHealthCheck
{
    public const string Name = "plugins";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failures = catalog.Plugins.Failures.Count;
        return Task.FromResult(failures == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded($"{failures} plug-in folder(s) did not load."));
    }
}
