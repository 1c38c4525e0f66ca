using System.Threading.Channels;
using DataHub.Host.Diagnostics;
using DataHub.Host.Schema;
using Microsoft.Extensions.Options;

namespace DataHub.Host.Plugins;

/// <summary>Where the host loads plug-ins from: all folders in order, and those a running host watches for drop-ins.</summary>
/// <param name="All">The built-in plugins/ folder, then the configured ones.</param>
/// <param name="Watched">
/// The configured folders. The built-in folder ships with the host and changes with it, on a restart.
/// </param>
public sealed record PluginFolders(IReadOnlyList<string> All, IReadOnlyList<string> Watched)
{
    public static PluginFolders For(DataHubOptions options, string workingDirectory)
    {
        var configured = options.Plugins.Select(dir => Path.GetFullPath(dir, workingDirectory)).ToList();
        return new PluginFolders([DataHubApplication.BuiltInPluginDirectory, .. configured], configured);
    }

    /// <summary>
    /// How to load: plug-ins in watched folders are read into memory, so that their files can be replaced while
    /// they run, and collectible when <see cref="DataHubOptions.CollectiblePlugins"/> says so.
    /// </summary>
    public PluginLoadOptions LoadOptions(DataHubOptions options) => options.ReloadOnChange
        ? new PluginLoadOptions(options.CollectiblePlugins, Watched.ToHashSet(StringComparer.Ordinal))
        : new PluginLoadOptions();
}

