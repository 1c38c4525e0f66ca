using System.Net;
using System.Text.Json.Nodes;
using DataHub.ExecuteSql.Tests.Support;
using DataHub.Plugins;
using DataHub.Testing;

namespace DataHub.ExecuteSql.Tests;

/// <summary>Stored procedures, refcursors and rows from writes on PostgreSQL, served by the real host over HTTP.</summary>
public sealed class ProcedureEndToEndTests : HostFixture
{
    private TestInstance? _database;

    private TestInstance Database => _database ?? throw new InvalidOperationException("Made in WriteSchemaAsync.");

    protected override async Task WriteSchemaAsync(TempDirectory schema)
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        _database = await TestInstance.OnConnectionStringAsync(DataStoreProviders.PostgreSql, connectionString);
        await Database.ExecuteAsync(TestSchema.Doors(DataStoreProviders.PostgreSql));
        await Database.ExecuteAsync("""
            CREATE PROCEDURE price_with_tax(wanted text, INOUT rate numeric, OUT price numeric, OUT priced_on date)
              LANGUAGE plpgsql AS $$
              BEGIN
                SELECT round(p.price * (1 + rate / 100), 2), DATE '2024-02-29' INTO price, priced_on FROM door_prices p WHERE p.product_id = wanted;
              END
              $$;
            CREATE FUNCTION colour_cursors(wanted text) RETURNS SETOF refcursor LANGUAGE plpgsql AS $$
              DECLARE matching refcursor; others refcursor;
              BEGIN
                OPEN matching FOR SELECT product_id FROM door_prices WHERE colour = wanted ORDER BY product_id;
                RETURN NEXT matching;
                OPEN others FOR SELECT product_id FROM door_prices WHERE colour <> wanted AND false;
                RETURN NEXT others;
              END
              $$;
            """);
        schema.Write("shop/instance.json", new JsonObject
        {
            ["dataStores"] = new JsonObject
            {
                ["database"] = new JsonObject { ["provider"] = "postgresql", ["connectionString"] = connectionString },
            },
            ["auth"] = new JsonObject { ["anonymous"] = true },
        }.ToJsonString());
        schema.Write("shop/services.json", """
            {
              "reference": "services",
              "entities": {
                "price_with_tax": {
                  "execute": true,
                  "processor": "ExecuteSql",
                  "processorConfig": {
                    "sql": "call price_with_tax(?, ?, null, null)",
                    "parameters": [
                      { "reference": "product_id", "type": "string", "length": 20 },
                      { "reference": "rate", "type": "decimal", "precision": 5, "scale": 2, "direction": "inout" },
                      { "reference": "price", "type": "decimal", "direction": "out" },
                      { "reference": "priced_on", "type": "date", "direction": "out" }
                    ]
                  }
                },
                "colour_cursors": {
                  "execute": true,
                  "processor": "ExecuteSql",
                  "processorConfig": {
                    "sql": "select * from colour_cursors(?)",
                    "resultSets": "all",
                    "parameters": [{ "reference": "colour", "type": "string" }]
                  }
                },
                "add_orders": {
                  "execute": true,
                  "processor": "ExecuteSql",
                  "processorConfig": {
                    "sql": "insert into door_orders (product_id, quantity) values (?, ?) returning product_id, quantity",
                    "execute": true,
                    "returnRows": true,
                    "parameters": [
                      { "reference": "product_id", "type": "string", "length": 20 },
                      { "reference": "quantity", "type": "integer" }
                    ]
                  }
                }
              }
            }
            """);
    }

    [OneTimeTearDown]
    public async Task DisposeDatabase()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [SetUp]
    public Task EmptyOrders() => Database.ExecuteAsync("DELETE FROM door_orders");

    [Test]
    public async Task A_procedure_call_answers_its_inout_and_out_values_by_reference_name()
    {
        using var response = await Host.PostJsonAsync("/shop/services/price_with_tax", """{"product_id":"1058150103","rate":20}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(
            """{"resultSets":[],"outputs":{"rate":20,"price":28.16,"priced_on":"2024-02-29"}}"""));
    }

    [Test]
    public async Task Refcursors_come_back_as_result_sets()
    {
        using var response = await Host.PostJsonAsync("/shop/services/colour_cursors", """{"colour":"White"}""");

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(
            """{"resultSets":[[{"product_id":"1058150105"}],[]],"outputs":{}}"""));
    }

    [Test]
    public async Task A_returning_batch_answers_every_inserted_row_in_order()
    {
        using var response = await Host.PostJsonAsync("/shop/services/add_orders",
            """[{"product_id":"a","quantity":1},{"product_id":"b","quantity":2}]""");

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(
            """[{"product_id":"a","quantity":1},{"product_id":"b","quantity":2}]"""));
        Assert.That(await Database.CountAsync("door_orders"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_returning_batch_whose_fourth_element_fails_is_a_400_and_leaves_nothing_written()
    {
        using var response = await Host.PostJsonAsync("/shop/services/add_orders",
            """[{"product_id":"a","quantity":1},{"product_id":"b","quantity":2},{"product_id":"c","quantity":3},{"product_id":"d","quantity":0}]""");

        var text = await response.Content.ReadAsStringAsync();
        var body = JsonNode.Parse(text)!;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Does.StartWith("data[3]: ").And.Contain("violates check constraint"));
        Assert.That(text, Does.Not.Contain("\"product_id\""), "no row of the rolled-back batch is answered");
        Assert.That(await Database.CountAsync("door_orders"), Is.EqualTo(0));
    }
}
