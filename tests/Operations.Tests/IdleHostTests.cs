using System.Net;
using DataHub.Testing;

namespace DataHub.Operations.Tests;

/// <summary>
/// What an idle host holds. V8 (its native library alone is tens of megabytes resident) is loaded by the first call
/// that runs JavaScript, not by loading a schema of Script and Actions entities.
/// </summary>
public sealed class IdleHostTests
{
    [Test]
    public async Task The_shipped_sample_loads_V8_only_when_a_call_first_runs_a_script()
    {
        using var sample = new TempDirectory();
        sample.CopyShippedSample();
        await using var host = await HostProcess.StartAsync(sample.Path);

        Assert.That(LoadsV8(host.Id), Is.False, "loading the Script and Actions entities made no isolate");

        using var hello = await host.Client.PostAsync("product/services/hello", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(hello.StatusCode, Is.EqualTo(HttpStatusCode.OK), await hello.Content.ReadAsStringAsync());
        Assert.That(LoadsV8(host.Id), Is.True, "the first Script call loaded V8");
    }

    // Whether the process has ClearScript's V8 library mapped (Linux: /proc/<pid>/maps).
    private static bool LoadsV8(int processId) =>
        File.ReadLines($"/proc/{processId}/maps").Any(line => line.Contains("ClearScriptV8", StringComparison.Ordinal));
}
