namespace DataHub.Host.Operations;

/// <summary>The operators' settings and who counts as an operator, registered once for health and metrics.</summary>
public static class OperationsWiring
{
    public static void AddDataHubOperatorAccess(this WebApplicationBuilder builder)
    {
        if (builder.Services.Any(service => service.ServiceType == typeof(OperatorAccess)))
        {
            return;
        }
        var options = OperationsOptions.Read(builder.Configuration);
        if (options.Validate() is { Count: > 0 } problems)
        {
            throw new InvalidSchemaException(problems);
        }
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new OperatorAccess(options));
    }
}
