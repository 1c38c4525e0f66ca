using System.Collections;

namespace DataHub.Host.Servlet;

/// <summary>
/// A logger for one request: every line it writes carries the request's trace id as the <c>RequestId</c> scope.
/// The scope is opened only around a line that is written, so a request that logs nothing pays nothing for it
/// (ASP.NET Core's own request scope costs every request; the host turns it off, see appsettings.json).
/// </summary>
internal sealed class RequestLogger(ILogger inner, string traceId) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }
        using (inner.BeginScope(new RequestScope(traceId)))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }

    /// <summary>The scope's one value, as the framework's own request scope names it.</summary>
    private sealed class RequestScope(string traceId) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 1;

        public KeyValuePair<string, object?> this[int index] =>
            index == 0 ? new("RequestId", traceId) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"RequestId:{traceId}";
    }
}
