using System.Text.Json.Nodes;
using DataHub.Testing;

namespace DataHub.Script.Tests;

public sealed class SyntaxErrorTests
{
    [Test]
    public void A_syntax_error_in_an_inline_script_names_its_line_and_column()
    {
        var prepared = ScriptHarness.Prepare(JsonValue.Create("var ok = 1;\nvar broken = {a: 1,, b: 2};"));

        Assert.That(prepared.Processor, Is.Null);
        Assert.That(prepared.Errors, Is.EqualTo(new[] { "Syntax error in the inline script at line 2, column 20: Unexpected token ','" }));
    }

    [Test]
    public void A_syntax_error_in_a_script_file_names_the_file()
    {
        using var instance = new TempDirectory();
        instance.Write("scripts/broken.js", "// greeting\nattributes.put('response', 'hi'\n");

        var prepared = ScriptHarness.Prepare(new JsonObject { ["file"] = "scripts/broken.js" }, instance.Path);

        Assert.That(prepared.Errors, Has.One.StartsWith("Syntax error in scripts/broken.js at line 2, column 28: missing ) after argument list"));
    }

    [Test]
    public async Task A_deeply_nested_expression_that_V8_can_parse_loads_and_runs()
    {
        var deep = "var x = " + string.Concat(Enumerable.Repeat("(1 + ", 400)) + "1" + new string(')', 400) + "; attributes.put('response', x);";

        var context = await ScriptHarness.Processor(deep).RunAsync();

        Assert.That(context.ResponseJson(), Is.EqualTo("401"));
    }

    [Test]
    public void An_absurdly_nested_script_is_reported_without_harming_the_host()
    {
        var absurd = string.Concat(Enumerable.Repeat("[", 100_000)) + string.Concat(Enumerable.Repeat("]", 100_000));

        var prepared = ScriptHarness.Prepare(JsonValue.Create(absurd));

        Assert.That(prepared.Errors, Is.EqualTo(new[] { "The inline script nests expressions and statements too deeply for the parser; split it into functions." }));
    }
}
