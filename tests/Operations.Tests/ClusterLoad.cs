using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataHub.Host.Operations;

namespace DataHub.Operations.Tests;

/// <summary>One call made under load: when it started, how it was answered, which host answered, where nginx tried.</summary>
internal sealed record ClusterAnswer(TimeSpan Started, HttpStatusCode Status, string? Host, string? Upstream, bool Whole)
{
    /// <summary>The hosts nginx tried, in order (more than one when a connection failed and it moved on).</summary>
    public IReadOnlyList<string> Attempts => Upstream is null ? [] : Upstream.Split(", ");
}

/// <summary>
/// Callers that each post <c>{"call": n}</c> to an entity answering <c>[{"call": n}]</c>, one call after another, until
/// disposed. Every answer is kept; a call cut off by disposing is not.
/// </summary>
internal sealed class ClusterLoad : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly string _path;
    private readonly ConcurrentQueue<ClusterAnswer> _answers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task[] _callers;
    private int _lastCall;

    public ClusterLoad(Uri baseAddress, string path, int callers)
    {
        _client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        _path = path;
        _callers = [.. Enumerable.Range(0, callers).Select(_ => Task.Run(CallAsync))];
    }

    /// <summary>Time since the load started, on the clock <see cref="ClusterAnswer.Started"/> is read from.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<ClusterAnswer> Answers => [.. _answers];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_callers);
        _stop.Dispose();
        _client.Dispose();
    }

    private async Task CallAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var call = Interlocked.Increment(ref _lastCall);
            var started = _clock.Elapsed;
            try
            {
                using var content = new StringContent($$"""{"call": {{call}}}""", Encoding.UTF8, "application/json");
                using var response = await _client.PostAsync(_path, content, _stop.Token);
                var body = await response.Content.ReadAsStringAsync(_stop.Token);
                _answers.Enqueue(new ClusterAnswer(started, response.StatusCode, Header(response, HostIdentity.HeaderName),
                    Header(response, LocalCluster.UpstreamHeader), response.IsSuccessStatusCode && IsAnswerTo(call, body)));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // Refused, cut off or timed out: a failed call, kept as such.
                _answers.Enqueue(new ClusterAnswer(started, 0, null, null, false));
            }
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    private static bool IsAnswerTo(int call, string body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonArray { Count: 1 } rows && rows[0]?["call"]?.GetValue<int>() == call;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
