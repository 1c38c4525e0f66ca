using DataHub.Host.Caching;
using DataHub.Host.Calls;
using DataHub.Host.Diagnostics;
using DataHub.Host.Limits;
using DataHub.Host.OpenApi;
using DataHub.Host.Operations;
using DataHub.Host.Plugins;
using DataHub.Host.Schema;
using DataHub.Host.Servlet;

namespace DataHub.Host;

/// <summary>
/// Composes the host: settings, plug-ins, schema, middleware and the instance servlet. Program.cs and the
/// end-to-end tests both start the host through here.
/// </summary>
public static class DataHubApplication
{
    /// <summary>The built-in plug-in folder: plugins/ beside the host's own assembly.</summary>
    public static string BuiltInPluginDirectory => Path.Combine(AppContext.BaseDirectory, "plugins");

    /// <summary>
    /// Builds a host ready to run. Throws <see cref="InvalidSchemaException"/> listing every problem when the
    /// settings or the schema are invalid.
    /// </summary>
    public static async Task<WebApplication> BuildAsync(HostArguments arguments, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings (appsettings.json) sit beside the host; --schema and --plugins paths are the caller's, relative
        // to the current directory, like any command-line tool's.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = arguments.Remaining,
            ContentRootPath = AppContext.BaseDirectory,
        });
        configure?.Invoke(builder);

        var options = ReadOptions(builder.Configuration, arguments);
        var rateLimits = RateLimitOptions.Read(builder.Configuration);
        var operations = OperationsOptions.Read(builder.Configuration);
        if (CheckSettings(options, rateLimits, operations) is { Count: > 0 } problems)
        {
            throw new InvalidSchemaException(problems);
        }
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        builder.Services.AddSingleton<SchemaCatalog>();
        builder.Services.AddSingleton<InstanceServlet>();
        builder.Services.AddSingleton<ResponseWriter>();
        builder.Services.AddSingleton<DataHubMetrics>();
        builder.AddDataHubPluginReload(PluginFolders.For(options, Directory.GetCurrentDirectory()));
        builder.AddDataHubRateLimits(rateLimits);
        builder.AddDataHubOperatorAccess(operations);
        builder.AddDataHubHealth();
        builder.AddDataHubRedis(options.Redis);
        builder.AddDataHubCaches(options.Redis);
        builder.AddDataHubTelemetry(operations);
        builder.AddDataHubGracefulShutdown(operations);
        builder.AddDataHubLogContext();
        builder.Services.AddDataHubDbActions();
        builder.AddDataHubOpenApi();

        var app = builder.Build();
        var catalog = app.Services.GetRequiredService<SchemaCatalog>();
        var loaded = await LoadAsync(options, Directory.GetCurrentDirectory(), app.Services.GetRequiredService<ILoggerFactory>(),
            app.Services.GetRequiredService<DataHubMetrics>(), app.Lifetime.ApplicationStopping);
        catalog.Publish(loaded.Snapshot, loaded.Plugins, Path.GetFullPath(options.Schema, Directory.GetCurrentDirectory()));

        app.UseDataHubHostIdentity();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = HostFailureHandler.HandleAsync,
            // The framework's own log line carries the exception's message and stack trace; ours does not.
            SuppressDiagnosticsCallback = _ => true,
        });
        app.UseErrorShapeForBodilessErrors();
        app.UseDataHubMetricsEndpoint();
        app.UseDataHubRequestTelemetry();
        app.UseDataHubRateLimits();
        app.MapDataHubHealth();
        app.MapDataHubDbActions();
        app.MapDataHubOpenApi();
        InstanceServlet.Map(app);
        return app;
    }

    /// <summary>
    /// Loads the plug-ins and the schema and prepares every entity, without touching any database: what both
    /// the validate verb and start-up do. <paramref name="metrics"/> is null where nothing is served (validate).
    /// </summary>
    public static async Task<(PluginCatalog Plugins, SchemaLoadResult Result)> LoadSchemaAsync(
        DataHubOptions options, string workingDirectory, ILoggerFactory loggerFactory, DataHubMetrics? metrics = null)
    {
        var folders = PluginFolders.For(options, workingDirectory);
        var plugins = PluginLoader.Load(folders.All, loggerFactory.CreateLogger(typeof(PluginLoader)), folders.LoadOptions(options));
        var result = await new SchemaLoader(plugins, loggerFactory, metrics: metrics, pluginDirectories: folders.All)
            .LoadAsync(Path.GetFullPath(options.Schema, workingDirectory));
        return (plugins, result);
    }

    /// <summary>
    /// Every problem in the host's settings, "DataHub", "DataHub:RateLimits" and "DataHub:Operations" together: serve refuses to start on
    /// them and validate lists them.
    /// </summary>
    public static IReadOnlyList<string> CheckSettings(DataHubOptions options, RateLimitOptions rateLimits, OperationsOptions operations) =>
        [.. options.Validate(), .. rateLimits.Validate(), .. operations.Validate()];

    public static DataHubOptions ReadOptions(IConfiguration configuration, HostArguments arguments)
    {
        var options = configuration.GetSection(DataHubOptions.Section).Get<DataHubOptions>() ?? new DataHubOptions();
        return options with
        {
            Schema = arguments.Schema ?? options.Schema,
            Plugins = [.. options.Plugins, .. arguments.PluginDirectories],
        };
    }

    private static async Task<(SchemaSnapshot Snapshot, PluginCatalog Plugins)> LoadAsync(DataHubOptions options,
        string workingDirectory, ILoggerFactory loggerFactory, DataHubMetrics metrics, CancellationToken cancellationToken)
    {
        var (plugins, result) = await LoadSchemaAsync(options, workingDirectory, loggerFactory, metrics);
        if (result.Snapshot is not { } snapshot)
        {
            throw new InvalidSchemaException(result.Errors);
        }
        await snapshot.InitializeAsync(cancellationToken);
        return (snapshot, plugins);
    }
}
