using DataHub.Plugins;
using Microsoft.Extensions.Primitives;

namespace DataHub.Host.Servlet;

/// <summary>
/// Whether a call asks for a dry run: <c>Prefer: tx=rollback</c> (as PostgREST spells it) or the <c>dryRun</c> URL
/// parameter. A processor that cannot roll its work back, or whose entity forbids it, gets no dry-run call: the host
/// refuses it, so a dry run is never silently a real one.
/// </summary>
public static class DryRunRequest
{
    public const string PreferHeader = "Prefer";
    public const string PreferenceAppliedHeader = "Preference-Applied";
    public const string Rollback = "tx=rollback";
    public const string Parameter = "dryRun";

    /// <summary>Reads the request: whether it asks for a dry run, or the error that refuses a malformed ask.</summary>
    public static (bool DryRun, HostError? Error) Read(HttpRequest request)
    {
        var prefersRollback = false;
        var prefersCommit = false;
        foreach (var header in request.Headers[PreferHeader])
        {
            foreach (var preference in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var name = preference.Replace(" ", "", StringComparison.Ordinal);
                prefersRollback |= string.Equals(name, Rollback, StringComparison.OrdinalIgnoreCase);
                prefersCommit |= string.Equals(name, "tx=commit", StringComparison.OrdinalIgnoreCase);
            }
        }

        bool? parameter = null;
        if (request.QueryString.HasValue && request.Query.TryGetValue(Parameter, out var values))
        {
            parameter = ParseFlag(values);
            if (parameter is null)
            {
                return (false, HostError.InvalidInput("The 'dryRun' parameter must be true or false."));
            }
        }

        if (prefersRollback && prefersCommit || prefersRollback && parameter == false || prefersCommit && parameter == true)
        {
            return (false, HostError.InvalidInput("The request asks both for a dry run and for a real one (Prefer: tx and dryRun disagree)."));
        }
        return (prefersRollback || parameter == true, null);
    }

    /// <summary>The refusal for an entity that cannot or may not run dry.</summary>
    public static HostError? Refusal(IProcessor processor, string entity) => processor switch
    {
        IDryRunProcessor { AllowsDryRun: true } => null,
        IDryRunProcessor => HostError.InvalidInput($"Entity '{entity}' does not allow dry runs; nothing was run."),
        _ => HostError.InvalidInput($"Entity '{entity}' cannot be run as a dry run: its processor cannot roll its work back; nothing was run."),
    };

    private static bool? ParseFlag(StringValues values) => values.Count != 1 ? null : values[0]?.Trim().ToLowerInvariant() switch
    {
        "" or "true" or "1" => true,
        "false" or "0" => false,
        _ => null,
    };
}
