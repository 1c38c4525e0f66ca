using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using DataHub.Host.Caching;
using DataHub.Host.Diagnostics;
using DataHub.Testing;
using static DataHub.DbActions.Tests.CacheSchema;

namespace DataHub.DbActions.Tests;

/// <summary>
/// Caches on one host (in memory), through both endpoints, on SQLite and PostgreSQL. A write that evicts nothing
/// (rename_quietly) changes the table behind the cache's back: an answer that still shows the old name came from the
/// cache, without running the plug-in.
/// </summary>
[TestFixture(UsersSchema.Sqlite)]
[TestFixture(UsersSchema.PostgreSql)]
public sealed class CacheTests(string provider) : HostFixture
{
    private static readonly TimeSpan _expiryWait = TimeSpan.FromSeconds(20);

    protected override Task WriteSchemaAsync(TempDirectory schema) => CacheSchema.WriteAsync(schema, provider);

    // Every test starts from the seeded names with the users cache empty: update_user evicts it.
    [SetUp]
    public async Task RestoreNames()
    {
        foreach (var (id, name) in new[] { (1, "Ada"), (2, "Brian"), (3, "Cleo") })
        {
            var restored = await RenameAsync(Host.Client, "update_user", id, name);
            Assert.That(restored.Status, Is.EqualTo(200), () => string.Join('\n', Host.Log.Entries));
        }
    }

    [Test]
    public async Task A_cache_hit_on_the_servlet_answers_without_running_the_plugin()
    {
        var first = await ServletAsync(Host.Client, "get_user", """{"id":1}""");
        await RenameAsync(Host.Client, "rename_quietly", 1, "Ada, renamed quietly");
        var second = await ServletAsync(Host.Client, "get_user", """{"id":1}""");

        Assert.That(first, Is.EqualTo(new Answer(200, """[{"id":1,"name":"Ada"}]""", CacheOutcome.Miss)));
        Assert.That(second, Is.EqualTo(new Answer(200, """[{"id":1,"name":"Ada"}]""", CacheOutcome.Hit)));
    }

    [Test]
    public async Task A_cache_hit_on_db_execute_answers_without_running_the_plugin()
    {
        var first = await ExecuteAsync(Host.Client, "get_user", filter: """{ "id": 2 }""");
        await RenameAsync(Host.Client, "rename_quietly", 2, "Brian, renamed quietly");
        var second = await ExecuteAsync(Host.Client, "get_user", filter: """{ "id": 2 }""");

        Assert.That(first, Is.EqualTo(new Answer(200, """[{"id":2,"name":"Brian"}]""", CacheOutcome.Miss)));
        Assert.That(second, Is.EqualTo(new Answer(200, """[{"id":2,"name":"Brian"}]""", CacheOutcome.Hit)));
    }

    [Test]
    public async Task Calls_with_a_different_filter_are_kept_under_different_keys()
    {
        await ServletAsync(Host.Client, "get_user", """{"id":1}""");
        var other = await ServletAsync(Host.Client, "get_user", """{"id":2}""");

        Assert.That(other, Is.EqualTo(new Answer(200, """[{"id":2,"name":"Brian"}]""", CacheOutcome.Miss)));
    }

    [Test]
    public async Task An_invalidating_write_evicts_its_caches_entries_on_both_endpoints()
    {
        await ServletAsync(Host.Client, "get_user", """{"id":3}""");
        await ExecuteAsync(Host.Client, "get_user", filter: """{ "id": 3 }""");
        var write = await RenameAsync(Host.Client, "update_user", 3, "Cleo, renamed");
        var servlet = await ServletAsync(Host.Client, "get_user", """{"id":3}""");
        var ductape = await ExecuteAsync(Host.Client, "get_user", filter: """{ "id": 3 }""");

        Assert.That(write, Is.EqualTo(new Answer(200, """{"status":10,"rowsAffected":1}""", null)), "a call naming no cache gets no cache header");
        Assert.That(servlet, Is.EqualTo(new Answer(200, """[{"id":3,"name":"Cleo, renamed"}]""", CacheOutcome.Miss)));
        Assert.That(ductape, Is.EqualTo(new Answer(200, """[{"id":3,"name":"Cleo, renamed"}]""", CacheOutcome.Miss)));
    }

