using NUnit.Framework;

namespace DataHub.Testing;

/// <summary>
/// One real host for a whole fixture: a temp schema folder the fixture fills in <see cref="WriteSchemaAsync"/>, the
/// host started on it with the built-in plug-ins, the given plug-in folders and settings, and both gone afterwards.
/// </summary>
public abstract class HostFixture(IEnumerable<string>? pluginDirectories = null, IDictionary<string, string?>? settings = null)
{
    private TempDirectory? _schema;
    private RunningHost? _host;

    protected TempDirectory Schema => _schema ?? throw new InvalidOperationException("The schema folder is made in OneTimeSetUp.");

    protected RunningHost Host => _host ?? throw new InvalidOperationException("The host is started in OneTimeSetUp.");

    /// <summary>Fills the schema folder before the host starts on it.</summary>
    protected abstract Task WriteSchemaAsync(TempDirectory schema);

    [OneTimeSetUp]
    public async Task StartHost()
    {
        _schema = new TempDirectory();
        await WriteSchemaAsync(_schema);
        _host = await RunningHost.StartAsync(_schema.Path, pluginDirectories, settings);
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        // Null-safe: a set-up that failed part-way still leaves nothing behind.
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        _schema?.Dispose();
    }
}
