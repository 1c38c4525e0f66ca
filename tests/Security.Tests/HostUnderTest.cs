using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DataHub.Host;
using DataHub.Testing;

namespace DataHub.Security.Tests;

/// <summary>An HTTP answer, read whole.</summary>
public sealed record Answer(int Status, HttpResponseHeaders Headers, string Body)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

    public string? Header(string name) => Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    public override string ToString() => $"{Status} {Body}";
}

/// <summary>
/// The real host running on a schema folder the test wrote. Every password, secret and Authorization value a
/// test sends is remembered, so that tests can check none comes back in a body or reaches the log.
/// </summary>
public class HostUnderTest(TempDirectory directory, RunningHost host) : IAsyncDisposable
{
    /// <summary>Rate limits off: most tests send many calls from one address.</summary>
    public static readonly IReadOnlyDictionary<string, string?> NoRateLimits = new Dictionary<string, string?>
    {
        ["DataHub:RateLimits:PerAddress:PermitLimit"] = "0",
        ["DataHub:RateLimits:PerUser:PermitLimit"] = "0",
    };

    private readonly ConcurrentBag<string> _secrets = [];

    public RunningHost Host { get; } = host;

    public TempDirectory Directory { get; } = directory;

    /// <summary>
    /// Starts the host on <c>schema/</c> in <paramref name="directory"/>, with the fixture plug-ins. The host owns
    /// the folder from then on; when it cannot start, the folder is deleted.
    /// </summary>
    public static async Task<HostUnderTest> StartAsync(TempDirectory directory, IReadOnlyDictionary<string, string?>? settings = null)
    {
        try
        {
            return new(directory, await StartRunningHostAsync(directory, settings));
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>The problems start-up reports on a schema it must refuse; the test fails if the host starts.</summary>
    public static IReadOnlyList<string> ProblemsStarting(TempDirectory directory, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var failure = Assert.ThrowsAsync<InvalidSchemaException>(async () =>
        {
            await using var host = await StartAsync(directory, settings);
        });
        return failure!.Problems;
    }

    protected static Task<RunningHost> StartRunningHostAsync(TempDirectory directory, IReadOnlyDictionary<string, string?>? settings) =>
        RunningHost.StartAsync(Path.Combine(directory.Path, "schema"), [TestPaths.FixturePluginsDirectory],
            new Dictionary<string, string?>(settings ?? NoRateLimits));

    /// <summary>Remembers a value that must never be echoed in a body or written to the log.</summary>
    public void Remember(params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            _secrets.Add(secret);
        }
    }

    /// <summary>POSTs <paramref name="body"/> as JSON to <paramref name="path"/> with the Authorization header as given (unvalidated).</summary>
    public async Task<Answer> CallAsync(string path, string? authorization = null, string body = """{"n": 1}""")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/'))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (authorization is not null)
        {
            Remember(authorization);
            var space = authorization.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0)
            {
                Remember(authorization[(space + 1)..]);
            }
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        return await SendAsync(request);
    }

    public async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        using var response = await Host.Client.SendAsync(request);
        var answer = new Answer((int)response.StatusCode, response.Headers, await response.Content.ReadAsStringAsync());
        AssertNoSecretIn(answer.Body, "a response body");
        return answer;
    }

    /// <summary>Fails when any remembered secret appears in any line the host logged.</summary>
    public void AssertLogHoldsNoSecret()
    {
        foreach (var entry in Host.Log.Entries)
        {
            AssertNoSecretIn(entry.ToString(), "the log");
        }
    }

    private void AssertNoSecretIn(string text, string where)
    {
        foreach (var secret in _secrets.Where(s => s.Length >= 8))
        {
            Assert.That(text, Does.Not.Contain(secret), $"{where} carries a secret");
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Directory.Dispose();
        GC.SuppressFinalize(this);
    }
}
