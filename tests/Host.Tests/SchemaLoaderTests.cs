using System.Text.Json.Nodes;
using DataHub.Host.Schema;
using DataHub.Testing;

namespace DataHub.Host.Tests;

public sealed class SchemaLoaderTests
{
    [Test]
    public async Task Every_file_in_the_shipped_schema_validates()
    {
        var result = await SchemaFolder.LoadAsync(TestPaths.SchemaDirectory);

        Assert.That(result.Errors.Select(e => e.ToString()), Is.Empty);
        await result.Snapshot!.DisposeAsync();
    }

    [Test]
    public async Task An_entities_object_and_the_Datahub_mappings_form_both_load()
    {
        using var schema = SchemaFolder.Create(
            ("shop/services.json", """{"entities": {"a": {"execute": true, "processor": "Echo"}}}"""),
            ("shop/default.json", """
                {"reference": "default",
                 "mappings": {"Source": [ {"reference": "b", "execute": true, "processor": "com.example.EchoPlugIn"},
                                          {"reference": "c", "name": "plain entity"} ]}}
                """));

        var result = await SchemaFolder.LoadAsync(schema.Path);

        Assert.That(result.Errors, Is.Empty);
        var systems = result.Snapshot!.Instances["shop"].Systems;
        Assert.That(systems["services"].Entities["a"].Processor, Is.Not.Null);
        Assert.That(systems["default"].Entities["b"].Processor, Is.Not.Null);
        Assert.That(systems["default"].Entities["c"].Processor, Is.Null, "an entity without execute is loaded but not served");
    }

    [Test]
    public async Task Invalid_json_is_reported_with_its_file_line_and_column()
    {
        using var schema = SchemaFolder.Create(("shop/services.json", "{\n  \"entities\": {\n    \"a\": {,}\n  }\n}"));

        var result = await SchemaFolder.LoadAsync(schema.Path);

        var error = result.Errors.Single();
        Assert.That(error.File, Is.EqualTo(Path.Combine(Path.GetFileName(schema.Path), "shop", "services.json")));
        Assert.That((error.Line, error.Column), Is.EqualTo((3L, 11L)));
        Assert.That(error.Message, Does.StartWith("Invalid JSON"));
    }

    [Test]
    public async Task Every_problem_is_reported_at_once_with_its_file_and_entity()
    {
        using var schema = SchemaFolder.Create(
            ("shop/instance.json", """{"dataStores": {}}"""),
            ("shop/services.json", """
                {"entities": {
                   "unknown_processor": {"execute": true, "processor": "NoSuchPlugin"},
                   "rejected": {"execute": true, "processor": "Echo", "processorConfig": {"reject": ["first reason", "second reason"]}},
                   "unknown_store": {"execute": true, "processor": "Echo", "dataStore": "reports"},
                   "no_processor": {"execute": true},
                   "bad_types": {"execute": "yes", "roles": "admin"}
                 },
                 "mappings": {"Source": [ {"reference": "unknown_store"} ]}}
                """),
            ("other/broken.json", "{ not json"));

        var result = await SchemaFolder.LoadAsync(schema.Path);
        var messages = result.Errors.Select(e => e.ToString()).ToList();

        Assert.That(result.Succeeded, Is.False);
        Assert.That(messages, Has.Some.Contains("entity 'unknown_processor': Unknown processor 'NoSuchPlugin'").And.Contains("Echo"));
        Assert.That(messages, Has.Some.Contains("entity 'rejected': processorConfig: first reason"));
        Assert.That(messages, Has.Some.Contains("entity 'rejected': processorConfig: second reason"));
        Assert.That(messages, Has.Some.Contains("entity 'unknown_store': Unknown dataStore 'reports'"));
        Assert.That(messages, Has.Some.Contains("entity 'unknown_store': Duplicate entity reference"));
        Assert.That(messages, Has.Some.Contains("entity 'no_processor': An execute entity needs a 'processor'"));
        Assert.That(messages, Has.Some.Contains("entity 'bad_types': 'execute' must be true or false"));
        Assert.That(messages, Has.Some.Contains("entity 'bad_types': 'roles' must be an array of strings"));
        Assert.That(messages, Has.Some.Matches(@"other[/\\]broken\.json\(1,3\): Invalid JSON"));
        Assert.That(messages.Where(m => m.Contains("services.json", StringComparison.Ordinal)), Has.All.Contains(Path.Combine("shop", "services.json")));
    }

    [Test]
    public async Task Unknown_instance_settings_and_a_system_reference_that_disagrees_with_its_file_are_reported()
    {
        using var schema = SchemaFolder.Create(
            ("shop/instance.json", """{"dataStore": {}, "description": "typo above"}"""),
            ("shop/services.json", """{"reference": "servces", "entities": {}}"""));

        var messages = (await SchemaFolder.LoadAsync(schema.Path)).Errors.Select(e => e.Message).ToList();

        Assert.That(messages, Has.Some.Contains("unknown member 'dataStore' — did you mean 'dataStores'?"));
        Assert.That(messages, Has.Some.Contains("'reference' is 'servces' but the file name says 'services'"));
    }

