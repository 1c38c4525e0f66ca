using System.Net;
using System.Text.Json.Nodes;
using DataHub.ExecuteSql.Tests.Support;
using DataHub.Plugins;
using DataHub.Testing;

namespace DataHub.ExecuteSql.Tests;

/// <summary>The shipped sample, served by the real host from a fresh copy of schema/, as a new clone would run it.</summary>
public sealed class SampleEndToEndTests : HostFixture
{
    protected override Task WriteSchemaAsync(TempDirectory schema)
    {
        schema.CopyShippedSample();
        return Task.CompletedTask;
    }

    [Test]
    public void The_first_run_creates_the_sample_database_in_the_instance_folder()
    {
        Assert.That(File.Exists(Path.Combine(Schema.Path, "product", "data", "product.db")), Is.True);
    }

    [Test]
    public async Task The_readmes_curl_answers_with_exactly_the_documented_row()
    {
        using var response = await Host.PostJsonAsync("/product/services/get_product", TestSchema.DoorRequest);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""[{"product_id":"1058150103","price":23.47}]"""));
    }

    [Test]
    public async Task The_door_query_also_takes_its_data_from_the_url()
    {
        using var response = await Host.Client.GetAsync("product/services/get_product?data=" + Uri.EscapeDataString(TestSchema.DoorRequest));

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""[{"product_id":"1058150103","price":23.47}]"""));
    }

    [Test]
    public async Task The_sample_command_adds_an_order_and_answers_status_10()
    {
        using var response = await Host.PostJsonAsync("/product/services/add_order", """{"product_id":"1058150103","quantity":2}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"status":10,"rowsAffected":1}"""));
    }

    [Test]
    public async Task The_sample_batch_adds_every_order_of_an_array()
    {
        using var response = await Host.PostJsonAsync("/product/services/add_order",
            """[{"product_id":"1058150103","quantity":1},{"product_id":"1058150201","quantity":4},{"product_id":"1058150302"}]""");

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"status":10,"rowsAffected":3}"""));
    }

    [Test]
    public async Task A_batch_with_a_refused_element_is_a_400_naming_the_element()
    {
        using var response = await Host.PostJsonAsync("/product/services/add_order",
            """[{"product_id":"1058150103","quantity":1},{"product_id":"1058150201","quantity":0}]""");

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Is.EqualTo("data[1]: SQLite Error 19: 'CHECK constraint failed: quantity > 0'."));
        Assert.That(body["traceId"]!.GetValue<string>(), Is.Not.Empty);
    }

    [Test]
    public async Task A_value_longer_than_its_parameter_is_a_400_with_status_25_naming_the_parameter()
    {
        var tooLong = TestSchema.DoorRequest.Replace("Aspire", new string('x', 256), StringComparison.Ordinal);

        using var response = await Host.PostJsonAsync("/product/services/get_product", tooLong);

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Is.EqualTo("parameter 'range' is longer than its length of 255 characters."));
    }

    [Test]
    public async Task The_sample_overview_answers_both_of_its_result_sets_in_one_object()
    {
        using var orders = await Host.PostJsonAsync("/product/services/add_order",
            """[{"product_id":"1058150105","quantity":2},{"product_id":"1058150105","quantity":3}]""");
        Assert.That(orders.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        using var response = await Host.PostJsonAsync("/product/services/product_overview", """{"product_id":"1058150105"}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(
            """{"resultSets":[[{"product_id":"1058150105","range":"Aspire","style":"Ascot","colour":"Brown Grey Avola","component":"Drawer","price":15.95}],[{"orders":2,"quantity":5}]],"outputs":{}}"""));
    }
}

/// <summary>An instance on PostgreSQL, served by the real host, including what happens when the database is down.</summary>
public sealed class PostgreSqlEndToEndTests : HostFixture
{
    protected override async Task WriteSchemaAsync(TempDirectory schema)
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        await using (var setup = await TestInstanceOn(connectionString))
        {
            await setup.ExecuteAsync(TestSchema.Doors(DataStoreProviders.PostgreSql));
        }
        WriteInstance(schema, "shop", connectionString);
        WriteInstance(schema, "down", $"Host=127.0.0.1;Port={Ports.Free()};Username=postgres;Password=s3cret;Timeout=3");
    }

    [Test]
    public async Task The_door_query_answers_from_postgresql()
    {
        using var response = await Host.PostJsonAsync("/shop/services/get_product", TestSchema.DoorRequest);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""[{"product_id":"1058150103","price":23.47}]"""));
    }

    [Test]
    public async Task A_batch_is_committed_on_postgresql()
    {
        using var response = await Host.PostJsonAsync("/shop/services/add_order",
            """[{"product_id":"a","quantity":1},{"product_id":"b","quantity":2}]""");

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"status":10,"rowsAffected":2}"""));
    }

    [Test]
    public async Task A_batch_of_ten_thousand_rows_is_one_call()
    {
        var orders = string.Join(",", Enumerable.Range(0, 10_000).Select(i => $$"""{"product_id":"{{1058150000 + i}}","quantity":{{1 + (i % 9)}}}"""));

        using var response = await Host.PostJsonAsync("/shop/services/add_order", $"[{orders}]");

        var text = await response.Content.ReadAsStringAsync();
        Assert.That(text, Is.EqualTo("""{"status":10,"rowsAffected":10000}"""), string.Join("\n", Host.Log.Entries.Select(e => e.ToString())));
    }

    [Test]
    public async Task A_constraint_violation_is_a_400_with_status_25()
    {
        using var response = await Host.PostJsonAsync("/shop/services/add_order", """{"product_id":"a","quantity":0}""");

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Does.Contain("violates check constraint"));
    }

    [Test]
    public async Task An_unreachable_database_is_a_503_with_status_20_and_no_connection_details()
    {
        using var response = await Host.PostJsonAsync("/down/services/get_product", TestSchema.DoorRequest);

        var text = await response.Content.ReadAsStringAsync();
        var body = JsonNode.Parse(text)!;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Is.EqualTo("The data store 'database' cannot be reached."));
        Assert.That(text, Does.Not.Contain("s3cret").And.Not.Contain("127.0.0.1"));
    }

    private static void WriteInstance(TempDirectory schema, string name, string connectionString)
    {
        schema.Write($"{name}/instance.json", new JsonObject
        {
            ["dataStores"] = new JsonObject
            {
                ["database"] = new JsonObject { ["provider"] = "postgresql", ["connectionString"] = connectionString },
            },
            ["auth"] = new JsonObject { ["anonymous"] = true },
        }.ToJsonString());
        schema.Write($"{name}/services.json", $$"""
            {
              "reference": "services",
              "entities": {
                "get_product": { "execute": true, "processor": "ExecuteSql", "processorConfig": {{TestSchema.DoorQuery}} },
                "add_order": { "execute": true, "processor": "com.datahub.metrici.ExecuteSQLPlugIn", "processorConfig": {{TestSchema.AddOrder}} }
              }
            }
            """);
    }

    private static Task<TestInstance> TestInstanceOn(string connectionString) =>
        TestInstance.OnConnectionStringAsync(DataStoreProviders.PostgreSql, connectionString);
}
