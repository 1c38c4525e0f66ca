using System.Diagnostics;

namespace DataHub.Testing;

/// <summary>Waits for something the host does in the background (a reload, a log line) instead of sleeping a fixed time.</summary>
public static class Eventually
{
    private static readonly TimeSpan _defaultInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Checks <paramref name="condition"/> every <paramref name="interval"/> until it holds (true) or <paramref name="timeout"/> has passed (false).</summary>
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(interval ?? _defaultInterval);
        }
        return false;
    }

    /// <inheritdoc cref="TrueAsync(Func{Task{bool}}, TimeSpan, TimeSpan?)"/>
    public static Task<bool> TrueAsync(Func<bool> condition, TimeSpan timeout, TimeSpan? interval = null) =>
        TrueAsync(() => Task.FromResult(condition()), timeout, interval);
}
