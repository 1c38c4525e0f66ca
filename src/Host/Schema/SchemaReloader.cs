using System.Threading.Channels;
using DataHub.Host.Diagnostics;
using DataHub.Host.Plugins;
using Microsoft.Extensions.Options;

namespace DataHub.Host.Schema;

/// <summary>
/// Reloads the schema when its files change (DataHub:ReloadOnChange). A schema that fails validation, or whose
/// data stores cannot be initialised, is logged and the last good one keeps serving. A plug-in change reloads the
/// schema through <see cref="TryReloadAsync"/> too (see <see cref="Plugins.PluginReloader"/>).
/// </summary>
public sealed partial class SchemaReloader(
    SchemaCatalog catalog,
    PluginFolders pluginFolders,
    IOptions<DataHubOptions> options,
    ILoggerFactory loggerFactory,
    DataHubMetrics metrics,
    ILogger<SchemaReloader> logger) : BackgroundService
{
    // Database files and their journals live in instance folders too; only schema files trigger a reload.
    private static readonly HashSet<string> _schemaExtensions = new(StringComparer.OrdinalIgnoreCase) { ".json", ".js", ".pem" };
    private static readonly TimeSpan _settleTime = TimeSpan.FromMilliseconds(300);
    // One reload at a time, whether the schema or a plug-in changed.
    private readonly SemaphoreSlim _gate = new(1, 1);

    private readonly Channel<string> _changes =
        Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private FileSystemWatcher? _watcher;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Watch before the host counts as started: ExecuteAsync runs in the background, and a change made right after
        // start must not be missed.
        if (options.Value.ReloadOnChange && Directory.Exists(catalog.SchemaDirectory))
        {
            _watcher = Watch(catalog.SchemaDirectory, _changes.Writer);
        }
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _watcher?.Dispose();
        base.Dispose();
    }

    private static FileSystemWatcher Watch(string directory, ChannelWriter<string> changes)
    {
        var watcher = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        void OnChange(object sender, FileSystemEventArgs e)
        {
            if (_schemaExtensions.Contains(Path.GetExtension(e.FullPath)) || Directory.Exists(e.FullPath))
            {
                changes.TryWrite(e.FullPath);
            }
        }
        watcher.Changed += OnChange;
        watcher.Created += OnChange;
        watcher.Deleted += OnChange;
        watcher.Renamed += (sender, e) => OnChange(sender, e);
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_watcher is null)
        {
            return;
        }
        var changes = _changes;
        try
        {
            await foreach (var _ in changes.Reader.ReadAllAsync(stoppingToken))
            {
                // Editors and deploys write several files in a burst: wait for it to settle, then load once.
                await Task.Delay(_settleTime, stoppingToken);
                while (changes.Reader.TryRead(out var _))
                {
                }
                await ReloadAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutting down.
        }
    }

    /// <summary>Loads the schema again and publishes it only if it is valid and its data stores are ready.</summary>
    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var outcome = await TryReloadAsync(null, cancellationToken);
        if (outcome.Errors is { } errors)
        {
            LogRejected(logger, errors.Count, string.Join(Environment.NewLine, errors));
        }
        else if (outcome.InitializationFailure is { } failure)
        {
            LogNotInitialized(logger, failure.Message);
            LogNotInitializedDetails(logger, failure);
        }
    }

    /// <summary>
    /// Shows operators a plug-in catalog that changes no entity (a new version that failed), under the reload gate, so
    /// that a schema reload in flight cannot publish the catalog it read before over it.
    /// </summary>
    internal async Task ReportPluginsAsync(PluginCatalog plugins, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            catalog.ReportPlugins(plugins);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Loads the schema against <paramref name="plugins"/> (null: the ones served when the reload starts), prepares every entity of every instance, and publishes the
    /// schema and the plug-ins together only if all of it succeeded: all or nothing. Requests already running finish on
    /// the snapshot they started with.
    /// </summary>
    internal async Task<ReloadOutcome> TryReloadAsync(PluginCatalog? plugins, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Read under the gate, so a schema change never publishes plug-ins older than a plug-in change just did.
            plugins ??= catalog.Plugins;
            var result = await new SchemaLoader(plugins, loggerFactory, metrics: metrics, pluginDirectories: pluginFolders.All)
                .LoadAsync(catalog.SchemaDirectory);
            if (result.Snapshot is not { } snapshot)
            {
                metrics.SchemaReloaded("rejected");
                return new ReloadOutcome([.. result.Errors.Select(e => e.ToString())], null);
            }
            try
            {
                await snapshot.InitializeAsync(cancellationToken);
            }
            catch (Exception e)
            {
                // A failure here (a seed file that does not run, say) must not stop the host: close what the new
                // schema opened and keep serving the old one.
                await snapshot.DisposeAsync();
                if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                metrics.SchemaReloaded("failed");
                return new ReloadOutcome(null, e);
            }
            var previous = catalog.Replace(snapshot, plugins);
            LogReloaded(logger, snapshot.Instances.Count, snapshot.EntityCount);
            metrics.SchemaReloaded("published");

            // Requests that started on the previous snapshot may still use its data stores: retire it after they end.
            _ = RetireAsync(previous, RetireAfter);
            return new ReloadOutcome(null, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>How long a replaced snapshot (and the plug-in versions behind it) is kept for the requests still on it.</summary>
    internal TimeSpan RetireAfter => options.Value.RequestTimeout + TimeSpan.FromSeconds(5);

    private async Task RetireAsync(SchemaSnapshot previous, TimeSpan grace)
    {
        try
        {
            await Task.Delay(grace);
            await previous.DisposeAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ObjectDisposedException)
        {
            LogRetireFailed(logger, e);
        }
    }

    /// <summary>A reload's result: published (both null), invalid (<see cref="Errors"/>), or not initialised.</summary>
    internal sealed record ReloadOutcome(IReadOnlyList<string>? Errors, Exception? InitializationFailure)
    {
        public bool Published => Errors is null && InitializationFailure is null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema reloaded: {Instances} instance(s), {Entities} entities")]
    private static partial void LogReloaded(ILogger logger, int instances, int entities);

    [LoggerMessage(Level = LogLevel.Error, Message = "Schema change rejected; still serving the last good schema. {Count} problem(s):\n{Problems}")]
    private static partial void LogRejected(ILogger logger, int count, string problems);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Schema change rejected; still serving the last good schema. Its data stores could not be initialised: {Reason}")]
    private static partial void LogNotInitialized(ILogger logger, string reason);

    // Like every failure the host logs, the stack trace is for Debug only.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Data store initialisation failure details")]
    private static partial void LogNotInitializedDetails(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the data stores of a replaced schema failed")]
    private static partial void LogRetireFailed(ILogger logger, Exception exception);
}
