using System.Net;
using System.Net.Sockets;
using System.Text;
using DataHub.Testing;

namespace DataHub.Security.Tests;

/// <summary>Request body size (413), request time (504, status 26) and rate limits per address and per user (429).</summary>
public sealed class LimitTests
{
    private static TempDirectory Schema()
    {
        var directory = SecuredHost.SiteSchema();
        directory.Write("schema/site/slow.json", """
            {"reference": "slow", "entities": {"hang": {"execute": true, "processor": "Hanging"}}}
            """);
        return directory;
    }

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>(HostUnderTest.NoRateLimits);
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }
        return all;
    }

    [Test]
    public async Task A_body_over_the_limit_is_answered_413_in_the_error_shape()
    {
        await using var host = await HostUnderTest.StartAsync(Schema(), Settings(("DataHub:MaxRequestBodyBytes", "1024")));

        var answer = await host.CallAsync("site/echo", body: $$"""{"text": "{{new string('x', 2000)}}"}""");

        Expect.Error(answer, 413, 22);
        Expect.Served(await host.CallAsync("site/echo", body: $$"""{"text": "{{new string('x', 900)}}"}"""));
    }

    [Test]
    public async Task A_chunked_body_over_the_limit_is_answered_413_too()
    {
        await using var host = await HostUnderTest.StartAsync(Schema(), Settings(("DataHub:MaxRequestBodyBytes", "1024")));
        using var request = new HttpRequestMessage(HttpMethod.Post, "site/echo")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"text": "{{new string('x', 5000)}}"}"""))),
        };
        request.Headers.TransferEncodingChunked = true;
        request.Content.Headers.ContentType = new("application/json");

        Expect.Error(await host.SendAsync(request), 413, 22);
    }

    [Test]
    public async Task A_request_over_the_time_limit_is_answered_504_with_status_26()
    {
        await using var host = await HostUnderTest.StartAsync(Schema(), Settings(("DataHub:RequestTimeoutSeconds", "0.5")));

        var answer = await host.CallAsync("site/slow/hang");

        Assert.That(Expect.Error(answer, 504, 26)["errorMessage"]!.GetValue<string>(), Does.Contain("time limit"));
    }

    [Test]
    public async Task Calls_from_one_address_over_its_limit_get_429_with_Retry_After_while_another_address_is_served()
    {
        await using var host = await HostUnderTest.StartAsync(Schema(), Settings(
            ("DataHub:RateLimits:PerAddress:PermitLimit", "5"), ("DataHub:RateLimits:PerAddress:WindowSeconds", "3600")));

        for (var i = 0; i < 5; i++)
        {
            Expect.Served(await host.CallAsync("site/echo"));
        }
        var limited = await host.CallAsync("site/echo");

        Assert.That(Expect.Error(limited, 429)["errorMessage"]!.GetValue<string>(), Does.Contain("Too many requests"));
        Assert.That(int.Parse(limited.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture), Is.InRange(1, 3600));
        // Credentials do not lift the address limit, and a wrong password is not even checked.
        Expect.Error(await host.CallAsync("site/echo", SecuredHost.BasicFor("alice")), 429);
        Expect.Error(await host.CallAsync("site/echo", SecuredHost.Basic("alice", "guess")), 429);

        using var otherAddress = ClientFrom(IPAddress.Parse("127.0.0.2"), host.Host.BaseAddress);
        using var response = await otherAddress.PostAsync("site/echo", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.That((int)response.StatusCode, Is.EqualTo(200), "another client address has its own budget");
    }

    [Test]
    public async Task Password_guessing_from_one_address_is_throttled_by_the_address_limit()
    {
        // Windows are aligned to the clock: an hour-long one keeps the calls inside one window (a minute's could end between them).
        await using var host = await HostUnderTest.StartAsync(Schema(), Settings(
            ("DataHub:RateLimits:PerAddress:PermitLimit", "3"), ("DataHub:RateLimits:PerAddress:WindowSeconds", "3600")));

        var statuses = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await host.CallAsync("site/echo", SecuredHost.Basic("alice", $"guess-{i}"))).Status);
        }

        Assert.That(statuses, Is.EqualTo(new[] { 401, 401, 401, 429, 429, 429 }));
    }

    [Test]
    public async Task Each_user_has_its_own_budget_and_anonymous_calls_are_not_counted_against_it()
    {
        await using var host = await HostUnderTest.StartAsync(Schema(), Settings(
            ("DataHub:RateLimits:PerUser:PermitLimit", "3"), ("DataHub:RateLimits:PerUser:WindowSeconds", "3600")));

        for (var i = 0; i < 3; i++)
        {
            Expect.Served(await host.CallAsync("site/echo", SecuredHost.BasicFor("alice")));
        }
        var limited = await host.CallAsync("site/echo", SecuredHost.BasicFor("alice"));

        Assert.That(Expect.Error(limited, 429)["errorMessage"]!.GetValue<string>(), Does.Contain("this user"));
        Assert.That(limited.Header("Retry-After"), Is.Not.Null);
        Expect.Served(await host.CallAsync("site/echo", SecuredHost.BasicFor("bob")));
        for (var i = 0; i < 5; i++)
        {
            Expect.Served(await host.CallAsync("site/echo"));
        }
    }

    [Test]
    public async Task The_limits_are_off_unless_configured()
    {
        await using var host = await HostUnderTest.StartAsync(Schema(), new Dictionary<string, string?>());
        var options = (DataHub.Host.Limits.RateLimitOptions)host.Host.Services.GetService(typeof(DataHub.Host.Limits.RateLimitOptions))!;

        Assert.That(options.PerAddress.IsEnabled || options.PerUser.IsEnabled, Is.False);
        for (var i = 0; i < 20; i++)
        {
            Expect.Served(await host.CallAsync("site/echo"));
        }
    }

    [Test]
    public async Task Retry_After_is_the_seconds_left_in_the_window_and_a_refusal_is_logged_once_per_window()
    {
        await using var host = await HostUnderTest.StartAsync(Schema(), Settings(
            ("DataHub:RateLimits:PerAddress:PermitLimit", "1"), ("DataHub:RateLimits:PerAddress:WindowSeconds", "3600")));
        Expect.Served(await host.CallAsync("site/echo"));

        var statuses = new List<int>();
        string? retryAfter = null;
        for (var i = 0; i < 5; i++)
        {
            var refused = await host.CallAsync("site/echo");
            statuses.Add(refused.Status);
            retryAfter = refused.Header("Retry-After");
        }
        var secondsLeft = 3600 - DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 3600;

        Assert.That(statuses, Has.All.EqualTo(429));
        Assert.That(int.Parse(retryAfter!, System.Globalization.CultureInfo.InvariantCulture), Is.InRange(secondsLeft - 2, secondsLeft + 2));
        Assert.That(host.Host.Log.Entries.Count(e => e.Message.Contains("Rate limit per address reached", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task X_Forwarded_For_names_the_client_only_when_the_peer_is_a_known_proxy()
    {
        await using var trusting = await HostUnderTest.StartAsync(Schema(), Settings(
            ("DataHub:RateLimits:PerAddress:PermitLimit", "1"), ("DataHub:RateLimits:PerAddress:WindowSeconds", "3600"),
            ("DataHub:RateLimits:KnownProxies:0", "127.0.0.1")));
        await using var untrusting = await HostUnderTest.StartAsync(Schema(), Settings(
            ("DataHub:RateLimits:PerAddress:PermitLimit", "1"), ("DataHub:RateLimits:PerAddress:WindowSeconds", "3600"),
            ("DataHub:RateLimits:KnownNetworks:0", "10.0.0.0/8")));

        Assert.That(await ForwardedForAsync(trusting, "203.0.113.1"), Is.EqualTo(200));
        Assert.That(await ForwardedForAsync(trusting, "203.0.113.2"), Is.EqualTo(200), "another client behind the proxy has its own budget");
        Assert.That(await ForwardedForAsync(trusting, "203.0.113.1"), Is.EqualTo(429));
        Assert.That(await ForwardedForAsync(untrusting, "203.0.113.1"), Is.EqualTo(200));
        Assert.That(await ForwardedForAsync(untrusting, "203.0.113.2"), Is.EqualTo(429), "a peer that is not a known proxy cannot choose its address");
    }

    [TestCase("DataHub:RateLimits:KnownProxies:0", "proxy.example", "'proxy.example' is not an IP address")]
    [TestCase("DataHub:RateLimits:KnownNetworks:0", "10.0.0.0", "not a network in CIDR form")]
    public void Unreadable_proxy_settings_stop_the_host_from_starting(string key, string value, string message)
    {
        Assert.That(HostUnderTest.ProblemsStarting(Schema(), Settings((key, value))), Has.Some.Contains(message));
    }

    private static async Task<int> ForwardedForAsync(HostUnderTest host, string client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "site/echo") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Forwarded-For", client);
        using var response = await host.Host.Client.SendAsync(request);
        return (int)response.StatusCode;
    }

    [TestCase("DataHub:RateLimits:PerAddress:PermitLimit", "-1", "PermitLimit must be 0 (off) or more")]
    [TestCase("DataHub:RateLimits:PerUser:WindowSeconds", "0", "WindowSeconds must be more than 0")]
    public void Invalid_limit_settings_stop_the_host_from_starting(string key, string value, string message)
    {
        var problems = HostUnderTest.ProblemsStarting(Schema(), Settings((key, value)));

        Assert.That(problems, Has.Some.Contains(message));
    }

    /// <summary>An HTTP client whose connections come from <paramref name="local"/> (any 127.x address is loopback on Linux).</summary>
    private static HttpClient ClientFrom(IPAddress local, Uri baseAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress };
    }
}
