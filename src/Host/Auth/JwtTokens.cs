using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataHub.Host.Schema;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DataHub.Host.Auth;

/// <summary>A bearer token's outcome: the user it names, or why it is refused (a reason that quotes none of it).</summary>
public readonly record struct TokenCheck(JsonObject? User, string? Failure);

/// <summary>
/// JWT bearer tokens for one instance: HS256 with a shared secret, or RS256/ES256 with a PEM public key. The
/// validation parameters are built once, at load: signature (only the configured algorithm), expiry (required),
/// not-before, issuer and audience, with a small clock skew.
/// </summary>
public sealed class JwtTokens
{
    public const int MinimumSecretBytes = 32;
    public const int MinimumRsaKeyBits = 2048;

    /// <summary>How far the issuer's clock and ours may disagree on exp and nbf.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private static readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private static readonly string[] _members = ["secret", "publicKey", "issuer", "audience"];
    private static readonly JsonDocumentOptions _payloadOptions = new() { AllowDuplicateProperties = false, MaxDepth = 64 };
    private static readonly HashSet<string> _identityClaims = new(StringComparer.Ordinal) { "sub", "roles", "role" };

    private readonly TokenValidationParameters _parameters;

    private JwtTokens(TokenValidationParameters parameters) => _parameters = parameters;

    /// <summary>
    /// Reads JWT settings (the <c>jwt</c> member of <c>auth</c>, or a session tag's); reports every problem, named by
    /// <paramref name="label"/>, and returns null if there is one.
    /// </summary>
    public static JwtTokens? Read(JsonNode? jwt, string instanceDirectory, Action<string> report, string label = "auth.jwt")
    {
        if (jwt is not JsonObject settings)
        {
            report($"{label} must be an object: {{\"secret\" or \"publicKey\", \"issuer\", \"audience\"}}.");
            return null;
        }
        var problems = new ProblemReport(report);
        foreach (var (member, _) in settings)
        {
            if (!_members.Contains(member))
            {
                problems.Add($"{label}: unknown member '{member}'. It takes secret or publicKey, issuer and audience.");
            }
        }
        var secret = SchemaJson.GetString(settings, "secret", problems.Add, label: $"{label}.secret");
        var publicKey = SchemaJson.GetString(settings, "publicKey", problems.Add, label: $"{label}.publicKey");
        var issuer = SchemaJson.GetString(settings, "issuer", problems.Add, label: $"{label}.issuer");
        var audience = SchemaJson.GetString(settings, "audience", problems.Add, label: $"{label}.audience");
        if (string.IsNullOrWhiteSpace(issuer))
        {
            problems.Add($"{label}.issuer is required: the 'iss' every accepted token must carry.");
        }
        if (string.IsNullOrWhiteSpace(audience))
        {
            problems.Add($"{label}.audience is required: the 'aud' every accepted token must carry.");
        }

        (SecurityKey Key, string Algorithm)? signing = (secret, publicKey) switch
        {
            (not null, not null) => Fail(problems.Add, $"{label} takes either secret (HS256) or publicKey (RS256/ES256), not both."),
            (null, null) => Fail(problems.Add, $"{label} needs secret (HS256) or publicKey (RS256/ES256)."),
            (not null, null) => SecretKey(secret, problems.Add, label),
            (null, not null) => PublicKey(publicKey, instanceDirectory, problems.Add, label),
        };
        if (problems.Count > 0 || signing is not { } key)
        {
            return null;
        }

        var parameters = new TokenValidationParameters
        {
            IssuerSigningKey = key.Key,
            ValidAlgorithms = [key.Algorithm],
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            ValidateIssuer = true,
            ValidIssuer = issuer,
            ValidateAudience = true,
            ValidAudience = audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = ClockSkew,
        };
        return new JwtTokens(parameters);
    }

