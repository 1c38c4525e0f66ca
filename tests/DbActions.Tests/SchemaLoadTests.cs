using DataHub.Host;
using DataHub.Testing;

namespace DataHub.DbActions.Tests;

/// <summary>What the schema refuses at load: instance names that could clash with the host's paths, bad source prefixes.</summary>
public sealed class SchemaLoadTests
{
    [Test]
    public async Task An_instance_folder_starting_with_an_underscore_is_refused_at_schema_load()
    {
        using var schema = new TempDirectory();
        await UsersSchema.WriteAsync(schema, UsersSchema.Sqlite, instance: "_db");

        var refused = Assert.ThrowsAsync<InvalidSchemaException>(() => RunningHost.StartAsync(schema.Path));

        Assert.That(refused!.Message, Does.Contain("Instance name '_db' starts with '_', which is kept for the host's own paths (/_db/execute, /_openapi, /_reference)"));
    }

    [Test]
    public async Task A_filter_prefix_with_no_field_after_it_is_refused_at_schema_load()
    {
        using var schema = new TempDirectory();
        await UsersSchema.WriteAsync(schema, UsersSchema.Sqlite);
        schema.Write("shop/bad.json", """
            {
              "reference": "bad",
              "entities": {
                "by_nothing": {
                  "execute": true, "processor": "ExecuteSql",
                  "processorConfig": { "sql": "select ?", "parameters": [{ "reference": "filter.", "type": "integer" }] }
                }
              }
            }
            """);

        var refused = Assert.ThrowsAsync<InvalidSchemaException>(() => RunningHost.StartAsync(schema.Path));

        Assert.That(refused!.Message, Does.Contain("reference 'filter.' may only hold letters, digits and _ after its filter. prefix."));
    }

    [Test]
    public async Task Every_problem_of_a_sessions_setting_is_reported_under_its_tag()
    {
        using var schema = new TempDirectory();
        await UsersSchema.WriteAsync(schema, UsersSchema.Sqlite);
        schema.Write("shop/instance.json", """
            {
              "dataStores": { "database": { "provider": "sqlite", "connectionString": "Data Source=data/users.db", "seed": "data/seed.sql" } },
              "sessions": { "required": "yes", "tags": { "short": { "secret": "too short", "issuer": "i" } } }
            }
            """);

        var refused = Assert.ThrowsAsync<InvalidSchemaException>(() => RunningHost.StartAsync(schema.Path));

        Assert.That(refused!.Message, Does.Contain("sessions.required"));
        Assert.That(refused.Message, Does.Contain("sessions.tags.short.audience is required"));
        Assert.That(refused.Message, Does.Contain("sessions.tags.short.secret must be at least 32 bytes long"));
    }

    [Test]
    public async Task An_entity_requiring_a_session_on_an_instance_without_session_tags_is_refused_at_schema_load()
    {
        using var schema = new TempDirectory();
        await UsersSchema.WriteAsync(schema, UsersSchema.Sqlite);
        schema.Write("shop/guarded.json", """
            {
              "entities": {
                "mine": { "execute": true, "processor": "ExecuteSql", "requiresSession": true, "processorConfig": { "sql": "select 1" } },
                "odd": { "execute": true, "processor": "ExecuteSql", "requiresSession": "yes", "processorConfig": { "sql": "select 1" } }
              }
            }
            """);

        var refused = Assert.ThrowsAsync<InvalidSchemaException>(() => RunningHost.StartAsync(schema.Path));

        Assert.That(refused!.Message, Does.Contain("The entity requires a session but the instance declares no session tags"));
        Assert.That(refused.Message, Does.Contain("'requiresSession' must be true or false."));
    }
}
