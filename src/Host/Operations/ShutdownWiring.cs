namespace DataHub.Host.Operations;

/// <summary>
/// Graceful shutdown: on SIGTERM (or Ctrl-C) Kestrel stops accepting connections, running requests get up to
/// DataHub:Operations:ShutdownTimeoutSeconds to finish, then the host disposes its services, which closes the data
/// stores' connection pools (the schema catalog owns them).
/// </summary>
public static class ShutdownWiring
{
    public static void AddDataHubGracefulShutdown(this WebApplicationBuilder builder, OperationsOptions options) =>
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
}
