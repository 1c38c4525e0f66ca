using DataHub.ExecuteSql.Tests.Support;
using DataHub.Plugins;

namespace DataHub.ExecuteSql.Tests;

/// <summary>Several result sets and rows from writes, on real SQLite and PostgreSQL, and the answers they keep unchanged.</summary>
[TestFixture(DataStoreProviders.Sqlite)]
[TestFixture(DataStoreProviders.PostgreSql)]
public sealed class ResultShapeTests(string provider) : ProviderFixture(provider)
{
    private const string AddOrderReturning = """
        {
          "sql": "insert into door_orders (product_id, quantity) values (?, ?) returning product_id, quantity",
          "execute": true,
          "returnRows": true,
          "parameters": [{ "reference": "product_id", "type": "string", "length": 20 }, { "reference": "quantity", "type": "integer" }]
        }
        """;

    [SetUp]
    public Task EmptyOrders() => Instance.ExecuteAsync("DELETE FROM door_orders");

    [Test]
    public async Task All_result_sets_answer_three_sets_in_order_an_empty_one_included()
    {
        var context = await Instance.RunAsync("""
            {
              "sql": "select product_id from door_prices where colour = ? order by product_id; select product_id from door_prices where 1 = 0; select count(*) as doors from door_prices where range = ?",
              "resultSets": "all",
              "parameters": [{ "reference": "colour", "type": "string" }, { "reference": "range", "type": "string" }]
            }
            """, """{"colour":"Brown Grey Avola","range":"Aspire"}""");

        Assert.That(context.ResponseJson(), Is.EqualTo(
            """{"resultSets":[[{"product_id":"1058150103"},{"product_id":"1058150104"}],[],[{"doors":3}]],"outputs":{}}"""));
    }

    [Test]
    public async Task All_result_sets_skip_statements_without_columns_and_answer_two_sets()
    {
        await Instance.ExecuteAsync("INSERT INTO door_orders (product_id, quantity) VALUES ('a', 1), ('b', 2)");

        var context = await Instance.RunAsync("""
            {
              "sql": "select count(*) as orders_before from door_orders; delete from door_orders where product_id = ?; select product_id, quantity from door_orders",
              "resultSets": "all",
              "parameters": [{ "reference": "product_id", "type": "string" }]
            }
            """, """{"product_id":"a"}""");

        Assert.That(context.ResponseJson(), Is.EqualTo(
            """{"resultSets":[[{"orders_before":2}],[{"product_id":"b","quantity":2}]],"outputs":{}}"""));
    }

