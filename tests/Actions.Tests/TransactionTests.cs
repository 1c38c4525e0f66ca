using System.Net;
using System.Text.Json.Nodes;
using DataHub.Actions.Tests.Support;
using DataHub.Plugins;

namespace DataHub.Actions.Tests;

/// <summary>All steps of a call run in one transaction: a failure anywhere leaves the database as it was.</summary>
[TestFixture(DataStoreProviders.Sqlite)]
[TestFixture(DataStoreProviders.PostgreSql)]
public sealed class TransactionTests(string provider) : OrganisationsHost(provider)
{
    [TestCase(0, HttpStatusCode.BadRequest, MessageStatus.DataInvalid, TestName = "A create refused by the database (step 0) leaves nothing")]
    [TestCase(1, HttpStatusCode.BadRequest, MessageStatus.DataInvalid, TestName = "A second create refused by a check (step 1) leaves nothing")]
    [TestCase(2, HttpStatusCode.InternalServerError, MessageStatus.GeneralError, TestName = "A script that throws (step 2) leaves nothing")]
    [TestCase(3, HttpStatusCode.NotFound, MessageStatus.MessageNotFound, TestName = "An update that finds no row (step 3) leaves nothing")]
    [TestCase(4, HttpStatusCode.BadRequest, MessageStatus.DataInvalid, TestName = "A failed validate (step 4) leaves nothing")]
    [TestCase(5, HttpStatusCode.InternalServerError, MessageStatus.GeneralError, TestName = "A respond body that throws (step 5) leaves nothing")]
    public async Task A_failure_at_any_step_rolls_back_every_step_before_it(int failAt, HttpStatusCode httpStatus, int status)
    {
        var name = Unique("Fails");
        var before = await Database.CountAllAsync();

        var answer = await CallAsync("fail_at", new JsonObject { ["name"] = name, ["failAt"] = failAt }.ToJsonString(), system: "test");

        Assert.That(answer.StatusCode, Is.EqualTo(httpStatus), answer.ToString());
        Assert.That(answer.Status, Is.EqualTo(status));
        Assert.That(answer.Text, Does.Not.Contain("step 2 fails").And.Not.Contain("ReferenceError"), "script errors stay in the log");
        Assert.That(await Database.CountAllAsync(), Is.EqualTo(before));
        Assert.That(await Database.CountAsync("orgs", $"name = '{name}'"), Is.Zero);
    }

    [Test]
    public async Task The_same_entity_commits_every_step_when_nothing_fails()
    {
        var name = Unique("Succeeds");

        var answer = await CallAsync("fail_at", new JsonObject { ["name"] = name, ["failAt"] = 6 }.ToJsonString(), system: "test");

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer.ToString());
        Assert.That(answer.Body!["description"]!.GetValue<string>(), Is.EqualTo("renamed"));
        Assert.That(await Database.CountAsync("orgs", $"name = '{name}' AND description = 'renamed'"), Is.EqualTo(1));
        Assert.That(await Database.CountAsync("memberships m JOIN orgs o ON o.id = m.org_id", $"o.name = '{name}'"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_script_past_its_time_limit_is_stopped_and_its_earlier_create_rolled_back()
    {
        var name = Unique("Spins");

        var answer = await CallAsync("spin", new JsonObject { ["name"] = name }.ToJsonString(), system: "test");

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.GatewayTimeout), answer.ToString());
        Assert.That(answer.Status, Is.EqualTo(MessageStatus.ReprocessTimeout));
        Assert.That(await Database.CountAsync("orgs", $"name = '{name}'"), Is.Zero);
    }

    [Test]
    public async Task A_script_past_its_heap_limit_is_stopped_and_the_host_serves_on()
    {
        var answer = await CallAsync("hog", "{}", system: "test");
        var next = await CallAsync("nothing_to_say", "{}", system: "test");

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError), answer.ToString());
        Assert.That(answer.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(next.Text, Is.EqualTo("""{"status":10}"""));
    }

    [TestCase("half_pair")]
    [TestCase("half_pair_answer")]
    public async Task Text_with_half_a_surrogate_pair_fails_its_step_and_the_host_serves_on(string entity)
    {
        var answer = await CallAsync(entity, "{}", system: "test");
        var next = await CallAsync("nothing_to_say", "{}", system: "test");

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError), answer.ToString());
        Assert.That(answer.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(answer.Text, Does.Contain("failed; nothing was saved"));
        Assert.That(next.Text, Is.EqualTo("""{"status":10}"""));
    }

    [Test]
    public async Task Concurrent_creates_of_one_name_make_one_org_and_the_others_are_told_it_exists()
    {
        var name = Unique("Race");
        var call = new JsonObject { ["name"] = name, ["ownerEmail"] = "ada@example.com" }.ToJsonString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => CallAsync("create_org", call)));

        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.Created), Is.EqualTo(1), string.Join("\n", answers.Select(a => a.ToString())));
        foreach (var lost in answers.Where(a => a.StatusCode != HttpStatusCode.Created))
        {
            var alreadyExists = lost.StatusCode == HttpStatusCode.BadRequest && lost.Codes("name").Contains("already-exists");
            Assert.That(alreadyExists || lost.StatusCode == HttpStatusCode.Conflict, Is.True, lost.ToString());
        }
        Assert.That(await Database.CountAsync("orgs", $"name = '{name}'"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_failed_call_logs_no_sql_and_no_script_text_above_debug()
    {
        await CallAsync("fail_at", new JsonObject { ["name"] = Unique("Logs"), ["failAt"] = 2 }.ToJsonString(), system: "test");

        var lines = Host.Log.Entries.Where(e => e.Level > Microsoft.Extensions.Logging.LogLevel.Debug).Select(e => e.Message).ToList();
        Assert.That(lines, Has.Some.Contains("actions[2] (execute checked)"));
        Assert.That(lines, Has.None.Contains("step 2 fails"));
        Assert.That(lines, Has.None.Contains("INSERT INTO"));
    }
}
