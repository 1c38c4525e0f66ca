using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DataHub.Testing;

namespace DataHub.Operations.Tests;

/// <summary>The Prometheus endpoint, scraped from the real host after real calls.</summary>
public sealed class MetricsTests() : HostFixture([TestPaths.FixturePluginsDirectory], new Dictionary<string, string?>
{
    [Operators.TokenSetting] = Operators.Token,
    ["DataHub:RateLimits:PerUser:PermitLimit"] = "3",
    ["DataHub:RateLimits:PerUser:WindowSeconds"] = "3600",
})
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(20);

    private const string Requests = "datahub_requests_total";

    protected override Task WriteSchemaAsync(TempDirectory schema)
    {
        schema.Write("open/services.json", """
            {"entities": {
              "echo": {"execute": true, "processor": "Echo"},
              "counted": {"execute": true, "processor": "Echo"},
              "throw": {"execute": true, "processor": "Throwing"}
            }}
            """);
        schema.Write("open/scripts.json", """
            {"entities": {
              "spin": {"execute": true, "processor": "Script", "processorConfig": {"script": "for (;;) {}", "timeoutMs": 200}},
              "hog": {"execute": true, "processor": "Script", "processorConfig": {
                "script": "const keep = []; for (;;) { keep.push(new Array(100000).fill(keep.length)); }", "maxHeapMB": 16, "timeoutMs": 30000}}
            }}
            """);
        schema.Write("busy/data/seed.sql", "CREATE TABLE hits (n integer NOT NULL); INSERT INTO hits (n) VALUES (0);");
        schema.Write("busy/instance.json", """
            {"dataStores": {"database": {"provider": "sqlite", "connectionString": "Data Source=data/busy.db", "seed": "data/seed.sql", "commandTimeoutSeconds": 1}}}
            """);
        schema.Write("busy/counter.json", """
            {"entities": {"hit": {"execute": true, "processor": "ExecuteSql", "processorConfig": {"sql": "update hits set n = n + 1", "execute": true}}}}
            """);
        schema.Write("closed/instance.json", """{"auth": {"anonymous": false, "basic": {"users": "users.json"}}}""");
        schema.Write("closed/users.json", Operators.UsersFile());
        schema.Write("closed/orders.json", """
            {"entities": {
              "echo": {"execute": true, "processor": "Echo"},
              "admin_only": {"execute": true, "processor": "Echo", "roles": ["admin"]}
            }}
            """);
        return Task.CompletedTask;
    }

    [Test]
    public async Task The_endpoint_is_for_operators_only()
    {
        using var anonymous = await Host.Client.GetAsync("metrics");
        using var wrongToken = await Host.Client.GetAsOperatorAsync("metrics", "not-the-operator-token-at-all");
        using var operatorScrape = await Host.Client.GetAsOperatorAsync("metrics");

        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(wrongToken.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(operatorScrape.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(operatorScrape.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/plain"));
    }

    [Test]
    public async Task Requests_are_counted_and_timed_under_the_loaded_names_whatever_the_url_case()
    {
        (await Host.PostJsonAsync("open/services/counted", "{}")).EnsureSuccessStatusCode();
        (await Host.PostJsonAsync("OPEN/Services/COUNTED", "{}")).EnsureSuccessStatusCode();
        (string, string)[] counted = [("datahub_instance", "open"), ("datahub_system", "services"), ("datahub_entity", "counted"), ("http_response_status_code", "200")];

        IReadOnlyList<Sample> samples = [];
        Assert.That(await Eventually.TrueAsync(async () => (samples = await Prometheus.ScrapeAsync(Host.Client)).Sum(Requests, counted) == 2, _timeout),
            Is.True, $"two calls counted under one series; saw {samples.Sum(Requests, counted)}");
        Assert.That(samples.Sum("datahub_request_duration_seconds_count", counted), Is.EqualTo(2));
        Assert.That(samples.Where(s => s.Name == "datahub_request_duration_seconds_bucket" && s.Has("datahub_entity", "counted")).Select(s => s.Labels["le"]),
            Does.Contain("0.005").And.Contain("+Inf"));
        Assert.That(samples.Any(s => s.Has("datahub_entity", "COUNTED") || s.Has("datahub_instance", "OPEN")), Is.False);
    }

    [Test]
    public async Task Names_that_do_not_resolve_are_all_recorded_under_one_fixed_value()
    {
        var invented = "invented" + Guid.NewGuid().ToString("N");
        foreach (var path in new[] { $"open/services/{invented}", $"open/{invented}/echo", $"{invented}/services/echo", $"{invented}/echo", $"open/{invented}" })
        {
            using var response = await Host.PostJsonAsync(path, "{}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), path);
        }

        string text = "";
        Assert.That(await Eventually.TrueAsync(async () =>
        {
            text = await (await Host.Client.GetAsOperatorAsync("metrics")).Content.ReadAsStringAsync();
            return Prometheus.Parse(text).Sum(Requests, ("http_response_status_code", "404")) >= 5;
        }, _timeout), Is.True);
        Assert.That(text, Does.Not.Contain(invented));
        var notFound = Prometheus.Parse(text).Where(s => s.Name == Requests && s.Has("http_response_status_code", "404")).ToList();
        Assert.That(notFound.Select(s => s.Labels["datahub_entity"]).Distinct(), Is.EqualTo(new[] { "_unresolved" }));
        Assert.That(notFound.Sum(s => s.Value), Is.EqualTo(5));
    }

    [Test]
    public async Task Refusals_401_403_and_429_are_counted_like_every_other_answer()
    {
        using var client = new HttpClient { BaseAddress = Host.BaseAddress };
        using (var anonymous = await client.PostAsync("closed/orders/echo", new StringContent("{}", Encoding.UTF8, "application/json")))
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:secret")));
        var statuses = new List<HttpStatusCode>();
        for (var call = 0; call < 4; call++)
        {
            using var response = await client.PostAsync(call == 0 ? "closed/orders/admin_only" : "closed/orders/echo",
                new StringContent("{}", Encoding.UTF8, "application/json"));
            statuses.Add(response.StatusCode);
        }
        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.Forbidden, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }),
            "the per-user limit of 3 counts the refused call too");

        IReadOnlyList<Sample> samples = [];
        Assert.That(await Eventually.TrueAsync(async () =>
            (samples = await Prometheus.ScrapeAsync(Host.Client)).Sum(Requests, ("datahub_instance", "closed"), ("http_response_status_code", "429")) == 1, _timeout), Is.True);
        Assert.That(samples.Sum(Requests, ("datahub_entity", "echo"), ("datahub_instance", "closed"), ("http_response_status_code", "401")), Is.EqualTo(1));
        Assert.That(samples.Sum(Requests, ("datahub_entity", "admin_only"), ("http_response_status_code", "403")), Is.EqualTo(1));
        Assert.That(samples.Sum(Requests, ("datahub_entity", "echo"), ("datahub_instance", "closed"), ("http_response_status_code", "200")), Is.EqualTo(2));
    }

    [Test]
    public async Task A_processor_failure_is_counted_with_its_plugin()
    {
        using (var response = await Host.PostJsonAsync("open/services/throw", "{}"))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        }

        IReadOnlyList<Sample> samples = [];
        (string, string)[] failed = [("datahub_entity", "throw"), ("datahub_plugin", "Throwing")];
        Assert.That(await Eventually.TrueAsync(async () => (samples = await Prometheus.ScrapeAsync(Host.Client)).Sum("datahub_processor_failures_total", failed) == 1, _timeout),
            Is.True);
        Assert.That(samples.Sum(Requests, ("datahub_entity", "throw"), ("http_response_status_code", "500")), Is.EqualTo(1));
    }

    [Test]
    public async Task Schema_reloads_and_plugin_failures_are_reported()
    {
        Schema.Write("open/extra.json", """{"entities": {"more": {"execute": true, "processor": "Echo"}}}""");
        IReadOnlyList<Sample> samples = [];
        Assert.That(await Eventually.TrueAsync(async () =>
            (samples = await Prometheus.ScrapeAsync(Host.Client)).Sum("datahub_schema_reloads_total", ("outcome", "published")) >= 1, _timeout), Is.True);
        Assert.That(samples.Sum("datahub_schema_entities"), Is.EqualTo(9));

        Schema.Write("open/extra.json", """{"entities": {"more": {"execute": true, "processor": "NoSuchProcessor"}}}""");
        Assert.That(await Eventually.TrueAsync(async () =>
            (samples = await Prometheus.ScrapeAsync(Host.Client)).Sum("datahub_schema_reloads_total", ("outcome", "rejected")) >= 1, _timeout), Is.True);
        Assert.That(samples.Sum("datahub_plugins_failed"), Is.EqualTo(1), "the Broken fixture folder");
    }

    [Test]
    public async Task Script_timeouts_and_memory_kills_are_counted_by_the_script_plugins_own_meter()
    {
        using (var spin = await Host.PostJsonAsync("open/scripts/spin", "{}"))
        {
            Assert.That(spin.StatusCode, Is.EqualTo(HttpStatusCode.GatewayTimeout));
        }
        using (var hog = await Host.PostJsonAsync("open/scripts/hog", "{}"))
        {
            Assert.That(await hog.Content.ReadAsStringAsync(), Does.Contain("maxHeapMB"));
        }

        IReadOnlyList<Sample> samples = [];
        Assert.That(await Eventually.TrueAsync(async () =>
            (samples = await Prometheus.ScrapeAsync(Host.Client)).Sum("datahub_script_stops_total", ("reason", "memory")) == 1, _timeout), Is.True);
        Assert.That(samples.Sum("datahub_script_stops_total", ("datahub_entity", "spin"), ("reason", "timeout")), Is.EqualTo(1));
        Assert.That(samples.Sum("datahub_script_stops_total", ("datahub_entity", "hog"), ("datahub_instance", "open"), ("reason", "memory")), Is.EqualTo(1));
    }

    [Test]
    public async Task Retries_after_a_real_sqlite_lock_are_counted_by_instance()
    {
        var (call, firstAttemptWasBusy) = await SqliteWriteLock.CallWhileLockedAsync(
            Path.Combine(Schema.Path, "busy", "data", "busy.db"), Host, () => Host.PostJsonAsync("busy/counter/hit?retries=2", "{}"));
        using var response = await call;

        Assert.That(firstAttemptWasBusy, Is.True);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(await Eventually.TrueAsync(async () =>
            (await Prometheus.ScrapeAsync(Host.Client)).Sum("datahub_retries_total", ("datahub_instance", "busy")) >= 1, _timeout), Is.True);
    }
}
