using System.Collections.Concurrent;
using DataHub.Host.Schema;
using DataHub.Host.Servlet;
using Scalar.AspNetCore;

namespace DataHub.Host.OpenApi;

/// <summary>
/// Each instance's OpenAPI document at <c>/_openapi/{instance}.json</c> and its interactive reference page (Scalar) at
/// <c>/_reference/{instance}</c>. Instance names never start with '_', so neither route can shadow an entity's.
/// </summary>
public static class OpenApiEndpoints
{
    public const string DocumentRoute = "/_openapi/{instance}.json";
    public const string ReferencePrefix = "/_reference";

    public static void AddDataHubOpenApi(this WebApplicationBuilder builder) =>
        builder.Services.AddSingleton<InstanceDocuments>();

    public static void MapDataHubOpenApi(this WebApplication app)
    {
        app.MapGet(DocumentRoute, ServeDocumentAsync);
        app.MapScalarApiReference(ReferencePrefix, (options, http) =>
        {
            options.WithTitle("DataHub {documentName}")
                .WithOpenApiRoutePattern(DocumentRoute.Replace("{instance}", "{documentName}", StringComparison.Ordinal));
            // The page is served by the host alone: no fonts from a CDN, no telemetry, no hosted AI chat, no toolbar.
            options.DefaultFonts = false;
            options.Telemetry = false;
            options.Agent = new ScalarAgentOptions { Disabled = true };
            options.ShowDeveloperTools = DeveloperToolsVisibility.Never;
            // Without an instance in the path the page offers the instances anyone may call, never naming a closed one.
            foreach (var instance in http.RequestServices.GetRequiredService<SchemaCatalog>().Current.Instances.Values
                .Where(i => i.Access.AllowsAnonymous).OrderBy(i => i.Name, StringComparer.Ordinal))
            {
                options.AddDocument(instance.Name);
            }
        });
    }

    /// <summary>The document, to callers the instance admits: on a closed instance, only authenticated ones.</summary>
    private static async Task ServeDocumentAsync(HttpContext http)
    {
        var snapshot = http.RequestServices.GetRequiredService<SchemaCatalog>().Current;
        var name = (string)http.GetRouteValue("instance")!;
        if (!snapshot.Instances.TryGetValue(name, out var instance))
        {
            JsonOutput.WriteError(http, HostError.InstanceNotFound(name));
            return;
        }
        var access = await instance.Access.AdmitAsync(http, http.RequestAborted);
        if (access.Error is { } denied)
        {
            JsonOutput.WriteError(http, denied);
            return;
        }
        var document = await http.RequestServices.GetRequiredService<InstanceDocuments>().GetAsync(snapshot, instance);
        http.Response.ContentType = JsonOutput.JsonContentType;
        JsonOutput.WriteText(http.Response, document);
    }
}

/// <summary>
/// The documents of the served snapshot, each built on first ask. A schema reload publishes a new snapshot, and the
/// first ask after it builds the new documents: a document never outlives the schema it describes.
/// </summary>
internal sealed class InstanceDocuments
{
    private Built _built = new(null, new());

    public Task<string> GetAsync(SchemaSnapshot snapshot, InstanceDefinition instance)
    {
        var built = Volatile.Read(ref _built);
        if (!ReferenceEquals(built.Snapshot, snapshot))
        {
            built = new Built(snapshot, new());
            Volatile.Write(ref _built, built);
        }
        // Built once per snapshot and shared by concurrent callers, so no caller's token may cancel it.
        return built.Documents.GetOrAdd(instance.Name, _ => new Lazy<Task<string>>(
            () => InstanceDocument.WriteAsync(instance, CancellationToken.None))).Value;
    }

    private sealed record Built(SchemaSnapshot? Snapshot, ConcurrentDictionary<string, Lazy<Task<string>>> Documents);
}
