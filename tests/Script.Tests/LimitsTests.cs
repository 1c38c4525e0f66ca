using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataHub.Plugins;

namespace DataHub.Script.Tests;

/// <summary>Each limit ends only the request that broke it, with its own status and a message naming it.</summary>
public sealed class LimitsTests
{
    [Test]
    public async Task A_script_running_past_timeoutMs_ends_with_status_26()
    {
        var processor = ScriptHarness.Processor("var i = 0;\nwhile (true) { i++; }", new { timeoutMs = 200 });
        var watch = Stopwatch.StartNew();

        var context = await processor.RunAsync();

        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(context.Status, Is.EqualTo(MessageStatus.ReprocessTimeout));
        Assert.That(context.ErrorMessage, Is.EqualTo("The script ran past its timeoutMs of 200 ms"));
        Assert.That(context.IsResponseSet, Is.False);
    }

    [Test]
    public async Task A_timeout_overrides_whatever_the_script_had_set()
    {
        var processor = ScriptHarness.Processor("""
            attributes.put('httpStatus', 200); attributes.put('response', {ok: true}); attributes.put('httpHeaders', {'X-A': 'b'});
            for (;;) {}
            """, new { timeoutMs = 100 });

        var context = await processor.RunAsync();

        Assert.That((context.Status, context.HttpStatus, context.IsResponseSet, context.HttpHeaders.Count), Is.EqualTo((26, (int?)null, false, 0)));
    }

    [Test]
    public async Task A_script_cannot_catch_its_own_timeout()
    {
        var processor = ScriptHarness.Processor("""
            try { while (true) {} } catch (e) { attributes.put('response', 'caught'); } finally { attributes.put('response', 'finally'); }
            """, new { timeoutMs = 100 });

        var context = await processor.RunAsync();

        Assert.That((context.Status, context.IsResponseSet), Is.EqualTo((26, false)));
    }

    [Test]
    public async Task MaxStatements_is_still_accepted_but_timeoutMs_is_what_bounds_a_loop()
    {
        var processor = ScriptHarness.Processor("for (;;) {}", new { maxStatements = 1000, timeoutMs = 200 });

        var context = await processor.RunAsync();

        Assert.That((context.Status, context.ErrorMessage), Is.EqualTo(((int?)MessageStatus.ReprocessTimeout, "The script ran past its timeoutMs of 200 ms")));
    }

