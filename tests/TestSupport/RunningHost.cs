using DataHub.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataHub.Testing;

/// <summary>
/// The real host on Kestrel, listening on a free loopback port, with the built-in plug-ins and any extra plug-in
/// folders: what end-to-end tests call over HTTP.
/// </summary>
public sealed class RunningHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningHost(WebApplication app, Uri baseAddress, CapturedLog log)
    {
        _app = app;
        BaseAddress = baseAddress;
        Log = log;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public CapturedLog Log { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts the host on <paramref name="schemaDirectory"/>. <paramref name="settings"/> are configuration keys
    /// such as "DataHub:RequestTimeoutSeconds". Throws <see cref="InvalidSchemaException"/> as start-up would.
    /// </summary>
    public static async Task<RunningHost> StartAsync(
        string schemaDirectory,
        IEnumerable<string>? pluginDirectories = null,
        IDictionary<string, string?>? settings = null)
    {
        string[] args =
        [
            "--schema", schemaDirectory, "--environment", "Testing",
            .. (pluginDirectories ?? []).SelectMany(dir => new[] { "--plugins", dir }),
        ];
        var log = new CapturedLog();
        var app = await DataHubApplication.BuildAsync(HostArguments.Parse(args), builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            // Debug lines too (where failure details go); the caller's settings may still narrow that.
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Debug" });
            builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
            builder.Logging.ClearProviders().AddProvider(log).SetMinimumLevel(LogLevel.Debug);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new RunningHost(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/"), log);
    }

    /// <summary>POSTs <paramref name="json"/> as application/json.</summary>
    public Task<HttpResponseMessage> PostJsonAsync(string path, string json, CancellationToken cancellationToken = default) =>
        JsonRequests.PostAsync(Client, path, json, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
