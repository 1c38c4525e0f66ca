using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DataHub.Actions.Tests.Support;
using DataHub.Testing;

namespace DataHub.Actions.Tests;

/// <summary>
/// A host process killed in the middle of a multi-step call leaves nothing behind: the first step's row was never
/// committed, and PostgreSQL rolls it back when the dead process's connection goes.
/// </summary>
public sealed class KillTests
{
    [Test]
    public async Task Killing_the_host_after_a_create_and_before_the_commit_leaves_the_database_unchanged()
    {
        var database = await OrganisationsDatabase.CreatePostgreSqlAsync();
        using var schema = new TempDirectory();
        schema.CopyFrom(Path.Combine(TestPaths.SchemaDirectory, "organisations"), "organisations", file => file.EndsWith(".json", StringComparison.Ordinal));
        schema.Write("organisations/test.json", TestEntities.System);
        schema.Write("organisations/instance.json", new JsonObject
        {
            ["dataStores"] = new JsonObject { ["database"] = new JsonObject { ["provider"] = "postgresql", ["connectionString"] = database.ConnectionString } },
            ["auth"] = new JsonObject { ["anonymous"] = true },
        }.ToJsonString());

        var port = Ports.Free();
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "DataHub.Host"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--schema", schema.Path, "--urls", $"http://127.0.0.1:{port}", "--environment", "Testing" })
        {
            start.ArgumentList.Add(argument);
        }
        using var host = Process.Start(start)!;
        host.OutputDataReceived += (_, _) => { };
        host.ErrorDataReceived += (_, _) => { };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
            await WaitUntilListeningAsync(client, host);

            var content = new StringContent("""{"name":"Killed Org"}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
            var call = client.PostAsync("organisations/test/slow_create", content);

            // The create has run once the call's connection sits in its open transaction while the script works.
            Assert.That(await Eventually.TrueAsync(async () => Convert.ToInt64(await database.ScalarAsync(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'"),
                CultureInfo.InvariantCulture) == 1, TimeSpan.FromSeconds(30)), Is.True, "the call's transaction opened");
            host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync();
            Assert.That(async () => await call, Throws.InstanceOf<HttpRequestException>(), "the caller got no answer");

            Assert.That(await Eventually.TrueAsync(async () => Convert.ToInt64(await database.ScalarAsync(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"),
                CultureInfo.InvariantCulture) == 0, TimeSpan.FromSeconds(30)), Is.True, "the dead host's connections went");
            Assert.That(await database.CountAsync("orgs"), Is.Zero);
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task WaitUntilListeningAsync(HttpClient client, Process host)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            Assert.That(host.HasExited, Is.False, "the host process exited on start");
            try
            {
                using var response = await client.PostAsync("organisations/test/nothing_to_say", new StringContent("{}"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        Assert.Fail("The host did not start listening within 60 s.");
    }
}
