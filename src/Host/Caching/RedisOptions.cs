using StackExchange.Redis;

namespace DataHub.Host.Caching;

/// <summary>
/// The "DataHub:Redis" settings. <see cref="Configuration"/> unset: the host shares nothing and caches in memory only.
/// </summary>
public sealed record RedisOptions
{
    public const string Section = DataHubOptions.Section + ":Redis";

    /// <summary>
    /// A StackExchange.Redis configuration string, e.g. <c>redis-1:6379,password=…,ssl=true</c>. Set it from the
    /// environment (<c>DataHub__Redis__Configuration</c>) when it carries a password.
    /// </summary>
    public string? Configuration { get; init; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Configuration);

    /// <summary>
    /// The client settings: connections keep retrying in the background instead of failing start-up, and a command
    /// sent while Redis is down fails at once instead of queueing behind the outage.
    /// </summary>
    public ConfigurationOptions ToClientOptions()
    {
        var options = ConfigurationOptions.Parse(Configuration!);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return options;
    }

    /// <summary>Every problem in the settings; the value itself is never repeated, as it may hold a password.</summary>
    public IReadOnlyList<string> Validate()
    {
        if (!IsConfigured)
        {
            return [];
        }
        try
        {
            return ToClientOptions().EndPoints.Count == 0 ? [$"{Section}:Configuration names no Redis endpoint (host:port)."] : [];
        }
        catch (ArgumentException)
        {
            return [$"{Section}:Configuration is not a StackExchange.Redis configuration string (host:port,option=value,…)."];
        }
    }
}
