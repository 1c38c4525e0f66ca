using System.Text.Json.Nodes;
using DataHub.Plugins;

namespace DataHub.Script.Tests;

/// <summary>
/// Engines are reused, so each test runs a script that changes the engine and then runs the same entity again:
/// the next request must find the engine exactly as new. On V8 the intrinsics are frozen when an engine is made:
/// a change to them is refused (silently in sloppy code, as JavaScript does for frozen objects; with a TypeError
/// from Object.defineProperty and friends), and a run that leaves a global behind retires its engine.
/// </summary>
public sealed class IsolationTests
{
    // Describes everything reachable from the global object: every property's attributes and value, every
    // prototype and extensibility, in enumeration order, plus the two values that live outside properties.
    private const string Fingerprint = """
        function fingerprint(global) {
          var seen = [global], lines = [];
          function ref(v) { if (v === null) return 'null'; var k = seen.indexOf(v); if (k < 0) { seen.push(v); k = seen.length - 1; } return '#' + k; }
          function describe(v) { return (typeof v === 'object' && v !== null) || typeof v === 'function' ? ref(v) : typeof v + ':' + String(v); }
          for (var i = 0; i < seen.length; i++) {
            var o = seen[i], names = Object.getOwnPropertyNames(o);
            lines.push(i + ' proto ' + ref(Object.getPrototypeOf(o)) + ' extensible ' + Object.isExtensible(o) + ' ' + Object.prototype.toString.call(o));
            for (var j = 0; j < names.length; j++) {
              var d = Object.getOwnPropertyDescriptor(o, names[j]);
              lines.push(i + '.' + names[j] + ' ' + (d.writable ? 'w' : '-') + (d.enumerable ? 'e' : '-') + (d.configurable ? 'c' : '-')
                + ' ' + describe(d.value) + ' ' + describe(d.get) + ' ' + describe(d.set));
            }
          }
          lines.push('Array.prototype length ' + Array.prototype.length);
          return lines.join('\n');
        }
        """;

    // One entity that either changes the engine (data.code, run as global code) or describes it.
    private static readonly IProcessor _mutable = ScriptHarness.Processor(Fingerprint + """
        var request = attributes.get('data');
        if (request.code) { eval(request.code); }
        else { attributes.put('response', fingerprint(this)); }
        """);

    private static async Task<string> FingerprintAsync()
    {
        var context = await _mutable.RunAsync(new JsonObject());
        Assert.That(context.Status, Is.Null, context.ErrorMessage);
        return context.Response!.GetValue<string>();
    }

