using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DataHub.Host.Auth;

/// <summary>
/// A salted, slow password hash in a self-describing text form:
/// <c>pbkdf2-sha256$&lt;iterations&gt;$&lt;salt, base64&gt;$&lt;hash, base64&gt;</c>
/// (PBKDF2 with HMAC-SHA256, a 16-byte random salt and a 32-byte derived key).
/// </summary>
public sealed class PasswordHash
{
    public const string Algorithm = "pbkdf2-sha256";

    /// <summary>What hash-password writes: OWASP's 2023 figure for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>Fewer iterations are refused at load: they make offline guessing cheap.</summary>
    public const int MinimumIterations = 600_000;

    /// <summary>More would let a users file turn every login into a denial of service.</summary>
    public const int MaximumIterations = 10_000_000;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly byte[] _salt;
    private readonly byte[] _hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash)
    {
        Iterations = iterations;
        _salt = salt;
        _hash = hash;
    }

    public int Iterations { get; }

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt.</summary>
    public static PasswordHash Create(string password, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new PasswordHash(iterations, salt, Derive(password, salt, iterations));
    }

    /// <summary>
    /// A hash that no password matches: random salt and random key, so it costs nothing to make yet
    /// <see cref="Verify"/> against it still runs one full PBKDF2 of <paramref name="iterations"/>.
    /// </summary>
    internal static PasswordHash MatchingNothing(int iterations) =>
        new(iterations, RandomNumberGenerator.GetBytes(SaltBytes), RandomNumberGenerator.GetBytes(HashBytes));

    /// <summary>Reads the text form, or says why it cannot (never quoting the text itself).</summary>
    public static PasswordHash? Parse(string text, out string? problem)
    {
        var parts = text.Split('$');
        if (parts.Length != 4 || parts[0] != Algorithm)
        {
            problem = $"is not a {Algorithm}$<iterations>$<salt>$<hash> hash (make one with hash-password).";
            return null;
        }
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations is < MinimumIterations or > MaximumIterations)
        {
            problem = $"must use between {MinimumIterations} and {MaximumIterations} iterations.";
            return null;
        }
        var salt = FromBase64(parts[2]);
        var hash = FromBase64(parts[3]);
        if (salt is not { Length: >= SaltBytes } || hash is not { Length: HashBytes })
        {
            problem = $"needs a base64 salt of at least {SaltBytes} bytes and a base64 hash of {HashBytes} bytes.";
            return null;
        }
        problem = null;
        return new PasswordHash(iterations, salt, hash);
    }

    /// <summary>True when <paramref name="password"/> is the one hashed; takes the same time whatever it is.</summary>
    public bool Verify(string password) =>
        CryptographicOperations.FixedTimeEquals(Derive(password, _salt, Iterations), _hash);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Algorithm}${Iterations}${Convert.ToBase64String(_salt)}${Convert.ToBase64String(_hash)}");

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);

    private static byte[]? FromBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }
}