    [Test]
    public async Task A_write_that_evicts_an_entity_evicts_its_entries_in_whichever_cache_holds_them()
    {
        await ServletAsync(Host.Client, "shop/list_users");
        var kept = await ServletAsync(Host.Client, "shop/list_users");
        await RenameAsync(Host.Client, "rename_listed", 3, "Cleo, listed");
        var evicted = await ServletAsync(Host.Client, "shop/list_users");

        Assert.That(kept.Cache, Is.EqualTo(CacheOutcome.Hit));
        Assert.That(evicted.Cache, Is.EqualTo(CacheOutcome.Miss));
        Assert.That(evicted.Body, Does.Contain("Cleo, listed"));
    }

    [Test]
    public async Task A_cache_that_varies_by_user_keeps_each_callers_answer_apart_and_one_that_does_not_shares_it()
    {
        var ann = Bearer("ann");
        var bob = Bearer("bob");

        var annFirst = await ServletAsync(Host.Client, "whoami", authorization: ann);
        var bobFirst = await ServletAsync(Host.Client, "whoami", authorization: bob);
        var annAgain = await ServletAsync(Host.Client, "whoami", authorization: ann);
        var sharedAnn = await ServletAsync(Host.Client, "whoami_shared", authorization: ann);
        var sharedBob = await ServletAsync(Host.Client, "whoami_shared", authorization: bob);

        Assert.That(annFirst, Is.EqualTo(new Answer(200, """{"id":"ann"}""", CacheOutcome.Miss)));
        Assert.That(bobFirst, Is.EqualTo(new Answer(200, """{"id":"bob"}""", CacheOutcome.Miss)));
        Assert.That(annAgain, Is.EqualTo(new Answer(200, """{"id":"ann"}""", CacheOutcome.Hit)));
        Assert.That(sharedAnn, Is.EqualTo(new Answer(200, """{"id":"ann"}""", CacheOutcome.Miss)));
        Assert.That(sharedBob, Is.EqualTo(new Answer(200, """{"id":"ann"}""", CacheOutcome.Hit)), "a cache that does not vary by user shares the first caller's answer");
    }

    [Test]
    public async Task Errors_are_never_cached()
    {
        var first = await ServletAsync(Host.Client, "refuse");
        var second = await ExecuteAsync(Host.Client, "refuse");
        var third = await ServletAsync(Host.Client, "refuse");

        Assert.That(first.Status, Is.EqualTo(400));
        Assert.That(first.Body, Does.Contain("Not today."));
        Assert.That(new[] { first.Cache, second.Cache, third.Cache }, Is.All.EqualTo(CacheOutcome.Miss));
    }

    [Test]
    public async Task Entries_expire_with_their_time_to_live()
    {
        var stored = await ServletAsync(Host.Client, "get_user", """{"id":1}""", cache: "brief");
        await RenameAsync(Host.Client, "rename_quietly", 1, "Ada, after the time to live");

        Answer? last = null;
        var expired = await Eventually.TrueAsync(async () =>
        {
            last = await ServletAsync(Host.Client, "get_user", """{"id":1}""", cache: "brief");
            return last.Body.Contains("after the time to live", StringComparison.Ordinal);
        }, _expiryWait, TimeSpan.FromMilliseconds(250));

        Assert.That(stored.Cache, Is.EqualTo(CacheOutcome.Miss));
        Assert.That(expired, Is.True, $"the entry never expired; last answer: {last}");
        Assert.That(last!.Cache, Is.EqualTo(CacheOutcome.Miss));
    }

