namespace DataHub.Host.Operations;

/// <summary>
/// The operators' settings, the "DataHub:Operations" section: who counts as an operator, how long readiness waits for
/// a data store, where metrics and traces go, and how long a stopping host drains. Read once at start and checked with
/// the host's other settings (<see cref="DataHubApplication.CheckSettings"/>, also run by the validate verb), then
/// shared as this one immutable record.
/// </summary>
public sealed record OperationsOptions
{
    public const string Section = "DataHub:Operations";

    /// <summary>
    /// The secret an operator sends as <c>Authorization: Bearer …</c> to see health details and metrics. Unset: nobody
    /// sees details and the metrics endpoint answers 404. Set it from the environment
    /// (<c>DataHub__Operations__OperatorToken</c>), not in a file beside the host.
    /// </summary>
    public string? OperatorToken { get; init; }

    /// <summary>How long readiness waits for each data store to answer <c>SELECT 1</c> before calling it down.</summary>
    public double ReadinessTimeoutSeconds { get; init; } = 2;

    /// <summary>The path Prometheus scrapes; empty turns the endpoint off.</summary>
    public string MetricsPath { get; init; } = "/metrics";

    /// <summary>
    /// How long a stopping host lets running requests finish. The default matches the default request time limit, so
    /// no request that could still succeed is cut off; a process manager's kill timeout should be a little longer.
    /// </summary>
    public double ShutdownTimeoutSeconds { get; init; } = 30;

    /// <summary>
    /// Where traces go, by OTLP over HTTP (protobuf), e.g. <c>http://collector:4318/v1/traces</c>. Unset: no tracing,
    /// and no span is even created.
    /// </summary>
    public string? OtlpTracesEndpoint { get; init; }

    /// <summary>
    /// What the <c>X-DataHub-Host</c> response header says, so that an operator behind a load balancer sees which host
    /// answered. Unset: the machine name and the port the request came in on. Empty: no header.
    /// </summary>
    public string? HostId { get; init; }

    public TimeSpan ReadinessTimeout => TimeSpan.FromSeconds(ReadinessTimeoutSeconds);

    public TimeSpan ShutdownTimeout => TimeSpan.FromSeconds(ShutdownTimeoutSeconds);

    public static OperationsOptions Read(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<OperationsOptions>() ?? new OperationsOptions();

    /// <summary>Every problem in the settings.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (OperatorToken is { } token && token.Trim().Length < 16)
        {
            problems.Add($"{Section}:OperatorToken must be at least 16 characters: it guards health details and metrics.");
        }
        if (ReadinessTimeoutSeconds is <= 0 or > 60)
        {
            problems.Add($"{Section}:ReadinessTimeoutSeconds must be more than 0 and at most 60.");
        }
        if (ShutdownTimeoutSeconds is < 0 or > 3600)
        {
            problems.Add($"{Section}:ShutdownTimeoutSeconds must be between 0 and 3600.");
        }
        if (OtlpTracesEndpoint is { Length: > 0 } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            problems.Add($"{Section}:OtlpTracesEndpoint must be an absolute http or https URL.");
        }
        if (MetricsPath is { Length: > 0 } path && !path.StartsWith('/'))
        {
            problems.Add($"{Section}:MetricsPath must start with '/' (or be empty to turn metrics off).");
        }
        if (HostId is { Length: > 0 } hostId && (hostId.Length > 100 || hostId.Any(c => c is < '!' or > '~')))
        {
            problems.Add($"{Section}:HostId must be at most 100 visible ASCII characters, without spaces (it is sent as a header).");
        }
        return problems;
    }
}