    /// <summary>Validates <paramref name="token"/> and builds the user: id from sub, roles from roles or role, the rest as claims.</summary>
    public async Task<TokenCheck> CheckAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return new TokenCheck(null, Describe(result.Exception));
        }
        if (ReadPayload(jwt) is not { } payload)
        {
            return new TokenCheck(null, "its payload is not a JSON object with distinct claim names");
        }
        if (payload["sub"] is not JsonValue sub || !sub.TryGetValue(out string? id) || id.Length == 0)
        {
            return new TokenCheck(null, "it has no 'sub' (subject) claim");
        }
        var roles = new JsonArray([.. Roles(payload["roles"]).Concat(Roles(payload["role"])).Distinct(StringComparer.Ordinal)
            .Select(role => (JsonNode?)JsonValue.Create(role))]);
        var claims = new JsonObject();
        foreach (var (name, value) in payload)
        {
            if (!_identityClaims.Contains(name))
            {
                claims[name] = value?.DeepClone();
            }
        }
        return new TokenCheck(new JsonObject { ["id"] = id, ["roles"] = roles, ["claims"] = claims }, null);
    }

    /// <summary>The payload as JSON; null for one the handler accepted but no plug-in could read (a repeated claim).</summary>
    private static JsonObject? ReadPayload(JsonWebToken jwt)
    {
        try
        {
            using var document = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload), _payloadOptions);
            return document.RootElement.ValueKind == JsonValueKind.Object ? JsonObject.Create(document.RootElement.Clone()) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IEnumerable<string> Roles(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue(out string? role) => [role],
        JsonArray array => array.OfType<JsonValue>().Select(v => v.TryGetValue(out string? role) ? role : null).OfType<string>(),
        _ => [],
    };

    /// <summary>A reason a caller can act on, without echoing any part of the token.</summary>
    private static string Describe(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "it has expired",
        SecurityTokenNotYetValidException => "it is not valid yet (nbf)",
        SecurityTokenNoExpirationException => "it has no expiry (exp)",
        SecurityTokenInvalidLifetimeException => "its lifetime is not valid",
        SecurityTokenInvalidIssuerException => "its issuer is not accepted",
        SecurityTokenInvalidAudienceException => "its audience is not accepted",
        SecurityTokenInvalidAlgorithmException => "its signing algorithm is not accepted",
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "its signature is not valid",
        SecurityTokenMalformedException => "it is not a well-formed JWT",
        _ => "it is not valid",
    };

    private static (SecurityKey, string)? SecretKey(string secret, Action<string> report, string label)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        if (bytes.Length < MinimumSecretBytes)
        {
            report($"{label}.secret must be at least {MinimumSecretBytes} bytes long (it has {bytes.Length}); use a random value, e.g. from ${{env:NAME}}.");
            return null;
        }
        return (new SymmetricSecurityKey(bytes), SecurityAlgorithms.HmacSha256);
    }

    private static (SecurityKey, string)? PublicKey(string file, string instanceDirectory, Action<string> report, string label)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(Path.GetFullPath(file, instanceDirectory));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            report($"{label}.publicKey: the key file '{file}' does not exist.");
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            report($"{label}.publicKey: the key file '{file}' cannot be read ({e.GetType().Name}).");
            return null;
        }
        if (!PemEncoding.TryFind(pem, out var fields))
        {
            report($"{label}.publicKey: '{file}' holds no PEM block.");
            return null;
        }
        var pemLabel = pem[fields.Label];
        if (pemLabel.Contains("PRIVATE", StringComparison.Ordinal))
        {
            report($"{label}.publicKey: '{file}' holds a private key. Give DataHub only the public key.");
            return null;
        }
        if (pemLabel is not ("PUBLIC KEY" or "RSA PUBLIC KEY"))
        {
            report($"{label}.publicKey: '{file}' must hold a PUBLIC KEY block (it holds {pemLabel}).");
            return null;
        }
        var block = pem[fields.Location];
        if (TryImport(RSA.Create(), block) is { } rsa)
        {
            if (rsa.KeySize < MinimumRsaKeyBits)
            {
                report($"{label}.publicKey: '{file}' is a {rsa.KeySize}-bit RSA key; at least {MinimumRsaKeyBits} bits are required.");
                rsa.Dispose();
                return null;
            }
            return (new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256);
        }
        if (TryImport(ECDsa.Create(), block) is { } ec)
        {
            if (ec.ExportParameters(includePrivateParameters: false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                report($"{label}.publicKey: '{file}' is an EC key on another curve than P-256, which ES256 needs.");
                ec.Dispose();
                return null;
            }
            return (new ECDsaSecurityKey(ec), SecurityAlgorithms.EcdsaSha256);
        }
        report($"{label}.publicKey: '{file}' is neither an RSA nor an EC public key.");
        return null;
    }

    private static T? TryImport<T>(T algorithm, string pem) where T : AsymmetricAlgorithm
    {
        try
        {
            algorithm.ImportFromPem(pem);
            return algorithm;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            algorithm.Dispose();
            return null;
        }
    }

    private static (SecurityKey, string)? Fail(Action<string> report, string message)
    {
        report(message);
        return null;
    }
}
