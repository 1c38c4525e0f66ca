using DataHub.ExecuteSql.Tests.Support;
using DataHub.Plugins;

namespace DataHub.ExecuteSql.Tests;

/// <summary>Every type converts, is checked against its limits, and comes back from the database as the JSON it went in as.</summary>
[TestFixture(DataStoreProviders.Sqlite)]
[TestFixture(DataStoreProviders.PostgreSql)]
public sealed class ParameterTests(string provider) : ProviderFixture(provider)
{
    private const string InsertTyped = """
        {
          "sql": "insert into typed (s, i, si, bi, d, dec, b, dt, ts) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          "execute": true,
          "parameters": [
            { "reference": "s", "type": "string", "length": 10 },
            { "reference": "i", "type": "integer" },
            { "reference": "si", "type": "smallint" },
            { "reference": "bi", "type": "bigint" },
            { "reference": "d", "type": "double" },
            { "reference": "dec", "type": "decimal", "precision": 18, "scale": 6 },
            { "reference": "b", "type": "boolean" },
            { "reference": "dt", "type": "date" },
            { "reference": "ts", "type": "timestamp" }
          ]
        }
        """;

    private const string SelectTyped = """{ "sql": "select s, i, si, bi, d, dec, b, dt, ts from typed" }""";

    [SetUp]
    public Task EmptyTyped() => Instance.ExecuteAsync("DELETE FROM typed");

    [Test]
    public async Task Every_type_goes_in_and_comes_back_as_the_same_json()
    {
        var insert = await Instance.RunAsync(InsertTyped, """
            {"s":"héllo 😀","i":-2147483648,"si":32767,"bi":9007199254740993,"d":1.5,"dec":123456789.123456,
             "b":true,"dt":"2024-02-29","ts":"2024-02-29T13:45:30.25"}
            """);
        Assert.That(insert.ResponseJson(), Is.EqualTo("""{"status":10,"rowsAffected":1}"""));

        var row = (await Instance.RunAsync(SelectTyped, null)).Rows().Single()!;

        Assert.Multiple(() =>
        {
            Assert.That(row["s"]!.GetValue<string>(), Is.EqualTo("héllo 😀"));
            Assert.That(row["i"]!.ToJsonString(), Is.EqualTo("-2147483648"));
            Assert.That(row["si"]!.ToJsonString(), Is.EqualTo("32767"));
            Assert.That(row["bi"]!.ToJsonString(), Is.EqualTo("9007199254740993"), "a bigint beyond 2^53 keeps every digit");
            Assert.That(row["d"]!.ToJsonString(), Is.EqualTo("1.5"));
            // SQLite keeps a DECIMAL as a REAL: 15 significant digits, no more (PostgreSqlTests check 18).
            Assert.That(row["dec"]!.GetValue<decimal>(), Is.EqualTo(123456789.123456m), "a decimal keeps every digit");
            Assert.That(row["b"]!.ToJsonString(), Is.EqualTo("true"));
            Assert.That(row["dt"]!.GetValue<string>(), Is.EqualTo("2024-02-29"));
            Assert.That(row["ts"]!.GetValue<string>(), Is.EqualTo("2024-02-29T13:45:30.25"));
        });
    }

    [Test]
    public async Task Missing_values_are_null_and_come_back_as_null()
    {
        await Instance.RunAsync(InsertTyped, "{}");

        var context = await Instance.RunAsync(SelectTyped, null);

        Assert.That(context.ResponseJson(),
            Is.EqualTo("""[{"s":null,"i":null,"si":null,"bi":null,"d":null,"dec":null,"b":null,"dt":null,"ts":null}]"""));
    }

    [Test]
    public async Task A_timestamp_with_an_offset_is_stored_as_its_utc_time()
    {
        await Instance.RunAsync(InsertTyped, """{"ts":"2024-02-29T13:45:30+02:00"}""");

        var row = (await Instance.RunAsync(SelectTyped, null)).Rows().Single()!;

        Assert.That(row["ts"]!.GetValue<string>(), Is.EqualTo("2024-02-29T11:45:30"));
    }

