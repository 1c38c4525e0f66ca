using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using DataHub.Testing;
using Microsoft.Extensions.Logging;

namespace DataHub.Script.Tests;

/// <summary>The plug-in as the host loads it (from plugins/Script/), through the instance servlet on Kestrel.</summary>
public sealed class EndToEndTests : HostFixture
{
    protected override Task WriteSchemaAsync(TempDirectory schema)
    {
        schema.Write("shop/instance.json", """{"auth": {"anonymous": true}}""");
        schema.Write("shop/scripts/sum.js", """
            var d = attributes.get('data'), sum = 0;
            for (var i = 0; i <= d.n; i++) { sum += i; }
            console.log('summed', d.n);
            attributes.put('response', {n: d.n, sum: sum});
            """);
        schema.Write("shop/services.json", """
            {"reference": "services", "entities": {
              "sum": {"execute": true, "processor": "Script", "processorConfig": {"file": "scripts/sum.js", "timeoutMs": 4000}},
              "broken": {"execute": true, "processor": "com.datahub.metrici.ScriptPlugIn",
                         "processorConfig": "var order = attributes.get('data');\nvar total = order.lines.length;"},
              "loop": {"execute": true, "processor": "Script", "processorConfig": {"script": "while (true) {}", "timeoutMs": 4000}},
              "spin": {"execute": true, "processor": "Script", "processorConfig": {"script": "console.log('spinning'); while (true) {}", "timeoutMs": 60000}},
              "echo": {"execute": true, "processor": "Script", "processorConfig": "attributes.put('response', attributes.get('data'));"},
              "recurse": {"execute": true, "processor": "Script", "processorConfig": {"script": "function f() { return f(); } f();", "maxRecursionDepth": 50}},
              "cut_name": {"execute": true, "processor": "Script",
                           "processorConfig": "var name = attributes.get('data').name.slice(0, 3);\nthrow new Error('name ' + name + ' is too long');"},
              "cut_answer": {"execute": true, "processor": "Script",
                             "processorConfig": "attributes.put('response', {name: attributes.get('data').name.slice(0, 3)});"}
            }}
            """);
        return Task.CompletedTask;
    }

