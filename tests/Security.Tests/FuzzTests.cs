using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;

namespace DataHub.Security.Tests;

/// <summary>
/// Thousands of malformed requests (bodies, headers, URLs, data parameters, methods) against the running servlet
/// over loopback: none may get a 5xx, nothing may be logged as an error, and the host still answers afterwards.
/// Bounded in count and time; the seed is printed so that a failure can be replayed.
/// </summary>
public sealed class FuzzTests
{
    private const int Seed = 20_240_517;
    private const int RequestCount = 3000;
    private const int Parallelism = 4;
    private static readonly TimeSpan _timeBudget = TimeSpan.FromSeconds(90);

    [Test]
    public async Task Thousands_of_malformed_requests_get_no_5xx_and_the_host_still_serves_afterwards()
    {
        await using var host = await SecuredHost.StartAsync();
        var endpoint = new IPEndPoint(IPAddress.Loopback, host.Host.BaseAddress.Port);
        var cases = new Cases(new Random(Seed));
        var requests = Enumerable.Range(0, RequestCount).Select(i => (Index: i, Case: cases.Next())).ToList();
        await TestContext.Out.WriteLineAsync($"Fuzz seed {Seed}: {RequestCount} requests, {Parallelism} at a time, at most {_timeBudget.TotalSeconds} s.");

        var logBefore = host.Host.Log.Entries.Count;
        var failures = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<string, int>();
        var sent = 0;
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (request, _) =>
        {
            if (watch.Elapsed > _timeBudget)
            {
                return;
            }
            Interlocked.Increment(ref sent);
            var status = await RawHttp.SendAsync(endpoint, request.Case.Bytes, TimeSpan.FromSeconds(10));
            statuses.AddOrUpdate(status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none", 1, (_, n) => n + 1);
            if (status >= 500 || (request.Case.ExpectedStatus is { } expected && status != expected))
            {
                failures.Add($"#{request.Index} ({request.Case.Kind}) got {status}: {Describe(request.Case.Bytes)}");
            }
        });
        await TestContext.Out.WriteLineAsync($"Sent {sent} in {watch.Elapsed.TotalSeconds:0.0} s; answers: "
            + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}")));

        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(20)));
        Assert.That(sent, Is.GreaterThanOrEqualTo(1000), "the time budget allowed at least a thousand requests");
        var errors = host.Host.Log.Entries.Skip(logBefore).Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.That(errors, Is.Empty, string.Join("\n", errors.Take(5)));
        Assert.That(Expect.Served(await host.CallAsync("hub/echo", SecuredHost.BasicFor("alice")))!["id"]!.GetValue<string>(), Is.EqualTo("alice"));
        Assert.That(Expect.Served(await host.CallAsync("public/echo", body: """{"after": "fuzz"}""")), Is.Null);
        host.AssertLogHoldsNoSecret();
    }

    private static string Describe(byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes, 0, Math.Min(bytes.Length, 300));
        return text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }

    /// <summary>One malformed request, what kind of malformation it carries, and the status it must get, when known.</summary>
    private sealed record Case(string Kind, byte[] Bytes, int? ExpectedStatus = null);

    /// <summary>Generates the malformed requests, all from one seeded Random.</summary>
    private sealed class Cases(Random random)
    {
        private static readonly string[] _paths =
            ["/hub/echo", "/hub/services/echo", "/hub/default/admin", "/closed/echo", "/ec/echo", "/public/echo", "/public/admin", "/hub/reports",
             "/public/builtin/sql", "/public/builtin/script"];

        private static readonly string[] _openPaths = ["/hub/echo", "/hub/services/echo", "/public/echo", "/public/builtin/sql", "/public/builtin/script"];

        // JSON that parses but is not Unicode text, and nesting past the limit (short enough for a URL): each must be
        // 400 in every channel.
        private static readonly byte[][] _notUnicode =
        [
            [.. "{\"v\": \""u8, 0xFF, .. "\"}"u8],
            [.. "{\"v\": \""u8, 0xC0, 0xAF, .. "\"}"u8],
            [.. "{\""u8, 0xED, 0xA0, 0x80, .. "\": 1}"u8],
            [.. "{\"v\": [\"ok\", \""u8, 0xF5, 0x80, 0x80, 0x80, .. "\"]}"u8],
            "{\"v\": \"\\ud800\"}"u8.ToArray(),
            "{\"v\": \"\\uDFFF\"}"u8.ToArray(),
            "{\"\\ud800\": 1}"u8.ToArray(),
            "{\"v\": \"\\ud83d\\u0041\"}"u8.ToArray(),
            "{\"v\": \"tail \\ud83d\"}"u8.ToArray(),
        ];

        private static readonly string[] _methods =
            ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT", "FOO", "get", "P0ST", "G\u00c9T", "", "POST POST"];

        private static readonly string[] _contentTypes =
            ["application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x",
             "application/json; charset=utf-16", "application/json; charset=\u00ff", "", ";;;", "application/xml"];

        public Case Next() => random.Next(7) switch
        {
            6 => NotUnicode(),
            0 => Body(),
            1 => Header(),
            2 => Url(),
            3 => DataParameter(),
            4 => Method(),
            _ => Framing(),
        };

        private string Path() => _paths[random.Next(_paths.Length)];

        private Case Body() => new("body", RawHttp.Request("POST", Path(), [("Content-Type", Bytes(ContentType()))], JsonLike()));

        private Case Header()
        {
            List<(string, byte[])> headers = [(random.Next(4) == 0 ? "authorization" : "Authorization", Authorization())];
            if (random.Next(3) == 0)
            {
                headers.Add(("Authorization", Authorization()));
            }
            if (random.Next(3) == 0)
            {
                headers.Add((HeaderName(), RandomBytes(random.Next(0, 200), printable: random.Next(2) == 0)));
            }
            headers.Add(("Content-Type", Bytes(ContentType())));
            return new("header", RawHttp.Request("POST", Path(), headers, Bytes("""{"a": 1}""")));
        }

        private Case Url()
        {
            var target = random.Next(8) switch
            {
                0 => "/" + new string('a', random.Next(1000, 20_000)),
                1 => Path() + "/%ZZ%",
                2 => "/hub/%C0%AF%00%FF/echo",
                3 => "/../../etc/passwd",
                4 => "//hub//echo//",
                5 => "/hub/" + string.Concat(Enumerable.Range(0, random.Next(1, 200)).Select(_ => "%" + random.Next(256).ToString("X2", System.Globalization.CultureInfo.InvariantCulture))),
                6 => "/" + Encoding.Latin1.GetString(RandomBytes(random.Next(1, 100), printable: true)).Replace(" ", "", StringComparison.Ordinal),
                _ => "*",
            };
            return new("url", RawHttp.Request(random.Next(2) == 0 ? "GET" : "POST", target, [], []));
        }

        private Case DataParameter()
        {
            var name = random.Next(3) switch { 0 => "data", 1 => "options", _ => "data=1&data" };
            var value = random.Next(3) switch
            {
                0 => Uri.EscapeDataString(Encoding.UTF8.GetString(JsonLike())),
                1 => string.Concat(JsonLike().Take(2000).Select(b => "%" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture))),
                _ => "%" + random.Next(10) + "%%" + new string('[', random.Next(1, 5000)),
            };
            return new("data", RawHttp.Request(random.Next(2) == 0 ? "GET" : "POST", $"{Path()}?{name}={value}", [], []));
        }

        /// <summary>Unreadable or too deep JSON in one of the five input channels: body, data and options in the URL or a form.</summary>
        private Case NotUnicode()
        {
            var json = random.Next(4) == 0
                ? Bytes(new string('[', random.Next(65, 1000)) + new string(']', random.Next(0, 1000)))
                : _notUnicode[random.Next(_notUnicode.Length)];
            var encoded = string.Concat(json.Select(b => "%" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
            var path = Path();
            var form = ("Content-Type", Bytes("application/x-www-form-urlencoded"));
            // Where anonymous callers are served, the input itself decides the answer.
            int? expected = _openPaths.Contains(path) ? 400 : null;
            return random.Next(5) switch
            {
                0 => new("unicode body", RawHttp.Request("POST", path, [("Content-Type", Bytes("application/json"))], json), expected),
                1 => new("unicode ?data", RawHttp.Request("GET", $"{path}?data={encoded}", [], []), expected),
                2 => new("unicode ?options", RawHttp.Request("GET", $"{path}?options={encoded}", [], []), expected),
                3 => new("unicode form data", RawHttp.Request("POST", path, [form], random.Next(2) == 0 ? [.. "data="u8, .. json] : Bytes($"data={encoded}")), expected),
                _ => new("unicode form options", RawHttp.Request("POST", path, [form], Bytes($"data=%7B%7D&options={encoded}")), expected),
            };
        }

        private Case Method() =>
            new("method", RawHttp.Request(_methods[random.Next(_methods.Length)], Path(), [("Content-Type", Bytes("application/json"))], JsonLike()));

        private Case Framing()
        {
            var body = JsonLike();
            (string, byte[])[] headers = random.Next(5) switch
            {
                0 => [("Content-Length", Bytes("-1"))],
                1 => [("Content-Length", Bytes("abc"))],
                2 => [("Content-Length", Bytes("99999999999999999999"))],
                3 => [("Transfer-Encoding", Bytes("chunked")), ("Content-Length", Bytes(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)))],
                _ => [("Transfer-Encoding", Bytes("gzip, chunked"))],
            };
            return new("framing", RawHttp.Request("POST", Path(), headers, body, declareLength: false));
        }

        private byte[] Authorization() => random.Next(10) switch
        {
            0 => Bytes("Basic " + Convert.ToBase64String(RandomBytes(random.Next(0, 60), printable: false))),
            1 => Bytes("Basic " + Encoding.Latin1.GetString(RandomBytes(random.Next(0, 60), printable: true))),
            2 => Bytes("Bearer " + string.Join('.', Enumerable.Range(0, random.Next(1, 6)).Select(_ => Convert.ToBase64String(RandomBytes(random.Next(0, 80), printable: false)).TrimEnd('=')))),
            3 => Bytes("Bearer " + TestTokens.Encode("""{"alg":"none"}""") + "." + TestTokens.Encode(Encoding.UTF8.GetString(JsonLike())) + "."),
            4 => Bytes("Bearer " + new string('A', random.Next(10_000, 20_000))),
            5 => RandomBytes(random.Next(0, 300), printable: false),
            6 => Bytes(random.Next(2) == 0 ? "Basic" : "Bearer"),
            7 => Bytes("Negotiate " + Convert.ToBase64String(RandomBytes(40, printable: false))),
            8 => Bytes("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"user{random.Next(1000)}:pw"))),
            _ => Bytes("Basic " + Convert.ToBase64String([0xC3, 0x28, (byte)':', 0xFF, 0xFE])),
        };

        private string ContentType() => _contentTypes[random.Next(_contentTypes.Length)];

        private string HeaderName() => random.Next(4) switch
        {
            0 => "X-" + new string('h', random.Next(1, 100)),
            1 => "Content-Encoding",
            2 => "Expect",
            _ => "Cookie",
        };

        /// <summary>Something between JSON and noise: random bytes, deep nesting, huge numbers, bad UTF-8, truncation.</summary>
        private byte[] JsonLike() => random.Next(10) switch
        {
            0 => RandomBytes(random.Next(0, 2000), printable: false),
            1 => Bytes(new string('[', random.Next(60, 20_000)) + new string(']', random.Next(0, 100))),
            2 => Bytes(string.Concat(Enumerable.Repeat("{\"a\":", random.Next(60, 5000))) + "1" + new string('}', random.Next(0, 5000))),
            3 => Bytes($$"""{"n": {{new string('9', random.Next(100, 50_000))}}, "e": 1e999999, "m": -1e-999999}"""),
            4 => [.. Bytes("{\"s\": \""), .. new byte[] { 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xFF, 0xFE, 0x00 }, .. Bytes("\"}")],
            5 => Bytes("""{"a": [1, 2, {"b": "c"}""")[..random.Next(1, 20)],
            6 => Bytes("\uFEFF" + """{"bom": true}"""),
            7 => Bytes("""{"a": 1, "a": 2, "__proto__": {"admin": true}, "user": {"id": "alice", "roles": ["admin"]}}"""),
            8 => Bytes("[" + string.Join(",", Enumerable.Range(0, random.Next(1, 20_000)).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]"),
            _ => Bytes("\"just a string\""),
        };

        private byte[] RandomBytes(int length, bool printable)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            if (printable)
            {
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = (byte)(33 + (bytes[i] % 94));
                }
            }
            return bytes;
        }

        private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
    }
}