/// <summary>
/// Hot drop-in (DataHub:ReloadOnChange): a plug-in folder added to, or whose files change in, a watched plug-ins folder
/// is loaded again while the host runs, and the schema is prepared again against it, all or nothing, exactly as a
/// schema change is. A new version that does not load or whose Prepare refuses a configuration leaves the old one
/// serving, logged and listed in /health. Requests already running finish on the version they started with.
/// </summary>
public sealed partial class PluginReloader(
    SchemaCatalog catalog,
    SchemaReloader schemaReloader,
    PluginFolders folders,
    IOptions<DataHubOptions> options,
    DataHubMetrics metrics,
    ILogger<PluginReloader> logger) : BackgroundService
{
    // A deploy copies a plug-in's files one by one: wait until the folder has been quiet this long.
    private static readonly TimeSpan _settleTime = TimeSpan.FromMilliseconds(500);

    private readonly Channel<string> _changes = Channel.CreateUnbounded<string>();
    private List<FileSystemWatcher> _watchers = [];

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Watch before the host counts as started: ExecuteAsync runs in the background, and a plug-in dropped right
        // after start must not be missed.
        if (options.Value.ReloadOnChange)
        {
            _watchers = [.. folders.Watched.Where(Directory.Exists).Select(root => Watch(root, _changes.Writer))];
        }
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_watchers.Count == 0)
        {
            return;
        }
        var changes = _changes;
        var watchers = _watchers;
        try
        {
            while (await changes.Reader.WaitToReadAsync(stoppingToken))
            {
                var changed = new HashSet<string>(StringComparer.Ordinal);
                do
                {
                    while (changes.Reader.TryRead(out var folder))
                    {
                        changed.Add(folder);
                    }
                    await Task.Delay(_settleTime, stoppingToken);
                }
                while (changes.Reader.TryPeek(out _));
                await ReloadAsync(changed, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutting down.
        }
        finally
        {
            watchers.ForEach(w => w.Dispose());
        }
    }

    private static FileSystemWatcher Watch(string root, ChannelWriter<string> changes)
    {
        var watcher = new FileSystemWatcher(root)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        void OnChange(string path)
        {
            // Whatever changed, the plug-in is the folder right under the root.
            var relative = Path.GetRelativePath(root, path);
            var first = relative.Split(Path.DirectorySeparatorChar, 2)[0];
            if (first is not ("." or "..") && !Path.IsPathRooted(relative))
            {
                changes.TryWrite(Path.Combine(root, first));
            }
        }
        watcher.Changed += (_, e) => OnChange(e.FullPath);
        watcher.Created += (_, e) => OnChange(e.FullPath);
        watcher.Deleted += (_, e) => OnChange(e.FullPath);
        watcher.Renamed += (_, e) => { OnChange(e.OldFullPath); OnChange(e.FullPath); };
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private async Task ReloadAsync(IReadOnlySet<string> changed, CancellationToken cancellationToken)
    {
        var current = catalog.Plugins;
        var next = PluginLoader.Reload(current, folders.All, changed, logger, folders.LoadOptions(options.Value));
        var replaced = current.Plugins.Where(p => !next.Plugins.Contains(p)).ToList();
        var added = next.Plugins.Where(p => !current.Plugins.Contains(p)).ToList();
        if (added.Count == 0 && replaced.Count == 0)
        {
            // Nothing new loaded (a new version that failed keeps the old one): only what operators see changes.
            if (next.Failures.Any(failure => changed.Contains(failure.Directory)))
            {
                metrics.PluginsReloaded("failed");
            }
            await schemaReloader.ReportPluginsAsync(next, cancellationToken);
            return;
        }

        var outcome = await schemaReloader.TryReloadAsync(next, cancellationToken);
        metrics.PluginsReloaded(outcome.Published ? "applied" : "rejected");
        if (outcome.Published)
        {
            LogApplied(logger, string.Join(", ", added.Select(p => p.Name)));
            // The old versions serve the requests that started on them; unload them (when collectible) afterwards.
            _ = RetireAsync(replaced, schemaReloader.RetireAfter);
            return;
        }

        var reason = outcome.Errors is { } errors
            ? string.Join(Environment.NewLine, errors)
            : "the schema's data stores could not be initialised";
        var reported = current;
        foreach (var folder in changed)
        {
            reported = reported.WithFailure(new PluginLoadFailure(folder,
                $"A new version did not take effect; the previous one still serves. The schema did not prepare against it: {reason}"));
        }
        await schemaReloader.ReportPluginsAsync(reported, cancellationToken);
        // Logged once the failure is recorded, so whoever sees the line also sees it in health.
        LogRejected(logger, string.Join(", ", changed.Select(Path.GetFileName)), reason);
        foreach (var plugin in added)
        {
            plugin.Unloader?.Dispose();
        }
    }

    private async Task RetireAsync(IReadOnlyList<LoadedPlugin> replaced, TimeSpan grace)
    {
        if (replaced.Count == 0)
        {
            return;
        }
        await Task.Delay(grace);
        foreach (var plugin in replaced)
        {
            plugin.Unloader?.Dispose();
            LogRetired(logger, plugin.Name, plugin.Unloader is not null);
        }
    }

    [LoggerMessage(EventId = 1111, Level = LogLevel.Information, Message = "Plug-in change applied; new or replaced: {Plugins}")]
    private static partial void LogApplied(ILogger logger, string plugins);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Error,
        Message = "Plug-in change to {Folders} rejected; the previous plug-ins and schema still serve. {Reason}")]
    private static partial void LogRejected(ILogger logger, string folders, string reason);

    [LoggerMessage(EventId = 1113, Level = LogLevel.Information,
        Message = "Replaced version of plug-in {Plugin} retired (unloaded: {Unloaded}; a non-collectible one stays in memory until restart)")]
    private static partial void LogRetired(ILogger logger, string plugin, bool unloaded);
}

/// <summary>Wiring for hot drop-in.</summary>
public static class PluginReloadExtensions
{
    public static void AddDataHubPluginReload(this WebApplicationBuilder builder, PluginFolders folders)
    {
        builder.Services.AddSingleton(folders);
        builder.Services.AddSingleton<SchemaReloader>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SchemaReloader>());
        builder.Services.AddHostedService<PluginReloader>();
    }
}
