using System.Text.Json;
using System.Text.Json.Nodes;
using DataHub.Testing;

namespace DataHub.Operations.Tests;

/// <summary>The JSON console format, chosen by a setting: one object a line, each with the trace and span ids.</summary>
public sealed class JsonLogTests
{
    [Test]
    public async Task Each_line_is_json_with_trace_and_span_ids_and_the_error_bodys_trace_id_finds_the_request()
    {
        using var schema = new TempDirectory();
        schema.Write("shop/services.json", """{"entities": {"throw": {"execute": true, "processor": "Throwing"}}}""");
        await using var host = await HostProcess.StartAsync(schema.Path, new Dictionary<string, string>
        {
            ["Logging__Console__FormatterName"] = "json",
        });

        using var response = await host.Client.PostAsync("shop/services/throw", new StringContent("{}"));
        var traceId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["traceId"]!.GetValue<string>();

        JsonObject? failure = null;
        Assert.That(await Eventually.TrueAsync(() => (failure = Lines(host).FirstOrDefault(line =>
            line["Message"]?.GetValue<string>().Contains(traceId, StringComparison.Ordinal) == true)) is not null, TimeSpan.FromSeconds(10)),
            Is.True, "the request's line:\n" + string.Join("\n", host.Output));
        Assert.That(host.Output.Where(line => line.Length > 0), Is.All.StartsWith("{"), "every line is a JSON object");
        Assert.That(failure!["LogLevel"]!.GetValue<string>(), Is.EqualTo("Error"));
        var scopes = failure["Scopes"]!.AsArray().OfType<JsonObject>().ToList();
        Assert.That(scopes.Select(s => s["TraceId"]?.GetValue<string>()), Has.Some.Match("^[0-9a-f]{32}$"), failure.ToJsonString());
        Assert.That(scopes.Select(s => s["SpanId"]?.GetValue<string>()), Has.Some.Match("^[0-9a-f]{16}$"), failure.ToJsonString());
        Assert.That(scopes.Select(s => s["RequestId"]?.GetValue<string>()), Has.Some.EqualTo(traceId), "the error body's traceId is the request's id");
    }

    private static IEnumerable<JsonObject> Lines(HostProcess host)
    {
        foreach (var line in host.Output)
        {
            JsonObject? entry = null;
            try
            {
                entry = JsonNode.Parse(line) as JsonObject;
            }
            catch (JsonException)
            {
            }
            if (entry is not null)
            {
                yield return entry;
            }
        }
    }
}
