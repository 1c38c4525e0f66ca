using System.Net;
using DataHub.Client;
using DataHub.Host.Caching;
using DataHub.Testing;

namespace DataHub.DbActions.Tests;

/// <summary>The shipped shop sample, served by the real host from a fresh copy of schema/, as the README calls it.</summary>
public sealed class SampleTests : HostFixture
{
    private const string Secret = "demo-only-session-secret-replace-me-0123456789";

    protected override Task WriteSchemaAsync(TempDirectory schema)
    {
        schema.CopyShippedSample();
        return Task.CompletedTask;
    }

    [Test]
    public async Task The_readmes_ductape_call_updates_dev_and_leaves_prd_alone()
    {
        using var response = await Host.PostJsonAsync("/_db/execute", """
            {
              "env": "dev", "product_tag": "shop", "event": "db:update_user",
              "input": { "data": { "name": "Ada Lovelace" }, "filter": { "id": 1 } }
            }
            """);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"status":10,"rowsAffected":1}"""));
        var hub = new DataHubClient(Host.Client);
        var dev = await hub.Db.ExecuteAsync(new DbActionInput { Env = "dev", ProductTag = "shop", Event = "db:get_user", Input = new() { Filter = new { id = 1 } } });
        var prd = await hub.Db.ExecuteAsync(new DbActionInput { Env = "prd", ProductTag = "shop", Event = "db:get_user", Input = new() { Filter = new { id = 1 } } });
        Assert.That(dev!.ToJsonString(), Is.EqualTo("""[{"id":1,"name":"Ada Lovelace"}]"""));
        Assert.That(prd!.ToJsonString(), Is.EqualTo("""[{"id":1,"name":"Ada"}]"""));
    }

    [Test]
    public async Task The_session_guarded_action_answers_with_the_subjects_own_users_only()
    {
        var token = Tokens.Mint("ada", "https://login.example", "shop", Secret);
        using var request = new HttpRequestMessage(HttpMethod.Get, "shop/db/my_users?env=prd");
        request.Headers.Add("DataHub-Session", $"user-session {token}");

        using var response = await Host.Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""[{"id":1,"name":"Ada"},{"id":3,"name":"Cleo"}]"""));
    }

    [Test]
    public async Task The_sample_caches_get_user_and_update_user_evicts_it()
    {
        const string GetUser = "shop/db/get_user?env=dev&filter=%7B%22id%22%3A2%7D";
        var first = await CacheSchema.ReadAsync(await Host.Client.GetAsync(GetUser));
        var second = await CacheSchema.ReadAsync(await Host.Client.GetAsync(GetUser));
        using var update = await Host.PostJsonAsync("/_db/execute", """
            { "env": "dev", "product_tag": "shop", "event": "db:update_user", "input": { "data": { "name": "Brian Kernighan" }, "filter": { "id": 2 } } }
            """);
        var third = await CacheSchema.ReadAsync(await Host.Client.GetAsync(GetUser));

        Assert.That(first.Cache, Is.EqualTo(CacheOutcome.Miss));
        Assert.That(second, Is.EqualTo(first with { Cache = CacheOutcome.Hit }));
        Assert.That(update.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(third, Is.EqualTo(new CacheSchema.Answer(200, """[{"id":2,"name":"Brian Kernighan"}]""", CacheOutcome.Miss)));
    }
}
