using System.Text.Json.Nodes;
using DataHub.Plugins;

namespace DataHub.Script.Tests;

/// <summary>Every attribute in and out of a script, through the plug-in contract.</summary>
public sealed class AttributesTests
{
    [Test]
    public async Task Every_input_reaches_the_script_as_a_plain_javascript_value()
    {
        var processor = ScriptHarness.Processor("""
            function kind(v) {
              if (v === null) return 'null';
              if (Array.isArray(v)) return 'array:' + (Object.getPrototypeOf(v) === Array.prototype);
              if (typeof v === 'object') return 'object:' + (Object.getPrototypeOf(v) === Object.prototype) + ':' + Object.prototype.toString.call(v);
              return typeof v;
            }
            var names = ['data', 'context', 'user', 'options', 'entityMapping'], out = {};
            for (var i = 0; i < names.length; i++) out[names[i]] = kind(attributes.get(names[i]));
            var data = attributes.get('data');
            out.members = [kind(data.list), kind(data.list[0]), kind(data.flag), kind(data.nothing), kind(data.nested.deeper)];
            out.context = attributes.get('context').instance + '/' + attributes.get('context').system + '/' + attributes.get('context').entity;
            out.user = attributes.get('user').id;
            out.options = attributes.get('options').verbose;
            out.entityMapping = attributes.get('entityMapping').processor;
            attributes.put('response', out);
            """);
        var context = ScriptHarness.Context(
            JsonNode.Parse("""{"list": [1, "two"], "flag": true, "nothing": null, "nested": {"deeper": {"x": 1}}}"""),
            user: new JsonObject { ["id"] = "ada", ["roles"] = new JsonArray("admin") },
            options: JsonNode.Parse("""{"verbose": true}"""));

        await processor.ExecuteAsync(context, CancellationToken.None);

        Assert.That(context.ResponseJson(), Is.EqualTo(
            """{"data":"object:true:[object Object]","context":"product/services/test","user":"ada","options":true,"entityMapping":"Script","members":["array:true","number","boolean","null","object:true:[object Object]"]}"""));
    }

