using DataHub.ExecuteSql.Tests.Support;
using DataHub.Plugins;

namespace DataHub.ExecuteSql.Tests;

/// <summary>PostgreSQL procedures and functions with OUT and INOUT parameters, and refcursors, on the real server.</summary>
public sealed class PostgreSqlProcedureTests() : ProviderFixture(DataStoreProviders.PostgreSql)
{
    [OneTimeSetUp]
    public Task CreateRoutines() => Instance.ExecuteAsync("""
        CREATE PROCEDURE order_totals(wanted text, OUT total_quantity bigint, OUT last_note varchar)
          LANGUAGE plpgsql AS $$
          BEGIN
            SELECT COALESCE(SUM(quantity), 0), MAX(note) INTO total_quantity, last_note FROM door_orders WHERE product_id = wanted;
          END
          $$;
        CREATE PROCEDURE add_to(INOUT running numeric, amount numeric, OUT doubled numeric)
          LANGUAGE plpgsql AS $$
          BEGIN
            running := running + amount;
            doubled := running * 2;
          END
          $$;
        CREATE FUNCTION door_stats(wanted_colour text, OUT doors integer, OUT cheapest numeric, OUT seen date, OUT big bigint)
          LANGUAGE sql AS $$
            SELECT COUNT(*)::integer, MIN(price), DATE '2024-02-29', 9007199254740993 FROM door_prices WHERE colour = wanted_colour
          $$;
        CREATE FUNCTION door_cursors(wanted_colour text) RETURNS SETOF refcursor LANGUAGE plpgsql AS $$
          DECLARE
            doors refcursor;
            nothing refcursor;
          BEGIN
            OPEN doors FOR SELECT product_id, price FROM door_prices WHERE colour = wanted_colour ORDER BY product_id;
            RETURN NEXT doors;
            OPEN nothing FOR SELECT product_id FROM door_prices WHERE false;
            RETURN NEXT nothing;
          END
          $$;
        CREATE PROCEDURE cursor_pair(INOUT first_set refcursor, INOUT second_set refcursor)
          LANGUAGE plpgsql AS $$
          BEGIN
            OPEN first_set FOR SELECT 1 AS one;
            OPEN second_set FOR SELECT 'two' AS two, 2.50::numeric(4,2) AS amount;
          END
          $$;
        """);

    [SetUp]
    public Task Orders() => Instance.ExecuteAsync("""
        DELETE FROM door_orders;
        INSERT INTO door_orders (product_id, quantity, note) VALUES ('x', 1, 'a'), ('x', 2, 'b'), ('y', 7, 'c');
        """);

