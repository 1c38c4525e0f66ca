using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using DataHub.Host.Plugins;
using DataHub.Testing;

namespace DataHub.Host.Tests;

/// <summary>
/// The README's plug-in steps, done as a new plug-in author does them: install the template (into a hive of its own),
/// create a plug-in outside the solution, build it against the packed contract from the repository's folder feed,
/// drop the build output into a running host's plug-ins folder, and call it through the servlet.
/// </summary>
public sealed class PluginTemplateTests
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(30);

    [Test]
    [CancelAfter(600_000)]
    public async Task A_plugin_made_from_the_template_builds_out_of_tree_and_serves_when_dropped_into_a_running_host(
        CancellationToken cancellationToken)
    {
        var contract = PluginLoader.ContractVersion.ToString(3);
        var feed = Path.Combine(TestPaths.RepositoryRoot, "artifacts", "feed");
        Assert.That(Path.Combine(feed, $"DataHub.Plugin.Abstractions.{contract}.nupkg"), Does.Exist, "the contract build packs it");

        using var work = new TempDirectory();
        using var drop = new TempDirectory();
        using var schema = SchemaFolder.WithEntities("""{"echo": {"execute": true, "processor": "Echo"}}""");
        await using var host = await RunningHost.StartAsync(schema.Path, [TestPaths.FixturePluginsDirectory, drop.Path]);
        // The plug-in author's own package folder: a contract package cached by an earlier run at the same version
        // must not stand in for the one just built.
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work.Path, "packages") };
        var hive = Path.Combine(work.Path, "hive");

        var clock = Stopwatch.StartNew();
        await RunAsync(work.Path, environment, cancellationToken,
            "new", "install", Path.Combine(TestPaths.RepositoryRoot, "templates", "DataHub.Plugin.Template"), "--debug:custom-hive", hive);
        await RunAsync(work.Path, environment, cancellationToken,
            "new", "datahub-plugin", "-n", "Greeter", "--feed", feed, "--contract", contract, "--debug:custom-hive", hive);
        await RunAsync(work.Path, environment, cancellationToken, "build", Path.Combine("Greeter", "Greeter"), "--nologo", "-v", "quiet");
        var built = Path.Combine(work.Path, "Greeter", "Greeter", "bin", "Debug", "Greeter");
        Assert.That(Path.Combine(built, "Greeter.dll"), Does.Exist, "dotnet build writes a drop-in folder");
        Assert.That(Path.Combine(built, "DataHub.Plugin.Abstractions.dll"), Does.Not.Exist, "the host provides the contract");

        schema.Write("shop/services.json", """
            {"entities": {"echo": {"execute": true, "processor": "Echo"},
                          "hello": {"execute": true, "processor": "Greeter", "processorConfig": {"greeting": "Hello"}}}}
            """);
        drop.CopyFrom(built, "Greeter");
        Assert.That(await Eventually.TrueAsync(async () =>
        {
            using var response = await host.PostJsonAsync("/shop/services/hello", """{"name": "Ada"}""", cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }, _timeout, TimeSpan.FromMilliseconds(100)), Is.True, "served without a restart");
        var firstAnswer = clock.Elapsed;
        await TestContext.Progress.WriteLineAsync($"dotnet new to first answer: {firstAnswer.TotalSeconds:F1} s");

        using (var greeted = await host.PostJsonAsync("/shop/services/hello", """{"name": "Ada"}""", cancellationToken))
        {
            var body = JsonNode.Parse(await greeted.Content.ReadAsStringAsync(cancellationToken))!;
            Assert.That(body["greeting"]!.GetValue<string>(), Is.EqualTo("Hello, Ada!"));
        }
        using (var wrongType = await host.PostJsonAsync("/shop/services/hello", """{"name": 42}""", cancellationToken))
        {
            Assert.That(wrongType.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            var body = JsonNode.Parse(await wrongType.Content.ReadAsStringAsync(cancellationToken))!;
            Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(25));
        }
    }

    private static async Task RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        Assert.That(process.ExitCode, Is.Zero, $"dotnet {string.Join(' ', arguments)}:\n{await stdout}{await stderr}");
    }
}