    [Test]
    public async Task A_script_within_maxStatements_runs_to_its_end()
    {
        var processor = ScriptHarness.Processor("var n = 0; for (var i = 0; i < 100; i++) { n += i; } attributes.put('response', n);", new { maxStatements = 1000 });

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("4950"));
    }

    [Test]
    public async Task Runaway_recursion_ends_at_maxRecursionDepth_with_status_20()
    {
        var processor = ScriptHarness.Processor("function down(n) { return down(n + 1); }\ndown(0);", new { maxRecursionDepth = 50 });

        var context = await processor.RunAsync();

        Assert.That(context.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(context.ErrorMessage, Does.StartWith("The script nested function calls deeper than maxRecursionDepth (50)"));
    }

    [Test]
    public async Task MaxRecursionDepth_counts_all_nested_calls_not_one_function()
    {
        // A fresh closure per level: no single function recurses, yet the calls nest without end.
        var processor = ScriptHarness.Processor("function make() { return function (n) { return make()(n + 1); }; }\nmake()(0);", new { maxRecursionDepth = 40 });

        var context = await processor.RunAsync();

        Assert.That(context.ErrorMessage, Does.StartWith("The script nested function calls deeper than maxRecursionDepth (40)"));
    }

    [Test]
    public async Task Recursion_within_maxRecursionDepth_runs_to_its_end()
    {
        var processor = ScriptHarness.Processor("function f(n) { return n === 0 ? 0 : 1 + f(n - 1); } attributes.put('response', f(30));", new { maxRecursionDepth = 40 });

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("30"));
    }

    [TestCase("var o = {}; Object.defineProperty(o, 'x', {get: function () { return this.x; }}); o.x;", TestName = "A_getter_reading_itself")]
    [TestCase("var o = {toString: function () { return '' + o; }}; '' + o;", TestName = "A_toString_calling_itself_through_a_conversion")]
    [TestCase("var a = []; for (var i = 0; i < 200000; i++) { a = [a]; } String(a.flat(Infinity));", TestName = "Flattening_very_deep_data")]
    [TestCase("[1].map(function f() { return [1].map(f); });", TestName = "A_callback_calling_itself_through_a_builtin")]
    [TestCase("eval('var o = {}; Object.defineProperty(o, \\'x\\', {get: function () { return this.x; }}); o.x;');", TestName = "A_getter_made_by_eval_reading_itself")]
    [TestCase("var o = {}; Object.defineProperty(o, 'x', {get: new Function('return this.x;')}); o.x;", TestName = "A_getter_made_by_the_Function_constructor_reading_itself")]
    public async Task Recursion_the_call_limit_cannot_see_still_ends_the_request_not_the_host(string script)
    {
        var processor = ScriptHarness.Processor(script, new { maxRecursionDepth = 1000, timeoutMs = 20_000 });

        var context = await processor.RunAsync();

        Assert.That(context.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(context.ErrorMessage, Does.StartWith("The script nested function calls deeper than maxRecursionDepth (1000) allows"));
    }

    [Test]
    public async Task A_response_larger_than_maxResponseBytes_ends_with_status_20()
    {
        var processor = ScriptHarness.Processor("var a = []; for (var i = 0; i < 1000; i++) a.push('0123456789'); attributes.put('response', a);", new { maxResponseBytes = 1000 });

        var context = await processor.RunAsync();

        Assert.That(context.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(context.ErrorMessage, Is.EqualTo("The response is larger than maxResponseBytes (1000 bytes)."));
        Assert.That(context.IsResponseSet, Is.False);
    }

    [TestCase("""attributes.put('response', {a: [1, 2], b: "x\"y", c: null, d: 1.5, e: true});""")]
    [TestCase("""attributes.put('response', 'Grüße 🚪');""")]
    [TestCase("""attributes.put('response', ['\n\u0001', {}]);""")]
    public async Task MaxResponseBytes_measures_the_compact_UTF8_JSON_exactly(string script)
    {
        var measured = await ScriptHarness.Processor(script).RunAsync();
        // As the host writes it: a string as it is, anything else as compact JSON escaping only what JSON must.
        var bytes = measured.Response is JsonValue text && text.TryGetValue(out string? raw)
            ? Encoding.UTF8.GetByteCount(raw)
            : Encoding.UTF8.GetByteCount(measured.Response!.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));

        var exactlyEnough = await ScriptHarness.Processor(script, new { maxResponseBytes = bytes }).RunAsync();
        var oneTooFew = await ScriptHarness.Processor(script, new { maxResponseBytes = bytes - 1 }).RunAsync();

        Assert.That(exactlyEnough.Status, Is.Null);
        Assert.That(oneTooFew.ErrorMessage, Does.StartWith("The response is larger than maxResponseBytes"));
    }

    [Test]
    public async Task A_response_containing_itself_ends_with_status_20()
    {
        var processor = ScriptHarness.Processor("var o = {}; o.self = o; attributes.put('response', o);");

        var context = await processor.RunAsync();

        Assert.That(context.ErrorMessage, Is.EqualTo("The response contains a cycle: an object inside itself cannot be written as JSON."));
    }

    [Test]
    public async Task A_response_nested_deeper_than_the_host_can_write_ends_with_status_20()
    {
        var processor = ScriptHarness.Processor("var a = 1; for (var i = 0; i < 1001; i++) { a = [a]; } attributes.put('response', a);");

        var context = await processor.RunAsync();

        Assert.That(context.ErrorMessage, Is.EqualTo("The response is nested more than 1000 levels deep."));
    }

    [Test]
    public async Task A_runtime_error_ends_with_status_20_and_the_javascript_message_and_line()
    {
        var processor = ScriptHarness.Processor("var product = attributes.get('data');\n\nvar price = product.details.price;");

        var context = await processor.RunAsync("""{"name": "door"}""");

        Assert.That(context.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(context.ErrorMessage, Does.StartWith("TypeError: Cannot read properties of undefined (reading 'price') (line 3, column "));
    }

    [Test]
    public async Task A_thrown_error_gives_its_name_and_message()
    {
        var processor = ScriptHarness.Processor("attributes.put('response', {partial: true});\n  throw new RangeError('height must be below 300');");

        var context = await processor.RunAsync();

        Assert.That(context.ErrorMessage, Is.EqualTo("RangeError: height must be below 300 (line 2, column 9)"));
        Assert.That(context.IsResponseSet, Is.False, "a response put before the throw does not stand");
    }

    // An error knows where it was made (its stack). A thrown string or other value does not: it is placed at the one
    // throw statement that throws it as a literal, or at the script's only throw statement, or nowhere.
    [TestCase("throw 'plain words';", "plain words (line 1, column 1)")]
    [TestCase("throw 42;", "42 (line 1, column 1)")]
    [TestCase("throw {code: 7};", "Uncaught Object (line 1, column 1)")]
    [TestCase("function f() { throw {code: 7}; }\nf();", "Uncaught Object (line 1, column 16)")]
    [TestCase("if (attributes.has('x')) { throw 'x'; }\n  throw 'width is missing';", "width is missing (line 2, column 3)")]
    [TestCase("function f(m) { throw m; }\nfunction g(m) { throw m; }\ng('no');", "no")]
    [TestCase("throw new Proxy({}, {getPrototypeOf() { throw new Error('a\\uD800 b'); }});", "Uncaught value that cannot be described")]
    [TestCase("var e = new Error(); e.name = 'ValidationError'; throw e;", "ValidationError (line 1, column 9)")]
    [TestCase("null.x;", "TypeError: Cannot read properties of null (reading 'x') (line 1, column 6)")]
    [TestCase("function f() {\n  throw new TypeError('no');\n}\nf();", "TypeError: no (line 2, column 9)")]
    public async Task Anything_thrown_becomes_the_errorMessage(string script, string message)
    {
        var context = await ScriptHarness.Processor(script).RunAsync();

        Assert.That(context.ErrorMessage, Is.EqualTo(message));
    }

    [Test]
    public async Task A_script_that_set_status_before_throwing_keeps_what_it_set()
    {
        var processor = ScriptHarness.Processor("""
            attributes.put('status', 25);
            attributes.put('errorMessage', 'width is missing');
            throw new Error('stop here');
            """);

        var context = await processor.RunAsync();

        Assert.That((context.Status, context.ErrorMessage), Is.EqualTo((25, "width is missing")));
    }

    [Test]
    public async Task A_script_that_set_httpStatus_before_throwing_keeps_its_status_and_response()
    {
        var processor = ScriptHarness.Processor("""
            attributes.put('httpStatus', 409);
            attributes.put('response', {conflict: 'door 7'});
            throw new Error('stop here');
            """);

        var context = await processor.RunAsync();

        Assert.That((context.HttpStatus, context.Status), Is.EqualTo(((int?)409, (int?)null)));
        Assert.That(context.ResponseJson(), Is.EqualTo("""{"conflict":"door 7"}"""));
    }

    [Test]
    public async Task After_a_limit_the_same_entity_serves_the_next_request_normally()
    {
        var processor = ScriptHarness.Processor("""
            var d = attributes.get('data');
            function down(n) { return down(n + 1); }
            if (d.mode === 'loop') { while (true) {} }
            if (d.mode === 'recurse') { down(0); }
            if (d.mode === 'throw') { null.x; }
            attributes.put('response', {ok: d.mode});
            """, new { timeoutMs = 100, maxRecursionDepth = 30 });

        foreach (var mode in new[] { "loop", "recurse", "throw" })
        {
            var failed = await processor.RunAsync($$"""{"mode": "{{mode}}"}""");
            var fine = await processor.RunAsync("""{"mode": "fine"}""");

            Assert.That(failed.Status, Is.Not.Null, mode);
            Assert.That(fine.ResponseJson(), Is.EqualTo("""{"ok":"fine"}"""), "after " + mode);
        }
    }

    [Test]
    public async Task Runaway_recursion_on_a_request_thread_ends_at_the_default_maxStackKB()
    {
        // On a thread-pool thread, as Kestrel's requests run: the default limit must stop V8 inside that thread's stack.
        var processor = ScriptHarness.Processor("function down(n) { return down(n + 1) + 1; }\ndown(0);");

        var context = await Task.Run(() => processor.RunAsync());

        Assert.That(context.ErrorMessage, Does.StartWith("The script nested function calls deeper than maxStackKB (1024) allows"));
    }
}
