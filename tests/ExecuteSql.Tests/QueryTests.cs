using System.Text.Json.Nodes;
using DataHub.ExecuteSql.Tests.Support;
using DataHub.Plugins;

namespace DataHub.ExecuteSql.Tests;

[TestFixture(DataStoreProviders.Sqlite)]
[TestFixture(DataStoreProviders.PostgreSql)]
public sealed class QueryTests(string provider) : ProviderFixture(provider)
{
    [Test]
    public async Task The_reference_door_query_answers_with_one_row_in_an_array()
    {
        var context = await Instance.RunAsync(TestSchema.DoorQuery, TestSchema.DoorRequest);

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"product_id":"1058150103","price":23.47}]"""));
    }

    [Test]
    public async Task A_query_matching_nothing_answers_with_an_empty_array()
    {
        var context = await Instance.RunAsync(TestSchema.DoorQuery, TestSchema.DoorRequest.Replace("Aspire", "Nowhere", StringComparison.Ordinal));

        Assert.That(context.ResponseJson(), Is.EqualTo("[]"));
    }

    [Test]
    public async Task A_query_returns_every_matching_row_with_its_columns()
    {
        var context = await Instance.RunAsync("""
            {
              "sql": "select product_id, colour, height from door_prices where range = ? order by product_id",
              "parameters": [{ "reference": "range", "type": "string" }]
            }
            """, """{"range":"Aspire"}""");

        var rows = context.Rows();
        Assert.That(rows, Has.Count.EqualTo(3));
        Assert.That(rows.Select(row => row!["product_id"]!.GetValue<string>()), Is.EqualTo(new[] { "1058150103", "1058150104", "1058150105" }));
        Assert.That(rows[2]!["colour"]!.GetValue<string>(), Is.EqualTo("White"));
        Assert.That(rows[2]!["height"]!.GetValue<decimal>(), Is.EqualTo(715m));
    }

    [Test]
    public async Task A_null_column_value_is_a_json_null()
    {
        var context = await Instance.RunAsync("""{ "sql": "select product_id, null as missing from door_prices where product_id = '1058150103'" }""", null);

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"product_id":"1058150103","missing":null}]"""));
    }

    [Test]
    public async Task Each_run_of_an_array_without_execute_runs_but_only_the_last_rows_are_returned()
    {
        var context = await Instance.RunAsync("""
            {
              "sql": "select product_id from door_prices where colour = ? order by product_id",
              "parameters": [{ "reference": "colour", "type": "string" }]
            }
            """, """[{"colour":"White"},{"colour":"Brown Grey Avola"}]""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"product_id":"1058150103"},{"product_id":"1058150104"}]"""));
    }

    [Test]
    public async Task An_empty_array_without_execute_answers_with_an_empty_array()
    {
        var context = await Instance.RunAsync(TestSchema.DoorQuery, "[]");

        Assert.That(context.ResponseJson(), Is.EqualTo("[]"));
    }

    [Test]
    public async Task The_processor_config_may_be_a_string_holding_the_json_as_datahub_writes_it()
    {
        var processor = Instance.Prepare(JsonValue.Create(TestSchema.DoorQuery));
        Assert.That(processor.Errors, Is.Empty);

        var context = await Instance.CallAsync(processor.Processor!, TestSchema.DoorRequest);

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"product_id":"1058150103","price":23.47}]"""));
    }

    [Test]
    public async Task Values_that_look_like_sql_are_bound_as_values_and_match_nothing()
    {
        var context = await Instance.RunAsync(TestSchema.DoorQuery,
            """{"range":"' or '1'='1","style":"Ascot","colour":"Brown Grey Avola","component":"Door","hinge":"3 Hinge Holes - Left","height":285,"width":296}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("[]"));
    }
}
