using System.Text.Json.Nodes;

namespace DataHub.Script.Tests;

/// <summary>What goes in as JSON comes out as the same JSON; what a script builds comes out as JSON.stringify would write it.</summary>
public sealed class JsonFidelityTests
{
    private const string Echo = "attributes.put('response', attributes.get('data'));";

    [Test]
    public async Task Data_passed_through_comes_back_unchanged()
    {
        const string data = """
            {"id":9007199254740992,"negative":-9007199254740991,"zero":0,"price":23.47,"third":0.3333333333333333,"tiny":1.5E-07,
            "text":"Grüße — 你好 — 🚪 \"quoted\" \\ back\nslash","empty":"","flag":false,"nothing":null,
            "list":[1,[2,[3,[4,{"deep":[true,null,"x"]}]]]],"object":{"a":{"b":{"c":{}}}},"emptyList":[]}
            """;
        var processor = ScriptHarness.Processor(Echo);

        var context = await processor.RunAsync(data);

        Assert.That(JsonNode.DeepEquals(context.Response, JsonNode.Parse(data)), Is.True, context.ResponseJson());
    }

    [Test]
    public async Task A_large_body_with_characters_of_every_UTF8_length_comes_back_unchanged()
    {
        // Past 32 KB the input reaches the engine in pieces: no character may be cut between two of them.
        var text = string.Concat(Enumerable.Repeat("aé€😀", 20_000));
        var data = new JsonObject { ["texts"] = new JsonArray("x" + text, "xy" + text, "xyz" + text) };
        var processor = ScriptHarness.Processor(Echo);

        var context = await processor.RunAsync(data);

        Assert.That(JsonNode.DeepEquals(context.Response, data), Is.True);
    }

    [Test]
    public async Task Whole_numbers_up_to_2_to_the_53_are_written_exactly_as_integers()
    {
        var processor = ScriptHarness.Processor("attributes.put('response', [9007199254740992, -9007199254740992, 1e15, 123456789012, -0, 3.0, 1e21]);");

        var context = await processor.RunAsync();

        Assert.That(context.ResponseJson(), Is.EqualTo("[9007199254740992,-9007199254740992,1000000000000000,123456789012,0,3,1e+21]"));
    }

    [Test]
    public async Task Fractions_keep_their_shortest_round_trip_form()
    {
        var processor = ScriptHarness.Processor("attributes.put('response', [0.1, 0.1 + 0.2, 1/3, -2.5, 23.47, 1e-7]);");

        var values = (await processor.RunAsync()).Response!.AsArray().Select(v => v!.GetValue<double>());

        Assert.That(values, Is.EqualTo(new[] { 0.1, 0.1 + 0.2, 1.0 / 3, -2.5, 23.47, 1e-7 }));
    }

