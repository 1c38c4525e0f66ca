using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using DataHub.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace DataHub.Operations.Tests;

/// <summary>Traces by OTLP to a tiny local receiver: one span per request, Npgsql's command spans beneath it, no data values.</summary>
public sealed class TraceTests
{
    [Test]
    public async Task A_request_is_one_span_with_its_names_and_status_and_its_database_command_a_child()
    {
        var exports = new ConcurrentQueue<byte[]>();
        var receiverPort = Ports.Free();
        await using var receiver = StartReceiver(receiverPort, exports);
        await receiver.StartAsync();

        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "DataHub.Host" or "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        using var schema = new TempDirectory();
        var store = new JsonObject { ["provider"] = "postgresql", ["connectionString"] = await PostgresServer.CreateDatabaseAsync() };
        schema.Write("shop/instance.json", new JsonObject { ["dataStores"] = new JsonObject { ["database"] = store } }.ToJsonString());
        schema.Write("shop/services.json", """
            {"entities": {"lookup": {"execute": true, "processor": "ExecuteSql",
              "processorConfig": {"sql": "select length(?) as size", "parameters": [{"reference": "word", "type": "string"}]}}}}
            """);
        var marker = "private-value-" + Guid.NewGuid().ToString("N");
        var host = await RunningHost.StartAsync(schema.Path, settings: new Dictionary<string, string?>
        {
            ["DataHub:Operations:OtlpTracesEndpoint"] = $"http://127.0.0.1:{receiverPort}/v1/traces",
        });
        string traceParentTrace;
        await using (host)
        {
            traceParentTrace = ActivityTraceId.CreateRandom().ToHexString();
            using var request = new HttpRequestMessage(HttpMethod.Post, "shop/services/lookup")
            {
                Content = new StringContent($$"""{"word": "{{marker}}"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("traceparent", $"00-{traceParentTrace}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            (await host.Client.SendAsync(request)).EnsureSuccessStatusCode();
        }
        // Stopping the host flushes its exporter.

        var requestSpan = stopped.Single(a => a.Source.Name == "DataHub.Host" && a.TraceId.ToHexString() == traceParentTrace);
        Assert.That(requestSpan.DisplayName, Is.EqualTo("POST shop/services/lookup"));
        Assert.That(requestSpan.GetTagItem("datahub.entity"), Is.EqualTo("lookup"));
        Assert.That(requestSpan.GetTagItem("http.response.status_code"), Is.EqualTo(200));
        var commands = stopped.Where(a => a.Source.Name == "Npgsql" && a.ParentSpanId == requestSpan.SpanId).ToList();
        Assert.That(commands, Is.Not.Empty, "the database command is a child of the request's span");

        var exported = exports.SelectMany(e => e).ToArray();
        Assert.That(exported, Is.Not.Empty, "the host exported by OTLP");
        var text = Encoding.UTF8.GetString(exported);
        Assert.That(text, Does.Contain("POST shop/services/lookup").And.Contain("datahub.entity").And.Contain("Npgsql"));
        Assert.That(exported.AsSpan().IndexOf(Convert.FromHexString(traceParentTrace)), Is.GreaterThanOrEqualTo(0), "the caller's trace id");
        Assert.That(text, Does.Not.Contain(marker), "no data value in any span");
    }

    private static WebApplication StartReceiver(int port, ConcurrentQueue<byte[]> exports)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var receiver = builder.Build();
        receiver.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            exports.Enqueue(body.ToArray());
            return Results.Ok();
        });
        return receiver;
    }
}
