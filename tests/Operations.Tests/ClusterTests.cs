using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DataHub.Host.Caching;
using DataHub.Host.Operations;
using DataHub.Testing;
using Npgsql;

namespace DataHub.Operations.Tests;

/// <summary>
/// <c>ops/cluster</c> driven end to end: three hosts behind nginx on one schema folder, sharing a PostgreSQL server.
/// The tests share one cluster and run in order; the last one stops it.
/// </summary>
[NonParallelizable]
public sealed class ClusterTests
{
    private const string SessionSecret = "cluster-test-session-secret-0123456789abcdef";
    private const string Issuer = "https://login.example";
    private const string Audience = "shop";
    private const string SlowEntity = "shop/services/slow";
    private const int PerUserLimit = 5;
    private static readonly int[] _hosts = [1, 2, 3];
    private static readonly TimeSpan _patience = TimeSpan.FromSeconds(90);

    private TempDirectory? _schema;
    private LocalCluster? _cluster;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(60) };

    private LocalCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is started in OneTimeSetUp.");

    [OneTimeSetUp]
    public async Task StartCluster()
    {
        _schema = new TempDirectory();
        _schema.Write("shop/instance.json", $$$"""
            {
              "dataStores": {"database": {"provider": "postgresql", "connectionString": "${env:DATAHUB_CLUSTER_POSTGRES}"}},
              "sessions": {"tags": {"user-session": {"secret": "{{{SessionSecret}}}", "issuer": "{{{Issuer}}}", "audience": "{{{Audience}}}"} } },
              "caches": {"names": {"ttlSeconds": 300}},
              "auth": {"anonymous": true}
            }
            """);
        _schema.Write("shop/services.json", """
            {"entities": {
              "slow": {"execute": true, "processor": "ExecuteSql",
                       "processorConfig": {"sql": "select ? as call from pg_sleep(0.05)", "parameters": [{"reference": "call", "type": "integer"}]}},
              "whoami": {"execute": true, "processor": "ExecuteSql",
                         "processorConfig": {"sql": "select ? as subject", "parameters": [{"reference": "session.subject", "type": "string", "length": 100}]}}
            }}
            """);
        _schema.Write("shop/people.json", """
            {"entities": {
              "name_of": {"execute": true, "processor": "ExecuteSql", "cache": "names",
                          "processorConfig": {"sql": "select name from people where id = ?", "parameters": [{"reference": "id", "type": "integer"}]}},
              "rename": {"execute": true, "processor": "ExecuteSql", "evicts": {"caches": ["names"]},
                         "processorConfig": {"sql": "update people set name = ? where id = ?", "execute": true,
                                             "parameters": [{"reference": "name", "type": "string", "length": 100}, {"reference": "id", "type": "integer"}]}}
            }}
            """);
        // A user's calls to an instance that authenticates callers, limited per user; anonymous calls are not counted.
        _schema.Write("team/instance.json", $$$"""
            {"auth": {"anonymous": false, "jwt": {"secret": "{{{SessionSecret}}}", "issuer": "{{{Issuer}}}", "audience": "{{{Audience}}}"} } }
            """);
        _schema.Write("team/checks.json", """
            {"entities": {"ping": {"execute": true, "processor": "Echo"}}}
            """);
        _cluster = await LocalCluster.StartAsync(_schema.Path, TimeSpan.FromMinutes(3), new Dictionary<string, string>
        {
            ["DATAHUB_CLUSTER_HOST_ARGS"] = $"--plugins {TestPaths.FixturePluginsDirectory}",
            ["DataHub__RateLimits__PerUser__PermitLimit"] = PerUserLimit.ToString(CultureInfo.InvariantCulture),
            // Fixed windows are aligned to the clock: an hour's window is not crossed during the test.
            ["DataHub__RateLimits__PerUser__WindowSeconds"] = "3600",
        });
    }

    [OneTimeTearDown]
    public async Task StopCluster()
    {
        _client.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
        _schema?.Dispose();
    }

    [Test]
    [Order(1)]
    public async Task Load_through_nginx_is_spread_across_all_three_hosts()
    {
        var hostIds = _hosts.Select(Cluster.HostId).ToArray();
        await using var load = new ClusterLoad(Cluster.Url, SlowEntity, callers: 6);

        var spread = await Eventually.TrueAsync(() => hostIds.All(id => load.Answers.Count(a => a.Host == id) >= 10), _patience);
        var answers = load.Answers;

        Assert.That(spread, Is.True, Tally(answers));
        Assert.That(answers.Select(a => a.Host).Distinct(), Is.EquivalentTo(hostIds), "the three hosts and nothing else");
        Assert.That(answers.Where(a => !a.Whole), Is.Empty, Tally(answers));
    }

    [Test]
    [Order(2)]
    public async Task A_schema_file_written_to_the_shared_folder_is_served_by_every_host()
    {
        foreach (var host in _hosts)
        {
            Assert.That(await CallAsync(host, "shop/added/hello"), Is.EqualTo(HttpStatusCode.NotFound), "not there before");
        }

        _schema!.Write("shop/added.json", """
            {"entities": {"hello": {"execute": true, "processor": "ExecuteSql", "processorConfig": {"sql": "select 'hello' as word"}}}}
            """);

        foreach (var host in _hosts)
        {
            var served = await Eventually.TrueAsync(async () => await CallAsync(host, "shop/added/hello") == HttpStatusCode.OK,
                _patience, TimeSpan.FromMilliseconds(200));
            Assert.That(served, Is.True, $"host {host} serves the new entity");
        }
    }

    [Test]
    [Order(3)]
    public async Task A_session_token_is_verified_by_every_host_and_a_forged_one_by_none()
    {
        var token = Tokens.Mint("ann", Issuer, Audience, SessionSecret);
        var forged = Tokens.Mint("ann", Issuer, Audience, "a-different-secret-of-the-same-length-0123456");

        foreach (var host in _hosts)
        {
            Assert.That(await WhoAmIAsync(host, token), Is.EqualTo((HttpStatusCode.OK, "ann")), $"host {host}");
            Assert.That(await WhoAmIAsync(host, forged), Is.EqualTo((HttpStatusCode.Unauthorized, (string?)null)), $"host {host}");
        }
    }

    [Test]
    [Order(4)]
    public async Task A_per_user_rate_limit_is_counted_in_the_shared_Redis_so_the_three_hosts_together_admit_it_once()
    {
        var token = Tokens.Mint("bob", Issuer, Audience, SessionSecret);
        var answers = new List<(HttpStatusCode Status, string? Host)>();
        for (var call = 0; call < 4 * PerUserLimit; call++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Cluster.Url, "team/checks/ping")) { Content = new StringContent("{}") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _client.SendAsync(request);
            answers.Add((response.StatusCode, response.Headers.TryGetValues(HostIdentity.HeaderName, out var host) ? host.Single() : null));
        }
        var expected = Enumerable.Repeat(HttpStatusCode.OK, PerUserLimit).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3 * PerUserLimit));

        Assert.That(answers.Select(a => a.Status), Is.EqualTo(expected), "the configured limit once, not once per host");
        Assert.That(answers.Select(a => a.Host).Distinct().Count(), Is.EqualTo(_hosts.Length), "every host answered some of the calls");
    }

    [Test]
    [Order(5)]
    public async Task A_write_on_one_host_evicts_the_answer_every_host_has_cached()
    {
        await using (var database = new NpgsqlConnection(Cluster.PostgresConnectionString))
        {
            await database.OpenAsync();
            await using var create = new NpgsqlCommand("create table people (id int primary key, name text); insert into people values (1, 'Ann')", database);
            await create.ExecuteNonQueryAsync();
        }
        foreach (var host in _hosts)
        {
            await NameOfAsync(host);
            Assert.That(await NameOfAsync(host), Is.EqualTo(("Ann", CacheOutcome.Hit)), $"host {host} answers from its cache");
        }

        using var rename = new StringContent("""{"id": 1, "name": "Bea"}""");
        using var renamed = await _client.PostAsync(new Uri(Cluster.HostUrl(1), "shop/people/rename"), rename);
        Assert.That(renamed.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        foreach (var host in _hosts)
        {
            (string? Name, string? Cache) last = default;
            var evicted = await Eventually.TrueAsync(async () => (last = await NameOfAsync(host)).Name == "Bea", _patience, TimeSpan.FromMilliseconds(100));
            Assert.That(evicted, Is.True, $"host {host} still answers {last}");
        }
    }

    [Test]
    [Order(6)]
    public async Task A_host_killed_under_load_costs_only_the_calls_it_was_serving_and_rejoins_when_started_again()
    {
        const int callers = 8;
        const int killed = 2;
        var killedId = Cluster.HostId(killed);
        var killedAddress = Cluster.UpstreamAddress(killed);
        var killedProcess = Cluster.HostProcessId(killed);
        await using var load = new ClusterLoad(Cluster.Url, SlowEntity, callers);
        Assert.That(await Eventually.TrueAsync(() => load.Answers.Count(a => a.Host == killedId) >= 5, _patience), Is.True,
            "the host to kill is serving");

        await Cluster.KillHostAsync(killed);
        var dead = load.Now;
        var enough = await Eventually.TrueAsync(() => load.Answers.Count(a => a.Started > dead) >= 120, _patience);
        var deadFor = load.Now - dead;
        var answers = load.Answers;
        var failed = answers.Where(a => !a.Whole).ToList();
        var later = answers.Where(a => a.Started > dead).ToList();

        TestContext.Out.WriteLine($"{later.Count} calls in the {deadFor.TotalSeconds:F1} s after the kill: {Tally(later)}; failed: {Tally(failed)}");
        Assert.That(enough, Is.True, Tally(answers));
        Assert.That(failed, Has.Count.LessThanOrEqualTo(callers), "at most one call per caller was running when the host died: " + Tally(failed));
        Assert.That(failed, Has.All.Matches<ClusterAnswer>(a => a.Status == HttpStatusCode.BadGateway && a.Attempts[^1] == killedAddress),
            "each failed call was one the killed host had: " + Tally(failed));
        Assert.That(later, Has.All.Matches<ClusterAnswer>(a => a.Whole && a.Host != killedId), "calls made after it died: " + Tally(later));
        // Round robin alone would try the dead host for about a third of the calls; nginx leaves it out after the first
        // failure, trying it again once per fail_timeout. Calls already on their way when it was marked try it once.
        var triedDead = later.Count(a => a.Attempts.Contains(killedAddress));
        var bound = callers + 1 + (int)(deadFor.TotalSeconds / LocalCluster.FailTimeoutSeconds);
        Assert.That(triedDead, Is.LessThanOrEqualTo(bound), $"nginx tried the dead host for {triedDead} of {later.Count} calls in {deadFor.TotalSeconds:F1} s");

        Assert.That(await Eventually.TrueAsync(() => Cluster.HostProcessId(killed) is null, _patience), Is.True, "ops/cluster noticed: " + Cluster.Output);
        await Cluster.RestartStoppedHostsAsync();
        var restarted = load.Now;
        var rejoined = await Eventually.TrueAsync(() => load.Answers.Any(a => a.Started > restarted && a.Host == killedId), _patience);

        Assert.That(rejoined, Is.True, "the restarted host serves through nginx again: " + Cluster.Output);
        Assert.That(Cluster.HostProcessId(killed), Is.Not.Null.And.Not.EqualTo(killedProcess));
        Assert.That(load.Answers.Where(a => a.Started > restarted), Has.All.Matches<ClusterAnswer>(a => a.Whole), "no call fails while it rejoins");
    }

    [Test]
    [Order(7)]
    public async Task Stopping_the_cluster_ends_every_process_and_removes_its_folder()
    {
        var processes = Cluster.ProcessIds();
        Assert.That(processes, Is.Not.Empty);

        var stopped = await Cluster.StopAsync(_patience);

        Assert.That(stopped, Is.True, Cluster.Output);
        Assert.That(Cluster.Output, Does.Contain("Stopped."));
        Assert.That(processes.Where(id => Directory.Exists($"/proc/{id}")), Is.Empty, "every process has ended");
        Assert.That(Directory.Exists(Cluster.Folder), Is.False, "the temp folder is gone");
        Assert.ThrowsAsync<HttpRequestException>(() => _client.GetAsync(new Uri(Cluster.Url, "health/live")), "nginx no longer listens");
    }

    private async Task<HttpStatusCode> CallAsync(int host, string path)
    {
        using var content = new StringContent("{}");
        using var response = await _client.PostAsync(new Uri(Cluster.HostUrl(host), path), content);
        return response.StatusCode;
    }

    /// <summary>Person 1's name as host <paramref name="host"/> answers it, and how its cache answered.</summary>
    private async Task<(string? Name, string? Cache)> NameOfAsync(int host)
    {
        using var content = new StringContent("""{"id": 1}""");
        using var response = await _client.PostAsync(new Uri(Cluster.HostUrl(host), "shop/people/name_of"), content);
        var rows = JsonNode.Parse(await response.Content.ReadAsStringAsync()) as JsonArray;
        var cache = response.Headers.TryGetValues(CacheOutcome.Header, out var values) ? values.Single() : null;
        return (rows?.SingleOrDefault()?["name"]?.GetValue<string>(), cache);
    }

    private async Task<(HttpStatusCode Status, string? Subject)> WhoAmIAsync(int host, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Cluster.HostUrl(host), "shop/services/whoami"))
        {
            Content = new StringContent("{}"),
        };
        request.Headers.TryAddWithoutValidation("DataHub-Session", $"user-session {token}");
        using var response = await _client.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            return (response.StatusCode, null);
        }
        var rows = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        return (response.StatusCode, rows.Single()!["subject"]!.GetValue<string>());
    }

    /// <summary>Answers counted by status, host and nginx's attempts, for failure messages.</summary>
    private static string Tally(IEnumerable<ClusterAnswer> answers) =>
        string.Join("; ", answers.GroupBy(a => $"{(int)a.Status} {(a.Whole ? "whole" : "not whole")} from {a.Host ?? "-"} via {a.Upstream ?? "-"}")
            .Select(group => $"{group.Key}: {group.Count()}"));
}
