using System.Security.Cryptography;
using DataHub.Host.Auth;
using DataHub.Testing;

namespace DataHub.Security.Tests;

/// <summary>Every mistake in an instance's auth settings is reported at start-up, all at once, with its file.</summary>
public sealed class AuthConfigurationTests
{
    private const string ShortSecret = "too-short-secret";

    private static void WriteInstance(TempDirectory directory, string instance, string auth)
    {
        directory.Write($"schema/{instance}/instance.json", $$"""{"auth": {{auth}}}""");
        directory.Write($"schema/{instance}/default.json", SecuredHost.System("default", ("echo", [])));
    }

    [Test]
    public void Every_auth_problem_is_reported_at_once_with_its_file()
    {
        using var directory = new TempDirectory();
        using var smallRsa = RSA.Create(1024);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);
        var goodHash = PasswordHash.Create("pw").ToString();
        var weakHash = goodHash.Replace("$600000$", "$1000$", StringComparison.Ordinal);

        WriteInstance(directory, "members", """{"anonymous": "yes", "oauth": {}}""");
        WriteInstance(directory, "nousers", """{"basic": {"users": "missing.json", "extra": 1}}""");
        WriteInstance(directory, "badjson", """{"basic": {"users": "users.json"}}""");
        directory.Write("schema/badjson/users.json", """{"alice": {"hash": """);
        WriteInstance(directory, "badusers", """{"basic": {"users": "users.json"}}""");
        directory.Write("schema/badusers/users.json", $$"""
            {"plain": {"hash": "secret123"}, "weak": {"hash": "{{weakHash}}"}, "roles": {"hash": "{{goodHash}}", "roles": "admin"},
             "odd": {"hash": "{{goodHash}}", "email": "x"}, "a:b": {"hash": "{{goodHash}}"}, "nohash": {} }
            """);
        WriteInstance(directory, "shortsecret", $$"""{"jwt": {"secret": "{{ShortSecret}}", "issuer": "i", "audience": "a"} }""");
        WriteInstance(directory, "both", """{"jwt": {"secret": "0123456789abcdef0123456789abcdef", "publicKey": "k.pem", "issuer": "i", "audience": "a"} }""");
        WriteInstance(directory, "neither", """{"jwt": {"kid": "x"}}""");
        WriteInstance(directory, "nokeyfile", """{"jwt": {"publicKey": "keys/none.pem", "issuer": "i", "audience": "a"} }""");
        WriteInstance(directory, "notpem", """{"jwt": {"publicKey": "key.pem", "issuer": "i", "audience": "a"} }""");
        directory.Write("schema/notpem/key.pem", "this is not a key");
        WriteInstance(directory, "private", """{"jwt": {"publicKey": "key.pem", "issuer": "i", "audience": "a"} }""");
        directory.Write("schema/private/key.pem", rsa.ExportPkcs8PrivateKeyPem());
        WriteInstance(directory, "garbledpem", """{"jwt": {"publicKey": "key.pem", "issuer": "i", "audience": "a"} }""");
        directory.Write("schema/garbledpem/key.pem", "-----BEGIN PUBLIC KEY-----\nAAAAAAAA\n-----END PUBLIC KEY-----\n");
        WriteInstance(directory, "smallrsa", """{"jwt": {"publicKey": "key.pem", "issuer": "i", "audience": "a"} }""");
        directory.Write("schema/smallrsa/key.pem", smallRsa.ExportSubjectPublicKeyInfoPem());
        WriteInstance(directory, "p384", """{"jwt": {"publicKey": "key.pem", "issuer": "i", "audience": "a"} }""");
        directory.Write("schema/p384/key.pem", p384.ExportSubjectPublicKeyInfoPem());
        WriteInstance(directory, "closed", """{"anonymous": false}""");
        WriteInstance(directory, "notobject", """{"basic": "users.json", "jwt": []}""");

        var problems = HostUnderTest.ProblemsStarting(directory);
        var text = string.Join("\n", problems);

