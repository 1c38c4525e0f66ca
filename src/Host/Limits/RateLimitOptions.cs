using System.Globalization;
using System.Net;

namespace DataHub.Host.Limits;

/// <summary>One rate limit: at most <see cref="PermitLimit"/> requests in each window of <see cref="WindowSeconds"/>.</summary>
public sealed record RateLimitWindow
{
    /// <summary>Requests allowed per window; 0 turns this limit off.</summary>
    public int PermitLimit { get; init; }

    public double WindowSeconds { get; init; } = 60;

    public bool IsEnabled => PermitLimit > 0;

    public TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);
}

/// <summary>
/// The "DataHub:RateLimits" configuration section: a fixed-window limit per client address (every request,
/// counted before authentication) and one per authenticated user of an instance. Both are off unless configured:
/// the proxy in front usually owns this, and behind one every caller would share one address's budget.
/// </summary>
public sealed record RateLimitOptions
{
    public const string Section = "DataHub:RateLimits";

    public RateLimitWindow PerAddress { get; init; } = new();

    public RateLimitWindow PerUser { get; init; } = new();

    /// <summary>
    /// Proxies (IP addresses) whose X-Forwarded-For names the client. From any other peer the header is ignored, so a
    /// caller cannot pick its own address and budget.
    /// </summary>
    public IReadOnlyList<string> KnownProxies { get; init; } = [];

    /// <summary>Networks of such proxies, in CIDR form (10.0.0.0/8).</summary>
    public IReadOnlyList<string> KnownNetworks { get; init; } = [];

    public bool TrustsProxies => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    public static RateLimitOptions Read(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<RateLimitOptions>() ?? new RateLimitOptions();

    /// <summary>Checks the settings, returning every problem.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Check(PerAddress, nameof(PerAddress), problems);
        Check(PerUser, nameof(PerUser), problems);
        problems.AddRange(KnownProxies.Where(proxy => !IPAddress.TryParse(proxy, out _))
            .Select(proxy => $"{Section}:KnownProxies: '{proxy}' is not an IP address."));
        problems.AddRange(KnownNetworks.Where(network => !IPNetwork.TryParse(network, out _))
            .Select(network => $"{Section}:KnownNetworks: '{network}' is not a network in CIDR form (10.0.0.0/8)."));
        return problems;
    }

    private static void Check(RateLimitWindow limit, string name, List<string> problems)
    {
        if (limit.PermitLimit < 0)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:{name}:PermitLimit must be 0 (off) or more."));
        }
        if (limit.WindowSeconds is <= 0 or > 24 * 3600)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:{name}:WindowSeconds must be more than 0 and at most a day."));
        }
    }
}