    [Test]
    public async Task A_runtime_error_answers_500_with_status_20_the_message_and_the_trace_id()
    {
        using var response = await Host.PostJsonAsync("/shop/services/broken", """{"id": 7}""");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(20));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Does.StartWith("TypeError: Cannot read properties of undefined (reading 'length') (line 2, column "));
        Assert.That(body["traceId"]!.GetValue<string>(), Is.Not.Empty);
    }

    // Cutting "ab😀" after three UTF-16 units leaves half of the emoji's surrogate pair. ClearScript 7.5.1.1 ends the
    // process when the text of a value thrown to it holds one (its UTF-8 conversion throws in native code), so the
    // prelude keeps every throw in JavaScript; the host's answers are UTF-8, so half a pair becomes U+FFFD.
    [Test]
    public async Task An_error_whose_text_holds_half_a_surrogate_pair_answers_500_and_the_host_serves_on()
    {
        using var response = await Host.PostJsonAsync("/shop/services/cut_name", """{"name": "ab😀"}""");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        using var next = await Host.PostJsonAsync("/shop/services/echo", """{"id": 7}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(20));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Is.EqualTo("Error: name ab\uFFFD is too long (line 2, column 7)"));
        Assert.That(await next.Content.ReadAsStringAsync(), Is.EqualTo("""{"id":7}"""));
    }

    [Test]
    public async Task A_response_holding_half_a_surrogate_pair_answers_500_saying_so()
    {
        using var response = await Host.PostJsonAsync("/shop/services/cut_answer", """{"name": "ab😀"}""");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(20));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Does.StartWith("The response holds half a surrogate pair"));
    }

    // The host hands a JSON body to the script as the caller's text; these bodies cross Kestrel's buffers, hold
    // characters of every UTF-8 length and escapes, and come as the whole body or as a wrapper's data.
    [TestCase(false, 10, TestName = "A_small_body_reaches_the_script_as_sent")]
    [TestCase(false, 5_000, TestName = "A_large_body_reaches_the_script_as_sent")]
    [TestCase(true, 5_000, TestName = "A_large_wrapper_bodys_data_reaches_the_script_as_sent")]
    public async Task Bodies_reach_the_script_as_sent(bool wrapped, int lines)
    {
        var text = new System.Text.StringBuilder("{\"lines\": [\n");
        for (var i = 0; i < lines; i++)
        {
            text.Append(i == 0 ? "  " : ",\n  ").Append("{\"n\": ").Append(i)
                .Append(", \"text\": \"a\\u00e9 é € 😀 \\\"quoted\\\" \\t ").Append(i).Append("\", \"price\": 12.5e1, \"none\": null}");
        }
        text.Append("\n]}");
        var body = wrapped ? $$"""{ "retries" : 0, "data" : {{text}} }""" : text.ToString();

        using var response = await Host.PostJsonAsync("/shop/services/echo", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(await response.Content.ReadAsStringAsync()), JsonNode.Parse(text.ToString())), Is.True);
    }

    [Test]
    public async Task The_plugin_runs_on_the_hosts_one_copy_of_ClearScript()
    {
        using var response = await Host.PostJsonAsync("/shop/services/sum", """{"n": 3}""");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var loaded = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name is "ClearScript.V8" or "ClearScript.Core").ToList();

        Assert.That(loaded.Select(a => a.GetName().Name), Is.EquivalentTo(new[] { "ClearScript.V8", "ClearScript.Core" }), "one copy of each, whoever loaded it");
        Assert.That(loaded.Select(System.Runtime.Loader.AssemblyLoadContext.GetLoadContext), Has.All.EqualTo(System.Runtime.Loader.AssemblyLoadContext.Default));
    }

    [Test]
    public async Task A_script_past_its_timeout_answers_504_with_status_26()
    {
        using var response = await Host.PostJsonAsync("/shop/services/loop", "{}");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.GatewayTimeout), body.ToJsonString());
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(26));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Does.StartWith("The script ran past its timeoutMs of 4000 ms"));
    }

    [Test]
    public async Task Console_output_reaches_the_host_log_with_the_requests_trace_id()
    {
        using var response = await Host.PostJsonAsync("/shop/services/sum", """{"n": 4242}""");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var line = Host.Log.Entries.SingleOrDefault(e => e.Message.Contains("console.log: summed 4242", StringComparison.Ordinal));

        Assert.That(line, Is.Not.Null);
        Assert.That(line!.Level, Is.EqualTo(LogLevel.Information));
        Assert.That(line.Message, Does.StartWith("Script shop/services/sum console.log"));
        Assert.That(line.RequestId, Is.Not.Null.And.Not.Empty);
    }

    [Test]
    public async Task A_client_that_disconnects_stops_its_script()
    {
        using var disconnect = new CancellationTokenSource();
        var request = Host.PostJsonAsync("/shop/services/spin", "{}", disconnect.Token);
        Assert.That(await LogLineAsync("Script shop/services/spin console.log: spinning"), Is.True, "the script should start");

        await disconnect.CancelAsync();

        Assert.ThrowsAsync<TaskCanceledException>(() => request);
        // The script's own timeout is a minute, the host's 30 s: only the disconnect can end it this soon.
        Assert.That(await LogLineAsync("Caller of shop/services/spin disconnected; the processor was cancelled"), Is.True);
    }

    private Task<bool> LogLineAsync(string text) => Host.Log.WaitForLineAsync(text, TimeSpan.FromSeconds(15));

    [Test]
    public async Task Fifty_concurrent_HTTP_requests_mixing_good_and_runaway_scripts_each_get_their_own_answer()
    {
        var requests = Enumerable.Range(0, 50).Select(async i =>
        {
            var watch = Stopwatch.StartNew();
            var path = (i % 10) switch { 0 or 2 or 5 or 7 => "loop", 1 => "recurse", _ => "sum" };
            using var response = await Host.PostJsonAsync($"/shop/services/{path}", $$"""{"n": {{i}}}""");
            return (Index: i, Path: path, Status: response.StatusCode, Body: await response.Content.ReadAsStringAsync(), Elapsed: watch.Elapsed);
        }).ToArray();
        var results = await Task.WhenAll(requests);

        TestContext.Out.WriteLine("good requests (index: ms): "
            + string.Join(", ", results.Where(r => r.Path == "sum").Select(r => $"{r.Index}: {r.Elapsed.TotalMilliseconds:F0}")));
        foreach (var result in results)
        {
            switch (result.Path)
            {
                case "loop":
                    Assert.That(result.Status, Is.EqualTo(HttpStatusCode.GatewayTimeout), $"request {result.Index}");
                    break;
                case "recurse":
                    Assert.That(result.Status, Is.EqualTo(HttpStatusCode.InternalServerError), result.Body);
                    Assert.That(result.Body, Does.Contain("maxRecursionDepth (50)"), $"request {result.Index}");
                    break;
                default:
                    Assert.That(result.Body, Is.EqualTo($$"""{"n":{{result.Index}},"sum":{{result.Index * (result.Index + 1) / 2}}}"""), $"request {result.Index}");
                    // See ConcurrencyTests: the good request's own answer, never queued behind a runaway for its whole timeout twice.
                    Assert.That(result.Elapsed, Is.LessThan(TimeSpan.FromSeconds(8)), $"request {result.Index} should not wait on the runaways");
                    break;
            }
        }
    }
}
