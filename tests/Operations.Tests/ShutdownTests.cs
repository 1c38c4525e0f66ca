using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using DataHub.Testing;

namespace DataHub.Operations.Tests;

/// <summary>SIGTERM to a real host process under load: running requests finish, new ones are refused, the process ends.</summary>
public sealed class ShutdownTests
{
    private TempDirectory _schema = null!;

    [SetUp]
    public async Task WriteSchema()
    {
        _schema = new TempDirectory();
        var store = new JsonObject { ["provider"] = "postgresql", ["connectionString"] = await PostgresServer.CreateDatabaseAsync() };
        _schema.Write("shop/instance.json", new JsonObject { ["dataStores"] = new JsonObject { ["database"] = store } }.ToJsonString());
        _schema.Write("shop/services.json", """
            {"entities": {
              "slow": {"execute": true, "processor": "ExecuteSql", "processorConfig": {"sql": "select 'done' as word, ? as call from pg_sleep(1.5)", "parameters": [{"reference": "call", "type": "integer"}]}},
              "very_slow": {"execute": true, "processor": "ExecuteSql", "processorConfig": {"sql": "select 'done' as word from pg_sleep(20)"}}
            }}
            """);
    }

    [TearDown]
    public void DeleteSchema() => _schema.Dispose();

    [Test]
    public async Task SIGTERM_lets_every_running_request_finish_its_answer_then_the_process_exits()
    {
        await using var host = await HostProcess.StartAsync(_schema.Path);
        const int calls = 16;
        using var callers = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var running = Enumerable.Range(0, calls).Select(async call =>
        {
            using var response = await callers.PostAsync("shop/services/slow",
                new StringContent($$"""{"call": {{call}}}""", System.Text.Encoding.UTF8, "application/json"));
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }).ToList();
        await Task.Delay(500);

        var stopping = Stopwatch.StartNew();
        await host.SignalAsync("TERM");
        var answers = await Task.WhenAll(running);
        var exited = await host.WaitForExitAsync(TimeSpan.FromSeconds(20));
        stopping.Stop();

        Assert.That(answers.Select(a => a.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        for (var call = 0; call < calls; call++)
        {
            var row = JsonNode.Parse(answers[call].Body)!.AsArray().Single()!;
            Assert.That(row["word"]!.GetValue<string>(), Is.EqualTo("done"));
            Assert.That(row["call"]!.GetValue<int>(), Is.EqualTo(call), "each caller got its own whole answer");
        }
        Assert.That(exited, Is.True, "the host ends once the requests are answered");
        Assert.That(host.ExitCode, Is.EqualTo(0));
        Assert.That(host.Output, Has.Some.Contains("Application is shutting down"));
        Assert.ThrowsAsync<HttpRequestException>(() => callers.GetAsync(new Uri(host.BaseAddress, "health/live")), "nothing listens any more");
    }

    [Test]
    public async Task A_request_running_past_the_shutdown_bound_does_not_keep_the_host_alive()
    {
        await using var host = await HostProcess.StartAsync(_schema.Path,
            new Dictionary<string, string> { ["DataHub__Operations__ShutdownTimeoutSeconds"] = "1" });
        using var callers = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var running = callers.PostAsync("shop/services/very_slow", new StringContent("{}"));
        await Task.Delay(500);

        var stopping = Stopwatch.StartNew();
        await host.SignalAsync("TERM");
        var exited = await host.WaitForExitAsync(TimeSpan.FromSeconds(15));
        stopping.Stop();

        Assert.That(exited, Is.True);
        Assert.That(stopping.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the 1 s bound, not the 20 s query");
        Assert.That(async () => (await running).EnsureSuccessStatusCode(), Throws.Exception, "that one request was cut off");
    }
}
