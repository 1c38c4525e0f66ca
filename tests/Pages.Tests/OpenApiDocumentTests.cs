using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DataHub.Testing;

namespace DataHub.Pages.Tests;

/// <summary>The per-instance OpenAPI documents, read back and validated with Microsoft.OpenApi.</summary>
public sealed class OpenApiDocumentTests
{
    [Test]
    public async Task Every_instance_of_the_shipped_sample_has_a_valid_document_listing_its_execute_entities()
    {
        using var schema = new TempDirectory();
        schema.CopyShippedSample();
        await using var host = await RunningHost.StartAsync(schema.Path);

        var product = await OpenApiDocuments.FetchValidAsync(host.Client, "product");
        Assert.That(Paths(product), Is.SupersetOf(new[]
        {
            "/product/services/hello", "/product/services/greet", "/product/services/get_product", "/product/services/add_order",
        }));
        var organisations = await OpenApiDocuments.FetchValidAsync(host.Client, "organisations");
        Assert.That(Paths(organisations), Does.Contain("/organisations/org/create_org"));
        var shop = await OpenApiDocuments.FetchValidAsync(host.Client, "shop");
        Assert.That(Paths(shop), Is.Not.Empty);
    }

    [Test]
    public async Task A_schema_with_every_processor_has_a_valid_document_with_each_entity_as_a_post_and_a_get()
    {
        await using var every = await EveryProcessorHost.StartAsync();

        var document = await OpenApiDocuments.FetchValidAsync(every.Host.Client, "every");

        Assert.That(document["openapi"]!.GetValue<string>(), Does.StartWith("3.1"));
        Assert.That(Paths(document), Is.EquivalentTo(new[]
        {
            "/every/all/typed", "/every/all/add", "/every/all/raw", "/every/all/script", "/every/all/action", "/every/all/echo",
            "/every/all/echo_fields",
        }), "execute entities only");
        var typed = document["paths"]!["/every/all/typed"]!;
        Assert.That(typed["post"]!["requestBody"]!["content"]!["application/json"], Is.Not.Null);
        var data = typed["get"]!["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "data")!;
        Assert.That(data["in"]!.GetValue<string>(), Is.EqualTo("query"));
        Assert.That(data["content"]!["application/json"]!["schema"]!.ToJsonString(),
            Is.EqualTo(typed["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!.ToJsonString()),
            "GET's data parameter takes what POST's body takes");
    }

    [Test]
    public async Task Request_schemas_carry_the_ExecuteSql_parameter_types_lengths_digits_and_defaults()
    {
        await using var every = await EveryProcessorHost.StartAsync();
        var document = await OpenApiDocuments.FetchValidAsync(every.Host.Client, "every");

        var input = RequestSchema(document, "/every/all/typed");
        var element = input["anyOf"]![0]!;
        Assert.That(input["anyOf"]![1]!["type"]!.GetValue<string>(), Is.EqualTo("array"), "a batch is an array of the same objects");
        var properties = element["properties"]!;
        Assert.Multiple(() =>
        {
            Assert.That(Types(properties["s"]!), Is.EquivalentTo(new[] { "string", "null" }));
            Assert.That(properties["s"]!["maxLength"]!.GetValue<int>(), Is.EqualTo(12));
            Assert.That(properties["i"]!["format"]!.GetValue<string>(), Is.EqualTo("int32"));
            Assert.That(properties["i"]!["default"]!.GetValue<int>(), Is.EqualTo(7));
            Assert.That(properties["si"]!["format"]!.GetValue<string>(), Is.EqualTo("int16"));
            Assert.That(properties["bi"]!["format"]!.GetValue<string>(), Is.EqualTo("int64"));
            Assert.That(Types(properties["d"]!), Does.Contain("number"));
            Assert.That(properties["d"]!["format"]!.GetValue<string>(), Is.EqualTo("double"));
            Assert.That(properties["m"]!["format"]!.GetValue<string>(), Is.EqualTo("decimal"));
            Assert.That(properties["m"]!["exclusiveMaximum"]!.GetValue<decimal>(), Is.EqualTo(1000m), "decimal(5, 2) stays below 1000");
            Assert.That(properties["m"]!["description"]!.GetValue<string>(), Is.EqualTo("decimal(5, 2)"));
            Assert.That(Types(properties["b"]!), Does.Contain("boolean"));
            Assert.That(properties["day"]!["format"]!.GetValue<string>(), Is.EqualTo("date"));
            Assert.That(properties["at"]!["format"]!.GetValue<string>(), Is.EqualTo("date-time"));
        });

        var command = SuccessSchema(document, "/every/all/add");
        Assert.That(command["properties"]!["rowsAffected"]!["type"]!.GetValue<string>(), Is.EqualTo("integer"), "a command answers its status");
        Assert.That(SuccessSchema(document, "/every/all/typed")["type"]!.GetValue<string>(), Is.EqualTo("array"), "a query answers rows");
        Assert.That(RequestSchema(document, "/every/all/raw")["required"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { "sql" }));
    }

    [Test]
    public async Task Actions_input_declarations_fields_and_undescribed_plugins_give_the_request_schemas()
    {
        await using var every = await EveryProcessorHost.StartAsync();
        var document = await OpenApiDocuments.FetchValidAsync(every.Host.Client, "every");

        var action = RequestSchema(document, "/every/all/action");
        Assert.Multiple(() =>
        {
            Assert.That(action["required"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { "name" }));
            Assert.That(action["properties"]!["name"]!["maxLength"]!.GetValue<int>(), Is.EqualTo(40));
            Assert.That(action["properties"]!["size"]!["maximum"]!.GetValue<int>(), Is.EqualTo(9));
            Assert.That(action["properties"]!["kind"]!["enum"]!.AsArray().Select(v => v?.GetValue<string>()), Is.EqualTo(new[] { "a", "b", null }));
        });

        var fields = RequestSchema(document, "/every/all/echo_fields");
        Assert.That(fields["properties"]!["code"]!["maxLength"]!.GetValue<int>(), Is.EqualTo(3), "the entity's fields describe a plug-in that does not");
        Assert.That(fields["properties"]!["count"]!["format"]!.GetValue<string>(), Is.EqualTo("int32"));

        var open = RequestSchema(document, "/every/all/echo");
        Assert.That(open["type"]!.GetValue<string>(), Is.EqualTo("object"));
        Assert.That(open["properties"], Is.Null, "any object");
        Assert.That(RequestSchema(document, "/every/all/script")["properties"], Is.Null, "Script does not describe its input");
    }

    [Test]
    public async Task Every_error_answer_is_the_one_error_shape_and_security_follows_the_instance()
    {
        await using var every = await EveryProcessorHost.StartAsync();
        var document = await OpenApiDocuments.FetchValidAsync(every.Host.Client, "every");

        var error = document["components"]!["schemas"]!["Error"]!;
        Assert.That(error["required"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EquivalentTo(new[] { "status", "errorMessage", "traceId" }));
        var raw = document["paths"]!["/every/all/raw"]!["post"]!;
        foreach (var (status, answer) in raw["responses"]!.AsObject().Where(r => r.Key != "200"))
        {
            var reference = answer!["$ref"]!.GetValue<string>();
            var shared = document["components"]!["responses"]![reference.Split('/')[^1]]!;
            Assert.That(shared["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>(),
                Is.EqualTo("#/components/schemas/Error"), $"the {status} answer");
        }
        Assert.That(raw["responses"]!.AsObject().Select(r => r.Key), Is.SupersetOf(new[] { "400", "401", "403", "404", "500", "504" }));

        var schemes = document["components"]!["securitySchemes"]!;
        Assert.That(schemes["basic"]!["scheme"]!.GetValue<string>(), Is.EqualTo("basic"));
        Assert.That(schemes["bearer"]!["scheme"]!.GetValue<string>(), Is.EqualTo("bearer"));
        Assert.That(raw["description"]!.GetValue<string>(), Does.Contain("roles: admin"));
        Assert.That(raw["security"]!.AsArray().Any(r => r!.AsObject().Count == 0), Is.False, "a role entity needs credentials");
        var open = document["paths"]!["/every/all/echo"]!["post"]!;
        Assert.That(open["security"]!.AsArray().Any(r => r!.AsObject().Count == 0), Is.True, "anonymous callers may call an open entity");
        Assert.That(open["responses"]!["403"], Is.Null, "no role, no 403");
    }

    [Test]
    public async Task A_closed_instance_gives_its_document_to_authenticated_callers_only()
    {
        await using var every = await EveryProcessorHost.StartAsync();

        using (var anonymous = await every.Host.Client.GetAsync(OpenApiDocuments.PathOf("closed")))
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(anonymous.Headers.WwwAuthenticate.ToString(), Does.StartWith("Basic"));
            var body = JsonNode.Parse(await anonymous.Content.ReadAsStringAsync())!;
            Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(20));
            Assert.That(body["traceId"], Is.Not.Null, "the one error shape");
        }
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, OpenApiDocuments.PathOf("closed")))
        {
            wrong.Headers.Authorization = Basic(EveryProcessorSchema.User, "not-the-password");
            using var refused = await every.Host.Client.SendAsync(wrong);
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, OpenApiDocuments.PathOf("closed"));
        request.Headers.Authorization = Basic(EveryProcessorSchema.User, EveryProcessorSchema.Password);
        using var allowed = await every.Host.Client.SendAsync(request);
        var text = await allowed.Content.ReadAsStringAsync();
        Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        OpenApiDocuments.AssertValid(text);
        var document = JsonNode.Parse(text)!;
        Assert.That(document["paths"]!["/closed/echo"]!["post"]!["description"]!.GetValue<string>(), Does.Contain("Any authenticated caller"));

        using var unknown = await every.Host.Client.GetAsync(OpenApiDocuments.PathOf("nowhere"));
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        var index = await every.Host.Client.GetStringAsync("_reference/");
        Assert.That(index, Does.Contain("_openapi/every.json"), "the reference index offers the open instance");
        Assert.That(index, Does.Not.Contain("closed"), "and never names the closed one");
    }

    [Test]
    public async Task The_validation_finds_what_breaks_a_document()
    {
        using var schema = new TempDirectory();
        schema.CopyShippedSample();
        await using var host = await RunningHost.StartAsync(schema.Path);
        var document = await OpenApiDocuments.FetchValidAsync(host.Client, "product");

        var withoutVersion = document.DeepClone().AsObject();
        withoutVersion["info"]!.AsObject().Remove("version");
        var danglingAnswer = document.DeepClone().AsObject();
        danglingAnswer["components"]!["responses"]!.AsObject().Remove("NotFound");

        Assert.That(OpenApiDocuments.Problems(withoutVersion.ToJsonString()), Is.Not.Empty, "info.version is required");
        Assert.That(OpenApiDocuments.Problems(danglingAnswer.ToJsonString()), Is.Not.Empty, "a reference to a missing answer");
    }

    [Test]
    public async Task The_document_follows_a_schema_reload()
    {
        using var schema = new TempDirectory();
        schema.CopyShippedSample();
        await using var host = await RunningHost.StartAsync(schema.Path);
        Assert.That(Paths(await OpenApiDocuments.FetchValidAsync(host.Client, "product")), Does.Not.Contain("/product/extra/count_orders"));

        schema.Write("product/extra.json", """
            {"entities": {"count_orders": {"name": "Count orders", "execute": true, "processor": "ExecuteSql",
              "processorConfig": {"sql": "select count(*) as n from door_orders where quantity >= ?",
                                  "parameters": [{"reference": "least", "type": "smallint", "default": 1}]}}}}
            """);

        Assert.That(await Eventually.TrueAsync(
            async () => Paths(await OpenApiDocuments.FetchValidAsync(host.Client, "product")).Contains("/product/extra/count_orders"),
            TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(200)), Is.True, "the new entity is documented");
        var document = await OpenApiDocuments.FetchValidAsync(host.Client, "product");
        var least = RequestSchema(document, "/product/extra/count_orders")["anyOf"]![0]!["properties"]!["least"]!;
        Assert.That(least["format"]!.GetValue<string>(), Is.EqualTo("int16"));
    }

    private static List<string> Paths(JsonObject document) => [.. document["paths"]!.AsObject().Select(p => p.Key)];

    private static JsonNode RequestSchema(JsonObject document, string path) =>
        document["paths"]![path]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;

    private static JsonNode SuccessSchema(JsonObject document, string path) =>
        document["paths"]![path]!["post"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!;

    private static string[] Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray types => [.. types.Select(t => t!.GetValue<string>())],
        var single => [single!.GetValue<string>()],
    };

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
