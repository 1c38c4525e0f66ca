using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
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

    // As the servlet reads a body: duplicate names refused, nesting bounded.
    private static readonly JsonDocumentOptions _jsonOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    public async Task ServeAsync(HttpContext http)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body, documentOptions: _jsonOptions, cancellationToken: http.RequestAborted);
        }
        catch (JsonException e)
        {
            JsonOutput.WriteError(http, HostError.InvalidInput(
                $"The request body is not valid JSON (line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1})."));
            return;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            JsonOutput.WriteError(http, HostError.BodyTooLarge(
                http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize));
            return;
        }
        catch (BadHttpRequestException)
        {
            JsonOutput.WriteError(http, HostError.InvalidInput("The request body could not be read: its framing is malformed."));
            return;
        }

        var (request, error) = DbActionRequest.Read(body);
        if (error is not null)
        {
            JsonOutput.WriteError(http, error);
            return;
        }
        var started = Stopwatch.GetTimestamp();
        var target = await servlet.ResolveAsync(http, request!.Instance, request.System, request.Entity);
        if (target is not null)
        {
            await servlet.RunAsync(http, target, request.Data, options: null, request.Options);
        }
        if (metrics.IsEnabled)
        {
            metrics.RequestServed(request.Instance, request.System, request.Entity, http.Response.StatusCode, Stopwatch.GetElapsedTime(started));
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
