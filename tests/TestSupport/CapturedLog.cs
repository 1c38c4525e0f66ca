using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace DataHub.Testing;

/// <summary>One log line the host wrote, with the request id of the request it was written in, if any.</summary>
public sealed record LogEntry(string Category, LogLevel Level, string Message, string? RequestId, Exception? Exception)
{
    public override string ToString() => $"{Level} {Category} [{RequestId}] {Message} {Exception}";
}

/// <summary>A logger provider that keeps every line in memory, so tests can assert on what operators would read.</summary>
public sealed class CapturedLog : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>Waits until a line containing <paramref name="text"/> is written: true, or false after <paramref name="timeout"/>.</summary>
    public Task<bool> WaitForLineAsync(string text, TimeSpan timeout) =>
        Eventually.TrueAsync(() => _entries.Any(e => e.Message.Contains(text, StringComparison.Ordinal)), timeout);

    /// <summary>
    /// The logging rule: no line at Information or above carries an exception (its message and stack trace can hold
    /// SQL, connection strings or data) or any of <paramref name="unsafeText"/>; every Warning or Error line names the
    /// request's <paramref name="traceId"/>, so that an error body's trace id finds it.
    /// </summary>
    public void AssertSafeForOperators(string traceId, params string[] unsafeText)
    {
        foreach (var entry in Entries.Where(e => e.Level >= LogLevel.Information))
        {
            Assert.That(entry.Exception, Is.Null, $"an exception logged at {entry.Level}: {entry}");
            foreach (var text in unsafeText)
            {
                Assert.That(entry.Message, Does.Not.Contain(text).IgnoreCase, $"'{text}' logged at {entry.Level}");
            }
            if (entry.Level >= LogLevel.Warning)
            {
                Assert.That(entry.Message, Does.Contain(traceId), "a warning or error names the trace id");
            }
        }
    }

    public void Clear() => _entries.Clear();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => log._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string? requestId = null;
            log._scopes.ForEachScope((scope, _) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    foreach (var (key, value) in values)
                    {
                        if (key == "RequestId")
                        {
                            requestId = value?.ToString();
                        }
                    }
                }
            }, (object?)null);
            log._entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), requestId, exception));
        }
    }
}
