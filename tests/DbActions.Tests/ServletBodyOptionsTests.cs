using System.Net;
using System.Text.Json.Nodes;
using DataHub.Testing;

namespace DataHub.DbActions.Tests;

/// <summary>
/// The servlet's call options as members of its body beside <c>data</c> (the wrapper form), on SQLite and PostgreSQL:
/// they work like the URL parameters, a body of any other shape is still the data itself, and an option given twice
/// or of the wrong type is a 400.
/// </summary>
[TestFixture(UsersSchema.Sqlite)]
[TestFixture(UsersSchema.PostgreSql)]
public sealed class ServletBodyOptionsTests(string provider) : HostFixture
{
    protected override async Task WriteSchemaAsync(TempDirectory schema)
    {
        await UsersSchema.WriteAsync(schema, provider);
        schema.Write("shop/echo.json", """
            {
              "entities": {
                "echo": {
                  "execute": true, "processor": "Script",
                  "processorConfig": "attributes.put('response', { data: attributes.get('data'), filter: attributes.has('filter') ? attributes.get('filter') : 'none' });"
                }
              }
            }
            """);
    }

    [Test]
    public async Task Body_members_beside_data_give_the_filter_environment_and_retries()
    {
        using var update = await Host.PostJsonAsync("shop/db/update_user",
            """{ "data": { "name": "Ada from the body" }, "filter": { "id": 1 }, "env": "testing", "retries": 1 }""");
        using var read = await Host.Client.GetAsync("shop/db/get_user?filter=" + Uri.EscapeDataString("""{"id":1}"""));

        Assert.That(update.StatusCode, Is.EqualTo(HttpStatusCode.OK), await update.Content.ReadAsStringAsync());
        Assert.That(update.Headers.GetValues("DataHub-Retries").Single(), Is.EqualTo("0"));
        Assert.That(await read.Content.ReadAsStringAsync(), Is.EqualTo("""[{"id":1,"name":"Ada from the body"}]"""));
    }

    [Test]
    public async Task A_filter_in_the_body_reaches_the_plugin_and_data_is_unwrapped()
    {
        var answer = await EchoAsync("""{ "data": { "a": 1 }, "filter": { "id": 7 } }""");

        Assert.That(answer, Is.EqualTo("""{"data":{"a":1},"filter":{"id":7}}"""));
    }

    [TestCase("""{ "data": { "a": 1 } }""", TestName = "A_body_with_data_alone_is_still_the_data_itself")]
    [TestCase("""{ "data": [1], "filter": { "id": 7 }, "sort": "name" }""", TestName = "A_body_with_members_that_are_not_call_options_is_still_the_data_itself")]
    [TestCase("""{ "filter": { "id": 7 }, "env": "testing" }""", TestName = "A_body_without_data_is_still_the_data_itself")]
    public async Task Bodies_of_any_other_shape_are_read_as_before(string body)
    {
        var answer = JsonNode.Parse(await EchoAsync(body))!;

        Assert.That(answer["data"]!.ToJsonString(), Is.EqualTo(JsonNode.Parse(body)!.ToJsonString()));
        Assert.That(answer["filter"]!.GetValue<string>(), Is.EqualTo("none"));
    }

    [Test]
    public async Task An_option_given_both_in_the_url_and_in_the_body_is_a_400()
    {
        using var response = await Host.PostJsonAsync("shop/echo/echo?retries=1", """{ "data": {}, "retries": 2 }""");

        Assert.That(await SessionTests.ErrorAsync(response, HttpStatusCode.BadRequest),
            Is.EqualTo("'retries' is given both as a URL parameter and in the body; give it once."));
    }

    [Test]
    public async Task Body_options_of_the_wrong_type_are_all_refused_at_once()
    {
        using var response = await Host.PostJsonAsync("shop/echo/echo", """{ "data": {}, "filter": [1], "env": 5, "cache": "", "retries": 1.5 }""");

        Assert.That(await SessionTests.ErrorAsync(response, HttpStatusCode.BadRequest), Is.EqualTo(
            "filter must be a JSON object. env must be a non-empty string. cache must be a non-empty string. retries must be a whole number of 0 or more."));
    }

    [Test]
    public async Task An_environment_in_the_body_is_checked_like_one_in_the_url()
    {
        using var response = await Host.PostJsonAsync("shop/echo/echo", """{ "data": {}, "env": "nowhere" }""");

        Assert.That(await SessionTests.ErrorAsync(response, HttpStatusCode.BadRequest),
            Does.StartWith("Environment 'nowhere' is not one this instance has; it has: "));
    }

    private async Task<string> EchoAsync(string body)
    {
        using var response = await Host.PostJsonAsync("shop/echo/echo", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return text;
    }
}
