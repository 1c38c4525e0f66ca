using System.Text.Json.Nodes;
using DataHub.ExecuteSql.Tests.Support;
using DataHub.Plugins;

namespace DataHub.ExecuteSql.Tests;

/// <summary>processorConfig is checked once, at load, and every problem is reported together.</summary>
public sealed class ConfigurationTests() : ProviderFixture(DataStoreProviders.Sqlite)
{
    [Test]
    public void The_plugin_answers_to_its_own_name_and_to_the_datahub_class_name()
    {
        Assert.That(PluginUnderTest.Instance.ProcessorNames, Is.EquivalentTo(new[] { "ExecuteSql", "com.datahub.metrici.ExecuteSQLPlugIn" }));
    }

    [Test]
    public void Every_problem_of_a_configuration_is_reported_at_once()
    {
        var result = Instance.Prepare("""
            {
              "sql": "select * from t where a = ? and b = ? and c = ?",
              "execute": "yes",
              "dataStore": "warehouse",
              "parameters": [
                { "reference": "a", "type": "money" },
                { "reference": "b", "type": "string", "length": -1 },
                { "reference": "c", "type": "decimal", "precision": 5, "scale": 6 },
                { "reference": "d", "type": "integer", "default": "seven" },
                { "name": "e", "type": "string" },
                { "reference": "bad-name" },
                { "reference": "f", "type": "integer", "length": 3, "colour": "red" }
              ]
            }
            """);

        Assert.That(result.Processor, Is.Null);
        Assert.That(result.Errors, Is.EquivalentTo(new[]
        {
            "execute must be true or false.",
            "parameters[0] ('a'): unknown type 'money' (expected string, text, integer, smallint, bigint, number, double, decimal, boolean, date, timestamp).",
            "parameters[1] ('b'): length must be a whole number of at least 1.",
            "parameters[2] ('c'): scale (6) cannot be greater than precision (5).",
            "parameters[4]: use reference, not name, to identify a parameter.",
            "parameters[5]: reference 'bad-name' may only hold letters, digits and _.",
            "parameters[6] ('f'): unknown member 'colour' (expected reference, name, description, type, length, precision, scale, default).",
            "parameters[6] ('f'): length applies only to string parameters.",
            "dataStore 'warehouse' is not configured for this instance (configured: database).",
            "sql has 3 ? placeholder(s) but 7 parameter(s) are defined; they must match one for one.",
            "the default of parameter 'd' must be an integer (a whole number), not a string.",
        }));
    }

    [TestCase("""{ "sql": "select ? as a", "parameters": [] }""", "sql has 1 ? placeholder(s) but 0 parameter(s) are defined; they must match one for one.")]
    [TestCase("""{ "sql": "select 1", "parameters": [{ "reference": "a" }] }""", "sql has 0 ? placeholder(s) but 1 parameter(s) are defined; they must match one for one.")]
    [TestCase("""{ "sql": "select 'open ?" }""", "sql has a string literal that is never closed.")]
    [TestCase("""{ "sql": "select 1 /* open ?" }""", "sql has a /* comment that is never closed.")]
    [TestCase("""{ "parameters": [] }""", "sql is required: the SQL to run, with a ? for each parameter.")]
    [TestCase("""{ "sql": "select 1", "parameters": {} }""", "parameters must be an array of field definitions.")]
    [TestCase("""{ "sql": "select 1", "passThrough": 1 }""", "passThrough must be true or false.")]
    [TestCase("""{ "sql": "select 1", "sqll": "x" }""", "unknown member 'sqll' (expected sql, parameters, execute, passThrough, dataStore, dryRun).")]
    [TestCase("""[1]""", "processorConfig must be a JSON object with sql and parameters.")]
    [TestCase("\"select 1\"", "processorConfig is not valid JSON: 's' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0.")]
    [TestCase("""{ "sql": "select ?", "parameters": [{ "reference": "d", "type": "decimal", "precision": 4, "scale": 2, "default": 123.4 }] }""",
        "the default of parameter 'd' must have at most 2 digits before the decimal point and 2 after (precision 4, scale 2).")]
    [TestCase("""{ "sql": "select ?", "parameters": [{ "reference": "d", "type": "decimal", "precision": 40 }] }""",
        "parameters[0] ('d'): precision must be a whole number from 1 to 38.")]
    [TestCase("""{ "sql": "select ?", "parameters": [{ "reference": "d", "type": "date", "default": "yesterday" }] }""",
        "the default of parameter 'd' must be a date written as an ISO 8601 string (yyyy-MM-dd).")]
    public void A_configuration_problem_is_reported_at_load(string config, string error)
    {
        var result = Instance.Prepare(config);

        Assert.That(result.Errors, Is.EqualTo(new[] { error }));
    }

    [Test]
    public void A_missing_configuration_is_reported_at_load()
    {
        var result = Instance.Prepare((JsonNode?)null);

        Assert.That(result.Errors, Is.EqualTo(new[] { "processorConfig is missing: it must be a JSON object with sql and parameters." }));
    }

    [Test]
    public void A_string_configuration_may_carry_comments_and_trailing_commas()
    {
        var result = Instance.Prepare(JsonValue.Create("""
            {
              // the door lookup
              "sql": "select ?",
              "parameters": [{ "reference": "a", "type": "string" },],
            }
            """));

        Assert.That(result.Errors, Is.Empty);
    }

    [Test]
    public void The_entitys_data_store_is_used_when_the_config_names_none()
    {
        var result = Instance.Prepare("""{ "sql": "select 1" }""", dataStoreName: "archive");

        Assert.That(result.Errors, Is.EqualTo(new[] { "dataStore 'archive' is not configured for this instance (configured: database)." }));
    }

    [Test]
    public async Task The_configs_data_store_overrides_the_entitys()
    {
        var result = Instance.Prepare("""{ "sql": "select 'here' as answer", "dataStore": "DATABASE" }""", dataStoreName: "archive");
        Assert.That(result.Errors, Is.Empty, "store names ignore case");

        var context = await Instance.CallAsync(result.Processor!, null);

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"answer":"here"}]"""));
    }
}
