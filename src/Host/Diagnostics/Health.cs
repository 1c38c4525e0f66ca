using DataHub.Host.Schema;

namespace DataHub.Host.Diagnostics;

/// <summary>What /health reports to operators: what is served, which plug-ins loaded and which did not.</summary>
public static class Health
{
    public static object Describe(SchemaCatalog catalog)
    {
        var plugins = catalog.Plugins;
        return new
        {
            status = plugins.Failures.Count == 0 ? "healthy" : "degraded",
            instances = catalog.Current.Instances.Values.Select(i => new
            {
                name = i.Name,
                systems = i.Systems.Values.Select(s => new { reference = s.Reference, entities = s.Entities.Count }),
            }),
            plugins = plugins.Plugins.Select(p => new { name = p.Name, processors = p.Plugin.ProcessorNames, contract = p.ContractVersion.ToString() }),
            pluginFailures = plugins.Failures.Select(f => new { folder = f.Directory, reason = f.Reason }),
        };
    }
}
