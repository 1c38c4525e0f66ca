using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using NUnit.Framework;

namespace DataHub.Testing;

/// <summary>
/// A throwaway real Redis: Debian's redis-server on 127.0.0.1 and a free port, in a temp folder, with no persistence,
/// killed and its folder deleted on dispose. <see cref="StopAsync"/> and <see cref="StartAgainAsync"/> make an outage
/// on the same port. Where redis-server is missing the calling test fails saying so: a skipped test would hide
/// exactly the failures it exists to catch.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan _startTimeout = TimeSpan.FromSeconds(30);

    private readonly string _executable;
    private readonly string _folder;
    private Process? _process;

    private RedisServer(string executable, string folder, int port)
    {
        _executable = executable;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string for the host's DataHub:Redis:Configuration.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port},connectTimeout=2000");

    public static async Task<RedisServer> StartAsync()
    {
        var executable = FindOnPath("redis-server");
        if (executable is null)
        {
            Assert.Fail("Redis tests need redis-server on the PATH: install Debian's redis-server package (ops/test does).");
        }
        var folder = Path.Combine(Path.GetTempPath(), "datahub-redis-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var server = new RedisServer(executable!, folder, Ports.Free());
        try
        {
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again, after <see cref="StopAsync"/>) on its port, empty, and waits until it answers PING.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _folder,
        };
        foreach (var argument in new[]
        {
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _folder,
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes",
        })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.ErrorDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = Stopwatch.StartNew();
        while (!await AnswersPingAsync())
        {
            if (process.HasExited || deadline.Elapsed > _startTimeout)
            {
                string log;
                lock (output)
                {
                    log = output.ToString();
                }
                Assert.Fail($"redis-server did not answer on port {Port} within {_startTimeout.TotalSeconds} s: {log}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Kills the server: from now on, connections to its port are refused.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }
        _process = null;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is not worth failing a test run over.
        }
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin")
            .Where(folder => folder.Length > 0)
            .Select(folder => Path.Combine(folder, tool))
            .FirstOrDefault(File.Exists);
}
