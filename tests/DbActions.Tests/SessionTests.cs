using System.Net;
using System.Text.Json.Nodes;
using DataHub.Testing;

namespace DataHub.DbActions.Tests;

/// <summary>
/// Session tags through the real host, on SQLite and PostgreSQL: verified JWTs limit a query to the session's own
/// subject from both endpoints; bad tokens are 401s and unknown tags 400s, in the error shape.
/// </summary>
[TestFixture(UsersSchema.Sqlite)]
[TestFixture(UsersSchema.PostgreSql)]
public sealed class SessionTests(string provider) : HostFixture
{
    protected override Task WriteSchemaAsync(TempDirectory schema) => UsersSchema.WriteAsync(schema, provider, sessions: true);

    [Test]
    public async Task A_verified_session_limits_the_query_to_its_subject_on_the_ductape_endpoint()
    {
        using var response = await CallAsync(Token("ada"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""[{"id":1,"name":"Ada"},{"id":3,"name":"Cleo"}]"""));
    }

    [Test]
    public async Task The_servlet_takes_the_session_as_a_header()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "shop/mine/my_users");
        request.Headers.Add("DataHub-Session", $"{UsersSchema.SessionTag} {Token("brian")}");

        using var response = await Host.Client.SendAsync(request);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""[{"id":2,"name":"Brian"}]"""));
    }

    [Test]
    public async Task A_verified_call_logs_its_session_tag_and_subject()
    {
        using var response = await CallAsync(Token("cleo-the-logger"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Host.Log.Entries.Select(entry => entry.Message),
            Has.Some.Contains($"runs with session {UsersSchema.SessionTag} for cleo-the-logger"));
    }

    [Test]
    public async Task A_call_without_a_session_where_one_is_required_is_a_401()
    {
        using var response = await Host.Client.GetAsync("shop/mine/my_users");

        Assert.That(await ErrorAsync(response, HttpStatusCode.Unauthorized), Does.StartWith("This instance needs a session"));
    }

    [TestCase("expired", "it has expired")]
    [TestCase("audience", "its audience is not accepted")]
    [TestCase("signature", "its signature is not valid")]
    [TestCase("garbage", "it is not a well-formed JWT")]
    public async Task A_bad_token_is_a_401_saying_why(string fault, string reason)
    {
        var token = fault switch
        {
            "expired" => Token("ada", expires: DateTime.UtcNow.AddMinutes(-10)),
            "audience" => Token("ada", audience: "another-product"),
            "signature" => Token("ada", secret: "another-secret-that-is-at-least-32-bytes"),
            _ => "not-a-jwt",
        };

        using var response = await CallAsync(token);

        Assert.That(await ErrorAsync(response, HttpStatusCode.Unauthorized), Is.EqualTo($"The session token is not valid: {reason}."));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("DataHub-Session"));
    }

    [Test]
    public async Task An_unknown_session_tag_is_a_400_listing_the_declared_ones()
    {
        using var response = await CallAsync(Token("ada"), tag: "nope");

        Assert.That(await ErrorAsync(response, HttpStatusCode.BadRequest),
            Is.EqualTo($"Session tag 'nope' is not one this instance declares; it declares: {UsersSchema.SessionTag}."));
    }

    private Task<HttpResponseMessage> CallAsync(string token, string tag = UsersSchema.SessionTag) =>
        CallMyUsersAsync(Host, new JsonObject { ["tag"] = tag, ["token"] = token });

    /// <summary>Calls mine:my_users on the Ductape endpoint, with the session given (none when null).</summary>
    internal static Task<HttpResponseMessage> CallMyUsersAsync(RunningHost host, JsonObject? session) =>
        host.PostJsonAsync("/_db/execute", new JsonObject
        {
            ["env"] = "testing",
            ["product_tag"] = "shop",
            ["event"] = "mine:my_users",
            ["input"] = new JsonObject { ["data"] = new JsonObject() },
            ["session"] = session,
        }.ToJsonString());

    internal static string Token(string subject, DateTime? expires = null, string audience = UsersSchema.SessionAudience,
        string secret = UsersSchema.SessionSecret) =>
        Tokens.Mint(subject, UsersSchema.SessionIssuer, audience, secret, expires);

    internal static async Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(response.StatusCode, Is.EqualTo(expected), body.ToJsonString());
        Assert.That(body["traceId"]!.GetValue<string>(), Is.Not.Empty);
        return body["errorMessage"]!.GetValue<string>();
    }
}

/// <summary>
/// A session required by one entity (<c>requiresSession</c>) rather than by the whole instance, on SQLite and
/// PostgreSQL: that entity refuses calls without one from both endpoints, the instance's other entities do not.
/// </summary>
[TestFixture(UsersSchema.Sqlite)]
[TestFixture(UsersSchema.PostgreSql)]
public sealed class EntitySessionTests(string provider) : HostFixture
{
    protected override Task WriteSchemaAsync(TempDirectory schema) =>
        UsersSchema.WriteAsync(schema, provider, sessions: true, onlyMyUsersRequiresSession: true);

    [Test]
    public async Task The_entity_refuses_a_servlet_call_without_a_session_with_a_401()
    {
        using var response = await Host.Client.GetAsync("shop/mine/my_users");

        Assert.That(await SessionTests.ErrorAsync(response, HttpStatusCode.Unauthorized), Does.StartWith("This entity needs a session"));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("DataHub-Session"));
    }

    [Test]
    public async Task The_entity_refuses_a_ductape_call_without_a_session_with_a_401()
    {
        using var response = await SessionTests.CallMyUsersAsync(Host, session: null);

        Assert.That(await SessionTests.ErrorAsync(response, HttpStatusCode.Unauthorized), Does.StartWith("This entity needs a session"));
    }

    [Test]
    public async Task The_entity_runs_with_a_verified_session_from_both_endpoints()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "shop/mine/my_users");
        request.Headers.Add("DataHub-Session", $"{UsersSchema.SessionTag} {SessionTests.Token("brian")}");
        using var servlet = await Host.Client.SendAsync(request);
        using var ductape = await SessionTests.CallMyUsersAsync(Host,
            new JsonObject { ["tag"] = UsersSchema.SessionTag, ["token"] = SessionTests.Token("ada") });

        Assert.That(await servlet.Content.ReadAsStringAsync(), Is.EqualTo("""[{"id":2,"name":"Brian"}]"""));
        Assert.That(await ductape.Content.ReadAsStringAsync(), Is.EqualTo("""[{"id":1,"name":"Ada"},{"id":3,"name":"Cleo"}]"""));
    }

    [Test]
    public async Task The_instances_other_entities_need_no_session()
    {
        using var response = await Host.Client.GetAsync("shop/default/list_users");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }
}
