using DataHub.Testing;

namespace DataHub.Host.Tests;

public sealed class ValidateCommandTests
{
    [Test]
    public async Task Validate_lists_every_problem_and_exits_non_zero()
    {
        using var schema = SchemaFolder.WithEntities(
            """{"a": {"execute": true, "processor": "Nope"}, "b": {"execute": true, "processor": "Echo", "dataStore": "missing"}}""");
        using var output = new StringWriter();

        var exitCode = await ValidateCommand.RunAsync(
            HostArguments.Parse(["validate", "--schema", schema.Path, "--plugins", TestPaths.FixturePluginsDirectory]), output);

        Assert.That(exitCode, Is.EqualTo(1));
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Some.Contains("entity 'a': Unknown processor 'Nope'"));
        Assert.That(lines, Has.Some.Contains("entity 'b': Unknown dataStore 'missing'"));
        Assert.That(lines, Has.Some.Contains("plug-in folder").And.Contains("Broken"));
        Assert.That(lines[^1], Does.Contain("2 problem(s)"));
    }

    [Test]
    public async Task Validate_reports_a_valid_schema_and_exits_zero()
    {
        using var schema = SchemaFolder.WithEntities("""{"a": {"execute": true, "processor": "Echo"}}""");
        using var output = new StringWriter();

        var exitCode = await ValidateCommand.RunAsync(
            HostArguments.Parse(["validate", "--schema", schema.Path, "--plugins", TestPaths.FixturePluginsDirectory]), output);

        Assert.That(exitCode, Is.EqualTo(0), output.ToString());
        Assert.That(output.ToString(), Does.Contain("is valid: 1 instance(s), 1 entities."));
    }

    [Test]
    public async Task Validate_reports_rate_limit_settings_that_would_stop_the_host_from_starting()
    {
        var (exitCode, lines) = await ValidateWithSettingsAsync(
            "--DataHub:RequestTimeoutSeconds=0", "--DataHub:RateLimits:PerAddress:PermitLimit=-1", "--DataHub:RateLimits:PerUser:WindowSeconds=0");

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(lines, Has.Some.Contains("DataHub:RequestTimeoutSeconds must be more than 0"), "the DataHub settings and the limits are reported together");
        Assert.That(lines, Has.Some.Contains("DataHub:RateLimits:PerAddress:PermitLimit must be 0 (off) or more"));
        Assert.That(lines, Has.Some.Contains("DataHub:RateLimits:PerUser:WindowSeconds must be more than 0"));
        Assert.That(lines, Has.None.Contains("is valid"));
    }

    [Test]
    public async Task Validate_reports_every_operations_setting_that_would_stop_the_host_from_starting()
    {
        var (exitCode, lines) = await ValidateWithSettingsAsync(
            "--DataHub:RequestTimeoutSeconds=0", "--DataHub:Operations:OperatorToken=short", "--DataHub:Operations:ReadinessTimeoutSeconds=0",
            "--DataHub:Operations:MetricsPath=metrics", "--DataHub:Operations:OtlpTracesEndpoint=ftp://collector");

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(lines, Has.Some.Contains("DataHub:RequestTimeoutSeconds must be more than 0"), "the DataHub settings and the operations settings are reported together");
        Assert.That(lines, Has.Some.Contains("DataHub:Operations:OperatorToken must be at least 16 characters"));
        Assert.That(lines, Has.Some.Contains("DataHub:Operations:ReadinessTimeoutSeconds must be more than 0"));
        Assert.That(lines, Has.Some.Contains("DataHub:Operations:MetricsPath must start with '/'"));
        Assert.That(lines, Has.Some.Contains("DataHub:Operations:OtlpTracesEndpoint must be an absolute http or https URL"));
        Assert.That(lines, Has.None.Contains("is valid"));
    }

    /// <summary>Runs the validate verb on a valid one-entity schema with the given settings; its exit code and output lines.</summary>
    private static async Task<(int ExitCode, string[] Lines)> ValidateWithSettingsAsync(params string[] settings)
    {
        using var schema = SchemaFolder.WithEntities("""{"a": {"execute": true, "processor": "Echo"}}""");
        using var output = new StringWriter();
        var exitCode = await ValidateCommand.RunAsync(
            HostArguments.Parse(["validate", "--schema", schema.Path, "--plugins", TestPaths.FixturePluginsDirectory, .. settings]), output);
        return (exitCode, output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Test]
    public void Start_refuses_bad_operations_settings_with_every_problem_at_once()
    {
        using var schema = SchemaFolder.WithEntities("""{"a": {"execute": true, "processor": "Echo"}}""");

        var refused = Assert.ThrowsAsync<InvalidSchemaException>(() => RunningHost.StartAsync(schema.Path, [TestPaths.FixturePluginsDirectory],
            new Dictionary<string, string?>
            {
                ["DataHub:RequestTimeoutSeconds"] = "0",
                ["DataHub:Operations:ShutdownTimeoutSeconds"] = "-1",
                ["DataHub:Operations:MetricsPath"] = "metrics",
            }));

        Assert.That(refused!.Message, Does.Contain("DataHub:RequestTimeoutSeconds must be more than 0"));
        Assert.That(refused.Message, Does.Contain("DataHub:Operations:ShutdownTimeoutSeconds must be between 0 and 3600"));
        Assert.That(refused.Message, Does.Contain("DataHub:Operations:MetricsPath must start with '/'"));
    }
}
