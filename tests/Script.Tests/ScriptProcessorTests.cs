using System.Text.Json.Nodes;
using DataHub.Plugins;
using DataHub.Plugins.Script;

namespace DataHub.Script.Tests;

/// <summary>How a run's outcome becomes status and errorMessage, whatever engine sits behind the seam.</summary>
public sealed class ScriptProcessorTests
{
    [Test]
    public async Task A_completed_run_leaves_the_outputs_as_the_script_set_them()
    {
        var context = await RunAsync(new ScriptOutcome(ScriptEnd.Completed));

        Assert.That((context.ResponseJson(), context.HttpStatus, context.HttpHeaders.Count), Is.EqualTo(("""{"partial":true}""", (int?)202, 1)));
    }

    [TestCase("TimedOut", MessageStatus.ReprocessTimeout)]
    [TestCase("LimitExceeded", MessageStatus.GeneralError)]
    [TestCase("InvalidResponse", MessageStatus.GeneralError)]
    public async Task A_run_a_limit_ended_answers_only_with_the_error(string end, int status)
    {
        var context = await RunAsync(new ScriptOutcome(Enum.Parse<ScriptEnd>(end), "Stopped", new ScriptPosition(3, 7)));

        Assert.That((context.Status, context.ErrorMessage), Is.EqualTo(((int?)status, "Stopped (line 3, column 7)")));
        Assert.That((context.IsResponseSet, context.HttpStatus, context.HttpHeaders.Count), Is.EqualTo((false, (int?)null, 0)));
    }

    [Test]
    public async Task A_throw_answers_with_status_20_unless_the_script_chose_a_status()
    {
        var plain = await RunAsync(new ScriptOutcome(ScriptEnd.Threw, "Error: no"), context => context.Response = 1);
        var chosenStatus = await RunAsync(new ScriptOutcome(ScriptEnd.Threw, "Error: no"), context => context.Status = 25);
        var chosenHttpStatus = await RunAsync(new ScriptOutcome(ScriptEnd.Threw, "Error: no"), context => context.HttpStatus = 409);

        Assert.That((plain.Status, plain.ErrorMessage, plain.IsResponseSet), Is.EqualTo(((int?)20, "Error: no", false)));
        Assert.That((chosenStatus.Status, chosenStatus.ErrorMessage), Is.EqualTo(((int?)25, (string?)null)));
        Assert.That((chosenHttpStatus.Status, chosenHttpStatus.HttpStatus), Is.EqualTo(((int?)null, (int?)409)));
    }

    [Test]
    public void A_cancelled_run_is_an_OperationCanceledException()
    {
        Assert.ThrowsAsync<OperationCanceledException>(() => RunAsync(new ScriptOutcome(ScriptEnd.Cancelled)));
    }

    // By default the "script" sets a response, an httpStatus and a header.
    private static async Task<ProcessorContext> RunAsync(ScriptOutcome outcome, Action<ProcessorContext>? script = null)
    {
        var plugin = new ScriptPlugin(new FakeEngine(outcome, script ?? SetSomeOutputs));
        var prepared = ScriptHarness.Prepare(JsonValue.Create("any script"), plugin: plugin);
        return await prepared.Processor!.RunAsync();
    }

    private static void SetSomeOutputs(ProcessorContext context)
    {
        context.Response = new JsonObject { ["partial"] = true };
        context.HttpStatus = 202;
        context.HttpHeaders["X-Partial"] = "yes";
    }

    // Does what it is given to the context, as a script would, then ends the run as told.
    private sealed class FakeEngine(ScriptOutcome outcome, Action<ProcessorContext> script) : IScriptEngine, ICompiledScript
    {
        public ScriptCompilation Compile(ScriptSource source, ScriptLimits limits) => ScriptCompilation.Success(this);

        public ScriptOutcome Run(ProcessorContext context, CancellationToken cancellationToken)
        {
            script(context);
            return outcome;
        }
    }
}
