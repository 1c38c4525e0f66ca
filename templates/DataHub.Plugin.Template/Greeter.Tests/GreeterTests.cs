using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

namespace Greeter.Tests;

/// <summary>
/// Serves the built plug-in through the real DataHub host: set DATAHUB_HOST to its DataHub.Host.dll (in a DataHub
/// repository, src/Host/bin/Debug/net10.0/DataHub.Host.dll after dotnet build).
/// </summary>
public sealed class GreeterTests
{
    private static readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(30) };
    private Process? _host;
    private string? _schema;
    private Uri? _baseAddress;

    [OneTimeSetUp]
    public async Task StartHost()
    {
        var hostDll = Environment.GetEnvironmentVariable("DATAHUB_HOST");
        Assert.That(hostDll, Is.Not.Null.And.Not.Empty, "Set DATAHUB_HOST to the path of DataHub.Host.dll.");
        Assert.That(File.Exists(hostDll), Is.True, $"No host at {hostDll}.");
        var pluginFolder = typeof(GreeterTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "PluginFolder").Value!;

        _schema = Directory.CreateTempSubdirectory("greeter-schema-").FullName;
        Directory.CreateDirectory(Path.Combine(_schema, "demo"));
        File.WriteAllText(Path.Combine(_schema, "demo", "greetings.json"),
            """{"entities": {"hello": {"execute": true, "processor": "Greeter", "processorConfig": {"greeting": "Hello"}}}}""");

        var port = FreePort();
        _baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { hostDll!, "--schema", _schema, "--plugins", Path.GetDirectoryName(pluginFolder)!, "--urls", _baseAddress.ToString() })
        {
            start.ArgumentList.Add(argument);
        }
        _host = Process.Start(start)!;
        _host.OutputDataReceived += (_, _) => { };
        _host.ErrorDataReceived += (_, _) => { };
        _host.BeginOutputReadLine();
        _host.BeginErrorReadLine();

        var ready = Stopwatch.StartNew();
        while (ready.Elapsed < TimeSpan.FromSeconds(60) && !_host.HasExited)
        {
            try
            {
                using var health = await _client.GetAsync(new Uri(_baseAddress, "health"));
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        Assert.Fail("The host did not start.");
    }

    [OneTimeTearDown]
    public void StopHost()
    {
        if (_host is { HasExited: false })
        {
            _host.Kill(entireProcessTree: true);
            _host.WaitForExit();
        }
        _host?.Dispose();
        if (_schema is not null)
        {
            Directory.Delete(_schema, recursive: true);
        }
    }

    [Test]
    public async Task A_name_is_greeted()
    {
        var (status, body) = await PostAsync("""{"name": "Ada"}""");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body["greeting"]!.GetValue<string>(), Is.EqualTo("Hello, Ada!"));
    }

    [Test]
    public async Task A_name_that_is_not_text_is_a_400_with_status_25()
    {
        var (status, body) = await PostAsync("""{"name": 42}""");

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(25));
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync(new Uri(_baseAddress!, "demo/greetings/hello"), content);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
