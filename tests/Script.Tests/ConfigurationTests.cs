using System.Text.Json.Nodes;
using DataHub.Plugins.Script;
using DataHub.Testing;

namespace DataHub.Script.Tests;

public sealed class ConfigurationTests
{
    private const string Hello = "attributes.put('response', {message: 'Hello world'});";

    [Test]
    public void The_plugin_answers_to_its_name_and_to_Datahubs_class_name()
    {
        Assert.That(new ScriptPlugin().ProcessorNames, Is.EquivalentTo(new[] { "Script", "com.datahub.metrici.ScriptPlugIn" }));
    }

    [Test]
    public async Task The_script_may_be_given_as_an_object_with_script()
    {
        var processor = ScriptHarness.Processor(new JsonObject { ["script"] = Hello });

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("""{"message":"Hello world"}"""));
    }

    [Test]
    public async Task A_string_holding_the_object_form_is_read_as_the_object()
    {
        var config = new JsonObject { ["script"] = Hello, ["timeoutMs"] = 1000 }.ToJsonString();

        var processor = ScriptHarness.Processor(JsonValue.Create(config));

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("""{"message":"Hello world"}"""));
    }

    [Test]
    public async Task A_script_file_is_read_relative_to_the_instance_folder()
    {
        using var instance = new TempDirectory();
        instance.Write("scripts/hello.js", Hello);

        var processor = ScriptHarness.Processor(new JsonObject { ["file"] = "scripts/hello.js" }, instance.Path);

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("""{"message":"Hello world"}"""));
    }

    [TestCase("../outside.js")]
    [TestCase("scripts/../../outside.js")]
    public void A_script_file_outside_the_instance_folder_is_refused(string file)
    {
        using var root = new TempDirectory();
        root.Write("outside.js", Hello);
        var instance = Path.Combine(root.Path, "instance");
        Directory.CreateDirectory(instance);

        var prepared = ScriptHarness.Prepare(new JsonObject { ["file"] = file }, instance);

        Assert.That(prepared.Processor, Is.Null);
        Assert.That(prepared.Errors, Has.One.Contains("outside the instance folder"));
    }

    [Test]
    public void An_absolute_script_path_is_refused()
    {
        using var instance = new TempDirectory();
        var absolute = instance.Write("scripts/hello.js", Hello);

        var prepared = ScriptHarness.Prepare(new JsonObject { ["file"] = absolute }, instance.Path);

        Assert.That(prepared.Errors, Has.One.Contains("relative to the instance folder"));
    }

    [Test]
    public void A_link_leading_out_of_the_instance_folder_is_refused()
    {
        using var root = new TempDirectory();
        var outside = root.Write("secret.js", Hello);
        var instance = Path.Combine(root.Path, "instance");
        Directory.CreateDirectory(instance);
        File.CreateSymbolicLink(Path.Combine(instance, "link.js"), outside);

        var prepared = ScriptHarness.Prepare(new JsonObject { ["file"] = "link.js" }, instance);

        Assert.That(prepared.Errors, Has.One.Contains("links to a file outside the instance folder"));
    }

    [Test]
    public void A_folder_link_leading_out_of_the_instance_folder_is_refused()
    {
        using var root = new TempDirectory();
        root.Write("elsewhere/secret.js", Hello);
        var instance = Path.Combine(root.Path, "instance");
        Directory.CreateDirectory(instance);
        Directory.CreateSymbolicLink(Path.Combine(instance, "scripts"), Path.Combine(root.Path, "elsewhere"));

        var prepared = ScriptHarness.Prepare(new JsonObject { ["file"] = "scripts/secret.js" }, instance);

        Assert.That(prepared.Processor, Is.Null);
        Assert.That(prepared.Errors, Has.One.Contains("links to a file outside the instance folder"));
    }

    [Test]
    public void A_folder_link_through_a_link_that_stays_inside_is_still_followed_out()
    {
        // "scripts" points inside, at "hop", which itself points out: only following every link shows where it ends.
        using var root = new TempDirectory();
        root.Write("elsewhere/secret.js", Hello);
        var instance = Path.Combine(root.Path, "instance");
        Directory.CreateDirectory(instance);
        Directory.CreateSymbolicLink(Path.Combine(instance, "hop"), Path.Combine(root.Path, "elsewhere"));
        Directory.CreateSymbolicLink(Path.Combine(instance, "scripts"), "hop");

        var prepared = ScriptHarness.Prepare(new JsonObject { ["file"] = "scripts/secret.js" }, instance);

        Assert.That(prepared.Processor, Is.Null);
        Assert.That(prepared.Errors, Has.One.Contains("links to a file outside the instance folder"));
    }

    [Test]
    public async Task Links_that_stay_inside_the_instance_folder_are_followed()
    {
        using var root = new TempDirectory();
        root.Write("instance/shared/hello.js", Hello);
        var instance = Path.Combine(root.Path, "instance");
        Directory.CreateSymbolicLink(Path.Combine(instance, "scripts"), "shared");
        // The instance folder itself may be reached through a link.
        var linkedInstance = Path.Combine(root.Path, "linked-instance");
        Directory.CreateSymbolicLink(linkedInstance, instance);

        var processor = ScriptHarness.Processor(new JsonObject { ["file"] = "scripts/hello.js" }, linkedInstance);

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("""{"message":"Hello world"}"""));
    }

    [Test]
    public void A_missing_script_file_is_a_schema_error()
    {
        using var instance = new TempDirectory();

        var prepared = ScriptHarness.Prepare(new JsonObject { ["file"] = "scripts/none.js" }, instance.Path);

        Assert.That(prepared.Errors, Is.EqualTo(new[] { "Script file 'scripts/none.js' does not exist in the instance folder." }));
    }

    [Test]
    public void Every_problem_in_the_configuration_is_reported_at_once()
    {
        var prepared = ScriptHarness.Prepare(new JsonObject
        {
            ["script"] = Hello,
            ["file"] = "scripts/hello.js",
            ["timeout"] = 5,
            ["timeoutMs"] = 0,
            ["maxStatements"] = "many",
            ["maxRecursionDepth"] = 1.5,
            ["maxResponseBytes"] = -1,
        });

        Assert.That(prepared.Processor, Is.Null);
        Assert.That(prepared.Errors, Has.Count.EqualTo(6));
        Assert.That(prepared.Errors, Has.One.StartsWith("Unknown member \"timeout\""));
        Assert.That(prepared.Errors, Has.One.StartsWith("\"timeoutMs\" must be a whole number from 1 to 86400000, not 0"));
        Assert.That(prepared.Errors, Has.One.StartsWith("\"maxStatements\" must be a whole number from 1 to 2147483647, not the string \"many\""));
        Assert.That(prepared.Errors, Has.One.StartsWith("\"maxRecursionDepth\" must be a whole number from 1 to 1000000, not 1.5"));
        Assert.That(prepared.Errors, Has.One.StartsWith("\"maxResponseBytes\" must be a whole number"));
        Assert.That(prepared.Errors, Has.One.StartsWith("Give exactly one of \"script\""));
    }

    [Test]
    public void A_missing_processorConfig_is_a_schema_error()
    {
        Assert.That(ScriptHarness.Prepare(null).Errors, Has.One.StartsWith("processorConfig is missing"));
    }

    [Test]
    public void A_processorConfig_that_is_neither_a_string_nor_an_object_is_a_schema_error()
    {
        Assert.That(ScriptHarness.Prepare(new JsonArray()).Errors, Has.One.Contains("not an array"));
    }

    [Test]
    public void An_empty_script_is_a_schema_error()
    {
        Assert.That(ScriptHarness.Prepare(JsonValue.Create("  \n")).Errors, Is.EqualTo(new[] { "The inline script is empty." }));
    }

    [Test]
    public void A_script_member_that_is_not_a_string_is_a_schema_error()
    {
        Assert.That(ScriptHarness.Prepare(new JsonObject { ["script"] = 42 }).Errors,
            Is.EqualTo(new[] { "\"script\" must be a string holding the script, not 42." }));
    }

    [Test]
    public void Limits_given_in_the_configuration_are_applied()
    {
        var config = ScriptConfigReader.Read(
            new JsonObject { ["script"] = Hello, ["timeoutMs"] = 250, ["maxHeapMB"] = 16, ["maxStackKB"] = 256, ["maxResponseBytes"] = 4096 },
            Path.GetTempPath(), "product/services/test");

        Assert.That(config.Config!.Limits, Is.EqualTo(new ScriptLimits(250, 16, 256, 4096)));
        Assert.That(config.Config.Warnings, Is.Empty);
    }

    [Test]
    public void Limits_not_given_take_the_documented_defaults()
    {
        var config = ScriptConfigReader.Read(JsonValue.Create(Hello), Path.GetTempPath(), "product/services/test");

        Assert.That(config.Config!.Limits, Is.EqualTo(new ScriptLimits(5_000, 32, 1024, 10 * 1024 * 1024)));
    }

    [Test]
    public void The_Jint_era_maxRecursionDepth_maps_to_a_stack_limit_and_maxStatements_is_warned_about()
    {
        var config = ScriptConfigReader.Read(
            new JsonObject { ["script"] = Hello, ["maxStatements"] = 1000, ["maxRecursionDepth"] = 200 },
            Path.GetTempPath(), "product/services/test");

        Assert.That(config.Config!.Limits, Is.EqualTo(new ScriptLimits(5_000, 32, 200, 10 * 1024 * 1024, LegacyRecursionDepth: 200)));
        Assert.That(config.Config.Warnings, Is.EqualTo(new[] { "\"maxStatements\" has no meaning on V8 and is ignored; \"timeoutMs\" (5000 ms) bounds the run instead." }));
    }

    [Test]
    public void An_explicit_maxStackKB_wins_over_maxRecursionDepth()
    {
        var config = ScriptConfigReader.Read(
            new JsonObject { ["script"] = Hello, ["maxStackKB"] = 512, ["maxRecursionDepth"] = 200 },
            Path.GetTempPath(), "product/services/test");

        Assert.That(config.Config!.Limits, Is.EqualTo(new ScriptLimits(5_000, 32, 512, 10 * 1024 * 1024)));
    }
}
