using System.Diagnostics;
using DataHub.Testing;

namespace DataHub.Host.Tests;

/// <summary>
/// What an operator deploys: the output of dotnet publish as docs/operations.md runs it (ReadyToRun, plug-ins
/// included), run from its own folder.
/// </summary>
public sealed class PublishTests
{
    [Test]
    [CancelAfter(600_000)]
    public async Task A_published_host_carries_its_plugins_validates_the_shipped_sample_and_runs_its_scripts_on_V8(CancellationToken cancellationToken)
    {
        using var output = new TempDirectory();
        var publish = await RunAsync(TestPaths.RepositoryRoot, cancellationToken,
            "publish", Path.Combine(TestPaths.RepositoryRoot, "src", "Host", "Host.csproj"),
            "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", output.Path, "--nologo", "-v", "quiet");
        Assert.That(publish.ExitCode, Is.Zero, publish.Output);

        Assert.That(Path.Combine(output.Path, "plugins", "Script", "Script.dll"), Does.Exist);
        Assert.That(Path.Combine(output.Path, "plugins", "ExecuteSql", "ExecuteSql.dll"), Does.Exist);
        Assert.That(Path.Combine(output.Path, "appsettings.json"), Does.Exist);

        // Run from elsewhere, as a service would: the plug-ins are found beside the host, the schema where it is told.
        using var elsewhere = new TempDirectory();
        var validate = await RunAsync(elsewhere.Path, cancellationToken,
            Path.Combine(output.Path, "DataHub.Host.dll"), "validate", "--schema", TestPaths.SchemaDirectory);
        Assert.That(validate.ExitCode, Is.Zero, validate.Output);
        Assert.That(validate.Output, Does.Contain("is valid").And.Not.Contain("did not load"));

        // Loading checks scripts without V8, so only a call shows that V8's native library loads from the published
        // layout: a Script entity and an Actions entity (its default expression), served by the published host.
        using var sample = new TempDirectory();
        sample.CopyShippedSample();
        await using var host = await HostProcess.StartAsync(sample.Path, executable: Path.Combine(output.Path, "DataHub.Host"));
        Assert.That(host.HasExited, Is.False, "the published host stopped");

        using var hello = await host.PostJsonAsync("product/services/hello", "{}");
        Assert.That(await hello.Content.ReadAsStringAsync(cancellationToken), Is.EqualTo("""{"message":"Hello world"}"""));
        using var created = await host.PostJsonAsync("organisations/org/create_org", """{"name":"Published Engines","ownerEmail":"ada@example.com"}""");
        var body = await created.Content.ReadAsStringAsync(cancellationToken);
        Assert.That((int)created.StatusCode, Is.EqualTo(201), body);
        Assert.That(body, Does.Contain("\"description\":\"Description of Published Engines\""));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
