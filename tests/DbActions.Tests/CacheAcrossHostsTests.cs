using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DataHub.Host.Caching;
using DataHub.Testing;
using Microsoft.Extensions.Logging;
using static DataHub.DbActions.Tests.CacheSchema;

namespace DataHub.DbActions.Tests;

/// <summary>
/// Two real hosts on one schema and one database, sharing a throwaway redis-server: answers are shared through Redis,
/// and a write on one host evicts the copy the other already holds in memory (Redis publish/subscribe).
/// </summary>
[TestFixture(UsersSchema.Sqlite)]
[TestFixture(UsersSchema.PostgreSql)]
public sealed class CacheAcrossHostsTests(string provider)
{
    private static readonly TimeSpan _propagation = TimeSpan.FromSeconds(10);

    private RedisServer? _redis;
    private TempDirectory? _schema;
    private RunningHost? _first;
    private RunningHost? _second;

    private RunningHost First => _first!;

    private RunningHost Second => _second!;

    [OneTimeSetUp]
    public async Task StartHosts()
    {
        _redis = await RedisServer.StartAsync();
        _schema = new TempDirectory();
        await CacheSchema.WriteAsync(_schema, provider);
        var settings = new Dictionary<string, string?> { [RedisOptions.Section + ":Configuration"] = _redis.Configuration };
        _first = await RunningHost.StartAsync(_schema.Path, settings: settings);
        _second = await RunningHost.StartAsync(_schema.Path, settings: settings);
    }

    [OneTimeTearDown]
    public async Task StopHosts()
    {
        foreach (var host in new[] { _second, _first })
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
        _schema?.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [Test]
    public async Task An_answer_one_host_keeps_is_a_hit_on_the_other()
    {
        var onFirst = await ServletAsync(First.Client, "get_user", """{"id":2}""");
        var onSecond = await ServletAsync(Second.Client, "get_user", """{"id":2}""");

        Assert.That(onFirst.Cache, Is.EqualTo(CacheOutcome.Miss));
        Assert.That(onSecond, Is.EqualTo(onFirst with { Cache = CacheOutcome.Hit }));
    }

    [Test]
    public async Task A_write_on_one_host_evicts_the_copy_the_other_holds_in_memory()
    {
        // The second host's own read puts the answer in its memory; the second read is served from there.
        await ServletAsync(Second.Client, "get_user", """{"id":1}""");
        var heldInMemory = await ServletAsync(Second.Client, "get_user", """{"id":1}""");

        var write = await RenameAsync(First.Client, "update_user", 1, "Ada, renamed on the first host");
        Answer? last = null;
        var evicted = await Eventually.TrueAsync(async () =>
        {
            last = await ServletAsync(Second.Client, "get_user", """{"id":1}""");
            return last.Body.Contains("renamed on the first host", StringComparison.Ordinal);
        }, _propagation);

        Assert.That(heldInMemory.Cache, Is.EqualTo(CacheOutcome.Hit));
        Assert.That(write.Status, Is.EqualTo(200));
        Assert.That(evicted, Is.True, $"the second host kept serving its copy: {last}");
        Assert.That(last!.Cache, Is.EqualTo(CacheOutcome.Miss));
    }
}

/// <summary>
/// Redis going away under a running host: calls are still served (bypassing the cache), the outage is logged once and
/// shown in health (degraded, still 200), and caching resumes when Redis is back.
/// </summary>
public sealed class CacheRedisOutageTests
{
    private const string OperatorToken = "an-operator-token-for-the-cache-tests";

