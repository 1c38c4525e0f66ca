using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NUnit.Framework;

namespace DataHub.Testing;

/// <summary>
/// One throwaway PostgreSQL server for the whole test run, started on first use: Debian's initdb and pg_ctl in a temp
/// folder, trust authentication, 127.0.0.1 on a free port, fsync off. When <see cref="ConnectionStringVariable"/> holds a
/// connection string, that server is used instead. Each test assembly that uses it stops it from a [SetUpFixture]
/// (<see cref="StopAsync"/>); process exit stops it too.
/// </summary>
/// <remarks>
/// Where no server can be started the calling test fails with the reason and how to fix it: a skipped database test
/// would hide exactly the failures it exists to catch.
/// </remarks>
public static class PostgresServer
{
    /// <summary>An Npgsql connection string (with the right to create databases) to use instead of a throwaway server.</summary>
    public const string ConnectionStringVariable = "DATAHUB_TEST_PG";

    private const string BinariesRoot = "/usr/lib/postgresql";
    private const string UnprivilegedUser = "postgres";
    private static readonly TimeSpan _toolTimeout = TimeSpan.FromSeconds(90);

    private static readonly SemaphoreSlim _gate = new(1, 1);
    private static readonly List<string> _databases = [];
    private static Server? _server;
    private static string? _startFailure;

