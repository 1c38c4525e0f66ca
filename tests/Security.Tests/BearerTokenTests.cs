using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace DataHub.Security.Tests;

/// <summary>JWT bearer tokens on every kind of key: HS256 (hub), RS256 (closed) and ES256 (ec).</summary>
public sealed class BearerTokenTests : SecuredHostFixture
{
    public enum Key
    {
        Hs256,
        Rs256,
        Es256,
    }

    /// <summary>The instance that takes tokens signed with <paramref name="key"/>.</summary>
    private static string InstanceOf(Key key) => key switch
    {
        Key.Hs256 => "hub",
        Key.Rs256 => "closed",
        _ => "ec",
    };

    private string Sign(Key key, JsonObject payload) => key switch
    {
        Key.Hs256 => TestTokens.Hs256(payload, SecuredHost.Secret),
        Key.Rs256 => TestTokens.Rs256(payload, Host.Rsa),
        _ => TestTokens.Es256(payload, Host.Ec),
    };

    private Task<Answer> CallWithTokenAsync(Key key, string token, string entity = "echo") =>
        Host.CallAsync($"{InstanceOf(key)}/{entity}", SecuredHost.Bearer(token));

    private static string MessageOf(Answer answer) => Expect.Unauthorized(answer, "Bearer")["errorMessage"]!.GetValue<string>();

    [Test]
    public async Task A_valid_token_reaches_the_plugin_as_id_roles_and_its_other_claims([Values] Key key)
    {
        var payload = TestTokens.Payload("user-42", "reporter");
        payload["email"] = "u42@example.com";
        payload["tenant"] = new JsonObject { ["id"] = 7 };

        var user = Expect.Served(await CallWithTokenAsync(key, Sign(key, payload)))!;

        Assert.That(user["id"]!.GetValue<string>(), Is.EqualTo("user-42"));
        Assert.That(user["roles"]!.ToJsonString(), Is.EqualTo("""["reporter"]"""));
        var claims = user["claims"]!.AsObject();
        Assert.That(claims["email"]!.GetValue<string>(), Is.EqualTo("u42@example.com"));
        Assert.That(claims["tenant"]!["id"]!.GetValue<int>(), Is.EqualTo(7));
        Assert.That(claims["iss"]!.GetValue<string>(), Is.EqualTo(TestTokens.Issuer));
        Assert.That(claims.ContainsKey("sub") || claims.ContainsKey("roles"), Is.False, "sub and roles are lifted out of claims");
    }