        Assert.Multiple(() =>
        {
            void Reported(string instance, string fragment) =>
                Assert.That(problems.Any(p => p.StartsWith($"schema/{instance}/instance.json", StringComparison.Ordinal)
                    && p.Contains(fragment, StringComparison.Ordinal)), Is.True, $"{instance}: '{fragment}' in\n{text}");

            Reported("members", "anonymous must be true or false");
            Reported("members", "unknown member 'oauth'");
            Reported("nousers", "'missing.json' does not exist");
            Reported("nousers", "unknown member 'extra'");
            Reported("badjson", "'users.json' is not valid JSON (line 1");
            Reported("badusers", "user 'plain': 'hash' is not a pbkdf2-sha256");
            Reported("badusers", "user 'weak': 'hash' must use between 600000");
            Reported("badusers", "user 'roles': 'roles' must be an array");
            Reported("badusers", "user 'odd': unknown member 'email'");
            Reported("badusers", "user 'a:b': a user id must be non-empty and hold no ':'");
            Reported("badusers", "user 'nohash': 'hash' must be a string");
            Reported("shortsecret", "at least 32 bytes long (it has 16)");
            Reported("both", "either secret (HS256) or publicKey (RS256/ES256), not both");
            Reported("neither", "needs secret (HS256) or publicKey");
            Reported("neither", "unknown member 'kid'");
            Reported("neither", "issuer is required");
            Reported("neither", "audience is required");
            Reported("nokeyfile", "'keys/none.pem' does not exist");
            Reported("notpem", "holds no PEM block");
            Reported("private", "holds a private key");
            Reported("garbledpem", "neither an RSA nor an EC public key");
            Reported("smallrsa", "1024-bit RSA key");
            Reported("p384", "P-256");
            Reported("closed", "neither basic nor jwt is configured");
            Reported("notobject", "auth.basic must be an object");
            Reported("notobject", "auth.jwt must be an object");
            Assert.That(text, Does.Not.Contain(ShortSecret), "a secret's value is never quoted");
            Assert.That(text, Does.Not.Contain("secret123"), "nor a hash");
            Assert.That(text, Does.Not.Contain(goodHash[..30]), "nor a hash");
        });
    }

    [Test]
    public void An_entity_with_roles_on_an_instance_that_authenticates_nobody_is_refused_at_load()
    {
        using var directory = new TempDirectory();
        directory.Write("schema/open/instance.json", """{"auth": {"anonymous": true}}""");
        directory.Write("schema/open/default.json", SecuredHost.System("default", ("echo", []), ("admin", ["admin"])));

        var problems = HostUnderTest.ProblemsStarting(directory);

        Assert.That(problems.Single(), Does.StartWith("schema/open/default.json: entity 'admin': The entity lists roles but the instance authenticates no users"));
    }

    [Test]
    public void A_secret_may_come_from_the_environment_and_is_never_quoted_when_too_short()
    {
        var variable = "DATAHUB_TEST_JWT_SECRET_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "short-env-secret");
        try
        {
            using var directory = new TempDirectory();
            WriteInstance(directory, "env", $$"""{"jwt": {"secret": "${env:{{variable}}}", "issuer": "i", "audience": "a"} }""");

            var problems = HostUnderTest.ProblemsStarting(directory);

            Assert.That(problems, Has.Some.Contains("at least 32 bytes"));
            Assert.That(string.Join("\n", problems), Does.Not.Contain("short-env-secret"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Test]
    public async Task A_secret_from_the_environment_signs_tokens_the_host_accepts()
    {
        var variable = "DATAHUB_TEST_JWT_SECRET_" + Guid.NewGuid().ToString("N");
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Environment.SetEnvironmentVariable(variable, secret);
        try
        {
            var directory = new TempDirectory();
            WriteInstance(directory, "env", $$"""{"anonymous": false, "jwt": {"secret": "${env:{{variable}}}", "issuer": "{{TestTokens.Issuer}}", "audience": "{{TestTokens.Audience}}"} }""");
            await using var host = await HostUnderTest.StartAsync(directory);
            host.Remember(secret);

            var user = Expect.Served(await host.CallAsync("env/echo", SecuredHost.Bearer(TestTokens.Hs256(TestTokens.Payload("env-user"), secret))));

            Assert.That(user!["id"]!.GetValue<string>(), Is.EqualTo("env-user"));
            host.AssertLogHoldsNoSecret();
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
