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
        Assert.That(prepared.Errors, Is.EqualTo(new[] { "Syntax error in the inline script at line 2, column 20: Unexpected token ," }));
    }

    [Test]
    public void A_syntax_error_in_a_script_file_names_the_file()
    {
        using var instance = new TempDirectory();
        instance.Write("scripts/broken.js", "// greeting\nattributes.put('response', 'hi'\n");

        var prepared = ScriptHarness.Prepare(new JsonObject { ["file"] = "scripts/broken.js" }, instance.Path);

        Assert.That(prepared.Errors, Has.One.StartsWith("Syntax error in scripts/broken.js at line 3"));
    }

    [Test]
    public void A_script_nested_deeper_than_a_request_thread_can_evaluate_is_refused_at_load()
    {
        var deep = "var x = " + string.Concat(Enumerable.Repeat("(1 + ", 400)) + "1" + new string(')', 400) + ";";

        var prepared = ScriptHarness.Prepare(JsonValue.Create(deep));

        Assert.That(prepared.Errors, Has.One.Contains("nests expressions and statements more than 150 levels deep (at line 1)"));
    }

    [Test]
    public void An_absurdly_nested_script_is_reported_without_harming_the_host()
    {
        var absurd = string.Concat(Enumerable.Repeat("[", 100_000)) + string.Concat(Enumerable.Repeat("]", 100_000));

        var prepared = ScriptHarness.Prepare(JsonValue.Create(absurd));

        Assert.That(prepared.Errors, Has.One.Contains("levels deep"));
    }
}