    [Test]
    public async Task A_number_for_a_string_parameter_is_taken_as_its_text()
    {
        await Instance.RunAsync(InsertTyped, """{"s":285.50}""");

        var row = (await Instance.RunAsync(SelectTyped, null)).Rows().Single()!;

        Assert.That(row["s"]!.GetValue<string>(), Is.EqualTo("285.50"));
    }

    [Test]
    public async Task A_whole_number_written_with_a_point_is_an_integer()
    {
        var context = await Instance.RunAsync(InsertTyped, """{"i":12.0,"bi":-5e2}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"status":10,"rowsAffected":1}"""));
        var row = (await Instance.RunAsync(SelectTyped, null)).Rows().Single()!;
        Assert.That(row["i"]!.ToJsonString(), Is.EqualTo("12"));
        Assert.That(row["bi"]!.ToJsonString(), Is.EqualTo("-500"));
    }

    [Test]
    public async Task A_decimal_may_carry_trailing_zeros_beyond_its_scale()
    {
        var context = await Instance.RunAsync(InsertTyped, """{"dec":1.50000000000}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"status":10,"rowsAffected":1}"""));
    }

    [Test]
    public async Task A_string_of_exactly_its_length_counting_a_surrogate_pair_as_one_character_fits()
    {
        var context = await Instance.RunAsync(InsertTyped, """{"s":"123456789😀"}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"status":10,"rowsAffected":1}"""));
    }

    [TestCase("""{"s":"12345678901"}""", "parameter 's' is longer than its length of 10 characters.")]
    [TestCase("""{"s":true}""", "parameter 's' must be a string, not a boolean.")]
    [TestCase("""{"s":{"a":1}}""", "parameter 's' must be a string, not an object.")]
    [TestCase("""{"i":1.5}""", "parameter 'i' must be an integer, a whole number, not a fraction.")]
    [TestCase("""{"i":2147483648}""", "parameter 'i' must be an integer from -2147483648 to 2147483647.")]
    [TestCase("""{"i":"12"}""", "parameter 'i' must be an integer (a whole number), not a string.")]
    [TestCase("""{"si":32768}""", "parameter 'si' must be a smallint from -32768 to 32767.")]
    [TestCase("""{"bi":9223372036854775808}""", "parameter 'bi' must be a bigint from -9223372036854775808 to 9223372036854775807.")]
    [TestCase("""{"bi":1e400}""", "parameter 'bi' must be a bigint from -9223372036854775808 to 9223372036854775807.")]
    [TestCase("""{"d":1e400}""", "parameter 'd' is a number too large for a double.")]
    [TestCase("""{"d":[1]}""", "parameter 'd' must be a number, not an array.")]
    [TestCase("""{"dec":1234567890123}""", "parameter 'dec' must have at most 12 digits before the decimal point and 6 after (precision 18, scale 6).")]
    [TestCase("""{"dec":1.1234567}""", "parameter 'dec' must have at most 12 digits before the decimal point and 6 after (precision 18, scale 6).")]
    [TestCase("""{"dec":"1.5"}""", "parameter 'dec' must be a decimal number, not a string.")]
    [TestCase("""{"b":"yes"}""", "parameter 'b' must be true or false, not a string.")]
    [TestCase("""{"b":1}""", "parameter 'b' must be true or false, not a number.")]
    [TestCase("""{"dt":"2024-02-30"}""", "parameter 'dt' must be a date written as an ISO 8601 string (yyyy-MM-dd).")]
    [TestCase("""{"dt":"02/03/2024"}""", "parameter 'dt' must be a date written as an ISO 8601 string (yyyy-MM-dd).")]
    [TestCase("""{"ts":"tomorrow"}""", "parameter 'ts' must be a timestamp written as an ISO 8601 string (yyyy-MM-ddTHH:mm:ss, optionally with fractions and an offset).")]
    [TestCase("""{"ts":20240229}""", "parameter 'ts' must be a timestamp written as an ISO 8601 string (yyyy-MM-ddTHH:mm:ss, optionally with fractions and an offset).")]
    public async Task A_value_that_does_not_fit_its_parameter_is_refused_with_status_25_and_nothing_runs(string data, string message)
    {
        var context = await Instance.RunAsync(InsertTyped, data);

        Assert.That(context.Status, Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(context.ErrorMessage, Is.EqualTo(message));
        Assert.That(context.IsResponseSet, Is.False);
        Assert.That(await Instance.CountAsync("typed"), Is.EqualTo(0));
    }

    [Test]
    public async Task Data_that_is_neither_an_object_nor_an_array_is_refused()
    {
        var context = await Instance.RunAsync(InsertTyped, "\"text\"");

        Assert.That(context.Status, Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(context.ErrorMessage, Is.EqualTo("data must be a JSON object or an array of JSON objects."));
    }

    [Test]
    public async Task A_missing_value_takes_its_default_but_an_explicit_null_stays_null()
    {
        const string Config = """
            {
              "sql": "insert into typed (s, i, dec, b, dt) values (?, ?, ?, ?, ?)",
              "execute": true,
              "parameters": [
                { "reference": "s", "type": "string", "default": "standard" },
                { "reference": "i", "type": "integer", "default": 7 },
                { "reference": "dec", "type": "decimal", "precision": 5, "scale": 2, "default": 1.25 },
                { "reference": "b", "type": "boolean", "default": false },
                { "reference": "dt", "type": "date", "default": "2000-01-01" }
              ]
            }
            """;
        await Instance.RunAsync(Config, """{"i":null}""");

        var context = await Instance.RunAsync("""{ "sql": "select s, i, dec, b, dt from typed" }""", null);

        var row = context.Rows().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(row["s"]!.GetValue<string>(), Is.EqualTo("standard"));
            Assert.That(row["i"], Is.Null);
            Assert.That(row["dec"]!.GetValue<decimal>(), Is.EqualTo(1.25m));
            Assert.That(row["b"]!.ToJsonString(), Is.EqualTo("false"));
            Assert.That(row["dt"]!.GetValue<string>(), Is.EqualTo("2000-01-01"));
        });
    }

    [Test]
    public async Task A_call_without_data_runs_with_the_defaults()
    {
        var context = await Instance.RunAsync("""
            {
              "sql": "select product_id from door_prices where colour = ?",
              "parameters": [{ "reference": "colour", "type": "string", "default": "White" }]
            }
            """, null);

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"product_id":"1058150105"}]"""));
    }

    [Test]
    public async Task Calls_without_data_keep_the_defaults_whatever_calls_with_data_sent_in_between()
    {
        var processor = Instance.Processor("""
            {
              "sql": "select product_id from door_prices where colour = ?",
              "parameters": [{ "reference": "colour", "type": "string", "default": "White" }]
            }
            """);

        var first = await Instance.CallAsync(processor, null);
        var other = await Instance.CallAsync(processor, """{"colour":"Brown Grey Avola"}""");
        var again = await Instance.CallAsync(processor, null);

        Assert.That(first.ResponseJson(), Is.EqualTo("""[{"product_id":"1058150105"}]"""));
        Assert.That(other.Rows(), Has.Count.EqualTo(2));
        Assert.That(again.ResponseJson(), Is.EqualTo("""[{"product_id":"1058150105"}]"""));
    }

    [Test]
    public async Task A_parameter_without_a_type_is_a_string()
    {
        var context = await Instance.RunAsync("""
            {
              "sql": "select product_id from door_prices where colour = ?",
              "parameters": [{ "reference": "colour" }]
            }
            """, """{"colour":"White"}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"product_id":"1058150105"}]"""));
    }
}
