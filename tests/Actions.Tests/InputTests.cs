using System.Net;
using System.Text.Json.Nodes;
using DataHub.Actions.Tests.Support;
using DataHub.Plugins;

namespace DataHub.Actions.Tests;

/// <summary>Input is validated completely before any step runs, every problem reported at once.</summary>
[TestFixture(DataStoreProviders.Sqlite)]
[TestFixture(DataStoreProviders.PostgreSql)]
public sealed class InputTests(string provider) : OrganisationsHost(provider)
{
    [Test]
    public async Task Every_problem_of_every_field_is_reported_at_once_keyed_by_field()
    {
        var answer = await CallAsync("typed", """{"count": 11, "kind": "c", "flag": "yes"}""", system: "test");

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), answer.ToString());
        Assert.That(answer.Status, Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(answer.Codes("title"), Is.EqualTo(new[] { "required" }));
        Assert.That(answer.Codes("count"), Is.EqualTo(new[] { "too-large" }));
        Assert.That(answer.Codes("kind"), Is.EqualTo(new[] { "not-in-enum" }));
        Assert.That(answer.Codes("flag"), Is.EqualTo(new[] { "unexpected-type" }));
        Assert.That(answer.Body!["errors"]!["count"]![0]!["message"]!.GetValue<string>(), Is.EqualTo("count must be at most 10."));
        Assert.That(answer.Body["traceId"]!.GetValue<string>(), Is.Not.Empty);
    }

    [Test]
    public async Task Too_long_too_small_and_a_fraction_for_an_integer_are_reported()
    {
        var answer = await CallAsync("typed", """{"title": "abcdef", "count": 0}""", system: "test");
        var fraction = await CallAsync("typed", """{"title": "abc", "count": 1.5}""", system: "test");

        Assert.That(answer.Codes("title"), Is.EqualTo(new[] { "too-long" }), answer.ToString());
        Assert.That(answer.Codes("count"), Is.EqualTo(new[] { "too-small" }));
        Assert.That(fraction.Codes("count"), Is.EqualTo(new[] { "unexpected-type" }), fraction.ToString());
    }

    [Test]
    public async Task Defaults_fill_missing_fields_and_may_be_expressions_over_other_inputs()
    {
        var answer = await CallAsync("typed", """{"title": "abc", "count": 3, "extra": "dropped"}""", system: "test");

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer.ToString());
        Assert.That(answer.Body!.ToJsonString(), Is.EqualTo("""{"title":"abc","count":3,"kind":null,"flag":true,"label":"abc-3"}"""));
    }

    [Test]
    public async Task Invalid_input_runs_no_step()
    {
        var before = await Database.CountAllAsync();

        var answer = await CallAsync("create_org", """{"name": 42}""");

        Assert.That(answer.Codes("name"), Is.EqualTo(new[] { "unexpected-type" }), answer.ToString());
        Assert.That(answer.Codes("ownerEmail"), Is.EqualTo(new[] { "required" }));
        Assert.That(await Database.CountAllAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Data_that_is_not_an_object_is_a_400()
    {
        var answer = await CallAsync("typed", """[1, 2]""", system: "test");

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), answer.ToString());
        Assert.That(answer.Status, Is.EqualTo(MessageStatus.MessageInvalid));
    }

    [Test]
    public async Task A_name_longer_than_the_column_allows_is_refused_by_the_input_rule_before_the_database()
    {
        var answer = await CallAsync("create_org", new JsonObject { ["name"] = new string('x', 81), ["ownerEmail"] = "ada@example.com" }.ToJsonString());

        Assert.That(answer.Codes("name"), Is.EqualTo(new[] { "too-long" }), answer.ToString());
    }
}
