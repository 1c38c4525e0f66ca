using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DataHub.Plugins.Script;

/// <summary>
/// The Script plug-in's counters, on a meter of its own, "DataHub.Script". The host exports every meter named
/// "DataHub.*", and System.Diagnostics.Metrics is the runtime's, shared by host and plug-ins, so the counters reach
/// Prometheus without any change to the plug-in contract.
/// </summary>
internal static class ScriptMetrics
{
    public const string MeterName = "DataHub.Script";

    public const string Timeout = "timeout";
    public const string Memory = "memory";
    public const string Stack = "stack";

    private static readonly Meter _meter = new(MeterName);
    private static readonly Counter<long> _stops = _meter.CreateCounter<long>("datahub.script.stops",
        description: "Script runs stopped by a limit, by instance, system, entity and reason: timeout (timeoutMs), memory (maxHeapMB) or stack.");

    /// <summary>One run stopped by a limit; the labels are the loaded entity's names, never a caller's.</summary>
    public static void Stopped(EntityCall? call, string reason)
    {
        if (!_stops.Enabled)
        {
            return;
        }
        _stops.Add(1, new TagList
        {
            { "datahub.instance", call?.Instance },
            { "datahub.system", call?.System },
            { "datahub.entity", call?.Entity },
            { "reason", reason },
        });
    }
}
