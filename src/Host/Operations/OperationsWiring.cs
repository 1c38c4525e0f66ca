namespace DataHub.Host.Operations;

/// <summary>The operators' settings and who counts as an operator, registered once for health, metrics and shutdown.</summary>
public static class OperationsWiring
{
    /// <summary>Registers the settings, read and checked once at start (<see cref="DataHubApplication.CheckSettings"/>).</summary>
    public static void AddDataHubOperatorAccess(this WebApplicationBuilder builder, OperationsOptions options)
    {
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new OperatorAccess(options));
    }
}
