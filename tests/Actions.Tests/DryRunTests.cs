using System.Net;
using System.Text.Json.Nodes;
using DataHub.Actions.Tests.Support;
using DataHub.Plugins;

namespace DataHub.Actions.Tests;

/// <summary>
/// Dry runs (Prefer: tx=rollback or dryRun): every step runs, the transaction is rolled back, the answer is what a real
/// run would have sent. For Actions and for ExecuteSql commands and batches; refused where they cannot or may not run.
/// </summary>
[TestFixture(DataStoreProviders.Sqlite)]
[TestFixture(DataStoreProviders.PostgreSql)]
public sealed class DryRunTests(string provider) : OrganisationsHost(provider)
{
    private static readonly (string, string) _preferRollback = ("Prefer", "tx=rollback");

    [Test]
    public async Task Prefer_tx_rollback_answers_as_a_real_run_would_and_saves_nothing()
    {
        var name = Unique("Dry Org");
        var before = await Database.CountAllAsync();

        var answer = await CallAsync("create_org", Org(name), headers: _preferRollback);

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.Created), answer.ToString());
        Assert.That(answer.Body!["slug"]!.GetValue<string>(), Is.EqualTo(name.ToLowerInvariant().Replace(' ', '-')), "every step ran");
        Assert.That(answer.Headers.GetValues("Preference-Applied"), Is.EqualTo(new[] { "tx=rollback" }));
        Assert.That(await Database.CountAllAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task The_dryRun_parameter_does_the_same()
    {
        var name = Unique("Dry Param");

        using var response = await Host.PostJsonAsync("organisations/org/create_org?dryRun=true", Org(name));
        var answer = await Answer.ReadAsync(response);

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.Created), answer.ToString());
        Assert.That(answer.Headers.GetValues("Preference-Applied"), Is.EqualTo(new[] { "tx=rollback" }));
        Assert.That(await Database.CountAsync("orgs", $"name = '{name}'"), Is.Zero);
    }

    [Test]
    public async Task A_dry_run_reports_the_failures_a_real_run_would_meet()
    {
        var answer = await CallAsync("create_org", Org(Unique("Dry Nobody"), "nobody@example.com"), headers: _preferRollback);

        Assert.That(answer.Codes("ownerEmail"), Is.EqualTo(new[] { "reference-not-found" }), answer.ToString());
        Assert.That(answer.Headers.GetValues("Preference-Applied"), Is.EqualTo(new[] { "tx=rollback" }));
    }

    [Test]
    public async Task A_real_run_after_a_dry_one_saves_and_has_no_preference_applied()
    {
        var name = Unique("Dry Then Real");
        await CallAsync("create_org", Org(name), headers: _preferRollback);

        var answer = await CallAsync("create_org", Org(name), headers: ("Prefer", "tx=commit"));

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.Created), answer.ToString());
        Assert.That(answer.Headers.Contains("Preference-Applied"), Is.False);
        Assert.That(await Database.CountAsync("orgs", $"name = '{name}'"), Is.EqualTo(1));
    }

    [Test]
    public async Task An_entity_that_forbids_dry_runs_refuses_one_with_a_400_and_runs_nothing()
    {
        var name = Unique("Never Dry");

        var answer = await CallAsync("no_dry_run", new JsonObject { ["name"] = name }.ToJsonString(), system: "test", headers: _preferRollback);

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), answer.ToString());
        Assert.That(answer.Body!["errorMessage"]!.GetValue<string>(), Does.Contain("does not allow dry runs"));
        Assert.That(await Database.CountAsync("orgs", $"name = '{name}'"), Is.Zero);
    }

    [Test]
    public async Task A_processor_that_cannot_roll_back_refuses_a_dry_run()
    {
        var answer = await CallAsync("script_hello", "{}", system: "test", headers: _preferRollback);

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), answer.ToString());
        Assert.That(answer.Body!["errorMessage"]!.GetValue<string>(), Does.Contain("cannot be run as a dry run"));
    }

    [TestCase("?dryRun=maybe", "", TestName = "A dryRun parameter that is not true or false is a 400")]
    [TestCase("?dryRun=false", "tx=rollback", TestName = "A dryRun parameter and a Prefer header that disagree are a 400")]
    public async Task A_malformed_dry_run_request_is_refused(string query, string prefer)
    {
        var name = Unique("Malformed");
        using var request = new HttpRequestMessage(HttpMethod.Post, "organisations/org/create_org" + query)
        {
            Content = new StringContent(Org(name), System.Text.Encoding.UTF8, "application/json"),
        };
        if (prefer.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        }
        using var response = await Host.Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await Database.CountAsync("orgs", $"name = '{name}'"), Is.Zero);
    }

    [Test]
    public async Task An_ExecuteSql_command_runs_dry_and_reports_its_rows_without_saving_them()
    {
        var email = Guid.NewGuid().ToString("N") + "@example.com";

        var answer = await CallAsync("add_user", new JsonObject { ["email"] = email, ["name"] = "Dry" }.ToJsonString(), headers: _preferRollback);

        Assert.That(answer.Text, Is.EqualTo("""{"status":10,"rowsAffected":1}"""));
        Assert.That(answer.Headers.GetValues("Preference-Applied"), Is.EqualTo(new[] { "tx=rollback" }));
        Assert.That(await Database.CountAsync("users", $"email = '{email}'"), Is.Zero);
    }

    [Test]
    public async Task An_ExecuteSql_batch_runs_dry_and_saves_none_of_its_rows()
    {
        var emails = new[] { Guid.NewGuid().ToString("N") + "@example.com", Guid.NewGuid().ToString("N") + "@example.com" };
        var batch = new JsonArray([.. emails.Select(e => (JsonNode)new JsonObject { ["email"] = e, ["name"] = "Dry" })]);

        var answer = await CallAsync("add_user", batch.ToJsonString(), headers: _preferRollback);

        Assert.That(answer.Text, Is.EqualTo("""{"status":10,"rowsAffected":2}"""));
        Assert.That(await Database.CountAsync("users", $"email IN ('{emails[0]}', '{emails[1]}')"), Is.Zero);
    }

    [Test]
    public async Task An_ExecuteSql_entity_can_forbid_dry_runs()
    {
        var email = Guid.NewGuid().ToString("N") + "@example.com";

        var answer = await CallAsync("add_user_no_dry_run", new JsonObject { ["email"] = email, ["name"] = "Never" }.ToJsonString(),
            system: "test", headers: _preferRollback);

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), answer.ToString());
        Assert.That(await Database.CountAsync("users", $"email = '{email}'"), Is.Zero);
    }

    private static string Org(string name, string owner = "ada@example.com") =>
        new JsonObject { ["name"] = name, ["ownerEmail"] = owner }.ToJsonString();
}
