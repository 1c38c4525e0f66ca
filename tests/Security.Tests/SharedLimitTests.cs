using System.Globalization;
using DataHub.Host.Caching;
using DataHub.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DataHub.Security.Tests;

/// <summary>
/// Rate limits on two real hosts sharing a throwaway redis-server: each limit is counted once across both hosts, and
/// while Redis is down each host counts alone and keeps serving.
/// </summary>
public sealed class SharedLimitTests
{
    private const int Limit = 4;
    // Fixed windows are aligned to the clock: an hour's window is not crossed during a test.
    private const int WindowSeconds = 3600;

    [Test]
    public async Task Calls_from_one_address_are_counted_once_across_two_hosts_sharing_Redis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var hosts = await HostPair.StartAsync(redis, "PerAddress");
        var (first, second) = hosts;

        var answers = await AlternateAsync(first, second, 2 * Limit);
        var secondsLeft = WindowSeconds - DateTimeOffset.UtcNow.ToUnixTimeSeconds() % WindowSeconds;

        Assert.That(answers.Select(a => a.Status), Is.EqualTo(AdmittedThenRefused(Limit, Limit)), "the limit once, not once per host");
        Assert.That(answers.Skip(Limit).Select(RetryAfter), Is.All.InRange(secondsLeft - 2, secondsLeft + 2), "the seconds left in the shared window");
        foreach (var host in new[] { first, second })
        {
            Assert.That(host.Host.Log.Entries.Count(e => e.Message.Contains("Rate limit per address reached", StringComparison.Ordinal)), Is.EqualTo(1),
                "each host logs its refusals once per window");
        }
    }

    [Test]
    public async Task A_users_calls_are_counted_once_across_two_hosts_sharing_Redis_and_another_user_keeps_a_budget()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var hosts = await HostPair.StartAsync(redis, "PerUser");
        var (first, second) = hosts;

        var alice = await AlternateAsync(first, second, 2 * Limit, SecuredHost.BasicFor("alice"));
        var bob = await second.CallAsync("site/echo", SecuredHost.BasicFor("bob"));

        Assert.That(alice.Select(a => a.Status), Is.EqualTo(AdmittedThenRefused(Limit, Limit)), string.Join("\n", alice));
        Assert.That(alice.Skip(Limit).Select(a => a.Json["errorMessage"]!.GetValue<string>()), Has.All.Contains("this user"));
        Assert.That(alice.Skip(Limit).Select(RetryAfter), Is.All.InRange(1, WindowSeconds));
        Expect.Served(bob);
    }

    [Test]
    public async Task With_Redis_down_each_host_counts_alone_and_serves_up_to_the_limit_then_shares_the_count_again_once_Redis_answers()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var hosts = await HostPair.StartAsync(redis, "PerAddress");
        var (first, second) = hosts;

        await redis.StopAsync();
        var answers = await AlternateAsync(first, second, 3 * Limit);

        Assert.That(answers.Where((_, call) => call % 2 == 0).Select(a => a.Status), Is.EqualTo(AdmittedThenRefused(Limit, Limit / 2)),
            "the first host admits the limit on its own");
        Assert.That(answers.Where((_, call) => call % 2 == 1).Select(a => a.Status), Is.EqualTo(AdmittedThenRefused(Limit, Limit / 2)),
            "and so does the second");
        Assert.That(answers.Where(a => a.Status == 200).Select(a => a.Json["data"]?["n"]?.GetValue<int>()), Has.All.EqualTo(1),
            "admitted calls are answered by the entity");
        foreach (var host in new[] { first, second })
        {
            Assert.That(host.Host.Log.Entries.Count(e => e.Message.StartsWith("Redis cannot be reached", StringComparison.Ordinal)), Is.EqualTo(1),
                "the outage is logged once, not per call");
        }

        await redis.StartAgainAsync();
        var reconnected = await Eventually.TrueAsync(
            () => new[] { first, second }.All(host => host.Host.Services.GetRequiredService<RedisConnection>().IsAvailable), TimeSpan.FromSeconds(30));
        // The restarted Redis is empty: the window's shared count starts again from nothing.
        var afterOutage = await AlternateAsync(first, second, 2 * Limit);

        Assert.That(reconnected, Is.True, "the hosts never used Redis again");
        Assert.That(afterOutage.Select(a => a.Status), Is.EqualTo(AdmittedThenRefused(Limit, Limit)), "the limit once across both hosts again");
    }

    /// <summary>Calls site/echo <paramref name="calls"/> times, on the first host, then the second, and so on.</summary>
    private static async Task<List<Answer>> AlternateAsync(HostUnderTest first, HostUnderTest second, int calls, string? authorization = null)
    {
        var answers = new List<Answer>();
        for (var call = 0; call < calls; call++)
        {
            answers.Add(await (call % 2 == 0 ? first : second).CallAsync("site/echo", authorization));
        }
        return answers;
    }

    private static IEnumerable<int> AdmittedThenRefused(int admitted, int refused) =>
        Enumerable.Repeat(200, admitted).Concat(Enumerable.Repeat(429, refused));

    private static int RetryAfter(Answer answer) => int.Parse(answer.Header("Retry-After")!, CultureInfo.InvariantCulture);

    /// <summary>Two hosts on one schema folder and one Redis, with one limit of <see cref="Limit"/> calls per window.</summary>
    private sealed record HostPair(HostUnderTest First, HostUnderTest Second) : IAsyncDisposable
    {
        public static async Task<HostPair> StartAsync(RedisServer redis, string limit)
        {
            var settings = new Dictionary<string, string?>(HostUnderTest.NoRateLimits)
            {
                [$"DataHub:RateLimits:{limit}:PermitLimit"] = Limit.ToString(CultureInfo.InvariantCulture),
                [$"DataHub:RateLimits:{limit}:WindowSeconds"] = WindowSeconds.ToString(CultureInfo.InvariantCulture),
                [RedisOptions.Section + ":Configuration"] = redis.Configuration,
            };
            // Both hosts own the folder: the first to stop deletes it.
            var schema = SecuredHost.SiteSchema();
            var first = await HostUnderTest.StartAsync(schema, settings);
            try
            {
                return new(first, await HostUnderTest.StartAsync(schema, settings));
            }
            catch
            {
                await first.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Second.DisposeAsync();
            await First.DisposeAsync();
        }
    }
}
