using System.Text.Json;
using System.Text.Json.Nodes;
using DataHub.Host.Schema;
using DataHub.Plugins;
using Microsoft.OpenApi;

namespace DataHub.Host.OpenApi;

/// <summary>
/// Builds an instance's OpenAPI 3.1 document from its loaded schema: every execute entity as a POST (JSON body) and a
/// GET (<c>data</c> URL parameter), its input from the processor (<see cref="IInputSchemaProvider"/>), else from the
/// entity's <c>fields</c>, else any object; every error answer in the one error shape; the instance's security schemes.
/// </summary>
internal static class InstanceDocument
{
    private const string ErrorSchema = "Error";
    private const string BasicScheme = "basic";
    private const string BearerScheme = "bearer";

    // The error answers any entity may give, named as shared response components.
    private static readonly (string Status, string Name, string Description)[] _errors =
    [
        ("400", "InvalidInput", "The input, the options or the data do not fit (status 22 or 25)."),
        ("404", "NotFound", "The instance, system or entity is not served (status 21, 23 or 24)."),
        ("409", "Conflict", "The data conflicts with what is stored."),
        ("413", "TooLarge", "The request body is larger than the host's limit."),
        ("429", "TooManyRequests", "A rate limit was reached: retry later."),
        ("500", "Failed", "The processor failed; the host log has the details under the trace id."),
        ("503", "Unavailable", "A data store is busy or unavailable; Retry-After says when to retry."),
        ("504", "TimedOut", "The call did not finish within the request time limit (status 26)."),
    ];

    private static readonly (string Status, string Name, string Description) _unauthenticated =
        ("401", "Unauthenticated", "Credentials are missing or do not hold; WWW-Authenticate names the schemes.");

    private static readonly (string Status, string Name, string Description) _forbidden =
        ("403", "Forbidden", "The authenticated user lacks a role this entity requires.");

    private static readonly JsonSerializerOptions _schemaReader = new()
    {
        Converters = { new OpenApiSchemaJsonConverter(OpenApiSpecVersion.OpenApi3_1) },
    };

