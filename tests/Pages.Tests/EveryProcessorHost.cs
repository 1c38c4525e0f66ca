using DataHub.Testing;

namespace DataHub.Pages.Tests;

/// <summary>The real host on <see cref="EveryProcessorSchema"/>, with the fixture plug-ins, and its folder.</summary>
internal sealed class EveryProcessorHost : IAsyncDisposable
{
    private readonly TempDirectory _schema;

    private EveryProcessorHost(TempDirectory schema, RunningHost host)
    {
        _schema = schema;
        Host = host;
    }

    public RunningHost Host { get; }

    public static async Task<EveryProcessorHost> StartAsync()
    {
        var schema = new TempDirectory();
        try
        {
            EveryProcessorSchema.Write(schema);
            return new EveryProcessorHost(schema, await RunningHost.StartAsync(schema.Path, [TestPaths.FixturePluginsDirectory]));
        }
        catch
        {
            schema.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _schema.Dispose();
    }
}
