using System.Text;
using DataHub.Testing;
using Microsoft.Extensions.Logging;

namespace DataHub.Security.Tests;

public sealed class BasicAuthenticationTests : SecuredHostFixture
{
    [Test]
    public async Task A_user_with_the_right_password_reaches_the_plugin_with_id_roles_and_no_claims()
    {
        var user = Expect.Served(await Host.CallAsync("hub/echo", SecuredHost.BasicFor("alice")));

        Assert.That(user!.ToJsonString(), Is.EqualTo("""{"id":"alice","roles":["reporter","admin"],"claims":{}}"""));
    }

    [Test]
    public async Task A_call_without_credentials_on_an_anonymous_instance_reaches_the_plugin_with_user_null()
    {
        var answer = await Host.CallAsync("hub/echo");

        Assert.That(Expect.Served(answer), Is.Null);
        Assert.That(answer.Json.ContainsKey("user"), Is.True);
    }

    [Test]
    public async Task A_wrong_password_is_refused_with_401_and_both_challenges_even_where_anonymous_calls_are_allowed()
    {
        var answer = await Host.CallAsync("hub/echo", SecuredHost.Basic("alice", "not-alices-password"));

        var json = Expect.Unauthorized(answer, "Basic", "Bearer");
        Assert.That(json["errorMessage"]!.GetValue<string>(), Is.EqualTo("The user id or password is not valid."));
        Assert.That(answer.Header("WWW-Authenticate"), Does.Contain("Basic realm=\"hub\""));
    }

    [Test]
    public async Task An_unknown_user_gets_the_same_answer_as_a_wrong_password()
    {
        var unknown = await Host.CallAsync("hub/echo", SecuredHost.Basic("mallory", "whatever-password"));
        var wrong = await Host.CallAsync("hub/echo", SecuredHost.Basic("bob", "whatever-password"));

        Assert.That(Expect.Unauthorized(unknown)["errorMessage"]!.GetValue<string>(),
            Is.EqualTo(Expect.Unauthorized(wrong)["errorMessage"]!.GetValue<string>()));
        Assert.That(unknown.Header("WWW-Authenticate"), Is.EqualTo(wrong.Header("WWW-Authenticate")));
    }

    [Test]
    public async Task An_unknown_user_pays_the_same_password_hash_as_a_known_user_with_a_wrong_password()
    {
        using var hashes = new HashCounter();

        Expect.Unauthorized(await Host.CallAsync("hub/echo", SecuredHost.Basic("alice", "wrong-password-1")));
        var forKnownUser = hashes.Count;
        Expect.Unauthorized(await Host.CallAsync("hub/echo", SecuredHost.Basic("nobody-here", "wrong-password-1")));

        // Both run one full PBKDF2 (the unknown user against a dummy hash of the same cost), so time tells nothing.
        Assert.That(forKnownUser, Is.EqualTo(1));
        Assert.That(hashes.Count - forKnownUser, Is.EqualTo(1));
    }

    [Test]
    public async Task Another_users_password_does_not_open_an_account()
    {
        Expect.Unauthorized(await Host.CallAsync("hub/echo", SecuredHost.Basic("alice", SecuredHost.Users["bob"].Password)));
    }

    [Test]
    public async Task User_ids_and_passwords_are_compared_exactly()
    {
        Expect.Unauthorized(await Host.CallAsync("hub/echo", SecuredHost.Basic("Alice", SecuredHost.Users["alice"].Password)));
        Expect.Unauthorized(await Host.CallAsync("hub/echo", SecuredHost.Basic("alice", SecuredHost.Users["alice"].Password.ToUpperInvariant())));
        Expect.Unauthorized(await Host.CallAsync("hub/echo", SecuredHost.Basic("alice", SecuredHost.Users["alice"].Password + " ")));
        Expect.Unauthorized(await Host.CallAsync("hub/echo", SecuredHost.Basic("alice", "")));
    }

    [TestCase("Basic", TestName = "Basic with no credentials")]
    [TestCase("Basic ", TestName = "Basic with blank credentials")]
    [TestCase("Basic !!!not-base64!!!", TestName = "Basic credentials that are not base64")]
    [TestCase("Basic YWxpY2U=", TestName = "Basic credentials without a colon")]
    [TestCase("Basic OnNlY3JldA==", TestName = "Basic credentials with an empty user id")]
    [TestCase("Basic //79/w==", TestName = "Basic credentials that are not UTF-8")]
    [TestCase("Basic YWxpY2U6cGFzcw", TestName = "Basic credentials with missing base64 padding")]
    [TestCase("Digest username=\"alice\"", TestName = "an unsupported scheme")]
    [TestCase("", TestName = "an empty Authorization header")]
    [TestCase("Bearer", TestName = "Bearer with no token")]
    [TestCase("Bearer a b c", TestName = "a Bearer token with spaces")]
    [TestCase("Bearer ab%cd{}", TestName = "a Bearer token with characters no token holds")]
    [TestCase("alice:secret", TestName = "credentials without any scheme")]
    public async Task A_malformed_Authorization_header_is_a_401_never_a_500(string header)
    {
        var answer = await Host.CallAsync("hub/echo", header);

        Expect.Unauthorized(answer, "Basic", "Bearer");
    }

