using DataHub.Testing;
using Microsoft.Extensions.Configuration;

namespace DataHub.Host.Tests;

public sealed class HostArgumentsTests
{
    [Test]
    public void Schema_and_repeated_plugins_are_taken_and_the_rest_goes_to_aspnetcore()
    {
        var arguments = HostArguments.Parse(["--schema", "s", "--plugins", "a", "--urls", "http://127.0.0.1:6000", "--plugins=b"]);

        Assert.That(arguments.Verb, Is.Null);
        Assert.That(arguments.Schema, Is.EqualTo("s"));
        Assert.That(arguments.PluginDirectories, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(arguments.Remaining, Is.EqualTo(new[] { "--urls", "http://127.0.0.1:6000" }));
    }

    [TestCase("validate", HostArguments.Validate)]
    [TestCase("hash-password", HostArguments.HashPassword)]
    public void A_verb_is_only_recognised_first(string verb, string expected)
    {
        Assert.That(HostArguments.Parse([verb, "--schema=x"]).Verb, Is.EqualTo(expected));
        Assert.That(HostArguments.Parse(["--schema=x", verb]).Verb, Is.Null);
    }

    [Test]
    public void Settings_from_the_command_line_win_over_configuration_and_plugin_folders_add_up()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataHub:Schema"] = "configured",
            ["DataHub:Plugins:0"] = "from-config",
            ["DataHub:RequestTimeoutSeconds"] = "5",
        }).Build();

        var options = DataHubApplication.ReadOptions(configuration, HostArguments.Parse(["--schema", "cli", "--plugins", "from-cli"]));

        Assert.That(options.Schema, Is.EqualTo("cli"));
        Assert.That(options.Plugins, Is.EqualTo(new[] { "from-config", "from-cli" }));
        Assert.That(options.RequestTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void Invalid_settings_are_all_reported()
    {
        var options = new DataHubOptions { Schema = " ", RequestTimeoutSeconds = 0, MaxRequestBodyBytes = -1 };

        Assert.That(options.Validate(), Has.Count.EqualTo(3));
    }

    [Test]
    public void Start_up_reports_bad_DataHub_settings_and_bad_rate_limits_together()
    {
        using var schema = SchemaFolder.WithEntities("""{"a": {"execute": true, "processor": "Echo"}}""");

        var failure = Assert.ThrowsAsync<InvalidSchemaException>(async () =>
        {
            await using var host = await RunningHost.StartAsync(schema.Path, [TestPaths.FixturePluginsDirectory],
                new Dictionary<string, string?> { ["DataHub:RequestTimeoutSeconds"] = "0", ["DataHub:RateLimits:PerUser:PermitLimit"] = "-1" });
        });

        Assert.That(failure!.Problems, Has.Some.Contains("DataHub:RequestTimeoutSeconds must be more than 0"));
        Assert.That(failure.Problems, Has.Some.Contains("DataHub:RateLimits:PerUser:PermitLimit must be 0 (off) or more"));
    }
}