    /// <summary>The document of <paramref name="instance"/>, as OpenAPI 3.1 JSON.</summary>
    public static Task<string> WriteAsync(InstanceDefinition instance, CancellationToken cancellationToken) =>
        Build(instance).SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, cancellationToken);

    public static OpenApiDocument Build(InstanceDefinition instance)
    {
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = $"DataHub instance {instance.Name}",
                Version = typeof(InstanceDocument).Assembly.GetName().Version?.ToString(3) ?? "1.0.0",
                Description = "Every execute entity of the instance, by POST with its data as a JSON body or by GET with "
                    + "its data in the `data` URL parameter (both also take `options`). Every error answers "
                    + "`{\"status\", \"errorMessage\", \"traceId\"}`.",
            },
            Servers = [new OpenApiServer { Url = "/" }],
            Paths = [],
            Components = new OpenApiComponents
            {
                Schemas = new Dictionary<string, IOpenApiSchema> { [ErrorSchema] = ErrorShape() },
                Responses = new Dictionary<string, IOpenApiResponse>(),
                SecuritySchemes = SecuritySchemes(instance),
            },
            Tags = new HashSet<OpenApiTag>(),
        };
        foreach (var (status, name, description) in _errors.Append(_unauthenticated).Append(_forbidden))
        {
            document.Components.Responses[name] = new OpenApiResponse
            {
                Description = $"{description} ({status})",
                Content = Json(new OpenApiSchemaReference(ErrorSchema, document)),
            };
        }

        foreach (var system in instance.Systems.Values.OrderBy(s => s.Reference, StringComparer.Ordinal))
        {
            var entities = system.Entities.Where(e => e.Value.Processor is not null).OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
            if (entities.Count == 0)
            {
                continue;
            }
            document.Tags.Add(new OpenApiTag { Name = system.Reference, Description = $"System {system.Reference}" });
            foreach (var (name, entity) in entities)
            {
                var path = system.Reference == SystemDefinition.DefaultReference
                    ? $"/{instance.Name}/{name}"
                    : $"/{instance.Name}/{system.Reference}/{name}";
                document.Paths[path] = PathItem(document, instance, system, name, entity);
            }
        }
        document.RegisterComponents();
        return document;
    }

    private static OpenApiPathItem PathItem(
        OpenApiDocument document, InstanceDefinition instance, SystemDefinition system, string name, EntityDefinition entity)
    {
        var described = entity.Processor!.Processor as IInputSchemaProvider;
        var input = Schema(described?.InputSchema ?? FieldsSchema(entity.Mapping));
        var answer = described?.ResponseSchema is { } response ? Schema(response) : new OpenApiSchema();
        var summary = entity.Mapping["name"] is JsonValue title && title.TryGetValue(out string? text) ? text : name;
        var description = Description(instance, entity);
        var operationId = $"{system.Reference}.{name}";

        OpenApiOperation Operation(string method) => new()
        {
            OperationId = $"{operationId}.{method}",
            Summary = summary,
            Description = description,
            Tags = new HashSet<OpenApiTagReference> { new(system.Reference, document) },
            Parameters = [OptionsParameter()],
            Responses = Responses(document, instance, entity, answer),
            Security = Security(document, instance, entity),
        };

        var post = Operation("post");
        post.RequestBody = new OpenApiRequestBody { Description = "The call's data.", Content = Json(input) };
        var get = Operation("get");
        get.Parameters!.Insert(0, new OpenApiParameter
        {
            Name = "data",
            In = ParameterLocation.Query,
            Description = "The call's data as JSON.",
            Content = Json(input),
        });
        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Post] = post, [HttpMethod.Get] = get },
        };
    }

    /// <summary>The entity's description, with who may call it.</summary>
    private static string Description(InstanceDefinition instance, EntityDefinition entity)
    {
        var text = entity.Mapping["description"] is JsonValue value && value.TryGetValue(out string? written) ? written + "\n\n" : "";
        var who = entity.Roles.Count > 0
            ? $"Callers need one of the roles: {string.Join(", ", entity.Roles)}."
            : instance.Access.AllowsAnonymous ? "Anyone may call it." : "Any authenticated caller may call it.";
        return text + who;
    }

    private static OpenApiResponses Responses(OpenApiDocument document, InstanceDefinition instance, EntityDefinition entity, IOpenApiSchema answer)
    {
        var responses = new OpenApiResponses
        {
            ["200"] = new OpenApiResponse { Description = "The processor's answer.", Content = Json(answer) },
        };
        var errors = _errors.AsEnumerable();
        if (instance.Access.AuthenticatesUsers)
        {
            errors = errors.Append(_unauthenticated);
        }
        if (entity.Roles.Count > 0)
        {
            errors = errors.Append(_forbidden);
        }
        foreach (var (status, name, _) in errors.OrderBy(e => e.Status, StringComparer.Ordinal))
        {
            responses[status] = new OpenApiResponseReference(name, document);
        }
        return responses;
    }

    /// <summary>
    /// Who may call: nothing when the instance authenticates nobody; else basic or bearer (either), and also no
    /// credentials at all where anonymous callers may call the entity.
    /// </summary>
    private static List<OpenApiSecurityRequirement>? Security(OpenApiDocument document, InstanceDefinition instance, EntityDefinition entity)
    {
        var schemes = document.Components!.SecuritySchemes!;
        if (schemes.Count == 0)
        {
            return null;
        }
        var requirements = schemes.Keys
            .Select(scheme => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, document)] = [] })
            .ToList();
        if (instance.Access.AllowsAnonymous && entity.Roles.Count == 0)
        {
            requirements.Insert(0, new OpenApiSecurityRequirement());
        }
        return requirements;
    }

    private static Dictionary<string, IOpenApiSecurityScheme> SecuritySchemes(InstanceDefinition instance)
    {
        var schemes = new Dictionary<string, IOpenApiSecurityScheme>();
        if (instance.Access.UsersFile is not null)
        {
            schemes[BasicScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "basic",
                Description = "A user id and password from the instance's users file.",
            };
        }
        if (instance.Access.AcceptsBearerTokens)
        {
            schemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT the instance's jwt settings accept; its roles claim carries the roles.",
            };
        }
        return schemes;
    }

    private static OpenApiParameter OptionsParameter() => new()
    {
        Name = "options",
        In = ParameterLocation.Query,
        Description = "The call's options as JSON, handed to the processor as they are.",
        Content = Json(new OpenApiSchema { Type = JsonSchemaType.Object }),
    };

    /// <summary>The one error shape, JsonOutput's.</summary>
    private static OpenApiSchema ErrorShape() => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "status", "errorMessage", "traceId" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["status"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer,
                Description = "Datahub's message status: 20 general error, 21 message not found, 22 message invalid, "
                    + "23 system not found, 24 entity not found, 25 data invalid, 26 timed out.",
            },
            ["errorMessage"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Finds the request's lines in the host log." },
        },
    };

    /// <summary>
    /// The input of a processor that does not describe it: an object of the entity's <c>fields</c> (Datahub field
    /// definitions), or any object.
    /// </summary>
    internal static JsonObject FieldsSchema(JsonObject mapping)
    {
        if (mapping["fields"] is not JsonArray fields)
        {
            return new JsonObject { ["type"] = "object", ["description"] = "Any JSON object: the processor does not describe its input." };
        }
        var properties = new JsonObject();
        foreach (var field in fields.OfType<JsonObject>())
        {
            if ((Text(field, "reference") ?? Text(field, "name")) is not { } reference)
            {
                continue;
            }
            properties[reference] = InputSchemas.Field(
                Text(field, "type") ?? "string", Number(field, "length"), Number(field, "precision"), Number(field, "scale"), field["default"])
                ?? new JsonObject();
        }
        return new JsonObject { ["type"] = "object", ["properties"] = properties };
    }

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    private static int? Number(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue(out int number) ? number : null;

    private static OpenApiSchema Schema(JsonObject schema) =>
        schema.Deserialize<OpenApiSchema>(_schemaReader) ?? new OpenApiSchema();

    private static Dictionary<string, IOpenApiMediaType> Json(IOpenApiSchema schema) =>
        new() { ["application/json"] = new OpenApiMediaType { Schema = schema } };
}
