using DataHub.ExecuteSql.Tests.Support;
using DataHub.Plugins;

namespace DataHub.ExecuteSql.Tests;

/// <summary>What only PostgreSQL can show: full decimal precision, functions and procedures, its own quoting.</summary>
public sealed class PostgreSqlTests() : ProviderFixture(DataStoreProviders.PostgreSql)
{
    [OneTimeSetUp]
    public Task CreateRoutines() => Instance.ExecuteAsync("""
        CREATE FUNCTION door_price(wanted_range text, wanted_colour text)
          RETURNS TABLE (product_id varchar, price numeric) LANGUAGE sql AS $$
            SELECT product_id, price FROM door_prices WHERE range = wanted_range AND colour = wanted_colour ORDER BY product_id
          $$;
        CREATE PROCEDURE count_orders(wanted text, INOUT total bigint) LANGUAGE plpgsql AS $$
          BEGIN
            SELECT COUNT(*) INTO total FROM door_orders WHERE product_id = wanted;
          END
          $$;
        CREATE TABLE extras (id integer, doc jsonb, at timestamptz, amount numeric(30,10));
        """);

    [Test]
    public async Task A_decimal_keeps_all_eighteen_digits_of_precision_18()
    {
        await Instance.ExecuteAsync("DELETE FROM typed");
        await Instance.RunAsync("""
            {
              "sql": "insert into typed (dec) values (?)",
              "execute": true,
              "parameters": [{ "reference": "dec", "type": "decimal", "precision": 18, "scale": 6 }]
            }
            """, """{"dec":123456789012.123456}""");

        var context = await Instance.RunAsync("""{ "sql": "select dec from typed" }""", null);

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"dec":123456789012.123456}]"""));
    }

    [Test]
    public async Task A_function_returning_a_table_answers_like_a_query()
    {
        var context = await Instance.RunAsync("""
            {
              "sql": "select * from door_price(?, ?)",
              "parameters": [{ "reference": "range", "type": "string" }, { "reference": "colour", "type": "string" }]
            }
            """, """{"range":"Aspire","colour":"Brown Grey Avola"}""");

        Assert.That(context.ResponseJson(),
            Is.EqualTo("""[{"product_id":"1058150103","price":23.47},{"product_id":"1058150104","price":23.47}]"""));
    }

    [Test]
    public async Task A_procedure_call_returning_its_inout_values_answers_with_them_as_a_row()
    {
        await Instance.ExecuteAsync("DELETE FROM door_orders; INSERT INTO door_orders (product_id, quantity) VALUES ('x', 1), ('x', 2)");

        var context = await Instance.RunAsync("""
            {
              "sql": "call count_orders(?, null)",
              "parameters": [{ "reference": "product_id", "type": "string" }]
            }
            """, """{"product_id":"x"}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"total":2}]"""));
    }

    [Test]
    public async Task Json_columns_are_embedded_as_json_and_timestamps_with_a_zone_are_utc()
    {
        await Instance.ExecuteAsync("""
            INSERT INTO extras VALUES (1, '{"a":[1,2]}', '2024-02-29 13:45:30+02', 12345678901234567.0123456789)
            """);

        var context = await Instance.RunAsync("""{ "sql": "select doc, at, amount from extras where id = 1" }""", null);

        Assert.That(context.ResponseJson(),
            Is.EqualTo("""[{"doc":{"a":[1,2]},"at":"2024-02-29T11:45:30Z","amount":12345678901234567.0123456789}]"""));
    }

    [Test]
    public async Task A_numeric_wider_than_a_dotnet_decimal_is_a_clear_error_and_a_cast_to_text_reads_it()
    {
        var failing = await Instance.RunAsync("""{ "sql": "select 123456789012345678901234567890.5::numeric as huge" }""", null);
        var cast = await Instance.RunAsync("""{ "sql": "select (123456789012345678901234567890.5::numeric)::text as huge" }""", null);

        Assert.That(failing.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(failing.ErrorMessage, Does.Contain("more digits than a decimal holds"));
        Assert.That(cast.ResponseJson(), Is.EqualTo("""[{"huge":"123456789012345678901234567890.5"}]"""));
    }

    [Test]
    public async Task Dollar_quotes_escape_strings_nested_comments_and_casts_hide_no_placeholder()
    {
        var context = await Instance.RunAsync("""
            {
              "sql": "select $$a ? b$$ as dollar, $t$ ? $t$ as tagged, E'it\\'s ?' as escaped, /* outer /* inner ? */ still ? */ ?::int + 1 as v",
              "parameters": [{ "reference": "v", "type": "integer" }]
            }
            """, """{"v":41}""");

        var row = context.Rows().Single()!;
        Assert.That(row["dollar"]!.GetValue<string>(), Is.EqualTo("a ? b"));
        Assert.That(row["tagged"]!.GetValue<string>(), Is.EqualTo(" ? "));
        Assert.That(row["escaped"]!.GetValue<string>(), Is.EqualTo("it's ?"));
        Assert.That(row["v"]!.GetValue<int>(), Is.EqualTo(42));
    }

    [TestCase("", 1)]
    [TestCase(";Max Auto Prepare=0", 0)]
    public async Task Statements_are_prepared_automatically_unless_the_connection_string_says_otherwise(string setting, int prepared)
    {
        // One pooled connection, so the check sees the session the calls ran in.
        var connectionString = await DataHub.Testing.PostgresServer.CreateDatabaseAsync() + ";Maximum Pool Size=1" + setting;
        await using var instance = await TestInstance.OnConnectionStringAsync(Provider, connectionString);
        await instance.ExecuteAsync(TestSchema.Doors(Provider));
        var processor = instance.Processor(TestSchema.DoorQuery);

        for (var call = 0; call < 6; call++)
        {
            Assert.That((await instance.CallAsync(processor, TestSchema.DoorRequest)).Rows(), Has.Count.EqualTo(1));
        }

        Assert.That(await instance.CountAsync("pg_prepared_statements", "statement LIKE 'select product_id, price from door_prices%'"), Is.EqualTo(prepared));
    }

    [TestCase("", 1)]
    [TestCase(";Max Auto Prepare=0", 0)]
    public async Task A_batch_leaves_preparing_its_command_to_the_connection_string(string setting, int prepared)
    {
        // One pooled connection, so the check sees the session the batch ran in.
        var connectionString = await DataHub.Testing.PostgresServer.CreateDatabaseAsync() + ";Maximum Pool Size=1" + setting;
        await using var instance = await TestInstance.OnConnectionStringAsync(Provider, connectionString);
        await instance.ExecuteAsync(TestSchema.Doors(Provider));
        var batch = string.Join(",", Enumerable.Range(1, 6).Select(n => $$"""{"product_id":"p{{n}}","quantity":{{n}}}"""));

        var context = await instance.RunAsync(TestSchema.AddOrder, $"[{batch}]");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"status":10,"rowsAffected":6}"""));
        Assert.That(await instance.CountAsync("door_orders"), Is.EqualTo(6));
        Assert.That(await instance.CountAsync("pg_prepared_statements", "statement LIKE 'insert into door_orders%'"), Is.EqualTo(prepared));
    }

    [Test]
    public async Task A_command_running_past_its_time_limit_is_a_timeout_with_status_26()
    {
        await using var slow = await TestInstance.CreateAsync(Provider, schemaSql: "SELECT 1", commandTimeoutSeconds: 1);

        var context = await slow.RunAsync("""{ "sql": "select pg_sleep(5)" }""", null);

        Assert.That(context.Status, Is.EqualTo(MessageStatus.ReprocessTimeout));
        Assert.That(context.ErrorMessage, Is.EqualTo("The data store 'database' did not finish the command within its time limit of 1 seconds."));
    }

    [Test]
    public async Task A_cancelled_call_stops_the_database_and_rolls_its_batch_back()
    {
        await Instance.ExecuteAsync("DELETE FROM door_orders");
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var processor = Instance.Processor("""
            {
              "sql": "insert into door_orders (product_id, quantity) select ?, 1 from pg_sleep(?)",
              "execute": true,
              "parameters": [{ "reference": "product_id", "type": "string" }, { "reference": "sleep", "type": "double" }]
            }
            """);
        var started = System.Diagnostics.Stopwatch.StartNew();

        Assert.That(async () => await Instance.CallAsync(processor, """[{"product_id":"a","sleep":0},{"product_id":"b","sleep":30}]""", cancellation.Token),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "cancellation must not wait for the sleep");
        Assert.That(await Instance.CountAsync("door_orders"), Is.EqualTo(0));
    }
}