    /// <summary>Creates an empty database on the server and returns an Npgsql connection string to it.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = await GetServerAsync();
        var name = "datahub_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(server.AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        lock (_databases)
        {
            _databases.Add(name);
        }
        return new NpgsqlConnectionStringBuilder(server.AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>
    /// Stops the throwaway server, keeping its data, so a test can prove recovery from an outage; <see cref="ResumeAsync"/>
    /// starts it again on the same port. Fails on a server given by <see cref="ConnectionStringVariable"/>.
    /// </summary>
    public static async Task PauseAsync() => await (await GetServerAsync()).PauseAsync();

    /// <summary>Starts a server <see cref="PauseAsync"/> stopped, with its earlier settings.</summary>
    public static async Task ResumeAsync() => await (await GetServerAsync()).ResumeAsync();

    /// <summary>Stops the throwaway server and deletes its folder; on a given server, drops the databases made here.</summary>
    public static async Task StopAsync()
    {
        await _gate.WaitAsync();
        try
        {
            var server = _server;
            _server = null;
            if (server is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await server.StopAsync(TakeDatabases());
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string[] TakeDatabases()
    {
        lock (_databases)
        {
            string[] names = [.. _databases];
            _databases.Clear();
            return names;
        }
    }

    private static async Task<Server> GetServerAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_server is null && _startFailure is null)
            {
                try
                {
                    _server = await Server.StartAsync();
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAsync().GetAwaiter().GetResult();
                }
                catch (ServerUnavailableException e)
                {
                    _startFailure = e.Message;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
        if (_server is not null)
        {
            return _server;
        }
        Assert.Fail($"PostgreSQL tests need a server: {_startFailure} Install Debian's postgresql package, or set {ConnectionStringVariable}.");
        throw new UnreachableException();
    }

    private sealed class ServerUnavailableException(string message) : Exception(message);

    private sealed class Server
    {
        private readonly string? _folder;
        private readonly string[] _runAs;
        private readonly string? _pgCtl;
        private readonly string? _options;

        private Server(string adminConnectionString, string? folder, string[] runAs, string? pgCtl, string? options = null)
        {
            AdminConnectionString = adminConnectionString;
            _folder = folder;
            _runAs = runAs;
            _pgCtl = pgCtl;
            _options = options;
        }

        public string AdminConnectionString { get; }

        private string? DataFolder => _folder is null ? null : Path.Combine(_folder, "data");

        public static async Task<Server> StartAsync()
        {
            if (Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } given)
            {
                await CheckReachableAsync(given);
                return new Server(given, folder: null, runAs: [], pgCtl: null);
            }

            var bin = FindBinaries()
                ?? throw new ServerUnavailableException($"no initdb and pg_ctl under {BinariesRoot}/<version>/bin.");
            var runAs = RunAsPrefix();
            var folder = Path.Combine(Path.GetTempPath(), "datahub-pg-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(folder);
            try
            {
                if (runAs.Length > 0)
                {
                    // initdb refuses to run as root: the cluster belongs to an unprivileged user.
                    await RunAsync("chown", ["-R", $"{UnprivilegedUser}:", folder]);
                }
                var data = Path.Combine(folder, "data");
                var initdb = Path.Combine(bin, "initdb");
                await RunAsync(runAs, initdb, ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);

                var pgCtl = Path.Combine(bin, "pg_ctl");
                var failures = new List<string>();
                // A free port can be taken between finding it and binding it: try a few.
                for (var attempt = 0; attempt < 3; attempt++)
                {
                    var port = Ports.Free();
                    var options = string.Create(CultureInfo.InvariantCulture,
                        $"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200");
                    try
                    {
                        await RunAsync(runAs, pgCtl, ["start", "-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "-o", options]);
                        var admin = string.Create(CultureInfo.InvariantCulture,
                            $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false");
                        await CheckReachableAsync(admin);
                        return new Server(admin, folder, runAs, pgCtl, options);
                    }
                    catch (ServerUnavailableException e)
                    {
                        failures.Add(e.Message);
                    }
                }
                throw new ServerUnavailableException(string.Join(" ", failures) + ReadLog(folder));
            }
            catch
            {
                TryDelete(folder);
                throw;
            }
        }

        public Task PauseAsync()
        {
            Assert.That(_folder, Is.Not.Null, "Stopping the server needs the throwaway one, not " + ConnectionStringVariable + ".");
            return RunAsync(_runAs, _pgCtl!, ["stop", "-D", DataFolder!, "-m", "fast", "-w"]);
        }

        public Task ResumeAsync() =>
            RunAsync(_runAs, _pgCtl!, ["start", "-D", DataFolder!, "-l", Path.Combine(_folder!, "server.log"), "-w", "-t", "60", "-o", _options!]);

        public async Task StopAsync(string[] databases)
        {
            if (_folder is null)
            {
                await DropDatabasesAsync(databases);
                return;
            }
            try
            {
                await RunAsync(_runAs, _pgCtl!, ["stop", "-D", DataFolder!, "-m", "immediate", "-w"]);
            }
            finally
            {
                TryDelete(_folder);
            }
        }

        private async Task DropDatabasesAsync(string[] databases)
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync();
            foreach (var name in databases)
            {
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
            }
        }

        private static async Task CheckReachableAsync(string connectionString)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
            }
            catch (Exception e) when (e is NpgsqlException or ArgumentException)
            {
                throw new ServerUnavailableException($"the server does not answer ({e.Message}).");
            }
        }

        /// <summary>The newest version's bin folder that has both tools.</summary>
        private static string? FindBinaries()
        {
            if (!Directory.Exists(BinariesRoot))
            {
                return null;
            }
            return Directory.GetDirectories(BinariesRoot)
                .Select(version => (Version: double.TryParse(Path.GetFileName(version), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0,
                    Bin: Path.Combine(version, "bin")))
                .Where(candidate => File.Exists(Path.Combine(candidate.Bin, "initdb")) && File.Exists(Path.Combine(candidate.Bin, "pg_ctl")))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Bin)
                .FirstOrDefault();
        }

        /// <summary>Empty when not root; otherwise how to run a tool as the unprivileged user.</summary>
        private static string[] RunAsPrefix()
        {
            if (Environment.UserName != "root")
            {
                return [];
            }
            if (FindOnPath("runuser") is { } runuser)
            {
                return [runuser, "-u", UnprivilegedUser, "--"];
            }
            if (FindOnPath("setpriv") is { } setpriv)
            {
                return [setpriv, $"--reuid={UnprivilegedUser}", $"--regid={UnprivilegedUser}", "--init-groups"];
            }
            throw new ServerUnavailableException($"running as root, but neither runuser nor setpriv can switch to the '{UnprivilegedUser}' user.");
        }

        private static string? FindOnPath(string tool) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/sbin")
                .Select(folder => Path.Combine(folder, tool))
                .FirstOrDefault(File.Exists);

        private static Task RunAsync(string[] runAs, string tool, string[] arguments) =>
            runAs.Length == 0 ? RunAsync(tool, arguments) : RunAsync(runAs[0], [.. runAs[1..], tool, .. arguments]);

        private static async Task RunAsync(string fileName, string[] arguments)
        {
            var start = new ProcessStartInfo(fileName)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            using var process = new Process { StartInfo = start };
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new ServerUnavailableException($"{Path.GetFileName(fileName)} cannot be started ({e.Message}).");
            }
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(_toolTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new ServerUnavailableException($"{Path.GetFileName(fileName)} did not finish within {_toolTimeout.TotalSeconds} seconds.");
            }
            if (process.ExitCode != 0)
            {
                throw new ServerUnavailableException(
                    $"{string.Join(' ', arguments.Take(6))} failed with exit code {process.ExitCode}: {(await error).Trim()} {(await output).Trim()}");
            }
        }

        private static string ReadLog(string folder)
        {
            var log = Path.Combine(folder, "server.log");
            return File.Exists(log) ? " Server log: " + File.ReadAllText(log) : "";
        }

        private static void TryDelete(string folder)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temp folder left behind is not worth failing a test run over.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
