using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DataHub.Testing;

namespace DataHub.Operations.Tests;

/// <summary>
/// <c>ops/cluster</c> as an operator runs it, on free loopback ports: three hosts (the host built beside the tests),
/// nginx in front, PostgreSQL and Redis. Where each part listens and its process id come from the script's state file.
/// Disposing stops the script with SIGTERM, as Ctrl-C would, and kills whatever is left if that fails.
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    /// <summary>nginx's fail_timeout here: how long a failed host is left out before it is tried again.</summary>
    public const int FailTimeoutSeconds = 5;

    public const string UpstreamHeader = "X-DataHub-Upstream";

    private const string ReadyLine = "DATAHUB_CLUSTER_READY ";

    private readonly Process _script;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<string?> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _statePath = "";

    private LocalCluster(Process script)
    {
        _script = script;
    }

    /// <summary>nginx, the cluster's one address.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The temp folder holding the cluster's data, configuration and logs.</summary>
    public string Folder { get; private set; } = "";

    public bool HasStopped => _script.HasExited;

    public int ExitCode => _script.ExitCode;

    /// <summary>The script's output so far, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Starts <c>ops/cluster</c> on <paramref name="schemaDirectory"/> and waits for its ready line. The hosts get
    /// <paramref name="hostSettings"/> (environment variables such as <c>DataHub__RequestTimeoutSeconds</c>) too.
    /// </summary>
    public static async Task<LocalCluster> StartAsync(string schemaDirectory, TimeSpan timeout, IDictionary<string, string> hostSettings)
    {
        var start = new ProcessStartInfo(Path.Combine(TestPaths.RepositoryRoot, "ops", "cluster"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var ports = new HashSet<int>();
        while (ports.Count < 6)
        {
            ports.Add(Ports.Free());
        }
        var port = ports.Select(p => p.ToString(CultureInfo.InvariantCulture)).ToArray();
        start.Environment["DATAHUB_CLUSTER_PORT"] = port[0];
        start.Environment["DATAHUB_CLUSTER_HOST_PORTS"] = string.Join(' ', port[1..4]);
        start.Environment["DATAHUB_CLUSTER_POSTGRES_PORT"] = port[4];
        start.Environment["DATAHUB_CLUSTER_REDIS_PORT"] = port[5];
        start.Environment["DATAHUB_CLUSTER_SCHEMA"] = schemaDirectory;
        start.Environment["DATAHUB_CLUSTER_HOST_DIR"] = AppContext.BaseDirectory;
        start.Environment["DATAHUB_CLUSTER_FAIL_TIMEOUT"] = FailTimeoutSeconds.ToString(CultureInfo.InvariantCulture);
        start.Environment["DATAHUB_CLUSTER_PARENT_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var (name, value) in hostSettings)
        {
            start.Environment[name] = value;
        }

        var script = Process.Start(start) ?? throw new InvalidOperationException("ops/cluster did not start.");
        var cluster = new LocalCluster(script);
        script.OutputDataReceived += (_, line) => cluster.Keep(line.Data);
        script.ErrorDataReceived += (_, line) => cluster.Keep(line.Data);
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        _ = script.WaitForExitAsync().ContinueWith(_ => cluster._ready.TrySetResult(null), TaskScheduler.Default);

        string? statePath;
        try
        {
            statePath = await cluster._ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            statePath = null;
        }
        if (statePath is null)
        {
            await cluster.DisposeAsync();
            throw new InvalidOperationException("ops/cluster did not come up:\n" + cluster.Output);
        }
        cluster._statePath = statePath;
        var state = cluster.State();
        cluster.Url = new Uri(state["URL"] + "/");
        cluster.Folder = state["DIR"];
        return cluster;
    }

    /// <summary>The state file, read anew each time: the script rewrites it when a host stops or starts.</summary>
    public IReadOnlyDictionary<string, string> State() =>
        File.ReadAllLines(_statePath).Select(line => line.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);

    /// <summary>Host <paramref name="host"/> (1 to 3), called directly rather than through nginx.</summary>
    public Uri HostUrl(int host) => new(State()[$"HOST{host}_URL"] + "/");

    /// <summary>Its process id, or null while it is stopped.</summary>
    public int? HostProcessId(int host) =>
        State()[$"HOST{host}_PID"] is { Length: > 0 } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null;

    /// <summary>What its X-DataHub-Host header says by default: the machine name and its port.</summary>
    public string HostId(int host) => $"{Environment.MachineName}:{HostUrl(host).Port}";

    /// <summary>How nginx names it in X-DataHub-Upstream.</summary>
    public string UpstreamAddress(int host) => $"127.0.0.1:{HostUrl(host).Port}";

    /// <summary>The cluster's PostgreSQL server, as its administrator.</summary>
    public string PostgresConnectionString =>
        $"Host=127.0.0.1;Port={State()["POSTGRES_PORT"]};Username=postgres;Database=postgres;Pooling=false";

    /// <summary>Every process the cluster runs: nginx, the hosts, PostgreSQL and Redis (their main processes).</summary>
    public IReadOnlyList<int> ProcessIds() =>
        [.. State().Where(entry => entry.Key.EndsWith("_PID", StringComparison.Ordinal) && entry.Value.Length > 0)
            .Select(entry => int.Parse(entry.Value, CultureInfo.InvariantCulture))];

    /// <summary>SIGKILL to a host, as the OOM killer would; returns once its port refuses connections.</summary>
    public async Task KillHostAsync(int host)
    {
        await HostProcess.SignalAsync(HostProcessId(host)!.Value, "KILL");
        var port = HostUrl(host).Port;
        var gone = await Eventually.TrueAsync(async () =>
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return false;
            }
            catch (SocketException)
            {
                return true;
            }
        }, TimeSpan.FromSeconds(30));
        Assert.That(gone, Is.True, $"host {host} still accepts connections after SIGKILL");
    }

    /// <summary>Asks the script (SIGUSR1) to start again every host that has stopped.</summary>
    public Task RestartStoppedHostsAsync() => HostProcess.SignalAsync(_script.Id, "USR1");

    /// <summary>SIGTERM to the script, as Ctrl-C; true if it has ended within <paramref name="timeout"/>.</summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        if (!_script.HasExited)
        {
            await HostProcess.SignalAsync(_script.Id, "TERM");
        }
        using var waiting = new CancellationTokenSource(timeout);
        try
        {
            await _script.WaitForExitAsync(waiting.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!await StopAsync(TimeSpan.FromSeconds(60)))
        {
            _script.Kill(entireProcessTree: true);
            await _script.WaitForExitAsync();
        }
        _script.Dispose();
        if (Folder.Length > 0 && Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        if (line.StartsWith(ReadyLine, StringComparison.Ordinal))
        {
            _ready.TrySetResult(line[ReadyLine.Length..]);
        }
    }
}
