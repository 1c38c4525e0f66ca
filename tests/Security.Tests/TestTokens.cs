using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace DataHub.Security.Tests;

/// <summary>
/// Mints JWTs by hand (base64url header and payload, then the signature), independent of the library the host
/// validates them with, so that tests can also build the malformed, unsigned and confused tokens an attacker would.
/// </summary>
public static class TestTokens
{
    public const string Issuer = "https://issuer.example";
    public const string Audience = "datahub-tests";

    /// <summary>A payload valid for an hour, from a minute ago, for <paramref name="subject"/> with <paramref name="roles"/>.</summary>
    public static JsonObject Payload(string subject, params string[] roles)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = subject,
            ["roles"] = new JsonArray([.. roles.Select(r => (JsonNode?)r)]),
            ["iat"] = now - 60,
            ["nbf"] = now - 60,
            ["exp"] = now + 3600,
        };
    }

    public static string Hs256(JsonObject payload, byte[] secret) =>
        Sign("HS256", payload, input => HMACSHA256.HashData(secret, input));

    public static string Hs256(JsonObject payload, string secret) => Hs256(payload, Encoding.UTF8.GetBytes(secret));

    public static string Rs256(JsonObject payload, RSA key) =>
        Sign("RS256", payload, input => key.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    /// <summary>ES256: the signature is r||s (IEEE P1363), as JWS requires and .NET produces by default.</summary>
    public static string Es256(JsonObject payload, ECDsa key) =>
        Sign("ES256", payload, input => key.SignData(input, HashAlgorithmName.SHA256));

    /// <summary>An unsecured JWT: alg none and an empty signature.</summary>
    public static string Unsigned(JsonObject payload) => Sign("none", payload, _ => []);

    public static string Sign(string algorithm, JsonObject payload, Func<byte[], byte[]> signer)
    {
        var header = new JsonObject { ["alg"] = algorithm, ["typ"] = "JWT" };
        var signingInput = $"{Encode(header.ToJsonString())}.{Encode(payload.ToJsonString())}";
        return $"{signingInput}.{Base64Url(signer(Encoding.ASCII.GetBytes(signingInput)))}";
    }

    /// <summary>Swaps the payload of a signed token, keeping its header and signature.</summary>
    public static string WithPayload(string token, JsonObject payload)
    {
        var parts = token.Split('.');
        return $"{parts[0]}.{Encode(payload.ToJsonString())}.{parts[2]}";
    }

    public static string Encode(string json) => Base64Url(Encoding.UTF8.GetBytes(json));

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