    [Test]
    public async Task Without_result_set_options_several_statements_still_answer_the_first_set_as_rows()
    {
        var context = await Instance.RunAsync(
            """{ "sql": "select 1 as one; select 2 as two" }""", null);

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"one":1}]"""));
    }

    [Test]
    public async Task A_command_with_return_rows_answers_the_rows_it_inserted_instead_of_status_10()
    {
        var context = await Instance.RunAsync(AddOrderReturning, """{"product_id":"a","quantity":3}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"product_id":"a","quantity":3}]"""));
        Assert.That(await Instance.CountAsync("door_orders"), Is.EqualTo(1));
    }

    [Test]
    public async Task An_update_with_return_rows_answers_every_row_it_changed()
    {
        await Instance.ExecuteAsync("INSERT INTO door_orders (product_id, quantity) VALUES ('a', 1), ('a', 2), ('b', 5)");

        var context = await Instance.RunAsync("""
            {
              "sql": "update door_orders set quantity = quantity + 10 where product_id = ? returning quantity",
              "execute": true,
              "returnRows": true,
              "parameters": [{ "reference": "product_id", "type": "string" }]
            }
            """, """{"product_id":"a"}""");

        Assert.That(context.Rows().Select(row => row!["quantity"]!.ToJsonString()).Order(), Is.EqualTo(new[] { "11", "12" }));
    }

    [Test]
    public async Task A_batch_with_return_rows_answers_every_elements_rows_in_order()
    {
        var context = await Instance.RunAsync(AddOrderReturning,
            """[{"product_id":"a","quantity":1},{"product_id":"b","quantity":2},{"product_id":"c","quantity":3}]""");

        Assert.That(context.ResponseJson(), Is.EqualTo(
            """[{"product_id":"a","quantity":1},{"product_id":"b","quantity":2},{"product_id":"c","quantity":3}]"""));
        Assert.That(await Instance.CountAsync("door_orders"), Is.EqualTo(3));
    }

    [Test]
    public async Task A_batch_whose_fourth_element_fails_returns_nothing_and_writes_nothing()
    {
        var context = await Instance.RunAsync(AddOrderReturning,
            """[{"product_id":"a","quantity":1},{"product_id":"b","quantity":2},{"product_id":"c","quantity":3},{"product_id":"d","quantity":0},{"product_id":"e","quantity":5}]""");

        Assert.That(context.Status, Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(context.ErrorMessage, Does.StartWith("data[3]: "));
        Assert.That(context.IsResponseSet, Is.False, "no rows of the rolled-back elements are answered");
        Assert.That(await Instance.CountAsync("door_orders"), Is.EqualTo(0), "the first three inserts were rolled back");
    }

    [Test]
    public async Task All_result_sets_of_a_returning_batch_answer_one_object_per_element()
    {
        var context = await Instance.RunAsync("""
            {
              "sql": "insert into door_orders (product_id, quantity) values (?, ?) returning product_id; select count(*) as orders from door_orders",
              "execute": true,
              "returnRows": true,
              "resultSets": "all",
              "parameters": [{ "reference": "product_id", "type": "string" }, { "reference": "quantity", "type": "integer" }]
            }
            """, """[{"product_id":"a","quantity":1},{"product_id":"b","quantity":2}]""");

        Assert.That(context.ResponseJson(), Is.EqualTo(
            """[{"resultSets":[[{"product_id":"a"}],[{"orders":1}]],"outputs":{}},{"resultSets":[[{"product_id":"b"}],[{"orders":2}]],"outputs":{}}]"""));
    }

    [Test]
    public async Task A_command_without_return_rows_still_answers_status_10()
    {
        var context = await Instance.RunAsync(TestSchema.AddOrder, """{"product_id":"a","quantity":1}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"status":10,"rowsAffected":1}"""));
    }

    [Test]
    public void Every_misuse_of_directions_and_result_sets_is_reported_at_load_at_once()
    {
        var result = Instance.Prepare("""
            {
              "sql": "select ?",
              "returnRows": true,
              "resultSets": "many",
              "outputParameters": true,
              "parameters": [
                { "reference": "total", "type": "integer", "direction": "out", "default": 1 },
                { "reference": "other", "direction": "sideways" }
              ]
            }
            """);

        Assert.That(result.Errors, Is.SupersetOf(new[]
        {
            "resultSets must be \"first\" (the default) or \"all\".",
            "outputParameters applies only to passThrough entities; elsewhere give the parameters a direction.",
            "returnRows applies to commands (execute: true); a query already answers its rows.",
            "parameters[0] ('total'): an out parameter takes no value from the call, so it cannot have a default.",
            "parameters[1] ('other'): unknown direction 'sideways' (expected in, out, inout).",
        }));
    }

    [Test]
    public void All_result_sets_of_a_command_without_return_rows_are_refused_at_load()
    {
        var result = Instance.Prepare("""{ "sql": "delete from door_orders; delete from door_orders", "execute": true, "resultSets": "all" }""");

        Assert.That(result.Errors, Is.EqualTo(new[]
        {
            "resultSets 'all' needs a query or returnRows: a command without returnRows answers only its status.",
        }));
    }

    [Test]
    public void All_result_sets_of_one_sqlite_statement_are_refused_at_load_while_postgresql_may_have_procedures()
    {
        var result = Instance.Prepare("""{ "sql": "select product_id from door_prices;  ", "resultSets": "all" }""");

        Assert.That(result.Errors, Is.EqualTo(Provider == DataStoreProviders.Sqlite
            ? new[] { "resultSets 'all' needs several statements on SQLite (it has no procedures); this sql has one." }
            : Array.Empty<string>()));
    }

    [Test]
    public async Task A_pass_through_call_may_not_ask_for_what_its_entity_does_not_allow()
    {
        var processor = Instance.Processor("""{ "passThrough": true }""", ["sql-admin"]);

        var context = await Instance.CallAsync(processor, """
            {
              "sql": "select ?",
              "resultSets": "all",
              "parameters": [{ "reference": "x", "type": "integer", "direction": "inout" }],
              "data": { "x": 1 }
            }
            """);

        Assert.That(context.Status, Is.EqualTo(MessageStatus.MessageInvalid));
        Assert.That(context.ErrorMessage, Does.Contain(
            "parameter 'x': direction 'inout' is not allowed; this entity's processorConfig does not set outputParameters."));
        Assert.That(context.ErrorMessage, Does.Contain("resultSets 'all' is not allowed; this entity's processorConfig does not set it."));
    }

    [Test]
    public async Task A_pass_through_call_gets_all_result_sets_where_its_entity_allows_them()
    {
        var processor = Instance.Processor("""{ "passThrough": true, "resultSets": "all" }""", ["sql-admin"]);

        var context = await Instance.CallAsync(processor, """
            { "sql": "select ? as a; select 2 as b", "resultSets": "all", "parameters": [{ "reference": "a", "type": "integer" }], "data": { "a": 1 } }
            """);

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"resultSets":[[{"a":1}],[{"b":2}]],"outputs":{}}"""));
    }
}
