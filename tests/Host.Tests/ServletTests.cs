using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DataHub.Fixtures.Hanging;
using DataHub.Fixtures.Throwing;
using DataHub.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace DataHub.Host.Tests;

/// <summary>The instance servlet end to end: the real host on Kestrel, fixture plug-ins loaded from a folder.</summary>
public sealed class ServletTests() : HostFixture([TestPaths.FixturePluginsDirectory], new Dictionary<string, string?>
{
    ["DataHub:RequestTimeoutSeconds"] = "2",
    ["DataHub:MaxRequestBodyBytes"] = BodyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
})
{
    private const int BodyLimit = 64 * 1024;

    protected override Task WriteSchemaAsync(TempDirectory schema)
    {
        schema.Write("shop/services.json", """
            {"reference": "services", "name": "Shop services",
             "entities": {
               "echo": {"execute": true, "processor": "Echo", "processorConfig": {"answer": 42}},
               "throw": {"execute": true, "processor": "Throwing"},
               "hang": {"execute": true, "processor": "Hanging"},
               "old": {"execute": true, "processor": "OldNpgsql"},
               "plain": {"name": "not executable"}
             }}
            """);
        schema.Write("shop/default.json", """{"entities": {"echo_default": {"execute": true, "processor": "com.example.EchoPlugIn"}}}""");
        return Task.CompletedTask;
    }

    [Test]
    public async Task A_posted_body_becomes_data_and_every_input_reaches_the_plugin()
    {
        using var response = await Host.PostJsonAsync("/shop/services/echo?options=%7B%22verbose%22%3Atrue%7D", """{"range": "Aspire", "height": 285}""");
        var echo = await ReadJsonAsync(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
        Assert.That(echo["data"]!.ToJsonString(), Is.EqualTo("""{"range":"Aspire","height":285}"""));
        Assert.That(echo["options"]!.ToJsonString(), Is.EqualTo("""{"verbose":true}"""));
        Assert.That(echo["user"], Is.Null);
        Assert.That(echo["context"]!["instance"]!.GetValue<string>(), Is.EqualTo("shop"));
        Assert.That(echo["context"]!["system"]!.GetValue<string>(), Is.EqualTo("services"));
        Assert.That(echo["context"]!["entity"]!.GetValue<string>(), Is.EqualTo("echo"));
        Assert.That(echo["context"]!["environment"]!.GetValue<string>(), Is.EqualTo("Testing"));
        Assert.That(echo["context"]!["requestId"]!.GetValue<string>(), Is.EqualTo(echo["traceId"]!.GetValue<string>()).And.Not.Empty);
        Assert.That(echo["entityMapping"]!["processor"]!.GetValue<string>(), Is.EqualTo("Echo"));
        Assert.That(echo["processorConfig"]!.ToJsonString(), Is.EqualTo("""{"answer":42}"""));
        Assert.That(echo["dataStore"]!.GetValue<string>(), Is.EqualTo("database"));
    }

    [TestCase("{}")]
    [TestCase(" {}\n")]
    [TestCase("{ }")]
    public async Task An_empty_object_body_is_an_empty_object(string body)
    {
        var echo = await ReadJsonAsync(await Host.PostJsonAsync("/shop/services/echo", body));

        Assert.That(echo["data"]!.ToJsonString(), Is.EqualTo("{}"));
    }

    [Test]
    public async Task Requests_are_counted_by_entity_and_status_once_something_listens()
    {
        var counted = new System.Collections.Concurrent.ConcurrentBag<(string Entity, int HttpStatus)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, meters) =>
        {
            if (instrument.Meter.Name == Diagnostics.DataHubMetrics.MeterName && instrument.Name == "datahub.requests")
            {
                meters.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var values = tags.ToArray().ToDictionary(tag => tag.Key, tag => tag.Value);
            counted.Add(((string)values["datahub.entity"]!, (int)values["http.response.status_code"]!));
        });
        listener.Start();

        using var served = await Host.PostJsonAsync("/shop/services/echo", "{}");
        using var missing = await Host.PostJsonAsync("/shop/services/nothing", "{}");

        // A name that did not resolve is never a label value: callers could otherwise make series without end.
        Assert.That(counted, Does.Contain(("echo", 200)).And.Contain((Diagnostics.DataHubMetrics.Unresolved, 404)));
        Assert.That(counted.Select(c => c.Entity), Does.Not.Contain("nothing"));
    }

    [Test]
    public async Task A_GET_with_a_url_encoded_data_parameter_becomes_data()
    {
        var data = Uri.EscapeDataString("""[{"id": 1}, {"id": 2}]""");

        var echo = await ReadJsonAsync(await Host.Client.GetAsync($"shop/services/echo?data={data}"));

        Assert.That(echo["data"]!.ToJsonString(), Is.EqualTo("""[{"id":1},{"id":2}]"""));
    }

    [Test]
    public async Task A_POST_with_a_data_parameter_and_no_body_becomes_data()
    {
        var data = Uri.EscapeDataString("""{"id": 7}""");

        var echo = await ReadJsonAsync(await Host.Client.PostAsync($"shop/services/echo?data={data}", null));

        Assert.That(echo["data"]!.ToJsonString(), Is.EqualTo("""{"id":7}"""));
    }

    [Test]
    public async Task A_form_post_with_data_and_options_fields_is_read_like_the_url_parameters()
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["data"] = """{"id": 3}""",
            ["options"] = """{"o": 1}""",
        });

        var echo = await ReadJsonAsync(await Host.Client.PostAsync("shop/services/echo", form));

        Assert.That(echo["data"]!.ToJsonString(), Is.EqualTo("""{"id":3}"""));
        Assert.That(echo["options"]!.ToJsonString(), Is.EqualTo("""{"o":1}"""));
    }

    [Test]
    public async Task Raw_json_sent_with_curls_default_form_content_type_is_still_read_as_json()
    {
        using var body = new StringContent("""{"id": 4}""", Encoding.UTF8, "application/x-www-form-urlencoded");

        var echo = await ReadJsonAsync(await Host.Client.PostAsync("shop/services/echo", body));

        Assert.That(echo["data"]!.ToJsonString(), Is.EqualTo("""{"id":4}"""));
    }

    [Test]
    public async Task The_two_segment_path_addresses_the_default_system()
    {
        var echo = await ReadJsonAsync(await Host.PostJsonAsync("/shop/echo_default", "{}"));

        Assert.That(echo["context"]!["system"]!.GetValue<string>(), Is.EqualTo("default"));
        Assert.That(echo["context"]!["entity"]!.GetValue<string>(), Is.EqualTo("echo_default"));
    }

    [Test]
    public async Task A_call_without_any_input_passes_null_data()
    {
        var echo = await ReadJsonAsync(await Host.Client.GetAsync("shop/services/echo"));

        Assert.That(echo["data"], Is.Null);
        Assert.That(echo["options"], Is.Null);
    }

    [TestCase("""{"response": {"a": 1}}""", 200, """{"a":1}""")]
    [TestCase("""{"response": [1, 2]}""", 200, "[1,2]")]
    [TestCase("""{"response": "plain text, written as it is"}""", 200, "plain text, written as it is")]
    [TestCase("""{"response": {"created": true}, "httpStatus": 201}""", 201, """{"created":true}""")]
    [TestCase("""{"response": {"kept": 1}, "status": 25, "errorMessage": "ignored"}""", 400, """{"kept":1}""")]
    [TestCase("""{"status": 10}""", 200, """{"status":10}""")]
    [TestCase("""{"status": 25, "errorMessage": "x", "httpStatus": 418}""", 418, null)]
    [TestCase("""{}""", 200, "")]
    public async Task The_plugins_outputs_become_the_http_response(string outputs, int httpStatus, string? body)
    {
        using var response = await Host.PostJsonAsync("/shop/services/echo", $$"""{"set": {{outputs}} }""");
        var text = await response.Content.ReadAsStringAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(httpStatus));
        Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(System.Text.Encoding.UTF8.GetByteCount(text)), "whole bodies, not chunked");
        if (body is not null)
        {
            Assert.That(text, Is.EqualTo(body));
        }
    }

    [TestCase(0, 200)]
    [TestCase(10, 200)]
    [TestCase(19, 200)]
    [TestCase(20, 500)]
    [TestCase(21, 404)]
    [TestCase(22, 400)]
    [TestCase(23, 404)]
    [TestCase(24, 404)]
    [TestCase(25, 400)]
    [TestCase(26, 504)]
    [TestCase(27, 500)]
    public async Task Status_and_errorMessage_build_the_body_and_the_status_picks_the_http_code(int status, int httpStatus)
    {
        using var response = await Host.PostJsonAsync("/shop/services/echo", $$$"""{"set": {"status": {{{status}}}, "errorMessage": "message {{{status}}}"}}""");
        var body = await ReadJsonAsync(response);

        Assert.That((int)response.StatusCode, Is.EqualTo(httpStatus));
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(status));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Is.EqualTo($"message {status}"));
        Assert.That(body["traceId"], status >= 20 ? Is.Not.Null : Is.Null, "errors carry the trace id");
    }

    [TestCase("""{"X-Answer": "42", "Content-Type": "text/csv"}""")]
    [TestCase("""  "{\"X-Answer\": \"42\", \"Content-Type\": \"text/csv\"}"  """)]
    public async Task Http_headers_as_a_json_object_or_json_string_are_applied_and_content_type_replaces_json(string headers)
    {
        using var response = await Host.PostJsonAsync("/shop/services/echo", $$$"""{"set": {"httpHeaders": {{{headers}}}, "response": "a,b"}}""");

        Assert.That(response.Headers.GetValues("X-Answer"), Is.EqualTo(new[] { "42" }));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/csv"));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("a,b"));
    }

    [Test]
    public async Task Headers_that_would_break_the_response_are_skipped_and_logged()
    {
        using var response = await Host.PostJsonAsync("/shop/services/echo",
            """{"set": {"httpHeaders": {"X-Bad": "line\r\nInjected: yes", "Content-Length": "1", "X-Good": "ok"}, "response": {"a": 1}}}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.Contains("Injected"), Is.False);
        Assert.That(response.Headers.Contains("X-Bad"), Is.False);
        Assert.That(response.Headers.GetValues("X-Good"), Is.EqualTo(new[] { "ok" }));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"a":1}"""));
        Assert.That(Host.Log.Entries.Select(e => e.Message), Has.Some.Contains("Skipped response header 'X-Bad'"));
    }

    [Test]
    public async Task An_http_status_that_is_not_one_is_a_processor_failure()
    {
        using var response = await Host.PostJsonAsync("/shop/services/echo", """{"set": {"httpStatus": 99999}}""");

        await AssertErrorAsync(response, HttpStatusCode.InternalServerError, 20, "The processor failed");
    }

    [TestCase("/nowhere/services/echo", 23, "Instance 'nowhere' not found.")]
    [TestCase("/shop/nosystem/echo", 23, "System 'nosystem' not found in instance 'shop'.")]
    [TestCase("/shop/services/nothing", 24, "Entity 'nothing' not found in system 'services'.")]
    [TestCase("/shop/nothing", 24, "Entity 'nothing' not found in system 'default'.")]
    [TestCase("/shop/services/plain", 24, "Entity 'plain' is not an execute entity.")]
    public async Task Unknown_instances_systems_and_entities_are_404_in_the_error_shape(string path, int status, string message)
    {
        using var response = await Host.PostJsonAsync(path, "{}");

        await AssertErrorAsync(response, HttpStatusCode.NotFound, status, message);
    }

    [TestCase("""{"range": """, "The request body is not valid JSON (line 1, position 11).")]
    [TestCase("""{"a": 1} trailing""", "The request body is not valid JSON (line 1, position 10).")]
    [TestCase("42", "data must be a JSON object or array.")]
    [TestCase("""{"id": 1, "lines": [{"sku": "a", "sku": "b"}]}""", "The request body names 'sku' twice in one object: property names must be unique.")]
    [TestCase("""{"env": "test", "data": "text"}""", "data must be a JSON object or array.")]
    public async Task A_malformed_body_is_400_with_status_22(string body, string message)
    {
        using var response = await Host.PostJsonAsync("/shop/services/echo", body);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, 22, message);
    }

    [Test]
    public async Task A_malformed_data_parameter_is_400_with_status_22()
    {
        using var response = await Host.Client.GetAsync("shop/services/echo?data=%7Bnope");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, 22, "The 'data' parameter is not valid JSON");
    }

    // Bytes that are not UTF-8 and \u escapes of half a surrogate pair, in a value, in a key no plug-in reads, nested.
    private static readonly byte[][] _unreadableJson =
    [
        [.. "{\"a\":\""u8, 0xFF, .. "\"}"u8],
        [.. "{\""u8, 0xC3, .. "\":1}"u8],
        [.. "[{\"deep\":[\""u8, 0xED, 0xA0, 0x80, .. "\"]}]"u8],
        "{\"s\":\"\\ud800\"}"u8.ToArray(),
        "{\"\\ud800\":1}"u8.ToArray(),
        "{\"s\":\"\\udc00 then a pair \\ud83d\\ude00\"}"u8.ToArray(),
        "[\"\\ud83d\\u0041\"]"u8.ToArray(),
    ];

    private static IEnumerable<TestCaseData> UnreadableJson() =>
        _unreadableJson.Select((bytes, i) => new TestCaseData(bytes).SetArgDisplayNames($"case {i}"));

    [TestCaseSource(nameof(UnreadableJson))]
    public async Task Json_that_is_not_unicode_text_is_400_with_status_22_in_the_body(byte[] json)
    {
        using var content = new ByteArrayContent(json);
        content.Headers.ContentType = new("application/json");

        using var response = await Host.Client.PostAsync("shop/services/echo", content);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, 22, "The request body ");
    }

    [TestCaseSource(nameof(UnreadableJson))]
    public async Task Json_that_is_not_unicode_text_is_400_in_the_data_and_options_parameters_and_form_fields(byte[] json)
    {
        var escaped = string.Concat(json.Select(b => $"%{b:X2}"));
        using var data = await Host.Client.GetAsync($"shop/services/echo?data={escaped}");
        using var options = await Host.Client.GetAsync($"shop/services/echo?options={escaped}");
        using var form = new StringContent($"data={escaped}", Encoding.ASCII, "application/x-www-form-urlencoded");
        using var formData = await Host.Client.PostAsync("shop/services/echo", form);
        using var optionsForm = new StringContent($"data=%7B%7D&options={escaped}", Encoding.ASCII, "application/x-www-form-urlencoded");
        using var formOptions = await Host.Client.PostAsync("shop/services/echo", optionsForm);

        foreach (var response in new[] { data, options, formData, formOptions })
        {
            await AssertErrorAsync(response, HttpStatusCode.BadRequest, 22, "parameter ");
        }
    }

    [Test]
    public async Task A_form_body_that_is_not_utf8_is_400()
    {
        using var content = new ByteArrayContent([.. "data=%7B%22a%22%3A%22"u8, 0xFF, .. "%22%7D"u8]);
        content.Headers.ContentType = new("application/x-www-form-urlencoded");

        using var response = await Host.Client.PostAsync("shop/services/echo", content);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, 22, "The request body is not valid UTF-8.");
    }

    [Test]
    public async Task A_surrogate_pair_escape_is_text_and_reaches_the_plugin()
    {
        var echo = await ReadJsonAsync(await Host.PostJsonAsync("/shop/services/echo", """{"smile": "\ud83d\ude00"}"""));

        Assert.That(echo["data"]!["smile"]!.GetValue<string>(), Is.EqualTo("\U0001F600"));
    }

    [Test]
    public async Task Json_nested_too_deeply_is_400_saying_so_and_naming_the_limit()
    {
        var deep = new string('[', 65) + new string(']', 65);

        using var body = await Host.PostJsonAsync("/shop/services/echo", deep);
        using var parameter = await Host.Client.GetAsync($"shop/services/echo?data={Uri.EscapeDataString(deep)}");

        await AssertErrorAsync(body, HttpStatusCode.BadRequest, 22, "The request body is nested too deeply: JSON objects and arrays may nest at most 64 levels.");
        await AssertErrorAsync(parameter, HttpStatusCode.BadRequest, 22, "The 'data' parameter is nested too deeply");
    }

    [Test]
    public async Task Json_nested_to_the_limit_is_read()
    {
        var deepest = new string('[', 64) + new string(']', 64);

        using var response = await Host.PostJsonAsync("/shop/services/echo", deepest);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task The_hosts_own_4xx_answers_put_their_trace_id_in_the_log_at_debug()
    {
        using var response = await Host.PostJsonAsync("/shop/services/nothing", "{}");
        var traceId = (await ReadJsonAsync(response))["traceId"]!.GetValue<string>();

        var line = Host.Log.Entries.Single(e => e.Message.Contains($"(trace {traceId})", StringComparison.Ordinal));
        Assert.That(line.Level, Is.EqualTo(LogLevel.Debug), "one line per bad request would flood the default level");
        Assert.That(line.Message, Does.StartWith("Answered 404 with status 24"));
        Assert.That(line.Category, Does.StartWith("DataHub."));
    }

    [Test]
    public void The_documented_debug_variable_can_be_set_from_bash_and_turns_on_debug_for_the_host()
    {
        const string Variable = "Logging__LogLevel__DataHub";
        Assert.That(Variable, Does.Match("^[A-Za-z_][A-Za-z0-9_]*$"), "a name bash can export");
        Environment.SetEnvironmentVariable(Variable, "Debug");
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
            using var factory = LoggerFactory.Create(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddConsole());

            Assert.That(factory.CreateLogger("DataHub.Host.Servlet.HostErrors").IsEnabled(LogLevel.Debug), Is.True);
            Assert.That(factory.CreateLogger("DataHub.Plugins.ExecuteSql").IsEnabled(LogLevel.Debug), Is.True);
            Assert.That(factory.CreateLogger("Microsoft.AspNetCore.Routing").IsEnabled(LogLevel.Debug), Is.False);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }
    }

    [Test]
    public async Task A_body_over_the_configured_limit_is_413()
    {
        var big = $$"""{"blob": "{{new string('x', BodyLimit * 2)}}"}""";

        using var response = await Host.PostJsonAsync("/shop/services/echo", big);

        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, 22, $"larger than the limit of {BodyLimit} bytes");
    }

    [Test]
    public async Task A_plugin_exception_is_500_without_details_and_the_log_has_them_under_the_same_trace_id()
    {
        using var response = await Host.PostJsonAsync("/shop/services/throw", "{}");
        var body = await AssertErrorAsync(response, HttpStatusCode.InternalServerError, 20, "The processor failed");
        var text = body.ToJsonString();
        var traceId = body["traceId"]!.GetValue<string>();

        Assert.That(text, Does.Not.Contain("hunter2").And.Not.Contain("SELECT").And.Not.Contain("Password").And.Not.Contain("   at "));
        var failure = Host.Log.Entries.Single(e => e.Level == LogLevel.Error && e.Message.Contains(traceId, StringComparison.Ordinal));
        Assert.That(failure.Message, Does.Contain("Throwing").And.Contain("shop/services/throw").And.Contain("InvalidOperationException"));
        Assert.That(failure.RequestId, Is.EqualTo(traceId));
        var visible = Host.Log.Entries.Where(e => e.Level >= LogLevel.Information).Select(e => e.Message + e.Exception);
        Assert.That(visible, Has.None.Contains("hunter2").And.None.Contains("SELECT secret"), "error lines name the failure, not its message");
        var details = Host.Log.Entries.Single(e => e.Level == LogLevel.Debug && e.Exception?.Message == ThrowingPlugin.SecretMessage);
        Assert.That(details.RequestId, Is.EqualTo(traceId), "the details are under the same trace id, at Debug");
    }

    [Test]
    public async Task A_request_that_runs_past_its_time_limit_is_cancelled_and_answered_504_with_status_26()
    {
        using var response = await Host.PostJsonAsync("/shop/services/hang", "{}");

        await AssertErrorAsync(response, HttpStatusCode.GatewayTimeout, 26, "time limit of 2 s");
    }

    [Test]
    public async Task A_client_that_disconnects_cancels_the_plugin_and_the_host_keeps_serving()
    {
        using (var gone = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            Assert.That(async () => await Host.PostJsonAsync("/shop/services/hang", "{}", gone.Token), Throws.InstanceOf<OperationCanceledException>());
        }

        Assert.That(await Host.Log.WaitForLineAsync("disconnected; the processor was cancelled", TimeSpan.FromSeconds(5)), Is.True,
            "the disconnect is logged");
        var cancelled = Host.Log.Entries.Single(e => e.Message.Contains("disconnected; the processor was cancelled", StringComparison.Ordinal));
        Assert.That(Host.Log.Entries.Where(e => e.Message == HangingPlugin.CancelledMessage).Select(e => e.RequestId),
            Does.Contain(cancelled.RequestId), "the plug-in itself saw the cancellation");
        using var next = await Host.PostJsonAsync("/shop/services/echo", "{}");
        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_plugin_runs_with_its_own_version_of_a_dependency_the_host_also_uses()
    {
        var body = await ReadJsonAsync(await Host.PostJsonAsync("/shop/services/old", "{}"));

        Assert.That(body["npgsqlVersion"]!.GetValue<string>(), Is.EqualTo("9.0.3.0"));
        Assert.That(body["loadContext"]!.GetValue<string>(), Is.EqualTo("OldNpgsql"));
    }

    [Test]
    public async Task Other_methods_and_paths_get_the_error_shape_too()
    {
        using var put = await Host.Client.PutAsync("shop/services/echo", new StringContent("{}"));
        await AssertErrorAsync(put, HttpStatusCode.MethodNotAllowed, 22, "Use GET or POST.");

        using var root = await Host.Client.GetAsync("/");
        await AssertErrorAsync(root, HttpStatusCode.NotFound, 21, "Nothing is served at '/'");
    }

    [Test]
    public void Starting_on_an_invalid_schema_fails_with_every_problem()
    {
        using var schema = SchemaFolder.WithEntities(
            """{"a": {"execute": true, "processor": "Nope"}, "b": {"execute": true, "processor": "Echo", "processorConfig": {"reject": ["no"]}}}""");

        var failure = Assert.ThrowsAsync<InvalidSchemaException>(() => RunningHost.StartAsync(schema.Path, [TestPaths.FixturePluginsDirectory]));

        Assert.That(failure!.Problems, Has.Count.EqualTo(2));
        Assert.That(failure.Message, Does.Contain("Unknown processor 'Nope'").And.Contain("processorConfig: no"));
    }

    private static async Task<JsonNode> ReadJsonAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            return JsonNode.Parse(text) ?? throw new AssertionException($"Expected a JSON body, got '{text}'.");
        }
    }

    private static async Task<JsonNode> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode httpStatus, int status, string message)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(httpStatus), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var body = JsonNode.Parse(text)!;
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(status), text);
        Assert.That(body["errorMessage"]!.GetValue<string>(), Does.Contain(message));
        Assert.That(body["traceId"]!.GetValue<string>(), Is.Not.Empty);
        Assert.That(body.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "status", "errorMessage", "traceId" }));
        return body;
    }
}