    [Test]
    public async Task A_header_longer_than_the_limit_is_a_401()
    {
        var huge = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + new string('x', 15_000)));

        Expect.Unauthorized(await Host.CallAsync("hub/echo", huge));
    }

    [Test]
    public async Task Two_Authorization_headers_are_refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "hub/echo") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", [SecuredHost.BasicFor("alice"), SecuredHost.BasicFor("bob")]);
        using var response = await Host.Host.Client.SendAsync(request);

        Expect.Unauthorized(new Answer((int)response.StatusCode, response.Headers, await response.Content.ReadAsStringAsync()));
    }

    [Test]
    public async Task The_scheme_name_is_matched_ignoring_case()
    {
        var header = "bAsIc " + SecuredHost.BasicFor("bob")["Basic ".Length..];

        Assert.That(Expect.Served(await Host.CallAsync("hub/echo", header))!["id"]!.GetValue<string>(), Is.EqualTo("bob"));
    }

    [Test]
    public async Task A_password_holding_colons_and_non_ASCII_text_works()
    {
        await using var host = await HostUnderTest.StartAsync(
            SecuredHost.SiteSchema(new Dictionary<string, (string, string[])> { ["dora"] = ("p:ä:ß:🔑 with spaces", []) }, anonymous: false));

        var user = Expect.Served(await host.CallAsync("site/echo", SecuredHost.Basic("dora", "p:ä:ß:🔑 with spaces")));

        Assert.That(user!["id"]!.GetValue<string>(), Is.EqualTo("dora"));
    }

    [Test]
    public async Task Repeated_calls_with_the_same_credentials_are_served_from_the_verification_cache()
    {
        // The first call pays PBKDF2; later ones are checked against the per-process keyed cache.
        Expect.Served(await Host.CallAsync("hub/echo", SecuredHost.BasicFor("carol")));
        using var hashes = new HashCounter();

        for (var i = 0; i < 20; i++)
        {
            Expect.Served(await Host.CallAsync("hub/echo", SecuredHost.BasicFor("carol")));
        }

        Assert.That(hashes.Count, Is.Zero, "no password hash was computed again");
    }

    [Test]
    public async Task Basic_credentials_are_refused_where_the_instance_takes_only_tokens()
    {
        var answer = await Host.CallAsync("ec/echo", SecuredHost.BasicFor("alice"));

        var json = Expect.Unauthorized(answer, "Bearer");
        Assert.That(answer.Header("WWW-Authenticate"), Does.Not.Contain("Basic"));
        Assert.That(json["errorMessage"]!.GetValue<string>(), Does.Contain("does not accept Basic"));
    }

    [Test]
    public async Task An_instance_without_users_ignores_the_Authorization_header_and_serves_anonymously()
    {
        Assert.That(Expect.Served(await Host.CallAsync("public/echo", SecuredHost.BasicFor("alice"))), Is.Null);
    }

    [Test]
    public async Task An_edited_users_file_takes_effect_without_a_restart_and_a_broken_one_keeps_the_last_good_users()
    {
        var directory = SecuredHost.SiteSchema(new Dictionary<string, (string, string[])> { ["erin"] = ("erin-password-1", []) }, anonymous: false);
        await using var host = await HostUnderTest.StartAsync(directory);
        Expect.Unauthorized(await host.CallAsync("site/echo", SecuredHost.Basic("frank", "frank-password-2")));

        directory.Write("schema/site/users.json", SecuredHost.UsersFile(new Dictionary<string, (string, string[])>
        {
            ["erin"] = ("erin-password-1", []),
            ["frank"] = ("frank-password-2", []),
        }));
        Assert.That(await Eventually.TrueAsync(async () => (await host.CallAsync("site/echo", SecuredHost.Basic("frank", "frank-password-2"))).Status == 200,
            TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200)), Is.True, "frank is accepted once the users file is reloaded");

        host.Remember("plain-text-password");
        directory.Write("schema/site/users.json", """{"frank": {"hash": "plain-text-password"}}""");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Expect.Served(await host.CallAsync("site/echo", SecuredHost.Basic("frank", "frank-password-2")));
        Assert.That(host.Host.Log.Entries.Select(e => e.Message), Has.Some.Contains("'hash' is not a pbkdf2-sha256"));
        host.AssertLogHoldsNoSecret();
    }

    [Test]
    public async Task Failed_logins_are_logged_with_the_trace_id_but_without_the_password()
    {
        var answer = await Host.CallAsync("hub/echo", SecuredHost.Basic("bob", "a-wrong-password-for-bob"));
        var traceId = Expect.Unauthorized(answer)["traceId"]!.GetValue<string>();

        var line = Host.Host.Log.Entries.Single(e => e.Level >= LogLevel.Information && e.Message.Contains(traceId, StringComparison.Ordinal));
        Assert.That(line.Message, Does.Contain("bob").And.Not.Contain("a-wrong-password-for-bob"));
    }

    [Test]
    public async Task A_failed_login_for_an_unknown_id_does_not_log_the_id_which_may_be_a_mistyped_password()
    {
        var answer = await Host.CallAsync("hub/echo", SecuredHost.Basic("MyPassw0rd!IsHere", "x"));
        var traceId = Expect.Unauthorized(answer)["traceId"]!.GetValue<string>();

        var line = Host.Host.Log.Entries.Single(e => e.Level >= LogLevel.Information && e.Message.Contains(traceId, StringComparison.Ordinal));
        Assert.That(line.Message, Does.Not.Contain("MyPassw0rd!IsHere"));
    }
}
