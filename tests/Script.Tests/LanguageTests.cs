namespace DataHub.Script.Tests;

/// <summary>The ECMAScript 5 scripts written for Jint behave as before on V8 (run as a function body, with frozen intrinsics).</summary>
public sealed class LanguageTests
{
    [TestCase("function f() { 'use strict'; return this; }", "f() === undefined", TestName = "A_strict_function_stays_strict")]
    [TestCase("function f() { return this; }", "f() === this", TestName = "A_sloppy_function_sees_the_global_object")]
    [TestCase("var early = typeof later; function later() {}", "early === 'function'", TestName = "Function_declarations_are_hoisted")]
    [TestCase("function f() { var seen = typeof v; var v = 1; return seen; }", "f() === 'undefined'", TestName = "Var_declarations_are_hoisted")]
    [TestCase("var r = /a(b)?/gi, m = r.exec('xAB aB');", "m[0] === 'AB' && m[1] === 'B' && r.lastIndex === 3 && r.exec('xAB aB').index === 4", TestName = "Regular_expressions_keep_flags_groups_and_lastIndex")]
    [TestCase("var m = /\\/path\\/(\\d+)/.exec('/path/42');", "m[1] === '42'", TestName = "Regular_expressions_keep_escaped_slashes")]
    [TestCase("function f() { var RegExp = null; return /x/.test('x'); }", "f()", TestName = "A_regular_expression_literal_ignores_a_shadowed_RegExp")]
    [TestCase("function add(a, b) { return a + b; } var x = add(1, 2), y = add('a', 'b'), z = add(1, 2);", "x === 3 && y === 'ab' && z === 3", TestName = "Calls_with_literal_arguments_repeat_correctly")]
    [TestCase("function count() { var n = 0; return function () { return ++n; }; } var c = count(); c();", "c() === 2", TestName = "Closures_keep_their_state")]
    [TestCase("function f() { try { throw new Error('x'); } catch (e) { return e.message; } finally { } }", "f() === 'x'", TestName = "Try_catch_finally_works_inside_functions")]
    [TestCase("", "[3, 1, 2].sort(function (a, b) { return a - b; }).join() === '1,2,3'", TestName = "Callbacks_from_builtins_work")]
    [TestCase("", "JSON.parse(JSON.stringify({a: [1, {b: 'c'}]})).a[1].b === 'c'", TestName = "JSON_round_trips")]
    [TestCase("", "new Date(Date.UTC(2020, 0, 1)).toISOString() === '2020-01-01T00:00:00.000Z'", TestName = "Dates_work")]
    [TestCase("function f() { var local = 5; return eval('local + 1'); }", "f() === 6", TestName = "Eval_sees_the_callers_variables")]
    [TestCase("eval('var fromEval = 1; function alsoFromEval() { return 2; }');", "fromEval + alsoFromEval() === 3", TestName = "Eval_declares_in_the_callers_scope")]
    [TestCase("eval('\\'use strict\\'; var kept = 1;');", "typeof kept === 'undefined'", TestName = "Strict_eval_keeps_its_declarations")]
    [TestCase("", "eval('1; 2 + 3') === 5 && eval(42) === 42", TestName = "Eval_returns_the_completion_value")]
    [TestCase("var caught; try { eval('var = ;'); } catch (e) { caught = e instanceof SyntaxError; }", "caught", TestName = "Eval_of_bad_code_throws_a_SyntaxError")]
    [TestCase("var caught; try { eval('throw new RangeError(\\'r\\')'); } catch (e) { caught = e.name; }", "caught === 'RangeError'", TestName = "Eval_passes_a_throw_on")]
    [TestCase("var add = new Function('a', 'b', 'return a + b;'), self = Function('return this;');", "add(2, 3) === 5 && self() === this && add.length === 2", TestName = "The_Function_constructor_makes_global_functions")]
    [TestCase("function f() {}", "f instanceof Function && f.constructor === Function && Function.prototype.constructor === Function && typeof Function === 'function'", TestName = "Function_keeps_its_identity")]
    [TestCase("var caught; try { new Function('a', 'return a +'); } catch (e) { caught = e instanceof SyntaxError; }", "caught", TestName = "The_Function_constructor_throws_a_SyntaxError_for_bad_code")]
    public async Task The_language_behaves_as_ECMAScript_5(string setup, string expression)
    {
        var context = await ScriptHarness.Processor($"{setup}\nattributes.put('response', ({expression}));").RunAsync();

        Assert.That(context.ResponseJson(), Is.EqualTo("true"), context.ErrorMessage);
    }

    [Test]
    public async Task The_same_code_built_at_run_time_behaves_alike_on_every_call_and_request()
    {
        // Run-time code is prepared once per engine and reused: each call must still get fresh objects and errors.
        var processor = ScriptHarness.Processor("""
            function make() { return eval('var n = 0; [/a/g, {n: ++n}]'); }
            var first = make(), second = make();
            var add = new Function('a', 'b', 'return [a + b, /b/g];'), again = new Function('a', 'b', 'return [a + b, /b/g];');
            var errors = 0;
            for (var i = 0; i < 3; i++) { try { eval('var = ;'); } catch (e) { if (e instanceof SyntaxError) { errors++; } } }
            var strict = (function () { 'use strict'; eval('var kept = 1;'); return typeof kept; })();
            eval('var kept = 1;');
            attributes.put('response', [first[0] !== second[0], first[1] !== second[1], first[1].n, second[1].n,
                add !== again, add(1, 2)[0], add(1, 2)[1] !== again(1, 2)[1], errors, strict, kept]);
            """);

        foreach (var _ in Enumerable.Range(0, 3))
        {
            var context = await processor.RunAsync();
            Assert.That(context.ResponseJson(), Is.EqualTo("""[true,true,1,1,true,3,true,3,"undefined",1]"""), context.ErrorMessage);
        }
    }

    [Test]
    public async Task Literal_caches_shared_between_engines_hold_the_right_values_under_concurrency()
    {
        var processor = ScriptHarness.Processor("""
            function pick(k) { return {a: 'alpha', b: 'beta', n: 42.5}[k]; }
            var d = attributes.get('data');
            attributes.put('response', [pick('a'), pick('b'), pick('n'), d.i]);
            """);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => processor.RunAsync($$"""{"i": {{i}}}"""))));

        Assert.That(results.Select(c => c.ResponseJson()), Is.EqualTo(Enumerable.Range(0, 200).Select(i => $"""["alpha","beta",42.5,{i}]""")));
    }
}
