using DataHub.Host;
using DataHub.Host.Auth;

namespace DataHub.Security.Tests;

public sealed class PasswordHashTests
{
    [Test]
    public void Hash_password_prints_a_hash_that_verifies_the_password_it_read()
    {
        var output = new StringWriter();
        var errors = new StringWriter();

        var exitCode = HashPasswordCommand.Run(new StringReader("s3cret pass:word\n"), output, errors);

        Assert.That(exitCode, Is.EqualTo(0), errors.ToString());
        var printed = output.ToString().Trim();
        Assert.That(printed, Does.StartWith("pbkdf2-sha256$600000$").And.Not.Contain("s3cret"));
        var hash = PasswordHash.Parse(printed, out var problem);
        Assert.That(problem, Is.Null);
        Assert.That(hash!.Verify("s3cret pass:word"), Is.True);
        Assert.That(hash.Verify("s3cret pass:word "), Is.False);
        Assert.That(hash.Verify("S3cret pass:word"), Is.False);
    }

    [Test]
    public void Hash_password_refuses_an_empty_input()
    {
        var output = new StringWriter();
        var errors = new StringWriter();

        Assert.That(HashPasswordCommand.Run(new StringReader(""), output, errors), Is.EqualTo(1));
        Assert.That(output.ToString(), Is.Empty);
        Assert.That(errors.ToString(), Does.Contain("no password"));
    }

    [Test]
    public void The_same_password_hashes_differently_each_time_because_of_the_salt()
    {
        Assert.That(PasswordHash.Create("same").ToString(), Is.Not.EqualTo(PasswordHash.Create("same").ToString()));
    }

    [Test]
    public void A_hash_round_trips_through_its_text_form()
    {
        var text = PasswordHash.Create("pw").ToString();

        Assert.That(PasswordHash.Parse(text, out _)!.ToString(), Is.EqualTo(text));
    }

    [TestCase("")]
    [TestCase("pbkdf2-sha256")]
    [TestCase("bcrypt$600000$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaA==")]
    [TestCase("pbkdf2-sha256$abc$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [TestCase("pbkdf2-sha256$-600000$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [TestCase("pbkdf2-sha256$99999999999$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [TestCase("pbkdf2-sha256$600000$c2hvcnQ=$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [TestCase("pbkdf2-sha256$600000$c2FsdHNhbHRzYWx0c2FsdA==$AAAA")]
    [TestCase("pbkdf2-sha256$600000$not base64!$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [TestCase("pbkdf2-sha256$600000$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$extra")]
    public void A_malformed_or_weak_hash_is_refused_with_a_reason(string text)
    {
        Assert.That(PasswordHash.Parse(text, out var problem), Is.Null);
        Assert.That(problem, Is.Not.Null.And.Not.Empty);
    }
}

public sealed class VerifiedPasswordCacheTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Test]
    public void A_verified_password_is_remembered_until_its_time_to_live_passes()
    {
        var clock = new ManualClock();
        var cache = new VerifiedPasswordCache(clock, timeToLive: TimeSpan.FromMinutes(2));
        cache.Add("alice", "pw", "hash-1");

        clock.Now += TimeSpan.FromMinutes(1);
        Assert.That(cache.Contains("alice", "pw", "hash-1"), Is.True);
        clock.Now += TimeSpan.FromMinutes(2);
        Assert.That(cache.Contains("alice", "pw", "hash-1"), Is.False);
    }

    [Test]
    public void Only_the_exact_user_password_and_stored_hash_match()
    {
        var cache = new VerifiedPasswordCache(new ManualClock());
        cache.Add("alice", "pw", "hash-1");

        Assert.That(cache.Contains("alice", "pw2", "hash-1"), Is.False);
        Assert.That(cache.Contains("bob", "pw", "hash-1"), Is.False);
        Assert.That(cache.Contains("alice", "pw", "hash-2"), Is.False, "a changed users file invalidates");
        Assert.That(cache.Contains("alic", "epw", "hash-1"), Is.False, "no ambiguity where user ends and password starts");
    }

    [Test]
    public void The_cache_never_grows_past_its_capacity()
    {
        var clock = new ManualClock();
        var cache = new VerifiedPasswordCache(clock, capacity: 10);
        for (var i = 0; i < 100; i++)
        {
            clock.Now += TimeSpan.FromMilliseconds(1);
            cache.Add($"user{i}", "pw", "hash");
        }

        Assert.That(cache.Count, Is.LessThanOrEqualTo(10));
        Assert.That(cache.Contains("user99", "pw", "hash"), Is.True, "the newest entries are kept");
        Assert.That(cache.Contains("user0", "pw", "hash"), Is.False);
    }
}