    [Test]
    public async Task A_misspelt_entity_member_is_an_error_naming_it_with_the_nearest_known_name()
    {
        using var schema = SchemaFolder.Create(("shop/services.json", """
            {"entities": {
               "admin": {"execute": true, "processor": "Echo", "role": ["admin"]},
               "late": {"exectue": true, "processor": "Echo"},
               "odd": {"execute": true, "processor": "Echo", "colour": "blue"}
             }}
            """));

        var messages = (await SchemaFolder.LoadAsync(schema.Path)).Errors.Select(e => e.ToString()).ToList();

        Assert.That(messages, Has.Some.Contains("entity 'admin': unknown member 'role' — did you mean 'roles'?"));
        Assert.That(messages, Has.Some.Contains("entity 'late': unknown member 'exectue' — did you mean 'execute'?"));
        Assert.That(messages, Has.Some.Contains("entity 'odd': unknown member 'colour'. An entity takes reference, name, description, execute"));
    }

    [Test]
    public async Task A_misspelt_system_file_member_is_an_error()
    {
        using var schema = SchemaFolder.Create(("shop/services.json", """{"entites": {"a": {"execute": true, "processor": "Echo"}}}"""));

        var messages = (await SchemaFolder.LoadAsync(schema.Path)).Errors.Select(e => e.Message).ToList();

        Assert.That(messages, Is.EqualTo(new[] { "unknown member 'entites' — did you mean 'entities'?" }));
    }

    [Test]
    public async Task Datahubs_documented_entity_members_load()
    {
        using var schema = SchemaFolder.Create(("shop/services.json", """
            {"reference": "services", "name": "Shop", "description": "d",
             "entities": {"a": {"reference": "a", "name": "A", "description": "d", "execute": true, "processor": "Echo",
                                "processorConfig": {}, "dataStore": "database", "roles": [],
                                "fields": [{"reference": "id", "type": "string", "length": 20}]}},
             "mappings": {"Source": [{"reference": "b", "name": "B", "fields": []}]}}
            """), ("shop/instance.json", """{"description": "d", "dataStores": {"database": {"provider": "sqlite", "connectionString": "Data Source=:memory:"}}}"""));

        var result = await SchemaFolder.LoadAsync(schema.Path);

        Assert.That(result.Errors.Select(e => e.ToString()), Is.Empty);
        await result.Snapshot!.DisposeAsync();
    }

    [Test]
    public async Task An_unknown_processor_names_the_plugin_folders_searched_and_the_plugins_option()
    {
        using var schema = SchemaFolder.Create(("shop/services.json", """{"entities": {"a": {"execute": true, "processor": "Ech"}}}"""));

        var message = (await SchemaFolder.LoadAsync(schema.Path)).Errors.Single().Message;

        Assert.That(message, Does.StartWith("Unknown processor 'Ech' — did you mean 'Echo'?"));
        Assert.That(message, Does.Contain(Path.TrimEndingDirectorySeparator(TestPaths.FixturePluginsDirectory)));
        Assert.That(message, Does.Contain("--plugins"));
    }

    [Test]
    public async Task Environment_references_in_instance_settings_are_resolved_and_missing_ones_named_without_values()
    {
        using var schema = SchemaFolder.Create(
            ("shop/instance.json", """{"description": "${env:SHOP_DESCRIPTION}", "auth": {"anonymous": true}}"""),
            ("shop/services.json", """{"entities": {}}"""),
            ("other/instance.json", """{"description": "${env:MISSING_SECRET} and ${env:SHOP_DESCRIPTION}"}"""));
        var environment = new Dictionary<string, string?> { ["SHOP_DESCRIPTION"] = "resolved" };

        var result = await SchemaFolder.LoadAsync(schema.Path, name => environment.GetValueOrDefault(name));

        var error = result.Errors.Single();
        Assert.That(error.File, Does.EndWith(Path.Combine("other", "instance.json")));
        Assert.That(error.Message, Is.EqualTo("Environment variable 'MISSING_SECRET' is not set."));
    }

    [Test]
    public void Environment_substitution_replaces_every_reference_in_nested_strings()
    {
        var json = JsonNode.Parse("""{"a": {"b": ["x-${env:ONE}-${env:TWO}", 5]}, "c": "${env:ONE}"}""");

        SchemaJson.SubstituteEnvironment(json, name => name == "ONE" ? "1" : "2", _ => Assert.Fail("nothing is missing"));

        Assert.That(json!.ToJsonString(), Is.EqualTo("""{"a":{"b":["x-1-2",5]},"c":"1"}"""));
    }

    [Test]
    public async Task A_missing_schema_folder_is_an_error()
    {
        var result = await SchemaFolder.LoadAsync("/no/such/schema");

        Assert.That(result.Errors.Single().Message, Does.Contain("does not exist"));
    }

    [Test]
    public async Task The_plugin_sees_the_entity_its_config_its_roles_and_the_default_data_store_name()
    {
        using var schema = SchemaFolder.WithEntities(
            """{"get": {"execute": true, "processor": "Echo", "processorConfig": "select 1", "roles": ["reader"]}}""");
        schema.Write("shop/instance.json", """{"auth": {"jwt": {"secret": "0123456789abcdef0123456789abcdef", "issuer": "i", "audience": "a"}}}""");

        var result = await SchemaFolder.LoadAsync(schema.Path);

        var entity = result.Snapshot!.Instances["shop"].Systems["services"].Entities["get"];
        Assert.That(entity.ProcessorConfig!.GetValue<string>(), Is.EqualTo("select 1"));
        Assert.That(entity.Roles, Is.EqualTo(new[] { "reader" }));
        Assert.That(entity.DataStoreName, Is.EqualTo("database"));
        Assert.That(entity.Address.ToString(), Is.EqualTo("shop/services/get"));
    }
}
