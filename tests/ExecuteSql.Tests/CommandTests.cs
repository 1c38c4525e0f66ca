using DataHub.ExecuteSql.Tests.Support;
using DataHub.Plugins;

namespace DataHub.ExecuteSql.Tests;

[TestFixture(DataStoreProviders.Sqlite)]
[TestFixture(DataStoreProviders.PostgreSql)]
public sealed class CommandTests(string provider) : ProviderFixture(provider)
{
    [SetUp]
    public Task EmptyOrders() => Instance.ExecuteAsync("DELETE FROM door_orders");

    [Test]
    public async Task A_command_answers_status_10_with_the_rows_affected_and_writes_its_row()
    {
        var context = await Instance.RunAsync(TestSchema.AddOrder, """{"product_id":"1058150103","quantity":2,"note":"first"}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"status":10,"rowsAffected":1}"""));
        Assert.That(await Instance.CountAsync("door_orders", "product_id = '1058150103' AND quantity = 2 AND note = 'first'"), Is.EqualTo(1));
    }

    [Test]
    public async Task An_update_reports_how_many_rows_it_changed()
    {
        await Instance.ExecuteAsync("INSERT INTO door_orders (product_id, quantity) VALUES ('a', 1), ('a', 2), ('b', 3)");

        var context = await Instance.RunAsync("""
            {
              "sql": "update door_orders set quantity = quantity + ? where product_id = ?",
              "execute": true,
              "parameters": [{ "reference": "add", "type": "integer" }, { "reference": "product_id", "type": "string" }]
            }
            """, """{"add":10,"product_id":"a"}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"status":10,"rowsAffected":2}"""));
        Assert.That(await Instance.CountAsync("door_orders", "quantity > 10"), Is.EqualTo(2));
    }

    [Test]
    public async Task An_array_with_execute_runs_every_element_in_one_transaction()
    {
        var context = await Instance.RunAsync(TestSchema.AddOrder,
            """[{"product_id":"p1","quantity":1},{"product_id":"p2","quantity":2},{"product_id":"p3","quantity":3}]""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"status":10,"rowsAffected":3}"""));
        Assert.That(await Instance.CountAsync("door_orders"), Is.EqualTo(3));
    }

    [Test]
    public async Task A_failing_element_rolls_the_whole_batch_back_and_is_named_in_the_error()
    {
        var context = await Instance.RunAsync(TestSchema.AddOrder,
            """[{"product_id":"p1","quantity":1},{"product_id":"p2","quantity":2},{"product_id":"p3","quantity":0}]""");

        Assert.That(context.Status, Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(context.ErrorMessage, Does.StartWith("data[2]: ").And.Contain("quantity").IgnoreCase);
        Assert.That(context.IsResponseSet, Is.False);
        Assert.That(await Instance.CountAsync("door_orders"), Is.EqualTo(0), "nothing of the batch may stay");
    }

    [Test]
    public async Task A_value_that_does_not_fit_in_a_batch_stops_it_before_anything_runs()
    {
        var context = await Instance.RunAsync(TestSchema.AddOrder,
            """[{"product_id":"p1","quantity":1},{"product_id":"p2","quantity":"two"}]""");

        Assert.That(context.Status, Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(context.ErrorMessage, Does.StartWith("data[1]: parameter 'quantity'"));
        Assert.That(await Instance.CountAsync("door_orders"), Is.EqualTo(0));
    }

    [Test]
    public async Task A_batch_element_that_is_not_an_object_is_refused()
    {
        var context = await Instance.RunAsync(TestSchema.AddOrder, """[{"product_id":"p1","quantity":1}, 5]""");

        Assert.That(context.Status, Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(context.ErrorMessage, Is.EqualTo("data[1] must be a JSON object."));
        Assert.That(await Instance.CountAsync("door_orders"), Is.EqualTo(0));
    }

    [Test]
    public async Task An_empty_batch_is_processed_with_no_rows()
    {
        var context = await Instance.RunAsync(TestSchema.AddOrder, "[]");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"status":10,"rowsAffected":0}"""));
    }

    [Test]
    public async Task A_large_batch_is_written_completely()
    {
        var items = string.Join(",", Enumerable.Range(1, 2000).Select(i => $$"""{"product_id":"p{{i}}","quantity":{{i}}}"""));

        var context = await Instance.RunAsync(TestSchema.AddOrder, $"[{items}]");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"status":10,"rowsAffected":2000}"""));
        Assert.That(await Instance.CountAsync("door_orders"), Is.EqualTo(2000));
    }

    [Test]
    public async Task Values_that_look_like_sql_are_stored_as_they_are_and_the_table_survives()
    {
        const string Hostile = "x'); DROP TABLE door_orders; --";

        var context = await Instance.RunAsync(TestSchema.AddOrder, $$"""{"product_id":"p1","quantity":1,"note":"{{Hostile}}"}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"status":10,"rowsAffected":1}"""));
        var check = await Instance.RunAsync("""{ "sql": "select note from door_orders" }""", null);
        Assert.That(check.Rows().Single()!["note"]!.GetValue<string>(), Is.EqualTo(Hostile));
    }

    [Test]
    public async Task A_constraint_violation_is_the_callers_error_with_the_databases_own_words()
    {
        var context = await Instance.RunAsync("""
            {
              "sql": "insert into door_prices values (?, 'r', 's', 'c', 'd', 'h', 1, 1, 1)",
              "execute": true,
              "parameters": [{ "reference": "product_id", "type": "string" }]
            }
            """, """{"product_id":"1058150103"}""");

        Assert.That(context.Status, Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(context.HttpStatus, Is.EqualTo(409), "a unique violation conflicts with what is stored");
        Assert.That(context.ErrorMessage, Does.Contain("unique").IgnoreCase.Or.Contain("duplicate").IgnoreCase);
        Assert.That(context.ErrorMessage, Does.Not.Contain("insert into").IgnoreCase, "no SQL text in errors");
    }
}
