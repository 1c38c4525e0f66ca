using System.Net;
using System.Text.Json.Nodes;
using DataHub.Actions.Tests.Support;
using DataHub.Plugins;

namespace DataHub.Actions.Tests;

/// <summary>The shipped organisations sample through the servlet: every step type and aliases across steps.</summary>
[TestFixture(DataStoreProviders.Sqlite)]
[TestFixture(DataStoreProviders.PostgreSql)]
public sealed class SampleTests(string provider) : OrganisationsHost(provider)
{
    [Test]
    public async Task Create_org_runs_every_step_in_order_and_answers_201_with_the_composed_body()
    {
        var name = Unique("Analytical Engines");

        var answer = await CallAsync("create_org", new JsonObject { ["name"] = name, ["ownerEmail"] = "ada@example.com" }.ToJsonString());

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.Created), answer.ToString());
        var slug = name.ToLowerInvariant().Replace(' ', '-');
        Assert.That(answer.Body!["name"]!.GetValue<string>(), Is.EqualTo(name));
        Assert.That(answer.Body["slug"]!.GetValue<string>(), Is.EqualTo(slug), "execute's value reached update through its alias");
        Assert.That(answer.Body["description"]!.GetValue<string>(), Is.EqualTo("Description of " + name), "the default expression");
        Assert.That(answer.Headers.Location?.ToString(), Does.StartWith("/organisations/org/get_org?data="));
        var id = answer.Body["id"]!.GetValue<long>();
        Assert.That(await Database.CountAsync("orgs", $"id = {id} AND slug = '{slug}' AND created_at IS NOT NULL"), Is.EqualTo(1));
        Assert.That(await Database.CountAsync("memberships", $"org_id = {id} AND role = 'owner'"), Is.EqualTo(1), "the second create used org.id");
    }

    [Test]
    public async Task Get_org_without_respond_answers_the_last_alias_and_404_status_21_when_there_is_none()
    {
        var created = await CreateOrgAsync(Unique("Difference Engine"));

        var found = await CallAsync("get_org", new JsonObject { ["slug"] = created["slug"]!.GetValue<string>() }.ToJsonString());
        var missing = await CallAsync("get_org", """{"slug":"no-such-org"}""");

        Assert.That(found.StatusCode, Is.EqualTo(HttpStatusCode.OK), found.ToString());
        Assert.That(found.Body!["id"]!.GetValue<long>(), Is.EqualTo(created["id"]!.GetValue<long>()));
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), missing.ToString());
        Assert.That(missing.Status, Is.EqualTo(MessageStatus.MessageNotFound));
    }

    [Test]
    public async Task Add_member_references_the_user_through_email_and_list_members_sees_both()
    {
        var org = (await CreateOrgAsync(Unique("Harvard Mark")))["slug"]!.GetValue<string>();

        var added = await CallAsync("add_member", new JsonObject { ["org"] = org, ["email"] = "grace@example.com" }.ToJsonString());
        var listed = await CallAsync("list_members", new JsonObject { ["org"] = org }.ToJsonString());

        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.Created), added.ToString());
        Assert.That(added.Body!["role"]!.GetValue<string>(), Is.EqualTo("member"), "the role's default");
        Assert.That(listed.Body!["count"]!.GetValue<int>(), Is.EqualTo(2), listed.ToString());
        Assert.That(listed.Body["members"]!.AsArray().Select(m => m!["email"]!.GetValue<string>()),
            Is.EqualTo(new[] { "ada@example.com", "grace@example.com" }));
    }

    [Test]
    public async Task Adding_the_same_member_twice_is_already_exists_from_the_validate_step()
    {
        var org = (await CreateOrgAsync(Unique("Colossus")))["slug"]!.GetValue<string>();
        var call = new JsonObject { ["org"] = org, ["email"] = "alan@example.com", ["role"] = "admin" }.ToJsonString();
        await CallAsync("add_member", call);

        var again = await CallAsync("add_member", call);

        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), again.ToString());
        Assert.That(again.Status, Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(again.Codes("email"), Is.EqualTo(new[] { "already-exists" }));
    }

    [Test]
    public async Task An_unknown_email_is_reference_not_found_under_its_input_field_and_nothing_is_saved()
    {
        var name = Unique("Nobody's Org");
        var before = await Database.CountAllAsync();

        var answer = await CallAsync("create_org", new JsonObject { ["name"] = name, ["ownerEmail"] = "nobody@example.com" }.ToJsonString());

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), answer.ToString());
        Assert.That(answer.Status, Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(answer.Codes("ownerEmail"), Is.EqualTo(new[] { "reference-not-found" }));
        Assert.That(await Database.CountAllAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Creating_an_org_whose_name_is_taken_is_already_exists()
    {
        var name = Unique("Taken");
        await CreateOrgAsync(name);

        var answer = await CallAsync("create_org", new JsonObject { ["name"] = name, ["ownerEmail"] = "grace@example.com" }.ToJsonString());

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), answer.ToString());
        Assert.That(answer.Codes("name"), Is.EqualTo(new[] { "already-exists" }));
        Assert.That(await Database.CountAsync("orgs", $"name = '{name}'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Remove_member_deletes_the_row_and_a_validate_step_keeps_the_owner()
    {
        var org = (await CreateOrgAsync(Unique("Manchester Baby")))["slug"]!.GetValue<string>();
        await CallAsync("add_member", new JsonObject { ["org"] = org, ["email"] = "alan@example.com" }.ToJsonString());

        var removed = await CallAsync("remove_member", new JsonObject { ["org"] = org, ["email"] = "alan@example.com" }.ToJsonString());
        var owner = await CallAsync("remove_member", new JsonObject { ["org"] = org, ["email"] = "ada@example.com" }.ToJsonString());

        Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.OK), removed.ToString());
        Assert.That(removed.Body!["removed"]!.GetValue<string>(), Is.EqualTo("alan@example.com"));
        Assert.That(owner.Codes("email"), Is.EqualTo(new[] { "is-owner" }), owner.ToString());
        Assert.That(await Database.CountAsync("memberships m JOIN orgs o ON o.id = m.org_id", $"o.slug = '{org}'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Without_an_alias_or_respond_the_answer_is_status_10()
    {
        var answer = await CallAsync("nothing_to_say", "{}", system: "test");

        Assert.That(answer.Text, Is.EqualTo("""{"status":10}"""));
    }

    [Test]
    public async Task Expressions_see_context_user_and_now_but_nothing_of_the_host()
    {
        var answer = await CallAsync("context_echo", "{}", system: "test");

        Assert.That(answer.Text, Is.EqualTo("""{"entity":"context_echo","user":null,"hasNow":true,"noHost":true}"""));
    }

    [Test]
    public async Task Expressions_see_the_calls_filter_and_a_missing_session_as_null()
    {
        var answer = await CallAsync("filter_echo?filter=%7B%22id%22%3A7%7D", "{}", system: "test");

        Assert.That(answer.Text, Is.EqualTo("""{"id":7,"session":null}"""), answer.ToString());
    }

    private async Task<JsonObject> CreateOrgAsync(string name)
    {
        var answer = await CallAsync("create_org", new JsonObject { ["name"] = name, ["ownerEmail"] = "ada@example.com" }.ToJsonString());
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.Created), answer.ToString());
        return answer.Body!.AsObject();
    }
}