    [Test]
    public async Task Inputs_the_request_lacks_read_as_null_and_are_not_had()
    {
        var processor = ScriptHarness.Processor("""
            attributes.put('response', [attributes.get('data'), attributes.get('user'), attributes.get('options'),
              attributes.has('data'), attributes.has('user'), attributes.has('options'), attributes.has('context'), attributes.has('entityMapping')]);
            """);

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("[null,null,null,false,false,false,true,true]"));
    }

    [Test]
    public async Task Reading_an_input_twice_gives_the_same_object()
    {
        var processor = ScriptHarness.Processor("""
            attributes.get('data').seen = true;
            attributes.put('response', {same: attributes.get('data') === attributes.get('data'), seen: attributes.get('data').seen});
            """);

        Assert.That((await processor.RunAsync("""{"a": 1}""")).ResponseJson(), Is.EqualTo("""{"same":true,"seen":true}"""));
    }

    [Test]
    public async Task Changing_an_input_in_the_script_leaves_the_request_unchanged()
    {
        var processor = ScriptHarness.Processor("attributes.get('data').a = 2; attributes.put('response', attributes.get('data'));");
        var data = JsonNode.Parse("""{"a": 1}""");

        var context = await processor.RunAsync(data);

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"a":2}"""));
        Assert.That(data!.ToJsonString(), Is.EqualTo("""{"a":1}"""));
    }

    [TestCase("data")]
    [TestCase("context")]
    [TestCase("user")]
    [TestCase("options")]
    [TestCase("entityMapping")]
    public async Task An_input_cannot_be_replaced(string input)
    {
        var processor = ScriptHarness.Processor($"attributes.put('{input}', {{}});");

        var context = await processor.RunAsync();

        Assert.That(context.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(context.ErrorMessage, Is.EqualTo($"TypeError: '{input}' is an input attribute and cannot be replaced. (line 1, column 12)"));
    }

    [Test]
    public async Task HttpStatus_status_and_errorMessage_go_to_the_context()
    {
        var processor = ScriptHarness.Processor("""
            attributes.put('httpStatus', 202);
            attributes.put('status', 10);
            attributes.put('errorMessage', 'queued for later');
            """);

        var context = await processor.RunAsync();

        Assert.That(context.HttpStatus, Is.EqualTo(202));
        Assert.That(context.Status, Is.EqualTo(10));
        Assert.That(context.ErrorMessage, Is.EqualTo("queued for later"));
        Assert.That(context.IsResponseSet, Is.False);
    }

    [Test]
    public async Task A_status_and_errorMessage_alone_leave_the_response_to_the_host()
    {
        var processor = ScriptHarness.Processor("attributes.put('status', 25); attributes.put('errorMessage', 'height must be positive');");

        var context = await processor.RunAsync();

        Assert.That(context.IsResponseSet, Is.False);
        Assert.That((context.Status, context.ErrorMessage), Is.EqualTo((25, "height must be positive")));
    }

    [Test]
    public async Task HttpHeaders_may_be_an_object()
    {
        var processor = ScriptHarness.Processor("""
            attributes.put('httpHeaders', {'Content-Type': 'text/plain', 'X-Count': 3, 'X-Ok': true, 'X-Skipped': null});
            """);

        var context = await processor.RunAsync();

        Assert.That(context.HttpHeaders, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["Content-Type"] = "text/plain",
            ["X-Count"] = "3",
            ["X-Ok"] = "true",
        }));
    }

    [Test]
    public async Task HttpHeaders_may_be_a_json_string()
    {
        var processor = ScriptHarness.Processor("""attributes.put('httpHeaders', '{"X-Greeting": "Hello", "Retry-After": 30}');""");

        var context = await processor.RunAsync();

        Assert.That(context.HttpHeaders, Is.EquivalentTo(new Dictionary<string, string> { ["X-Greeting"] = "Hello", ["Retry-After"] = "30" }));
    }

    [Test]
    public async Task Putting_httpHeaders_again_replaces_them()
    {
        var processor = ScriptHarness.Processor("""
            attributes.put('httpHeaders', {'X-First': 'one'});
            attributes.put('httpHeaders', {'X-Second': 'two'});
            attributes.put('response', attributes.get('httpHeaders'));
            """);

        var context = await processor.RunAsync();

        Assert.That(context.HttpHeaders.Keys, Is.EqualTo(new[] { "X-Second" }));
        Assert.That(context.ResponseJson(), Is.EqualTo("""{"X-Second":"two"}"""));
    }

    [TestCase("attributes.put('httpStatus', 'teapot');", "httpStatus must be a whole number from 100 to 599, not 'teapot'.")]
    [TestCase("attributes.put('httpStatus', 99);", "httpStatus must be a whole number from 100 to 599, not 99.")]
    [TestCase("attributes.put('status', 2.5);", "status must be a whole number from 0 to 2147483647, not 2.5.")]
    [TestCase("attributes.put('httpHeaders', [1]);", "httpHeaders must be an object of header names and values, or a JSON string of one.")]
    [TestCase("attributes.put('httpHeaders', '[1]');", "httpHeaders as a string must hold a JSON object.")]
    [TestCase("attributes.put('httpHeaders', {'X-A': {}});", "httpHeaders 'X-A' must be a string, number or boolean.")]
    [TestCase("attributes.put(42, 1);", "An attribute name must be a string, not 42.")]
    public async Task A_value_an_attribute_cannot_take_is_a_TypeError_at_its_line(string script, string message)
    {
        var processor = ScriptHarness.Processor("var a = 1;\n" + script);

        var context = await processor.RunAsync();

        Assert.That(context.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(context.ErrorMessage, Is.EqualTo($"TypeError: {message} (line 2, column 12)"));
    }

    [Test]
    public async Task A_script_can_catch_a_refused_value_and_carry_on()
    {
        var processor = ScriptHarness.Processor("""
            try { attributes.put('httpStatus', 'teapot'); } catch (e) { attributes.put('response', {caught: e.name}); }
            """);

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("""{"caught":"TypeError"}"""));
    }

    [Test]
    public async Task Outputs_read_back_as_they_were_put_and_can_be_removed()
    {
        var processor = ScriptHarness.Processor("""
            attributes.put('httpStatus', 201);
            attributes.put('status', 10);
            attributes.put('errorMessage', 'fine');
            attributes.put('response', {x: 1});
            var before = [attributes.get('httpStatus'), attributes.get('status'), attributes.get('errorMessage'), attributes.get('response').x,
              attributes.has('httpStatus'), attributes.has('response')];
            var removed = [attributes.remove('httpStatus'), attributes.remove('status'), attributes.remove('errorMessage'), attributes.remove('nothing')];
            var after = [attributes.get('httpStatus'), attributes.has('status'), attributes.get('errorMessage')];
            attributes.put('response', {before: before, removed: removed, after: after});
            """);

        var context = await processor.RunAsync();

        Assert.That(context.ResponseJson(), Is.EqualTo(
            """{"before":[201,10,"fine",1,true,true],"removed":[true,true,true,false],"after":[null,false,null]}"""));
        Assert.That((context.HttpStatus, context.Status, context.ErrorMessage), Is.EqualTo(((int?)null, (int?)null, (string?)null)));
    }

    [Test]
    public async Task Removing_the_response_leaves_it_unset()
    {
        var processor = ScriptHarness.Processor("attributes.put('response', {x: 1}); attributes.remove('response');");

        Assert.That((await processor.RunAsync()).IsResponseSet, Is.False);
    }

    [Test]
    public async Task Other_attribute_names_are_free_slots_for_the_request()
    {
        var processor = ScriptHarness.Processor("""
            var had = attributes.has('total');
            attributes.put('total', {sum: 3});
            attributes.put('response', {had: had, has: attributes.has('total'), value: attributes.get('total'), missing: attributes.get('other')});
            """);

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("""{"had":false,"has":true,"value":{"sum":3},"missing":null}"""));
        Assert.That((await processor.RunAsync()).ResponseJson(), Does.StartWith("""{"had":false"""), "a slot lasts one request");
    }

    [Test]
    public async Task Changes_to_the_response_after_put_still_count()
    {
        var processor = ScriptHarness.Processor("var r = {items: []}; attributes.put('response', r); r.items.push(1); r.done = true;");

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("""{"items":[1],"done":true}"""));
    }
}