    [Test]
    public async Task An_expired_token_is_refused([Values] Key key)
    {
        var payload = TestTokens.Payload("u");
        var past = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
        payload["iat"] = past;
        payload["nbf"] = past;
        payload["exp"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds();

        Assert.That(MessageOf(await CallWithTokenAsync(key, Sign(key, payload))), Does.Contain("expired"));
    }

    [Test]
    public async Task A_token_that_expired_within_the_clock_skew_is_still_accepted()
    {
        var payload = TestTokens.Payload("u");
        payload["exp"] = DateTimeOffset.UtcNow.AddSeconds(-10).ToUnixTimeSeconds();

        Expect.Served(await CallWithTokenAsync(Key.Hs256, Sign(Key.Hs256, payload)));
    }

    [Test]
    public async Task A_token_not_valid_yet_is_refused([Values] Key key)
    {
        var payload = TestTokens.Payload("u");
        payload["nbf"] = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();

        Assert.That(MessageOf(await CallWithTokenAsync(key, Sign(key, payload))), Does.Contain("not valid yet"));
    }

    [Test]
    public async Task A_token_without_an_expiry_is_refused([Values] Key key)
    {
        var payload = TestTokens.Payload("u");
        payload.Remove("exp");

        Assert.That(MessageOf(await CallWithTokenAsync(key, Sign(key, payload))), Does.Contain("no expiry"));
    }

    [Test]
    public async Task A_token_from_another_issuer_is_refused([Values] Key key)
    {
        var payload = TestTokens.Payload("u");
        payload["iss"] = "https://evil.example";

        Assert.That(MessageOf(await CallWithTokenAsync(key, Sign(key, payload))), Does.Contain("issuer"));
    }

    [Test]
    public async Task A_token_without_an_issuer_is_refused()
    {
        var payload = TestTokens.Payload("u");
        payload.Remove("iss");

        Assert.That(MessageOf(await CallWithTokenAsync(Key.Rs256, Sign(Key.Rs256, payload))), Does.Contain("issuer"));
    }

    [Test]
    public async Task A_token_for_another_audience_is_refused([Values] Key key)
    {
        var payload = TestTokens.Payload("u");
        payload["aud"] = "some-other-api";

        Assert.That(MessageOf(await CallWithTokenAsync(key, Sign(key, payload))), Does.Contain("audience"));
    }

    [Test]
    public async Task A_token_without_a_subject_is_refused([Values] Key key)
    {
        var payload = TestTokens.Payload("u");
        payload.Remove("sub");

        Assert.That(MessageOf(await CallWithTokenAsync(key, Sign(key, payload))), Does.Contain("sub"));
    }

    [Test]
    public async Task A_tampered_payload_breaks_the_signature([Values] Key key)
    {
        var token = Sign(key, TestTokens.Payload("bob", "reporter"));
        var tampered = TestTokens.WithPayload(token, TestTokens.Payload("bob", "reporter", "admin"));

        Assert.That(MessageOf(await CallWithTokenAsync(key, tampered, "admin")), Does.Contain("signature"));
    }

    [Test]
    public async Task A_token_with_a_flipped_signature_bit_is_refused([Values] Key key)
    {
        var token = Sign(key, TestTokens.Payload("u"));
        var signature = token[(token.LastIndexOf('.') + 1)..];
        var flipped = (signature[5] == 'A' ? 'B' : 'A') + "";
        var broken = token[..(token.LastIndexOf('.') + 6)] + flipped + token[(token.LastIndexOf('.') + 7)..];

        Expect.Unauthorized(await CallWithTokenAsync(key, broken));
    }

    [Test]
    public async Task A_token_signed_with_another_key_is_refused([Values] Key key)
    {
        using var otherRsa = RSA.Create(2048);
        using var otherEc = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var payload = TestTokens.Payload("u");
        var token = key switch
        {
            Key.Hs256 => TestTokens.Hs256(payload, "another-secret-that-is-also-long-enough-abcdef"),
            Key.Rs256 => TestTokens.Rs256(payload, otherRsa),
            _ => TestTokens.Es256(payload, otherEc),
        };

        Assert.That(MessageOf(await CallWithTokenAsync(key, token)), Does.Contain("signature"));
    }

    [Test]
    public async Task An_unsigned_alg_none_token_is_refused([Values] Key key)
    {
        var answer = await CallWithTokenAsync(key, TestTokens.Unsigned(TestTokens.Payload("alice", "admin")), "admin");

        Expect.Unauthorized(answer, "Bearer");
    }

    [Test]
    public async Task An_HS256_token_keyed_with_the_RSA_public_key_is_refused_where_RS256_is_expected()
    {
        // The classic confusion attack: the public key is public, so an HMAC keyed with it is forgeable by anyone.
        var payload = TestTokens.Payload("alice", "admin");
        var pem = TestTokens.Hs256(payload, Encoding.ASCII.GetBytes(Host.Rsa.ExportSubjectPublicKeyInfoPem()));
        var der = TestTokens.Hs256(payload, Host.Rsa.ExportSubjectPublicKeyInfo());

        Assert.That(MessageOf(await CallWithTokenAsync(Key.Rs256, pem, "admin")), Does.Contain("algorithm").Or.Contain("signature"));
        Assert.That(MessageOf(await CallWithTokenAsync(Key.Rs256, der, "admin")), Does.Contain("algorithm").Or.Contain("signature"));
    }

    [Test]
    public async Task A_token_signed_with_another_algorithm_than_the_instance_takes_is_refused()
    {
        var payload = TestTokens.Payload("u");

        Expect.Unauthorized(await CallWithTokenAsync(Key.Hs256, TestTokens.Rs256(payload, Host.Rsa)));
        Expect.Unauthorized(await CallWithTokenAsync(Key.Rs256, TestTokens.Es256(payload, Host.Ec)));
        Expect.Unauthorized(await CallWithTokenAsync(Key.Es256, TestTokens.Rs256(payload, Host.Rsa)));
        Expect.Unauthorized(await CallWithTokenAsync(Key.Es256, TestTokens.Hs256(payload, SecuredHost.Secret)));
        var hs384 = TestTokens.Sign("HS384", payload, input => HMACSHA384.HashData(Encoding.UTF8.GetBytes(SecuredHost.Secret), input));
        Expect.Unauthorized(await CallWithTokenAsync(Key.Hs256, hs384));
    }

    [TestCase("not-a-jwt")]
    [TestCase("a.b")]
    [TestCase("a.b.c.d.e.f")]
    [TestCase("....")]
    [TestCase("eyJhbGciOiJIUzI1NiJ9.bm90LWpzb24.c2ln")]
    [TestCase("e30.e30.")]
    public async Task A_malformed_token_is_a_401_never_a_500(string token)
    {
        var answer = await CallWithTokenAsync(Key.Hs256, token);

        Assert.That(Expect.Unauthorized(answer, "Bearer")["errorMessage"]!.GetValue<string>(), Does.Not.Contain(token));
        Assert.That(answer.Header("WWW-Authenticate"), Does.Contain("error=\"invalid_token\""));
    }

    [Test]
    public async Task A_correctly_signed_token_with_a_repeated_claim_is_a_401_not_a_500()
    {
        var payload = TestTokens.Payload("u");
        var json = payload.ToJsonString().Replace("\"sub\":\"u\"", "\"sub\":\"u\",\"sub\":\"admin\"", StringComparison.Ordinal);
        var signingInput = $"{TestTokens.Encode("""{"alg":"HS256","typ":"JWT"}""")}.{TestTokens.Encode(json)}";
        var token = $"{signingInput}.{TestTokens.Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SecuredHost.Secret), Encoding.ASCII.GetBytes(signingInput)))}";

        Assert.That(MessageOf(await CallWithTokenAsync(Key.Hs256, token)), Does.Contain("distinct claim names"));
    }

    [Test]
    public async Task Roles_may_be_a_single_string_or_the_role_claim()
    {
        var single = TestTokens.Payload("u");
        single["roles"] = "admin";
        var role = TestTokens.Payload("v");
        role.Remove("roles");
        role["role"] = new JsonArray("admin", "reporter");

        Assert.That(Expect.Served(await CallWithTokenAsync(Key.Hs256, Sign(Key.Hs256, single), "admin"))!["roles"]!.ToJsonString(),
            Is.EqualTo("""["admin"]"""));
        Assert.That(Expect.Served(await CallWithTokenAsync(Key.Hs256, Sign(Key.Hs256, role), "admin"))!["roles"]!.ToJsonString(),
            Is.EqualTo("""["admin","reporter"]"""));
    }

    [Test]
    public async Task A_token_where_basic_only_is_configured_is_refused_not_ignored()
    {
        await using var host = await HostUnderTest.StartAsync(
            SecuredHost.SiteSchema(new Dictionary<string, (string, string[])> { ["zed"] = ("zed-password-123", []) }));

        var answer = await host.CallAsync("site/echo", SecuredHost.Bearer(Sign(Key.Hs256, TestTokens.Payload("u"))));

        Assert.That(Expect.Unauthorized(answer, "Basic")["errorMessage"]!.GetValue<string>(), Does.Contain("does not accept bearer"));
    }

    [Test]
    public async Task The_token_never_appears_in_the_log_even_when_refused()
    {
        var token = Sign(Key.Rs256, TestTokens.Payload("u"));
        await CallWithTokenAsync(Key.Hs256, token);
        await CallWithTokenAsync(Key.Rs256, TestTokens.WithPayload(token, TestTokens.Payload("x")));

        var joined = string.Join("\n", Host.Host.Log.Entries);
        Assert.That(joined, Does.Not.Contain(token[..20]).And.Not.Contain(token.Split('.')[2]));
    }
}
