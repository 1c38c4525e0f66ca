using System.Net;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace DataHub.Pages.Tests;

/// <summary>Fetches an instance's OpenAPI document and checks it with Microsoft.OpenApi's reader and validation rules.</summary>
internal static class OpenApiDocuments
{
    public static string PathOf(string instance) => $"_openapi/{instance}.json";

    /// <summary>The document as JSON, after asserting it answered 200 and <see cref="AssertValid"/>.</summary>
    public static async Task<JsonObject> FetchValidAsync(HttpClient client, string instance)
    {
        using var response = await client.GetAsync(PathOf(instance));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        AssertValid(text);
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Asserts the text reads as OpenAPI 3.1 and has no <see cref="Problems"/>.</summary>
    public static void AssertValid(string text) => Assert.That(Problems(text), Is.Empty);

    /// <summary>
    /// Every error and warning from reading <paramref name="text"/> as OpenAPI 3.1 and walking it with every default
    /// validation rule; a document of another version, and a local <c>$ref</c> that points at nothing (which the rules
    /// do not check), are problems too.
    /// </summary>
    public static IReadOnlyList<string> Problems(string text)
    {
        var (document, diagnostic) = OpenApiDocument.Parse(text, "json", new OpenApiReaderSettings());
        var problems = new List<string>();
        problems.AddRange(diagnostic!.Errors.Select(e => $"reading error: {e}"));
        problems.AddRange(diagnostic.Warnings.Select(e => $"reading warning: {e}"));
        if (diagnostic.SpecificationVersion != OpenApiSpecVersion.OpenApi3_1)
        {
            problems.Add($"read as {diagnostic.SpecificationVersion}, not OpenAPI 3.1");
        }
        if (document is null)
        {
            return [.. problems, "no document"];
        }
        var validator = new OpenApiValidator(ValidationRuleSet.GetDefaultRuleSet());
        new OpenApiWalker(validator).Walk(document);
        problems.AddRange(validator.Errors.Select(e => $"validation error: {e}"));
        problems.AddRange(validator.Warnings.Select(e => $"validation warning: {e}"));
        var json = JsonNode.Parse(text)!;
        problems.AddRange(References(json).Where(reference => Resolve(json, reference) is null).Select(r => $"dangling $ref {r}"));
        return problems;
    }

    private static IEnumerable<string> References(JsonNode? node) => node switch
    {
        JsonObject json => json.SelectMany(member => member is { Key: "$ref", Value: JsonValue value } && value.TryGetValue(out string? target)
            ? [target]
            : References(member.Value)),
        JsonArray array => array.SelectMany(References),
        _ => [],
    };

    /// <summary>The node a local reference (<c>#/a/b</c>) points at, or null.</summary>
    private static JsonNode? Resolve(JsonNode root, string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            return null;
        }
        var node = root;
        foreach (var segment in reference[2..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)))
        {
            node = node is JsonObject json ? json[segment] : null;
        }
        return node;
    }
}
