using DataHub.Host;
using DataHub.Testing;

namespace DataHub.Actions.Tests;

/// <summary>A configuration's mistakes are schema errors at load, all at once, each naming the entity and the step.</summary>
public sealed class LoadTests
{
    private const string Instance = """
        { "dataStores": { "database": { "provider": "sqlite", "connectionString": "Data Source=data/load.db" } },
          "auth": { "anonymous": true } }
        """;

    [Test]
    public void Every_mistake_of_every_step_is_reported_at_once_naming_entity_and_step()
    {
        using var schema = new TempDirectory();
        schema.Write("load/instance.json", Instance);
        schema.Write("load/broken.json", """
            { "reference": "broken", "entities": { "bad_actions": { "execute": true, "processor": "Actions", "processorConfig": {
              "input": { "name": { "type": "text", "required": true } },
              "actions": [
                { "query": { "as": "found", "sql": "select id from orgs where name = ? and owner = ?", "parameters": ["input.name", "later.id"] } },
                { "validate": { "key": "name", "rule": "found.length === 0 &&" } },
                { "create": { "as": "found", "table": "orgs", "set": { "name": "input.name" } } },
                { "frobnicate": { } },
                { "execute": { "as": "later", "script": "return args.x +;", "args": { "x": "1" } } },
                { "delete": { "as": "gone", "table": "orgs", "where": { "id": "later.id" } } },
                { "respond": { "body": "found" } },
                { "query": { "as": "after", "sql": "select 1" } }
              ] } } } }
            """);

        var failure = Assert.ThrowsAsync<InvalidSchemaException>(() => RunningHost.StartAsync(schema.Path));

        var problems = string.Join("\n", failure!.Problems);
        Assert.Multiple(() =>
        {
            Assert.That(problems, Does.Contain("bad_actions"), "names the entity");
            Assert.That(problems, Does.Contain("input.name: type 'text' is not one of"));
            Assert.That(problems, Does.Contain("actions[0] (query found): parameters[1]: alias 'later' is used before it is defined (by actions[4])"));
            Assert.That(problems, Does.Contain("actions[1] (validate): rule: SyntaxError"));
            Assert.That(problems, Does.Contain("actions[2] (create found): alias 'found' is already defined by an earlier step"));
            Assert.That(problems, Does.Contain("actions[3]: unknown step 'frobnicate'"));
            Assert.That(problems, Does.Contain("actions[4] (execute later): script: SyntaxError"));
            Assert.That(problems, Does.Contain("delete has no alias"));
            Assert.That(problems, Does.Contain("actions[7] (query) comes after respond (actions[6])"));
        });
    }

    [Test]
    public void A_query_whose_placeholders_and_parameters_differ_is_refused()
    {
        using var schema = new TempDirectory();
        schema.Write("load/instance.json", Instance);
        schema.Write("load/counts.json", """
            { "reference": "counts", "entities": { "miscounted": { "execute": true, "processor": "Actions", "processorConfig": {
              "actions": [ { "query": { "as": "rows", "sql": "select '?' as q, id from orgs where id = ? -- ?", "parameters": [] } } ] } } } }
            """);

        var failure = Assert.ThrowsAsync<InvalidSchemaException>(() => RunningHost.StartAsync(schema.Path));

        Assert.That(string.Join("\n", failure!.Problems),
            Does.Contain("actions[0] (query rows): sql has 1 ? placeholder(s) but 0 parameter(s)"), "quoted and commented ? are not placeholders");
    }
}
