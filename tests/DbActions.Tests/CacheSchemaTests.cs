using System.Text.Json.Nodes;
using DataHub.Host;
using DataHub.Host.Caching;
using DataHub.Host.Calls;
using DataHub.Host.Schema;
using DataHub.Plugins;
using DataHub.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataHub.DbActions.Tests;

/// <summary>What the schema validator refuses in caches and in entities' cache members: every problem in one run.</summary>
public sealed class CacheSchemaTests
{
    [Test]
    public async Task Validate_lists_every_problem_of_caches_and_their_entities_at_once()
    {
        using var schema = new TempDirectory();
        await UsersSchema.WriteAsync(schema, UsersSchema.Sqlite);
        schema.Write("shop/instance.json", """
            {
              "dataStores": { "database": { "provider": "sqlite", "connectionString": "Data Source=data/users.db", "seed": "data/seed.sql" } },
              "caches": {
                "users": { "ttlSeconds": 0, "varyByUser": "yes", "maxEntryBytes": 99999999, "ttlSecond": 5 },
                "bad tag!": { "ttlSeconds": 5 },
                "no-ttl": {},
                "listed": 5,
                "fine": { "ttlSeconds": 60 }
              }
            }
            """);
        schema.Write("shop/cached.json", """
            {
              "reference": "cached",
              "entities": {
                "unknown_cache": { "execute": true, "processor": "Script", "processorConfig": "1", "cache": "nope" },
                "bad_evicts": {
                  "execute": true, "processor": "Script", "processorConfig": "1",
                  "evicts": { "caches": ["gone"], "entities": ["db:missing"], "cachez": [] }
                },
                "read_and_write": { "execute": true, "processor": "Script", "processorConfig": "1", "cache": "fine", "evicts": { "caches": ["fine"] } },
                "stringy": { "execute": true, "processor": "Script", "processorConfig": "1", "evicts": "fine" },
                "empty_evicts": { "execute": true, "processor": "Script", "processorConfig": "1", "evicts": {} },
                "not_executable": { "cache": "fine" }
              }
            }
            """);
        using var output = new StringWriter();

        var exitCode = await ValidateCommand.RunAsync(HostArguments.Parse(["validate", "--schema", schema.Path]), output);

        Assert.That(exitCode, Is.EqualTo(1));
        var text = output.ToString();
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("caches.users.ttlSeconds must be a whole number from 1 to 2592000."));
            Assert.That(text, Does.Contain("caches.users.varyByUser must be true or false."));
            Assert.That(text, Does.Contain("caches.users.maxEntryBytes must be a whole number from 1 to 16777216."));
            Assert.That(text, Does.Contain("caches.users: unknown member 'ttlSecond' — did you mean 'ttlSeconds'?"));
            Assert.That(text, Does.Contain("caches.bad tag!: a cache tag is letters, digits, '-' and '_'"));
            Assert.That(text, Does.Contain("caches.no-ttl.ttlSeconds is required"));
            Assert.That(text, Does.Contain("caches.listed must be an object"));
            Assert.That(text, Does.Contain("entity 'unknown_cache': Cache 'nope' is not one this instance declares; it declares: "));
            Assert.That(text, Does.Contain("entity 'bad_evicts': evicts.caches: Cache 'gone' is not one this instance declares"));
            Assert.That(text, Does.Contain("entity 'bad_evicts': evicts.entities: 'db:missing' is not an execute entity of this instance"));
            Assert.That(text, Does.Contain("entity 'bad_evicts': evicts: unknown member 'cachez' — did you mean 'caches'?"));
            Assert.That(text, Does.Contain("entity 'read_and_write': An entity that evicts is a write: its answers are never cached, so it names no 'cache'."));
            Assert.That(text, Does.Contain("entity 'stringy': 'evicts' must be an object"));
            Assert.That(text, Does.Contain("entity 'empty_evicts': evicts names no cache and no entity."));
            Assert.That(text, Does.Contain("entity 'not_executable': Only an execute entity has answers to cache"));
            Assert.That(text, Does.Contain("15 problem(s)"));
        });
    }

    [Test]
    public void A_redis_setting_that_is_not_a_configuration_string_stops_the_host_from_starting()
    {
        using var schema = new TempDirectory();

        var refused = Assert.ThrowsAsync<InvalidSchemaException>(() => RunningHost.StartAsync(schema.Path,
            settings: new Dictionary<string, string?> { ["DataHub:Redis:Configuration"] = "127.0.0.1:6379,password=secret-value,noSuchOption=1" }));

        Assert.That(refused!.Message, Does.Contain("DataHub:Redis:Configuration is not a StackExchange.Redis configuration string"));
        Assert.That(refused.Message, Does.Not.Contain("secret-value"));
    }

    [Test]
    public void An_entitys_answers_are_keyed_by_its_definition_so_a_changed_entity_leaves_its_old_answers_behind()
    {
        Assert.That(KeyOfACall("select 1"), Is.EqualTo(KeyOfACall("select 1")));
        Assert.That(KeyOfACall("select 2"), Is.Not.EqualTo(KeyOfACall("select 1")));
    }

    // The cache key of one call to an entity cached in "users", whose SQL is the only thing that differs.
    private static string KeyOfACall(string sql)
    {
        var mapping = new JsonObject { ["execute"] = true, ["processor"] = "ExecuteSql", ["processorConfig"] = sql, ["cache"] = "users" };
        var entity = new EntityDefinition(new EntityAddress("shop", "db", "get_user"), mapping["processorConfig"], "database", [], mapping,
            new PreparedProcessor("ExecuteSql", new UncalledProcessor(), NullLogger.Instance));
        var systems = new Dictionary<string, SystemDefinition>
        {
            ["db"] = new("db", new Dictionary<string, EntityDefinition> { ["get_user"] = entity }),
        };
        var caches = InstanceCaches.Read(JsonNode.Parse("""{"users": {"ttlSeconds": 60}}"""), "shop", systems,
            message => Assert.Fail(message), (_, _, message) => Assert.Fail(message))!;
        using var data = CallData.FromNode(JsonNode.Parse("""{"id": 1}"""));
        var (plan, _) = caches.Plan(entity, callCache: null, new CallIdentity("dev", data, null, null, null, null));
        return plan!.Key;
    }

    private sealed class UncalledProcessor : IProcessor
    {
        public Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken) => throw new AssertionException("not called");
    }
}
