using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DataHub.Testing;

namespace DataHub.DbActions.Tests;

/// <summary>
/// Environments through the real host, on SQLite and PostgreSQL: "dev" and "prd" with their own stores (prd's connection
/// string overridden), the host's default used when a call names none, prd kept for admins, unknown names refused.
/// </summary>
[TestFixture(UsersSchema.Sqlite)]
[TestFixture(UsersSchema.PostgreSql)]
public sealed class EnvironmentTests(string provider)
    : HostFixture(settings: new Dictionary<string, string?> { ["DataHub:Environment"] = "dev" })
{
    private const string Secret = "an-operator-secret-of-at-least-32-bytes";
    private const string Issuer = "https://login.example";
    private const string Audience = "datahub";

    protected override async Task WriteSchemaAsync(TempDirectory schema)
    {
        string store;
        if (provider == UsersSchema.Sqlite)
        {
            schema.Write("multi/data/seed.sql", UsersSchema.SeedSql);
            store = """
                { "provider": "sqlite", "connectionString": "Data Source=data/dev.db", "seed": "data/seed.sql",
                  "environments": { "prd": { "connectionString": "Data Source=data/prd.db" } } }
                """;
        }
        else
        {
            var dev = await UsersSchema.CreateSeededPostgresDatabaseAsync();
            var prd = await UsersSchema.CreateSeededPostgresDatabaseAsync();
            store = $$"""
                { "provider": "postgresql", "connectionString": "{{dev}}", "environments": { "prd": { "connectionString": "{{prd}}" } } }
                """;
        }
        schema.Write("multi/instance.json", $$"""
            {
              "dataStores": { "database": {{store}} },
              "environments": { "dev": {}, "prd": { "roles": ["admin"] } },
              "auth": { "anonymous": true, "jwt": { "secret": "{{Secret}}", "issuer": "{{Issuer}}", "audience": "{{Audience}}" } }
            }
            """);
        schema.Write("multi/db.json", """
            {
              "reference": "db",
              "entities": {
                "rename": {
                  "execute": true, "processor": "ExecuteSql",
                  "processorConfig": {
                    "sql": "update users set name = ? where id = ?", "execute": true,
                    "parameters": [{ "reference": "name", "type": "string" }, { "reference": "filter.id", "type": "integer" }]
                  }
                },
                "name_of": {
                  "execute": true, "processor": "ExecuteSql",
                  "processorConfig": { "sql": "select name from users where id = ?", "parameters": [{ "reference": "filter.id", "type": "integer" }] }
                },
                "rename_action": {
                  "execute": true, "processor": "Actions",
                  "processorConfig": {
                    "input": { "name": { "type": "string", "required": true } },
                    "actions": [ { "update": { "as": "renamed", "table": "users", "where": { "id": "filter.id" }, "set": { "name": "input.name" } } } ]
                  }
                },
                "filter_echo": {
                  "execute": true, "processor": "Script",
                  "processorConfig": "attributes.put('response', { filter: attributes.get('filter'), hasSession: attributes.has('session') });"
                },
                "where_am_i": {
                  "execute": true, "processor": "Script",
                  "processorConfig": "attributes.put('response', { environment: attributes.get('context').environment });"
                }
              }
            }
            """);
    }

    [Test]
    public async Task An_action_writes_to_its_calls_environment_too()
    {
        using var renamed = await CallAsync("prd", "db:rename_action", """{ "name": "Ada, by action" }""", """{ "id": 1 }""", Admin());

        Assert.That(renamed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await renamed.Content.ReadAsStringAsync());
        Assert.That(await NameOfAsync(1, "prd", Admin()), Is.EqualTo("""[{"name":"Ada, by action"}]"""));
        Assert.That(await NameOfAsync(1, "dev"), Is.EqualTo("""[{"name":"Ada"}]"""));
    }

    [Test]
    public async Task Each_environment_writes_to_its_own_store()
    {
        using var renamed = await CallAsync("prd", "db:rename", """{ "name": "Ada in production" }""", """{ "id": 1 }""", Admin());

        Assert.That(await renamed.Content.ReadAsStringAsync(), Is.EqualTo("""{"status":10,"rowsAffected":1}"""));
        Assert.That(await NameOfAsync(1, "prd", Admin()), Is.EqualTo("""[{"name":"Ada in production"}]"""));
        Assert.That(await NameOfAsync(1, "dev"), Is.EqualTo("""[{"name":"Ada"}]"""));
    }

    [Test]
    public async Task A_call_naming_no_environment_runs_in_the_hosts_default_and_plugins_see_which()
    {
        using var servlet = await Host.Client.GetAsync("multi/db/where_am_i");
        using var ductape = await CallAsync("prd", "db:where_am_i", "{}", null, Admin());

        Assert.That(await servlet.Content.ReadAsStringAsync(), Is.EqualTo("""{"environment":"dev"}"""));
        Assert.That(await ductape.Content.ReadAsStringAsync(), Is.EqualTo("""{"environment":"prd"}"""));
    }

    [Test]
    public async Task A_script_reads_the_calls_filter_from_either_endpoint()
    {
        using var servlet = await Host.Client.GetAsync("multi/db/filter_echo?filter=%7B%22id%22%3A3%7D");
        using var ductape = await CallAsync("dev", "db:filter_echo", "{}", """{ "id": 3 }""");

        Assert.That(await servlet.Content.ReadAsStringAsync(), Is.EqualTo("""{"filter":{"id":3},"hasSession":false}"""));
        Assert.That(await ductape.Content.ReadAsStringAsync(), Is.EqualTo("""{"filter":{"id":3},"hasSession":false}"""));
    }

    [Test]
    public async Task An_environment_the_instance_does_not_declare_is_a_400_listing_those_it_does()
    {
        using var response = await CallAsync("qa", "db:name_of", "{}", """{ "id": 1 }""");

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Is.EqualTo("Environment 'qa' is not one this instance has; it has: dev, prd."));
    }

    [Test]
    public async Task A_restricted_environment_is_a_403_for_callers_without_its_role()
    {
        var developer = new AuthenticationHeaderValue("Bearer", Tokens.Mint("dev-1", Issuer, Audience, Secret, roles: "developer"));

        using var anonymous = await CallAsync("prd", "db:name_of", "{}", """{ "id": 1 }""");
        using var withoutRole = await CallAsync("prd", "db:name_of", "{}", """{ "id": 1 }""", developer);
        using var servlet = await Host.Client.GetAsync("multi/db/name_of?env=prd");

        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(withoutRole.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(servlet.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(JsonNode.Parse(await withoutRole.Content.ReadAsStringAsync())!["errorMessage"]!.GetValue<string>(),
            Is.EqualTo("Environment 'prd' may only be chosen by callers with one of the roles: admin."));
    }

    [Test]
    public async Task Overrides_for_an_undeclared_environment_are_refused_at_schema_load()
    {
        using var schema = new TempDirectory();
        schema.Write("bad/instance.json", """
            {
              "dataStores": { "database": { "provider": "sqlite", "connectionString": "Data Source=x.db", "environments": { "stage": {} } } },
              "environments": { "dev": {} }
            }
            """);

        var refused = Assert.ThrowsAsync<DataHub.Host.InvalidSchemaException>(() => RunningHost.StartAsync(schema.Path));

        Assert.That(refused!.Message, Does.Contain("dataStores.database.environments.stage: the instance declares no environment 'stage' (it declares dev)."));
    }

    private static AuthenticationHeaderValue Admin() =>
        new("Bearer", Tokens.Mint("ops-1", Issuer, Audience, Secret, roles: "admin"));

    private async Task<string> NameOfAsync(int id, string env, AuthenticationHeaderValue? authorization = null)
    {
        using var response = await CallAsync(env, "db:name_of", "{}", $$"""{ "id": {{id}} }""", authorization);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<HttpResponseMessage> CallAsync(string env, string actionEvent, string data, string? filter,
        AuthenticationHeaderValue? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "_db/execute")
        {
            Content = new StringContent($$"""
                { "env": "{{env}}", "product_tag": "multi", "event": "{{actionEvent}}", "input": { "data": {{data}}, "filter": {{filter ?? "{}"}} } }
                """, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = authorization;
        return await Host.Client.SendAsync(request);
    }
}
