using DataHub.Plugins;
using DataHub.Plugins.Script;
using DataHub.Plugins.Script.V8;
using Microsoft.ClearScript;
using Microsoft.ClearScript.V8;

namespace DataHub.Script.Tests;

/// <summary>
/// The load-time syntax check (Acornima, no V8) against V8 itself. The check may only accept what V8 compiles: what it
/// wrongly accepted would load and then fail on its first call. What it rejects goes on to V8 at load, so a wrong
/// rejection costs time, not a script; both directions are compared here.
/// </summary>
public sealed class ScriptSyntaxTests
{
    private static readonly string[] _bodies =
    [
        "using x = null;",
        "const [a, ...rest] = [1, 2]; const { b = 1, ...others } = {}; return `${a}${b}`;",
        "class A { #x = 1; static #y; static { } get x() { return this.#x; } static has(o) { return #x in o; } }",
        "return /(?<a>x)|(?<a>y)/;",
        "return /(?i:a)b/;",
        "return /[\\p{L}--[a-z]]/v;",
        "return /\\p{RGI_Emoji}/v;",
        "return /a/dgimsuy;",
        "return 1_000n ** 2n;",
        "a ||= 1; b &&= 2; c ??= 3; return a?.b?.[c]?.(d);",
        "function* g() { yield* [1]; } return g;",
        "return async x => await x;",
        "if (1) function f() {}",
        "return 0777;",
        "return \"\\8\";",
        "return new.target;",
        "yield = 1;",
        "let await = 1;",
        "import('x');",
        "return tag`\\unicode`;",
        "label: for (;;) { continue label; }",
        "class A { static { } accessor x = 1; }",
        "return import.meta;",
        "return x?.#y;",
        "return {__proto__: null, __proto__: null};",
        "'use strict'; with (a) {}",
        "@dec class A {}",
        "label: label: 1;",
        "for (let let of x);",
        "'use strict'; return 0777;",
        "a => { 'use strict'; delete x; };",
        "({a:1} = 1);",
        "return `\\unicode`;",
        "return super.x;",
        "import x from 'y';",
        "return #x in o;",
        "return a?.b`c`;",
        "new a?.b();",
        "for await (const x of y);",
        "let x = 1; let x = 2;",
        "return /(/;",
        "return /a{2,1}/;",
        "return /(?<a>.)\\k<b>/;",
        "continue;",
        "return <div/>;",
        "return 1 +;",
    ];

    private V8ScriptEngine _v8 = null!;

    [OneTimeSetUp]
    public void StartV8() => _v8 = new V8ScriptEngine();

    [OneTimeTearDown]
    public void StopV8() => _v8.Dispose();

    [TestCaseSource(nameof(_bodies))]
    public void The_load_time_check_accepts_a_function_body_exactly_when_V8_compiles_it(string body)
    {
        var code = "(function () {" + body + "\n})";

        Assert.That(JavaScriptSyntax.Parses(code), Is.EqualTo(V8Compiles(code)));
    }

    [Test]
    public void Code_nested_past_the_parser_stack_is_left_to_V8_rather_than_crashing_the_host()
    {
        var deep = new string('(', 100_000) + "1" + new string(')', 100_000);

        Assert.That(JavaScriptSyntax.Parses(deep), Is.False);
    }

    [Test]
    public async Task A_script_only_V8_rejects_fails_its_call_with_V8s_syntax_error_and_leaves_the_isolate_serving()
    {
        // Reached only if the two parsers ever disagree: built past the load-time check, as such a script would be.
        var pool = new V8Pool(maxIsolates: 1);
        var refused = new V8CompiledScript(pool, new ScriptSource("var ok = 1;\nreturn 1 +;", "the inline script", "e"), ScriptLimits.Default, isAsync: false, ThrowSites.None);
        var fine = new V8CompiledScript(pool, new ScriptSource("attributes.put('response', 2);", "the inline script", "f"), ScriptLimits.Default, isAsync: false, ThrowSites.None);
        var request = new ScriptRequest(["{}"], Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var run = await refused.RunAsync(request, CancellationToken.None);
        var next = await fine.RunAsync(request, CancellationToken.None);

        Assert.That(run.End, Is.EqualTo(ScriptEnd.Completed));
        Assert.That(System.Text.Json.Nodes.JsonNode.Parse(run.Output!)!["error"]!["message"]!.GetValue<string>(),
            Is.EqualTo("Syntax error in the inline script at line 2, column 11: Unexpected token ';'"));
        Assert.That(ScriptOutputs.Read(next.Output!, ScriptLimits.Default).Response?.ToJsonString(), Is.EqualTo("2"));
    }

    private bool V8Compiles(string code)
    {
        try
        {
            _v8.Compile(code).Dispose();
            return true;
        }
        catch (ScriptEngineException)
        {
            return false;
        }
    }
}