    [Test]
    public async Task NaN_and_infinities_become_null_as_in_JSON_stringify()
    {
        var processor = ScriptHarness.Processor("attributes.put('response', {nan: NaN, up: Infinity, down: -Infinity, list: [NaN]});");

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("""{"nan":null,"up":null,"down":null,"list":[null]}"""));
    }

    [Test]
    public async Task Dates_become_ISO_8601_strings()
    {
        var processor = ScriptHarness.Processor("""
            attributes.put('response', {when: new Date(Date.UTC(2024, 1, 29, 13, 45, 7, 89)), epoch: new Date(0), invalid: new Date('nonsense')});
            """);

        Assert.That((await processor.RunAsync()).ResponseJson(),
            Is.EqualTo("""{"when":"2024-02-29T13:45:07.089Z","epoch":"1970-01-01T00:00:00.000Z","invalid":null}"""));
    }

    [Test]
    public async Task Undefined_and_functions_are_left_out_of_objects_and_null_in_arrays()
    {
        var processor = ScriptHarness.Processor("""
            attributes.put('response', {kept: 1, gone: undefined, fn: function () {}, list: [undefined, function () {}, 2], nil: null});
            """);

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("""{"kept":1,"list":[null,null,2],"nil":null}"""));
    }

    [Test]
    public async Task Null_is_a_response_and_undefined_is_none()
    {
        var nullResponse = await ScriptHarness.Processor("attributes.put('response', null);").RunAsync();
        var undefinedResponse = await ScriptHarness.Processor("attributes.put('response', undefined);").RunAsync();
        var functionResponse = await ScriptHarness.Processor("attributes.put('response', function () {});").RunAsync();

        Assert.That((nullResponse.IsResponseSet, nullResponse.Response), Is.EqualTo((true, (JsonNode?)null)));
        Assert.That(undefinedResponse.IsResponseSet, Is.False);
        Assert.That(functionResponse.IsResponseSet, Is.False);
    }

    [Test]
    public async Task A_string_response_is_a_JSON_string_node_the_host_writes_as_it_is()
    {
        var context = await ScriptHarness.Processor("attributes.put('response', '<p>Hello</p>');").RunAsync();

        Assert.That(context.Response, Is.InstanceOf<JsonValue>());
        Assert.That(context.Response!.GetValue<string>(), Is.EqualTo("<p>Hello</p>"));
    }

    [TestCase("42", "42")]
    [TestCase("true", "true")]
    [TestCase("[1, 'a', null]", """[1,"a",null]""")]
    [TestCase("new Number(5)", "5")]
    [TestCase("new String('boxed')", "\"boxed\"")]
    [TestCase("new Boolean(false)", "false")]
    [TestCase("/regex/", "{}")]
    public async Task Any_value_can_be_the_response(string value, string json)
    {
        var context = await ScriptHarness.Processor($"attributes.put('response', {value});").RunAsync();

        Assert.That(context.ResponseJson(), Is.EqualTo(json));
    }

    [Test]
    public async Task ToJSON_and_getters_are_honoured_as_JSON_stringify_does()
    {
        var processor = ScriptHarness.Processor("""
            var money = {amount: 5, toJSON: function (key) { return this.amount + ' EUR (' + key + ')'; }};
            var shape = {side: 2};
            Object.defineProperty(shape, 'area', {get: function () { return this.side * this.side; }, enumerable: true});
            Object.defineProperty(shape, 'hidden', {value: 1, enumerable: false});
            attributes.put('response', {price: money, shape: shape});
            """);

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("""{"price":"5 EUR (price)","shape":{"side":2,"area":4}}"""));
    }

    [Test]
    public async Task ToJSON_is_given_an_elements_index_and_at_the_top_an_empty_key()
    {
        var processor = ScriptHarness.Processor("""
            var keyed = {toJSON: function (key) { return typeof key + ' ' + key; }};
            attributes.put('response', {list: [1, keyed, [keyed]], top: keyed});
            """);
        var atTop = ScriptHarness.Processor("attributes.put('response', {toJSON: function (key) { return [key]; }});");

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("""{"list":[1,"string 1",["string 0"]],"top":"string top"}"""));
        Assert.That((await atTop.RunAsync()).ResponseJson(), Is.EqualTo("""[""]"""));
    }

    [Test]
    public async Task A_script_builds_the_same_JSON_as_JSON_stringify()
    {
        var processor = ScriptHarness.Processor("""
            var value = {a: [1, 2.5, 'x', true, null, {b: []}], c: 'Grüße 🚪', d: new Date(86400000), e: -7, f: 1e-3};
            attributes.put('response', {direct: value, viaText: JSON.parse(JSON.stringify(value)), text: JSON.stringify(value)});
            """);

        var response = (await processor.RunAsync()).Response!;

        Assert.That(JsonNode.DeepEquals(response["direct"], response["viaText"]), Is.True);
        Assert.That(JsonNode.DeepEquals(response["direct"], JsonNode.Parse(response["text"]!.GetValue<string>())), Is.True);
    }

    [Test]
    public async Task Unicode_survives_the_round_trip_in_both_directions()
    {
        var processor = ScriptHarness.Processor("""
            var s = attributes.get('data').s;
            attributes.put('response', {s: s, length: s.length, built: '\u00e9\ud83d\udeaa', codes: [s.charCodeAt(0), s.charCodeAt(1)]});
            """);

        var response = (await processor.RunAsync("""{"s": "é🚪"}""")).Response!;

        Assert.That(response["s"]!.GetValue<string>(), Is.EqualTo("é🚪"));
        Assert.That(response["built"]!.GetValue<string>(), Is.EqualTo("é🚪"));
        Assert.That(response["length"]!.GetValue<long>(), Is.EqualTo(3), "JavaScript counts UTF-16 code units");
        Assert.That(response["codes"]!.ToJsonString(), Is.EqualTo("[233,55357]"));
    }

    [Test]
    public async Task Numbers_in_data_are_javascript_numbers()
    {
        var processor = ScriptHarness.Processor("""
            var d = attributes.get('data');
            attributes.put('response', {sum: d.a + d.b, exact: d.big === 9007199254740992, type: typeof d.a, beyond: d.beyond === 9007199254740992});
            """);

        var context = await processor.RunAsync("""{"a": 0.1, "b": 0.2, "big": 9007199254740992, "beyond": 9007199254740993}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"sum":0.30000000000000004,"exact":true,"type":"number","beyond":true}"""));
    }

    [Test]
    public async Task Null_and_missing_members_stay_distinct()
    {
        var processor = ScriptHarness.Processor("""
            var d = attributes.get('data');
            attributes.put('response', {isNull: d.x === null, missing: d.y === undefined, hasX: 'x' in d, hasY: 'y' in d});
            """);

        Assert.That((await processor.RunAsync("""{"x": null}""")).ResponseJson(), Is.EqualTo("""{"isNull":true,"missing":true,"hasX":true,"hasY":false}"""));
    }

    [Test]
    public async Task Sparse_arrays_and_array_likes_are_written_as_JSON_stringify_does()
    {
        var processor = ScriptHarness.Processor("""
            var sparse = [1]; sparse[3] = 4;
            (function () { attributes.put('response', {sparse: sparse, args: arguments}); })('a', 'b');
            """);

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("""{"sparse":[1,null,null,4],"args":{"0":"a","1":"b"}}"""));
    }
}
