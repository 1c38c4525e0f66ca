using System.Text.Json.Nodes;
using DataHub.Plugins;
using DataHub.Plugins.Script;

namespace DataHub.Script.Tests;

/// <summary>How a run's end and the prelude's output text become the request's answer, whatever engine sits behind the seam.</summary>
public sealed class ScriptProcessorTests
{
    private const string SomeOutputs = """{"dirty":false,"httpStatus":202,"status":null,"errorMessage":null,"httpHeaders":{"X-Partial":"yes"}}""" + "\n" + """{"partial":true}""";

    [Test]
    public async Task A_completed_run_sets_the_outputs_the_script_wrote()
    {
        var context = await RunAsync(ScriptRun.Finished(SomeOutputs));

        Assert.That((context.ResponseJson(), context.HttpStatus, context.HttpHeaders["X-Partial"]), Is.EqualTo(("""{"partial":true}""", (int?)202, "yes")));
    }

    [TestCase("TimedOut", MessageStatus.ReprocessTimeout)]
    [TestCase("LimitExceeded", MessageStatus.GeneralError)]
    public async Task A_run_a_limit_ended_answers_only_with_the_error(string end, int status)
    {
        var context = await RunAsync(new ScriptRun(Enum.Parse<ScriptEnd>(end), Message: "Stopped"));

        Assert.That((context.Status, context.ErrorMessage), Is.EqualTo(((int?)status, "Stopped")));
        Assert.That((context.IsResponseSet, context.HttpStatus, context.HttpHeaders.Count), Is.EqualTo((false, (int?)null, 0)));
    }

    [Test]
    public async Task A_response_the_prelude_could_not_write_answers_with_status_20()
    {
        var context = await RunAsync(ScriptRun.Finished("""{"dirty":false,"httpStatus":201,"responseError":"cycle"}"""));

        Assert.That((context.Status, context.HttpStatus, context.IsResponseSet), Is.EqualTo(((int?)20, (int?)null, false)));
        Assert.That(context.ErrorMessage, Does.Contain("cycle"));
    }

    [Test]
    public async Task A_throw_answers_with_status_20_unless_the_script_chose_a_status()
    {
        const string error = ""","error":{"message":"Error: no","stack":null}}""";
        var plain = await RunAsync(ScriptRun.Finished("""{"dirty":false,"httpStatus":null,"status":null""" + error + "\n1", new ScriptPosition(3, 7)));
        var chosenStatus = await RunAsync(ScriptRun.Finished("""{"dirty":false,"httpStatus":null,"status":25""" + error));
        var chosenHttpStatus = await RunAsync(ScriptRun.Finished("""{"dirty":false,"httpStatus":409,"status":null""" + error + "\n\"kept\""));

        Assert.That((plain.Status, plain.ErrorMessage, plain.IsResponseSet), Is.EqualTo(((int?)20, "Error: no (line 3, column 7)", false)));
        Assert.That((chosenStatus.Status, chosenStatus.ErrorMessage), Is.EqualTo(((int?)25, (string?)null)));
        Assert.That((chosenHttpStatus.Status, chosenHttpStatus.HttpStatus, chosenHttpStatus.ResponseJson()), Is.EqualTo(((int?)null, (int?)409, "\"kept\"")));
    }

    [Test]
    public void A_cancelled_run_is_an_OperationCanceledException()
    {
        Assert.ThrowsAsync<OperationCanceledException>(() => RunAsync(new ScriptRun(ScriptEnd.Cancelled)));
    }

    private static async Task<ProcessorContext> RunAsync(ScriptRun run)
    {
        var plugin = new ScriptPlugin(new FakeEngine(run));
        var prepared = ScriptHarness.Prepare(JsonValue.Create("any script"), plugin: plugin);
        return await prepared.Processor!.RunAsync();
    }

    // Ends every run as told.
    private sealed class FakeEngine(ScriptRun run) : IScriptEngine, ICompiledScript
    {
        public bool IsAsync => false;

        public ThrowSites ThrowSites => ThrowSites.None;

        public ScriptCompilation Compile(ScriptSource source, ScriptLimits limits) => ScriptCompilation.Success(this);

        public Task<ScriptRun> RunAsync(ScriptRequest request, CancellationToken cancellationToken) => Task.FromResult(run);
    }
}
