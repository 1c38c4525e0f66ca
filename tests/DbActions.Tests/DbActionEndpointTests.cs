using System.Net;
using System.Text.Json.Nodes;
using DataHub.Plugins;
using DataHub.Testing;

namespace DataHub.DbActions.Tests;

/// <summary>
/// The Ductape-shaped endpoint and the servlet's options, through the real host on Kestrel, on SQLite and PostgreSQL:
/// data and filter reach ExecuteSql's parameters, and every option is checked before anything runs.
/// </summary>
[TestFixture(UsersSchema.Sqlite)]
[TestFixture(UsersSchema.PostgreSql)]
public sealed class DbActionEndpointTests(string provider) : HostFixture
{
    // The host under test runs in the "Testing" environment.
    private const string Env = "testing";

    protected override Task WriteSchemaAsync(TempDirectory schema) => UsersSchema.WriteAsync(schema, provider);

    [Test]
    public async Task A_ductape_call_updates_with_the_name_from_data_and_the_id_from_filter()
    {
        using var response = await Host.PostJsonAsync("/_db/execute", $$"""
            {
              "env": "{{Env}}", "product_tag": "shop", "event": "db:update_user",
              "input": { "data": { "name": "Ada Lovelace" }, "filter": { "id": 1 } },
              "session": {}, "retries": 0
            }
            """);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"status":10,"rowsAffected":1}"""));
        Assert.That(await GetUserAsync(1), Is.EqualTo("""[{"id":1,"name":"Ada Lovelace"}]"""));
    }

    [Test]
    public async Task The_servlet_takes_the_filter_as_a_url_parameter_beside_the_body_data()
    {
        using var response = await Host.PostJsonAsync(
            "/shop/db/update_user?filter=" + Uri.EscapeDataString("""{"id":2}""") + "&env=" + Env, """{"name":"Brian Kernighan"}""");

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"status":10,"rowsAffected":1}"""));
        Assert.That(await GetUserAsync(2), Is.EqualTo("""[{"id":2,"name":"Brian Kernighan"}]"""));
    }

    [Test]
    public async Task Half_a_surrogate_pair_in_the_ductape_body_is_a_400_before_anything_runs()
    {
        using var response = await Host.PostJsonAsync("/_db/execute", $$"""
            {
              "env": "{{Env}}", "product_tag": "shop", "event": "db:update_user",
              "input": { "data": { "name": "\ud800" }, "filter": { "id": 3 } }
            }
            """);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!.GetValue<int>(), Is.EqualTo(22));
    }

    [Test]
    public async Task An_event_without_a_colon_names_an_entity_of_the_default_system()
    {
        using var response = await Host.PostJsonAsync("/_db/execute", $$"""
            { "env": "{{Env}}", "product_tag": "shop", "event": "list_users", "input": { "data": {}, "filter": {} } }
            """);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var rows = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        Assert.That(rows.Select(row => row!["id"]!.GetValue<int>()), Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public async Task Missing_required_members_are_a_400_naming_every_one()
    {
        using var response = await Host.PostJsonAsync("/_db/execute", """{ "event": "db:get_user", "input": {} }""");

        var error = await ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.That(error, Does.StartWith("Missing required members: env, product_tag, input.data."));
    }

    [Test]
    public async Task Unknown_and_malformed_members_are_all_reported_at_once()
    {
        using var response = await Host.PostJsonAsync("/_db/execute", $$"""
            {
              "env": "{{Env}}", "product_tag": "shop", "event": "db:", "input": { "data": 5, "filter": [1], "extra": 1 },
              "session": { "tag": "s" }, "retries": -1, "cach": "x"
            }
            """);

        var error = await ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.That(error, Does.Contain("Unknown member 'cach'"));
        Assert.That(error, Does.Contain("Unknown member 'input.extra'"));
        Assert.That(error, Does.Contain("event 'db:' must be"));
        Assert.That(error, Does.Contain("input.data must be a JSON object or array."));
        Assert.That(error, Does.Contain("input.filter must be a JSON object"));
        Assert.That(error, Does.Contain("Missing required member: session.token."));
        Assert.That(error, Does.Contain("retries must be a whole number of 0 or more."));
    }

    [Test]
    public async Task A_filter_value_of_the_wrong_type_is_a_400_naming_the_filter_parameter_and_nothing_runs()
    {
        using var response = await Host.PostJsonAsync("/_db/execute", $$"""
            { "env": "{{Env}}", "product_tag": "shop", "event": "db:update_user", "input": { "data": { "name": "X" }, "filter": { "id": "one" } } }
            """);

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Does.Contain("parameter 'filter.id' must be an integer"));
        Assert.That(await GetUserAsync(3), Is.EqualTo("""[{"id":3,"name":"Cleo"}]"""));
    }

    [Test]
    public async Task A_call_without_the_filter_its_parameter_needs_matches_nothing()
    {
        using var response = await Host.Client.GetAsync("shop/db/get_user");

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("[]"));
    }

    [Test]
    public async Task An_environment_the_instance_does_not_have_is_a_400_saying_which_exist()
    {
        using var ductape = await Host.PostJsonAsync("/_db/execute", """
            { "env": "prd", "product_tag": "shop", "event": "db:get_user", "input": { "data": {} } }
            """);
        using var servlet = await Host.Client.GetAsync("shop/db/get_user?env=prd");

        Assert.That(await ErrorAsync(ductape, HttpStatusCode.BadRequest), Is.EqualTo("Environment 'prd' is not one this instance has; it has: Testing."));
        Assert.That(await ErrorAsync(servlet, HttpStatusCode.BadRequest), Is.EqualTo("Environment 'prd' is not one this instance has; it has: Testing."));
    }

    [Test]
    public async Task An_unknown_instance_system_or_entity_is_a_404_as_on_the_servlet()
    {
        using var instance = await Host.PostJsonAsync("/_db/execute", $$"""{ "env": "{{Env}}", "product_tag": "nope", "event": "db:get_user", "input": { "data": {} } }""");
        using var entity = await Host.PostJsonAsync("/_db/execute", $$"""{ "env": "{{Env}}", "product_tag": "shop", "event": "db:nope", "input": { "data": {} } }""");

        Assert.That(await ErrorAsync(instance, HttpStatusCode.NotFound), Is.EqualTo("Instance 'nope' not found."));
        Assert.That(await ErrorAsync(entity, HttpStatusCode.NotFound), Is.EqualTo("Entity 'nope' not found in system 'db'."));
    }

    [Test]
    public async Task A_body_that_is_not_json_is_a_400_in_the_error_shape()
    {
        using var response = await Host.PostJsonAsync("/_db/execute", """{ "env": """);

        Assert.That(await ErrorAsync(response, HttpStatusCode.BadRequest), Does.StartWith("The request body is not valid JSON"));
    }

    [Test]
    public async Task A_malformed_filter_url_parameter_is_a_400()
    {
        using var notJson = await Host.Client.GetAsync("shop/db/get_user?filter=" + Uri.EscapeDataString("{id:"));
        using var notObject = await Host.Client.GetAsync("shop/db/get_user?filter=" + Uri.EscapeDataString("[1]"));

        Assert.That(await ErrorAsync(notJson, HttpStatusCode.BadRequest), Does.StartWith("The 'filter' parameter is not valid JSON"));
        Assert.That(await ErrorAsync(notObject, HttpStatusCode.BadRequest), Is.EqualTo("filter must be a JSON object."));
    }

    private async Task<string> GetUserAsync(int id)
    {
        using var response = await Host.Client.GetAsync("shop/db/get_user?filter=" + Uri.EscapeDataString($$"""{"id":{{id}}}"""));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(response.StatusCode, Is.EqualTo(expected), body.ToJsonString());
        Assert.That(body["traceId"]!.GetValue<string>(), Is.Not.Empty);
        return body["errorMessage"]!.GetValue<string>();
    }
}
