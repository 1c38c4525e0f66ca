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
    public async Task An_idle_host_has_loaded_neither_V8_nor_what_ClearScript_references_nor_OpenSSL_until_a_call_needs_them()
    {
        using var sample = new TempDirectory();
        sample.CopyShippedSample();
        await using var host = await HostProcess.StartAsync(sample.Path);

        Assert.That(LoadsV8(host.Id), Is.False, "loading the Script and Actions entities made no isolate");
        // ClearScript is shared with the plug-ins, and with it everything it references (most of the base class
        // library, XML and Json.NET among it): that is made available to them, not loaded for them.
        Assert.That(Mapped(host.Id, "Newtonsoft.Json.dll"), Is.False);
        Assert.That(Mapped(host.Id, "System.Private.Xml.dll"), Is.False);
        // Nor OpenSSL (3 MB): cache keys are SHA-256 digests, made only by calls whose answers are cached.
        Assert.That(Mapped(host.Id, "libcrypto"), Is.False);

        using var hello = await host.PostJsonAsync("product/services/hello", "{}");
        Assert.That(hello.StatusCode, Is.EqualTo(HttpStatusCode.OK), await hello.Content.ReadAsStringAsync());
        Assert.That(LoadsV8(host.Id), Is.True, "the first Script call loaded V8");
    }

    [Test]
    public async Task Concurrent_first_calls_that_all_start_V8_at_once_each_get_their_answer()
    {
        using var sample = new TempDirectory();
        sample.CopyShippedSample();
        await using var host = await HostProcess.StartAsync(sample.Path);

        // Script and Actions calls together, before any isolate exists: V8 is initialised under them.
        var calls = Enumerable.Range(0, 40).Select(async i =>
        {
            using var response = i % 2 == 0
                ? await host.PostJsonAsync("product/services/hello", "{}")
                : await host.PostJsonAsync("organisations/org/create_org", $$"""{"name": "Cold Start {{i}}", "ownerEmail": "ada@example.com"}""");
            return (i, response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        });
        var answers = await Task.WhenAll(calls);

        foreach (var (i, status, body) in answers)
        {
            Assert.That(status, Is.EqualTo(i % 2 == 0 ? HttpStatusCode.OK : HttpStatusCode.Created), body);
            Assert.That(body, i % 2 == 0 ? Is.EqualTo("""{"message":"Hello world"}""") : Does.Contain($"\"name\":\"Cold Start {i}\""));
        }
        Assert.That(host.HasExited, Is.False);
    }

    // Whether the process has ClearScript's V8 library mapped (Linux: /proc/<pid>/maps).
    private static bool LoadsV8(int processId) => Mapped(processId, "ClearScriptV8");

    private static bool Mapped(int processId, string file) =>
        File.ReadLines($"/proc/{processId}/maps").Any(line => line.Contains(file, StringComparison.Ordinal));
}
