using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace DataHub.Host.Auth;

/// <summary>
/// Remembers, for a short while, which (user, password, stored hash) triples verified, so that a client sending
/// Basic credentials on every request pays PBKDF2's cost once per <see cref="TimeToLive"/> instead of every time.
/// Entries are keyed by HMAC-SHA256 under a random per-process key: nothing in memory can be reversed or
/// guessed at offline. Only successes are kept (a wrong password always pays the full cost), the number of
/// entries is bounded, and a changed stored hash never matches an old entry.
/// </summary>
public sealed class VerifiedPasswordCache(TimeProvider time, int capacity = VerifiedPasswordCache.DefaultCapacity, TimeSpan? timeToLive = null)
{
    public const int DefaultCapacity = 1024;

    public static readonly TimeSpan DefaultTimeToLive = TimeSpan.FromMinutes(2);

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<UInt128, DateTimeOffset> _verified = new();

    public TimeSpan TimeToLive { get; } = timeToLive ?? DefaultTimeToLive;

    public int Count => _verified.Count;

    public bool Contains(string user, string password, string storedHash)
    {
        var key = KeyOf(user, password, storedHash);
        if (!_verified.TryGetValue(key, out var expires))
        {
            return false;
        }
        if (expires > time.GetUtcNow())
        {
            return true;
        }
        _verified.TryRemove(key, out _);
        return false;
    }

    public void Add(string user, string password, string storedHash)
    {
        var now = time.GetUtcNow();
        if (_verified.Count >= capacity)
        {
            MakeRoom(now);
        }
        _verified[KeyOf(user, password, storedHash)] = now + TimeToLive;
    }

    /// <summary>Drops expired entries, then, if still full, the ones closest to expiry.</summary>
    private void MakeRoom(DateTimeOffset now)
    {
        foreach (var (key, expires) in _verified)
        {
            if (expires <= now)
            {
                _verified.TryRemove(key, out _);
            }
        }
        var excess = _verified.Count - capacity + 1;
        if (excess > 0)
        {
            foreach (var (key, _) in _verified.OrderBy(entry => entry.Value).Take(excess).ToList())
            {
                _verified.TryRemove(key, out _);
            }
        }
    }

    private UInt128 KeyOf(string user, string password, string storedHash)
    {
        // Lengths first, so that no two distinct triples share an encoding.
        var text = $"{user.Length}:{user}{password.Length}:{password}{storedHash}";
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text), mac);
        // 128 bits of the MAC are plenty for a cache key that an attacker cannot compute.
        return new UInt128(BitConverter.ToUInt64(mac[..8]), BitConverter.ToUInt64(mac[8..16]));
    }
}