    [Test]
    public async Task A_procedure_with_out_parameters_answers_them_by_reference_name()
    {
        var context = await Instance.RunAsync("""
            {
              "sql": "call order_totals(?, null, null)",
              "parameters": [
                { "reference": "product_id", "type": "string" },
                { "reference": "total", "type": "bigint", "direction": "out" },
                { "reference": "note", "type": "string", "direction": "out" }
              ]
            }
            """, """{"product_id":"x"}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"resultSets":[],"outputs":{"total":3,"note":"b"}}"""));
    }

    [Test]
    public async Task A_procedure_with_an_inout_parameter_takes_its_value_and_answers_the_new_one()
    {
        var context = await Instance.RunAsync("""
            {
              "sql": "call add_to(?, ?, null)",
              "parameters": [
                { "reference": "running", "type": "decimal", "precision": 10, "scale": 2, "direction": "inout" },
                { "reference": "amount", "type": "decimal", "precision": 10, "scale": 2 },
                { "reference": "doubled", "type": "decimal", "direction": "out" }
              ]
            }
            """, """{"running":10,"amount":2.5,"doubled":"ignored: out parameters take no value"}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"resultSets":[],"outputs":{"running":12.5,"doubled":25.0}}"""));
    }

    [Test]
    public async Task A_function_with_out_parameters_answers_exact_decimals_iso_dates_and_every_digit_of_a_bigint()
    {
        var context = await Instance.RunAsync("""
            {
              "sql": "select * from door_stats(?)",
              "parameters": [
                { "reference": "colour", "type": "string" },
                { "reference": "doors", "type": "integer", "direction": "out" },
                { "reference": "cheapest", "type": "decimal", "direction": "out" },
                { "reference": "seen", "type": "date", "direction": "out" },
                { "reference": "big", "type": "bigint", "direction": "out" }
              ]
            }
            """, """{"colour":"Brown Grey Avola"}""");

        Assert.That(context.ResponseJson(), Is.EqualTo(
            """{"resultSets":[],"outputs":{"doors":2,"cheapest":23.47,"seen":"2024-02-29","big":9007199254740993}}"""));
    }

    [Test]
    public void Out_parameters_do_not_count_as_placeholders_and_a_mismatch_says_so()
    {
        var result = Instance.Prepare("""
            {
              "sql": "call order_totals(?, ?, null)",
              "parameters": [
                { "reference": "product_id", "type": "string" },
                { "reference": "total", "type": "bigint", "direction": "out" },
                { "reference": "note", "type": "string", "direction": "out" }
              ]
            }
            """);

        Assert.That(result.Errors, Is.EqualTo(new[]
        {
            "sql has 2 ? placeholder(s) but 1 in and inout parameter(s) are defined; they must match one for one (on PostgreSQL an out parameter takes no placeholder).",
        }));
    }

    [Test]
    public async Task Without_a_direction_the_same_call_still_answers_its_row_as_before()
    {
        var context = await Instance.RunAsync("""
            { "sql": "call order_totals(?, null, null)", "parameters": [{ "reference": "product_id", "type": "string" }] }
            """, """{"product_id":"y"}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"total_quantity":7,"last_note":"c"}]"""));
    }

    [Test]
    public async Task A_function_returning_refcursors_answers_each_cursor_as_a_result_set_an_empty_one_included()
    {
        var context = await Instance.RunAsync("""
            { "sql": "select * from door_cursors(?)", "resultSets": "all", "parameters": [{ "reference": "colour", "type": "string" }] }
            """, """{"colour":"Brown Grey Avola"}""");

        Assert.That(context.ResponseJson(), Is.EqualTo(
            """{"resultSets":[[{"product_id":"1058150103","price":23.47},{"product_id":"1058150104","price":23.47}],[]],"outputs":{}}"""));
    }

    [Test]
    public async Task A_procedure_opening_refcursors_answers_them_in_parameter_order_around_other_sets()
    {
        var context = await Instance.RunAsync("""
            { "sql": "select 0 as zero; call cursor_pair(null, null); select 3 as three", "resultSets": "all" }
            """, null);

        Assert.That(context.ResponseJson(), Is.EqualTo(
            """{"resultSets":[[{"zero":0}],[{"one":1}],[{"two":"two","amount":2.50}],[{"three":3}]],"outputs":{}}"""));
    }

    [Test]
    public async Task Out_values_and_all_result_sets_come_back_together()
    {
        var context = await Instance.RunAsync("""
            {
              "sql": "call order_totals(?, null, null); select product_id, quantity from door_orders where product_id = ? order by quantity",
              "resultSets": "all",
              "parameters": [
                { "reference": "product_id", "type": "string" },
                { "reference": "total", "type": "bigint", "direction": "out" },
                { "reference": "note", "type": "string", "direction": "out" },
                { "reference": "product_id", "type": "string" }
              ]
            }
            """, """{"product_id":"x"}""");

        Assert.That(context.ResponseJson(), Is.EqualTo(
            """{"resultSets":[[{"product_id":"x","quantity":1},{"product_id":"x","quantity":2}]],"outputs":{"total":3,"note":"b"}}"""));
    }
}