    [Test]
    public async Task The_fingerprint_sees_a_change_while_it_lasts()
    {
        var processor = ScriptHarness.Processor(Fingerprint + "var before = fingerprint(this); globalThis.extra = 1; attributes.put('response', before === fingerprint(this));");

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("false"));
    }

    [TestCase("leaked = 'sloppy';", TestName = "A_sloppy_global")]
    [TestCase("var declared = 1; function declaredFunction() {}", TestName = "Var_and_function_declarations")]
    [TestCase("function parseInt() { return 1; } var isNaN = 2;", TestName = "Declarations_redefining_builtin_globals")]
    [TestCase("this.viaThis = 1; this['a b'] = 2;", TestName = "Properties_set_on_the_global_object")]
    [TestCase("Object.defineProperty(this, 'sealed', {value: 1, configurable: false});", TestName = "A_non_configurable_global")]
    [TestCase("Reflect.defineProperty(this, 'reflected', {value: 1}); Object.defineProperties(this, {many: {value: 2}});", TestName = "Reflect_defineProperty_and_defineProperties_on_the_global_object")]
    [TestCase("Object.defineProperty(new Proxy(this, {}), 'throughProxy', {value: 1});", TestName = "A_definition_through_a_proxy_of_the_global_object")]
    [TestCase("Reflect.defineProperty(Proxy.revocable(this, {}).proxy, 'throughRevocable', {value: 1});", TestName = "A_definition_through_a_revocable_proxy_of_the_global_object")]
    [TestCase("Error.captureStackTrace(this);", TestName = "A_stack_captured_onto_the_global_object")]
    [TestCase("Object.prototype.polluted = 1; Array.prototype.extra = function () {}; String.prototype.shout = 2;", TestName = "Additions_to_prototypes")]
    [TestCase("JSON.stringify = function () { return 'hacked'; }; Math.max = null; parseInt = 3;", TestName = "Replaced_builtins")]
    [TestCase("delete Math.max; delete Array.prototype.push; delete this.parseInt; delete JSON.parse;", TestName = "Deleted_builtins")]
    [TestCase("delete Math.max; Math.max = 7;", TestName = "A_builtin_deleted_and_added_again")]
    [TestCase("Object.freeze(Object.prototype); Object.seal(Math); Object.preventExtensions(this);", TestName = "Frozen_sealed_and_non_extensible_builtins")]
    [TestCase("Object.defineProperty(Array.prototype, 'push', {value: 1, writable: false, enumerable: true});", TestName = "A_redefined_builtin")]
    [TestCase("Object.defineProperties(Math, {PI: {enumerable: false}, E2: {value: 7}});", TestName = "DefineProperties_on_a_builtin")]
    [TestCase("Object.defineProperty(Object.prototype, 'trap', {get: function () { return 1; }, configurable: true});", TestName = "An_accessor_on_a_prototype")]
    [TestCase("var d = new Date(0); Date.prototype.setTime.call(d, 5); Date.prototype.toJSON = null;", TestName = "Date_prototype")]
    [TestCase("Array.prototype.push.call(Array.prototype, 'x', 'y'); Array.prototype.length = 5;", TestName = "Elements_and_length_of_Array_prototype")]
    [TestCase("Error.prototype.message = 'changed'; TypeError.prototype.name = 'Changed';", TestName = "Error_prototypes")]
    [TestCase("Function.prototype.call = null; Function.prototype.marked = 1; parseInt.marked = 2;", TestName = "Function_objects")]
    [TestCase("Object.getOwnPropertyDescriptor(Function.prototype, 'caller').get.marked = 1;", TestName = "The_hidden_ThrowTypeError_function")]
    [TestCase("attributes.get = null; attributes.extra = 1; console.log = null; console.extra = 2;", TestName = "The_host_objects")]
    [TestCase("RegExp.prototype.lastIndex = 9; RegExp.prototype.exec = null;", TestName = "RegExp_prototype")]
    [TestCase("this.attributes = null; this.console = 1;", TestName = "The_host_objects_replaced")]
    [TestCase("Object.prototype.toString = function () { return 'x'; }; Object.getOwnPropertyNames = null; Object.defineProperty = null;", TestName = "The_functions_the_guard_itself_watches")]
    public async Task A_change_to_the_engine_is_not_seen_by_the_next_request(string change)
    {
        var pristine = await FingerprintAsync();

        var changed = await _mutable.RunAsync(new JsonObject { ["code"] = change });
        var after = await FingerprintAsync();

        // Done, or refused: a frozen intrinsic cannot be redefined.
        Assert.That(changed.Status is null || changed.ErrorMessage!.StartsWith("TypeError: Cannot ", StringComparison.Ordinal), changed.ErrorMessage);
        Assert.That(after, Is.EqualTo(pristine));
    }

    // The fingerprint lists names, not symbols: a global keyed by a symbol is checked on its own.
    [TestCase("globalThis[Symbol('mine')] = 1;", TestName = "A_global_keyed_by_a_symbol_is_gone_next_time")]
    [TestCase("Object.defineProperty(globalThis, Symbol.for('shared'), {value: 2});", TestName = "A_hidden_global_keyed_by_a_symbol_is_gone_next_time")]
    public async Task Symbol_keyed_globals(string change)
    {
        var processor = ScriptHarness.Processor($$"""
            var before = Object.getOwnPropertySymbols(globalThis).length;
            {{change}}
            attributes.put('response', before);
            """);

        var first = await processor.RunAsync();
        var second = await processor.RunAsync();

        Assert.That(second.ResponseJson(), Is.EqualTo(first.ResponseJson()));
    }

    [Test]
    public async Task The_definition_functions_the_guard_watches_behave_as_the_built_in_ones()
    {
        var processor = ScriptHarness.Processor("""
            var o = Object.defineProperty({}, 'a', {value: 1, enumerable: true});
            Object.defineProperties(o, {b: {value: 2, enumerable: true}});
            var defined = Reflect.defineProperty(o, 'c', {value: 3, enumerable: true});
            var error = {}; Error.captureStackTrace(error);
            var p = new Proxy({}, {get: function (t, k) { return k; }});
            var notNew; try { Proxy({}, {}); } catch (e) { notNew = e.name; }
            attributes.put('response', [o, defined, typeof error.stack, p.x, notNew, Proxy.revocable({}, {}).proxy !== null,
              Object.defineProperty.name, Object.defineProperty.length, Proxy.name, Proxy.length]);
            """);

        Assert.That((await processor.RunAsync()).ResponseJson(),
            Is.EqualTo("""[{"a":1,"b":2,"c":3},true,"string","x","TypeError",true,"defineProperty",3,"Proxy",2]"""));
    }

    [Test]
    public async Task Many_changes_in_a_row_still_leave_the_engine_as_new()
    {
        var pristine = await FingerprintAsync();

        foreach (var code in new[] { "a = 1; var b = 2;", "Object.prototype.x = 1;", "var b = 3; c = 4;", "Object.freeze(Array.prototype);", "delete Math.PI; d = 5;" })
        {
            await _mutable.RunAsync(new JsonObject { ["code"] = code });
        }

        Assert.That(await FingerprintAsync(), Is.EqualTo(pristine));
    }

    [Test]
    public async Task Globals_a_request_adds_enumerate_in_order_whatever_came_before()
    {
        var processor = ScriptHarness.Processor("""
            var order = [];
            eval(attributes.get('data').first ? 'one = 1; two = 2; three = 3;' : 'three = 3; one = 1; two = 2;');
            for (var name in this) { if (name === 'one' || name === 'two' || name === 'three') order.push(name); }
            attributes.put('response', order);
            """);

        await processor.RunAsync("""{"first": true}""");
        var second = await processor.RunAsync("""{"first": false}""");

        Assert.That(second.ResponseJson(), Is.EqualTo("""["three","one","two"]"""));
    }

    [Test]
    public async Task A_sloppy_global_written_by_a_plain_script_is_gone_next_time()
    {
        var processor = ScriptHarness.Processor("var before = typeof counter; counter = (typeof counter === 'number' ? counter : 0) + 1; attributes.put('response', [before, counter]);");

        await processor.RunAsync();
        var second = await processor.RunAsync();

        Assert.That(second.ResponseJson(), Is.EqualTo("""["undefined",1]"""));
    }

    [Test]
    public async Task A_function_declaration_replacing_a_builtin_global_is_gone_next_time()
    {
        var processor = ScriptHarness.Processor(Fingerprint + """
            var d = attributes.get('data');
            if (d.replace) { eval('function parseFloat() { return 1; }'); }
            attributes.put('response', fingerprint(this));
            """);
        var pristine = (await processor.RunAsync("{}")).ResponseJson();

        await processor.RunAsync("""{"replace": true}""");

        Assert.That((await processor.RunAsync("{}")).ResponseJson(), Is.EqualTo(pristine));
    }

    [Test]
    public async Task A_changed_prototype_in_a_plain_script_is_gone_next_time()
    {
        var processor = ScriptHarness.Processor("""
            var before = typeof [].total;
            Array.prototype.total = function () { return 1; };
            var refused;
            try { Object.defineProperty(Object.prototype, 'owner', {value: 'me', configurable: true}); } catch (e) { refused = e.name; }
            attributes.put('response', [before, typeof [].total, typeof ({}).owner, refused]);
            """);

        await processor.RunAsync();
        var second = await processor.RunAsync();

        Assert.That(second.ResponseJson(), Is.EqualTo("""["undefined","undefined","undefined","TypeError"]"""));
    }

    [Test]
    public async Task A_request_cannot_keep_another_requests_data()
    {
        var processor = ScriptHarness.Processor("""
            var previous = typeof kept === 'undefined' ? null : kept.secret;
            kept = attributes.get('data');
            Object.prototype.stash = attributes.get('data').secret;
            attributes.put('response', {previous: previous, stash: ({}).stash === attributes.get('data').secret});
            """);

        await processor.RunAsync("""{"secret": "first caller's"}""");
        var second = await processor.RunAsync("""{"secret": "second caller's"}""");

        Assert.That(second.ResponseJson(), Is.EqualTo("""{"previous":null,"stash":false}"""));
    }

    [Test]
    public async Task A_regular_expression_literal_is_a_new_object_each_time()
    {
        var processor = ScriptHarness.Processor("""
            function make() { return /door/g; }
            var first = make(), seen = [first.marked, first === make()];
            first.marked = true;
            first.test('door door');
            attributes.put('response', {seen: seen, lastIndex: make().lastIndex, flags: [first.global, first.source]});
            """);

        await processor.RunAsync();
        var second = await processor.RunAsync();

        Assert.That(second.ResponseJson(), Is.EqualTo("""{"seen":[null,false],"lastIndex":0,"flags":[true,"door"]}"""));
    }

    [Test]
    public async Task An_engine_left_inside_a_call_by_an_engine_failure_is_not_reused()
    {
        var processor = ScriptHarness.Processor("""
            var d = attributes.get('data');
            function f() { throw {code: 7}; }
            if (d.fail) { f(); }
            attributes.put('response', typeof local === 'undefined');
            """);

        var failed = await processor.RunAsync("""{"fail": true}""");
        var next = await processor.RunAsync("""{"fail": false}""");

        Assert.That(failed.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(next.ResponseJson(), Is.EqualTo("true"));
    }
}
