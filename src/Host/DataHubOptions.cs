using DataHub.Host.Caching;

namespace DataHub.Host;

/// <summary>The host's settings: the "DataHub" configuration section, plus --schema and --plugins.</summary>
public sealed record DataHubOptions
{
    public const string Section = "DataHub";

    /// <summary>The schema folder: one sub-folder per instance. Relative to the content root.</summary>
    public string Schema { get; init; } = "schema";

    /// <summary>More plug-in folders, searched after the host's own plugins/ folder.</summary>
    public IReadOnlyList<string> Plugins { get; init; } = [];

    /// <summary>The longest a request may run before it is cancelled and answered with 504 (status 26).</summary>
    public double RequestTimeoutSeconds { get; init; } = 30;

    /// <summary>The largest request body accepted; a larger one is answered with 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>Reload the schema when its files change; an invalid change is logged and the last good schema kept.</summary>
    public bool ReloadOnChange { get; init; } = true;

    /// <summary>
    /// Load plug-ins from the configured plug-in folders into collectible contexts, so that a replaced version is
    /// unloaded after its last request; their code then runs without tiered compilation or profile-guided optimisation.
    /// Off: a replaced version stays in memory until the host restarts.
    /// </summary>
    public bool CollectiblePlugins { get; init; }

    /// <summary>Redis, shared by several hosts: the caches' second level and their evictions (see <see cref="RedisOptions"/>).</summary>
    public RedisOptions Redis { get; init; } = new();

    public TimeSpan RequestTimeout => TimeSpan.FromSeconds(RequestTimeoutSeconds);

    /// <summary>Checks the settings, returning every problem.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Schema))
        {
            problems.Add($"{Section}:Schema must name a folder.");
        }
        if (RequestTimeoutSeconds is <= 0 or > 24 * 3600)
        {
            problems.Add($"{Section}:RequestTimeoutSeconds must be more than 0 and at most a day.");
        }
        if (MaxRequestBodyBytes <= 0)
        {
            problems.Add($"{Section}:MaxRequestBodyBytes must be positive.");
        }
        problems.AddRange(Redis.Validate());
        return problems;
    }
}
