using System.Collections.Concurrent;
using System.Diagnostics;

namespace DataHub.Testing;

/// <summary>
/// The host as operators run it: its own process (the apphost built beside the tests, or another build such as a
/// published one), listening on a free loopback port, its console output kept line by line. Disposing kills it if it
/// is still running.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private HostProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public int Id => _process.Id;

    /// <summary>Standard output and standard error, in arrival order.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts the host on <paramref name="schemaDirectory"/> with the given environment and waits until it is live.
    /// The apphost built beside the tests also loads the fixture plug-ins; another <paramref name="executable"/> (a
    /// published host) runs with its own plug-ins only.
    /// </summary>
    public static async Task<HostProcess> StartAsync(
        string schemaDirectory, IDictionary<string, string>? environment = null, int? port = null, string? executable = null)
    {
        var url = $"http://127.0.0.1:{port ?? Ports.Free()}";
        var start = new ProcessStartInfo(executable ?? Path.Combine(AppContext.BaseDirectory, "DataHub.Host"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments = executable is null
            ? ["--schema", schemaDirectory, "--plugins", TestPaths.FixturePluginsDirectory]
            : ["--schema", schemaDirectory];
        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["ASPNETCORE_URLS"] = url;
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("The host process did not start.");
        var host = new HostProcess(process, new Uri(url + "/"));
        process.OutputDataReceived += (_, line) => host.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => host.Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var live = await Eventually.TrueAsync(async () =>
        {
            try
            {
                using var response = await host.Client.GetAsync("health/live");
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return process.HasExited;
            }
        }, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
        if (!live || process.HasExited)
        {
            await host.DisposeAsync();
            throw new InvalidOperationException("The host process did not come up:\n" + string.Join("\n", host.Output));
        }
        return host;
    }

    /// <summary>POSTs <paramref name="json"/> as application/json.</summary>
    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) => JsonRequests.PostAsync(Client, path, json);

    /// <summary>Sends a signal to the host process, as a process manager does (TERM) or the kernel's OOM killer (KILL).</summary>
    public Task SignalAsync(string signal) => SignalAsync(Id, signal);

    /// <summary>Sends a signal (TERM, KILL, USR1, …) to any process, with kill(1).</summary>
    public static async Task SignalAsync(int processId, string signal)
    {
        using var kill = Process.Start("kill", ["-s", signal, processId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits for the process to end; false if it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
