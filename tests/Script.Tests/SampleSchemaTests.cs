using System.Net;
using System.Text.Json.Nodes;
using DataHub.Testing;

namespace DataHub.Script.Tests;

/// <summary>The Script samples of the repository's schema/, served as shipped (from a copy: the host writes its SQLite file there).</summary>
public sealed class SampleSchemaTests : HostFixture
{
    protected override Task WriteSchemaAsync(TempDirectory schema)
    {
        schema.CopyShippedSample();
        return Task.CompletedTask;
    }

    [Test]
    public async Task The_hello_sample_answers_the_reference_hello_world_over_HTTP()
    {
        using var response = await Host.PostJsonAsync("/product/services/hello", "{}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"message":"Hello world"}"""));
    }

    [Test]
    public async Task The_greet_sample_answers_201_with_its_headers_and_text()
    {
        using var response = await Host.PostJsonAsync("/product/services/greet", """{"name": "  Ada "}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo("text/plain; charset=utf-8"));
        Assert.That(response.Headers.GetValues("X-Greeting"), Is.EqualTo(new[] { "Hello" }));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Hello, Ada!"));
    }

    [Test]
    public async Task The_greet_sample_without_a_name_answers_400_with_status_25()
    {
        using var response = await Host.PostJsonAsync("/product/services/greet", "{}");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(25));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Is.EqualTo("""Give a name to greet: {"name": "Ada"}"""));
    }

    [Test]
    public async Task The_quote_sample_answers_with_modern_async_javascript()
    {
        using var response = await Host.PostJsonAsync("/product/services/quote", """{"lines": [{"sku": "door-7", "qty": 2, "price": 120}, {"sku": "hinge", "qty": 4}]}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(
            """{"currency":"EUR","total":258,"lines":[{"qty":2,"sku":"door-7","price":120},{"qty":4,"sku":"hinge","price":4.5}]}"""));
    }

    [Test]
    public async Task The_quote_sample_without_lines_answers_400_with_status_25()
    {
        using var response = await Host.PostJsonAsync("/product/services/quote", "{}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task The_greet_sample_reads_its_data_from_the_URL_too()
    {
        using var response = await Host.Client.GetAsync("product/services/greet?data=%7B%22name%22%3A%22Grace%22%7D");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Hello, Grace!"));
    }
}
