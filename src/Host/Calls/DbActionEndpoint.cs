using System.Diagnostics;
using DataHub.Host.Diagnostics;
using DataHub.Host.Servlet;

namespace DataHub.Host.Calls;

/// <summary>
/// The Ductape-shaped endpoint: <c>POST /_db/execute</c> with the body of <c>processor.db.execute(…)</c>.
/// <c>product_tag</c> names the instance and <c>event</c> the system and entity; from there the call runs exactly as
/// on the instance servlet. Instance names starting with '_' are refused at schema load, so this path never clashes.
/// </summary>
public sealed class DbActionEndpoint(InstanceServlet servlet, DataHubMetrics metrics)
{
    /// <summary>The reserved path.</summary>
    public const string Path = "/_db/execute";

    /// <summary>The first character of the host's own paths, which no instance name may start with.</summary>
    public const char ReservedPrefix = '_';

    public async Task ServeAsync(HttpContext http)
    {
        var input = await RequestInput.ReadJsonBodyAsync(http.Request, http.RequestAborted);
        if (input.Error is { } invalid)
        {
            JsonOutput.WriteError(http, invalid);
            return;
        }

        var (request, error) = DbActionRequest.Read(input.Data.Node);
        if (error is not null)
        {
            JsonOutput.WriteError(http, error);
            return;
        }
        var started = Stopwatch.GetTimestamp();
        var target = await servlet.ResolveAsync(http, request!.Instance, request.System, request.Entity);
        if (target is not null)
        {
            await servlet.RunAsync(http, target, CallData.FromNode(request.Data), options: null, request.Options);
        }
        if (metrics.IsEnabled)
        {
            // Labels hold loaded names only: a caller's product_tag or event could otherwise make any number of series.
            metrics.RequestServed(target?.Instance.Name ?? DataHubMetrics.Unresolved, target?.System.Reference ?? DataHubMetrics.Unresolved,
                target?.EntityName ?? DataHubMetrics.Unresolved, http.Response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
    }
}

/// <summary>Wires the Ductape-shaped endpoint into the host.</summary>
public static class DbActionEndpointExtensions
{
    public static IServiceCollection AddDataHubDbActions(this IServiceCollection services) =>
        services.AddSingleton<DbActionEndpoint>();

    public static IEndpointRouteBuilder MapDataHubDbActions(this IEndpointRouteBuilder endpoints)
    {
        var endpoint = endpoints.ServiceProvider.GetRequiredService<DbActionEndpoint>();
        endpoints.MapPost(DbActionEndpoint.Path, endpoint.ServeAsync);
        return endpoints;
    }
}
