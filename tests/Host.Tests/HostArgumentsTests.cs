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
        Assert.That(arguments.Remaining, Is.EqualTo(new[] { "--urls=http://127.0.0.1:6000" }));
    }

    [TestCase("validate", HostArguments.Validate)]
    [TestCase("hash-password", HostArguments.HashPassword)]
    public void A_verb_is_recognised_wherever_it_stands_among_the_options(string verb, string expected)
    {
        Assert.That(HostArguments.Parse([verb, "--schema=x"]).Verb, Is.EqualTo(expected));
        Assert.That(HostArguments.Parse(["--schema=x", verb, "--urls", "http://127.0.0.1:6000"]).Verb, Is.EqualTo(expected));
    }

    [TestCase("valdiate", "Unknown verb 'valdiate'.")]
    [TestCase("--shema", "Unknown option '--shema'.")]
    [TestCase("--schema", "The option '--schema' needs a value.")]
    [TestCase("validate extra", "Unexpected argument 'extra' after the verb 'validate'.")]
    public async Task A_command_line_mistake_prints_the_error_and_the_usage_and_exits_non_zero(string commandLine, string message)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync(commandLine.Split(' '), output, errors);

        Assert.That(exitCode, Is.EqualTo(HostCommandLine.UsageExitCode));
        Assert.That(errors.ToString(), Does.StartWith(message).And.Contain("Usage: DataHub"));
        Assert.That(output.ToString(), Is.Empty);
    }

    [TestCase("--help")]
    [TestCase("-h")]
    [TestCase("help")]
    [TestCase("validate --help")]
    public async Task Help_prints_the_verbs_options_and_main_settings_and_exits_0(string commandLine)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync(commandLine.Split(' '), output, errors);

        Assert.That(exitCode, Is.EqualTo(0));
        Assert.That(output.ToString(), Does.Contain("validate").And.Contain("hash-password").And.Contain("--plugins")
            .And.Contain("--urls").And.Contain("DataHub:RequestTimeoutSeconds"));
        Assert.That(errors.ToString(), Is.Empty);
    }

    [Test]
    public async Task An_address_already_in_use_is_a_one_line_error_and_exit_code_1()
    {
        using var schema = SchemaFolder.WithEntities("""{"a": {"execute": true, "processor": "Echo"}}""");
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        using var output = new StringWriter();
        using var errors = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync(
            ["--plugins", TestPaths.FixturePluginsDirectory, "--schema", schema.Path, "--urls", $"http://127.0.0.1:{port}"], output, errors);

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(errors.ToString().Trim(), Is.EqualTo($"Failed to bind to address http://127.0.0.1:{port}: address already in use."));
    }

    [Test]
    public async Task Urls_is_honoured_wherever_it_stands()
    {
        using var schema = SchemaFolder.WithEntities("""{"a": {"execute": true, "processor": "Echo"}}""");
        var url = $"http://127.0.0.1:{Ports.Free()}";

        await using var app = await DataHubApplication.BuildAsync(HostArguments.Parse(
            ["--plugins", TestPaths.FixturePluginsDirectory, "--urls", url, "--schema", schema.Path]));
        await app.StartAsync();
        using var client = new HttpClient();
        using var response = await client.GetAsync($"{url}/shop/services/a");

        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        await app.StopAsync();
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