    [Test]
    public async Task With_Redis_down_calls_are_served_the_outage_is_logged_once_and_health_shows_it()
    {
        await using var redis = await RedisServer.StartAsync();
        using var schema = new TempDirectory();
        await CacheSchema.WriteAsync(schema, UsersSchema.Sqlite);
        await using var host = await RunningHost.StartAsync(schema.Path, settings: new Dictionary<string, string?>
        {
            [RedisOptions.Section + ":Configuration"] = redis.Configuration,
            ["DataHub:Operations:OperatorToken"] = OperatorToken,
        });
        await ServletAsync(host.Client, "get_user", """{"id":1}""");
        var before = await ServletAsync(host.Client, "get_user", """{"id":1}""");
        var healthyBefore = await ReadinessAsync(host);

        await redis.StopAsync();
        var bypassed = await Eventually.TrueAsync(async () =>
            (await ServletAsync(host.Client, "get_user", """{"id":1}""")).Cache == CacheOutcome.Bypass, TimeSpan.FromSeconds(15));
        var duringOutage = new List<Answer>();
        for (var i = 0; i < 5; i++)
        {
            duringOutage.Add(await ServletAsync(host.Client, "get_user", """{"id":1}"""));
        }
        var write = await RenameAsync(host.Client, "update_user", 1, "Ada, renamed during the outage");
        var afterWrite = await ServletAsync(host.Client, "get_user", """{"id":1}""");
        var (status, health) = await ReadinessAsync(host);

        Assert.That(before.Cache, Is.EqualTo(CacheOutcome.Hit));
        Assert.That(healthyBefore.Health["status"]!.GetValue<string>(), Is.EqualTo("healthy"));
        Assert.That(bypassed, Is.True, "calls never bypassed the cache after Redis stopped");
        Assert.That(duringOutage, Is.All.EqualTo(new Answer(200, """[{"id":1,"name":"Ada"}]""", CacheOutcome.Bypass)));
        Assert.That(write.Status, Is.EqualTo(200));
        Assert.That(afterWrite, Is.EqualTo(new Answer(200, """[{"id":1,"name":"Ada, renamed during the outage"}]""", CacheOutcome.Bypass)));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), "a cache outage degrades readiness; it does not make the host unready");
        Assert.That(health["status"]!.GetValue<string>(), Is.EqualTo("degraded"));
        var check = health["checks"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == RedisReadiness.Name)!;
        Assert.That(check["status"]!.GetValue<string>(), Is.EqualTo("degraded"));
        Assert.That(check["description"]!.GetValue<string>(), Does.Contain("Redis cannot be reached"));
        Assert.That(host.Log.Entries.Count(e => e.Message.StartsWith("Redis cannot be reached", StringComparison.Ordinal)), Is.EqualTo(1),
            () => string.Join('\n', host.Log.Entries.Where(e => e.Level >= LogLevel.Warning)));

        await redis.StartAgainAsync();
        var resumed = await Eventually.TrueAsync(async () =>
            (await ServletAsync(host.Client, "get_user", """{"id":1}""")).Cache == CacheOutcome.Hit, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        Assert.That(resumed, Is.True, "caching never resumed after Redis came back");
        Assert.That(host.Log.Entries.Count(e => e.Message.StartsWith("Redis answers again", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task A_host_starts_and_serves_when_Redis_cannot_be_reached_at_all()
    {
        using var schema = new TempDirectory();
        await CacheSchema.WriteAsync(schema, UsersSchema.Sqlite);
        await using var host = await RunningHost.StartAsync(schema.Path, settings: new Dictionary<string, string?>
        {
            [RedisOptions.Section + ":Configuration"] = $"127.0.0.1:{Ports.Free()},connectTimeout=500",
            ["DataHub:Operations:OperatorToken"] = OperatorToken,
        });

        var first = await ServletAsync(host.Client, "get_user", """{"id":2}""");
        var second = await ServletAsync(host.Client, "get_user", """{"id":2}""");
        var (status, health) = await ReadinessAsync(host);

        Assert.That(new[] { first, second }, Is.All.EqualTo(new Answer(200, """[{"id":2,"name":"Brian"}]""", CacheOutcome.Bypass)));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(health["status"]!.GetValue<string>(), Is.EqualTo("degraded"));
        Assert.That(host.Log.Entries.Count(e => e.Message.StartsWith("Redis cannot be reached", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    private static async Task<(HttpStatusCode Status, JsonObject Health)> ReadinessAsync(RunningHost host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "health/ready");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
        using var response = await host.Client.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }
}