    [Test]
    public async Task A_call_may_name_a_cache_for_an_entity_that_has_no_default_one_from_either_endpoint()
    {
        var first = await ServletAsync(Host.Client, "name_of", """{"id":2}""", cache: "users");
        var second = await ExecuteAsync(Host.Client, "name_of", filter: """{"id":2}""", cache: "users");
        var third = await ServletAsync(Host.Client, "name_of", """{"id":2}""", cache: "users");
        var uncached = await ServletAsync(Host.Client, "name_of", """{"id":2}""");

        Assert.That(first.Cache, Is.EqualTo(CacheOutcome.Miss));
        Assert.That(second.Cache, Is.EqualTo(CacheOutcome.Miss), "the servlet's GET has no data, /_db/execute's has {}: two keys");
        Assert.That(third.Cache, Is.EqualTo(CacheOutcome.Hit));
        Assert.That(uncached, Is.EqualTo(new Answer(200, """[{"name":"Brian"}]""", null)));
    }

    [Test]
    public async Task An_answer_larger_than_its_caches_size_bound_is_not_kept()
    {
        var first = await ServletAsync(Host.Client, "get_user", """{"id":1}""", cache: "tiny");
        var second = await ServletAsync(Host.Client, "get_user", """{"id":1}""", cache: "tiny");

        Assert.That(new[] { first.Cache, second.Cache }, Is.All.EqualTo(CacheOutcome.Miss));
        Assert.That(second.Body, Is.EqualTo("""[{"id":1,"name":"Ada"}]"""));
    }

    [Test]
    public async Task A_cache_the_instance_does_not_declare_is_a_400_listing_those_it_does_on_both_endpoints()
    {
        var servlet = await ServletAsync(Host.Client, "get_user", """{"id":1}""", cache: "nope");
        var ductape = await ExecuteAsync(Host.Client, "get_user", filter: """{"id":1}""", cache: "nope");

        const string Expected = "Cache 'nope' is not one this instance declares; it declares: brief, listing, per-user, tiny, users.";
        Assert.That(servlet.Status, Is.EqualTo(400));
        Assert.That(ductape.Status, Is.EqualTo(400));
        Assert.That(servlet.Body, Does.Contain(Expected));
        Assert.That(ductape.Body, Does.Contain(Expected));
    }

    [Test]
    public async Task Naming_a_cache_for_a_write_that_evicts_is_a_400_and_runs_nothing()
    {
        var refused = await ExecuteAsync(Host.Client, "update_user", """{ "name": "Never" }""", """{ "id": 1 }""", cache: "users");
        var name = await ServletAsync(Host.Client, "name_of", """{"id":1}""");

        Assert.That(refused.Status, Is.EqualTo(400));
        Assert.That(refused.Body, Does.Contain("Entity 'update_user' evicts caches when it runs: it is a write, and its answers are never cached."));
        Assert.That(name.Body, Is.EqualTo("""[{"name":"Ada"}]"""));
    }

    [Test]
    public async Task Hits_misses_and_evictions_are_counted_by_instance_and_cache_tag()
    {
        var measured = new List<(string Instrument, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DataHubMetrics.MeterName && instrument.Name.StartsWith("datahub.cache.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            lock (measured)
            {
                measured.Add((instrument.Name, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        });
        listener.Start();

        await ServletAsync(Host.Client, "get_user", """{"id":2}""");
        await ServletAsync(Host.Client, "get_user", """{"id":2}""");
        await RenameAsync(Host.Client, "update_user", 2, "Brian");

        lock (measured)
        {
            Assert.That(measured.Select(m => m.Instrument), Is.EquivalentTo(new[] { "datahub.cache.misses", "datahub.cache.hits", "datahub.cache.evictions" }));
            Assert.That(measured.Where(m => m.Instrument != "datahub.cache.evictions").Select(m => (m.Tags["datahub.instance"], m.Tags["datahub.cache"])),
                Is.All.EqualTo(("shop", "users")));
            Assert.That(measured.Single(m => m.Instrument == "datahub.cache.evictions").Tags["datahub.cache.evicted"], Is.EqualTo("cache:shop:users"));
        }
    }

    private static AuthenticationHeaderValue Bearer(string subject) =>
        new("Bearer", Tokens.Mint(subject, Issuer, Audience, Secret));
}
