using DataHub.ExecuteSql.Tests.Support;
using DataHub.Plugins;

namespace DataHub.ExecuteSql.Tests;

[TestFixture(DataStoreProviders.Sqlite)]
[TestFixture(DataStoreProviders.PostgreSql)]
public sealed class PassThroughTests(string provider) : ProviderFixture(provider)
{
    private static readonly string[] _roles = ["sql-admin"];

    private const string AddOrderCall = """
        {
          "sql": "insert into door_orders (product_id, quantity) values (?, ?)",
          "execute": true,
          "parameters": [{ "reference": "product_id", "type": "string" }, { "reference": "quantity", "type": "integer" }],
          "data": [{ "product_id": "p1", "quantity": 1 }, { "product_id": "p2", "quantity": 2 }]
        }
        """;

    [SetUp]
    public Task EmptyOrders() => Instance.ExecuteAsync("DELETE FROM door_orders");

    [Test]
    public void A_pass_through_entity_without_roles_is_refused_at_load()
    {
        var result = Instance.Prepare("""{ "passThrough": true }""");

        Assert.That(result.Errors, Is.EqualTo(new[]
        {
            "passThrough entities must list roles: whoever may call one can run any SQL the store allows.",
        }));
    }

    [Test]
    public void Sql_in_the_config_of_a_pass_through_entity_is_refused_as_misleading()
    {
        var result = Instance.Prepare("""{ "passThrough": true, "sql": "select 1", "parameters": [] }""", _roles);

        Assert.That(result.Errors, Is.EqualTo(new[]
        {
            "sql is read from each call when passThrough is set; remove it from processorConfig.",
            "parameters is read from each call when passThrough is set; remove it from processorConfig.",
        }));
    }

    [Test]
    public async Task A_call_brings_its_own_query_parameters_and_values()
    {
        var processor = Instance.Processor("""{ "passThrough": true }""", _roles);

        var context = await Instance.CallAsync(processor, """
            {
              "sql": "select product_id, price from door_prices where colour = ? and height = ?",
              "parameters": [{ "reference": "colour", "type": "string" }, { "reference": "height", "type": "decimal" }],
              "data": { "colour": "Brown Grey Avola", "height": 285 }
            }
            """);

        Assert.That(context.ResponseJson(),
            Is.EqualTo("""[{"product_id":"1058150103","price":23.47},{"product_id":"1058150104","price":23.47}]"""));
    }

    [Test]
    public async Task A_calls_execute_counts_where_the_config_allows_it_and_the_batch_is_one_transaction()
    {
        var processor = Instance.Processor("""{ "passThrough": true, "execute": true }""", _roles);

        var context = await Instance.CallAsync(processor, AddOrderCall);

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"status":10,"rowsAffected":2}"""));
        Assert.That(await Instance.CountAsync("door_orders"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_calls_execute_is_ignored_where_the_config_does_not_set_it()
    {
        var processor = Instance.Processor("""{ "passThrough": true }""", _roles);

        var context = await Instance.CallAsync(processor, """
            {
              "sql": "select count(*) as orders from door_orders where product_id = ?",
              "execute": true,
              "parameters": [{ "reference": "product_id", "type": "string" }],
              "data": { "product_id": "p1" }
            }
            """);

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"orders":0}]"""), "run as a query: rows, not {\"status\":10}");
    }

    [Test]
    public async Task A_config_without_execute_leaves_a_calls_command_a_query()
    {
        var processor = Instance.Processor("""{ "passThrough": true }""", _roles);

        var context = await Instance.CallAsync(processor, AddOrderCall);

        Assert.That(context.ResponseJson(), Is.EqualTo("[]"));
    }

    [Test]
    public async Task An_invalid_calls_configuration_is_status_22_with_every_problem()
    {
        var processor = Instance.Processor("""{ "passThrough": true, "execute": true }""", _roles);

        var context = await Instance.CallAsync(processor, """
            {
              "sql": "select ? as a, ? as b",
              "parameters": [{ "reference": "a", "type": "money" }],
              "dataStore": "elsewhere"
            }
            """);

        Assert.That(context.Status, Is.EqualTo(MessageStatus.MessageInvalid));
        Assert.That(context.ErrorMessage, Does.Contain("unknown member 'dataStore'"));
        Assert.That(context.ErrorMessage, Does.Contain("parameters[0] ('a'): unknown type 'money'"));
        Assert.That(context.ErrorMessage, Does.Contain("sql has 2 ? placeholder(s) but 1 parameter(s) are defined"));
    }

    [Test]
    public async Task A_call_setting_pass_through_or_data_store_is_told_only_that_they_are_unknown()
    {
        var processor = Instance.Processor("""{ "passThrough": true }""", _roles);

        var context = await Instance.CallAsync(processor, """
            { "sql": "select ? as a", "parameters": [{ "reference": "a" }], "passThrough": true, "dataStore": "" }
            """);

        Assert.That(context.Status, Is.EqualTo(MessageStatus.MessageInvalid));
        Assert.That(context.ErrorMessage, Does.Contain("unknown member 'passThrough'"));
        Assert.That(context.ErrorMessage, Does.Contain("unknown member 'dataStore'"));
        Assert.That(context.ErrorMessage, Does.Not.Contain("remove it from processorConfig"));
        Assert.That(context.ErrorMessage, Does.Not.Contain("dataStore must name a data store"));
    }

    [Test]
    public async Task A_call_that_is_not_an_object_is_status_22()
    {
        var processor = Instance.Processor("""{ "passThrough": true }""", _roles);

        var context = await Instance.CallAsync(processor, """[{"sql":"select 1"}]""");

        Assert.That(context.Status, Is.EqualTo(MessageStatus.MessageInvalid));
        Assert.That(context.ErrorMessage, Is.EqualTo("a passThrough call's data must be a JSON object with sql and parameters."));
    }

    [Test]
    public async Task A_calls_value_that_does_not_fit_is_status_25()
    {
        var processor = Instance.Processor("""{ "passThrough": true }""", _roles);

        var context = await Instance.CallAsync(processor, """
            {
              "sql": "select ? as n",
              "parameters": [{ "reference": "n", "type": "smallint" }],
              "data": { "n": 70000 }
            }
            """);

        Assert.That(context.Status, Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(context.ErrorMessage, Is.EqualTo("parameter 'n' must be a smallint from -32768 to 32767."));
    }
}
