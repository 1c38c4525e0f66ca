using System.Text.Json.Nodes;
using DataHub.Testing;
using Microsoft.Data.Sqlite;

namespace DataHub.Security.Tests;

/// <summary>
/// SQL injection through every ExecuteSql input (values of a configured statement, and a passThrough call's sql
/// and values) against a real SQLite database, which must hold exactly what it held before.
/// </summary>
public sealed class SqlInjectionTests
{
    private static readonly string[] _injections =
    [
        "' OR '1'='1",
        "' OR 1=1 --",
        "'; DROP TABLE products; --",
        "x'); DELETE FROM products; --",
        "\" OR \"\"=\"",
        "1; UPDATE products SET secret = 'pwned'",
        "' UNION SELECT secret, secret FROM products --",
        "'; ATTACH DATABASE 'pwned.db' AS pwned; CREATE TABLE pwned.t(x); --",
        "\u0000' OR 1=1 --",
        "\u2019 OR 1=1 --",
        "%' OR name LIKE '%",
        "? OR 1=1",
        "@p1 OR 1=1",
        "$1 OR 1=1",
        "*/ OR 1=1 /*",
        "Robert'); DROP TABLE products;--",
    ];

    private TempDirectory _directory = null!;
    private HostUnderTest _host = null!;
    private string _database = null!;

    [OneTimeSetUp]
    public async Task StartHost()
    {
        _directory = new TempDirectory();
        WriteSchema(_directory, passThroughRoles: ["admin"]);
        _host = await HostUnderTest.StartAsync(_directory);
        _database = Path.Combine(_directory.Path, "schema", "shop", "data", "test.db");
        // The first call creates and seeds the database.
        Expect.Ok(await _host.CallAsync("shop/find_by_name", body: """{"name": "Door"}"""));
    }

    [OneTimeTearDown]
    public async Task StopHost() => await _host.DisposeAsync();

    private static void WriteSchema(TempDirectory directory, string[] passThroughRoles)
    {
        directory.Write("schema/shop/instance.json", """
            {"dataStores": {"database": {"provider": "sqlite", "connectionString": "Data Source=data/test.db", "seed": "data/seed.sql"}},
             "auth": {"anonymous": true, "basic": {"users": "users.json"}}}
            """);
        directory.Write("schema/shop/users.json", SecuredHost.UsersFile());
        directory.Write("schema/shop/data/seed.sql", """
            CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, secret TEXT NOT NULL);
            INSERT INTO products (id, name, secret) VALUES (1, 'Door', 's1'), (2, 'Hinge', 's2'), (3, 'Handle', 's3');
            CREATE TABLE notes (id INTEGER PRIMARY KEY, note TEXT);
            """);
        var system = new JsonObject
        {
            ["reference"] = "default",
            ["entities"] = new JsonObject
            {
                ["find_by_name"] = Entity(new JsonObject
                {
                    ["sql"] = "select id, name from products where name = ?",
                    ["parameters"] = new JsonArray(new JsonObject { ["reference"] = "name", ["type"] = "string", ["length"] = 1000 }),
                }),
                ["find_by_id"] = Entity(new JsonObject
                {
                    ["sql"] = "select id, name from products where id = ?",
                    ["parameters"] = new JsonArray(new JsonObject { ["reference"] = "id", ["type"] = "integer" }),
                }),
                ["find_like"] = Entity(new JsonObject
                {
                    ["sql"] = "select id, name from products where name like ? and secret = ?",
                    ["parameters"] = new JsonArray(
                        new JsonObject { ["reference"] = "pattern", ["type"] = "string" },
                        new JsonObject { ["reference"] = "secret", ["type"] = "string" }),
                }),
                ["rename"] = Entity(new JsonObject
                {
                    ["sql"] = "update products set name = ? where id = ? and secret = ?",
                    ["execute"] = true,
                    ["parameters"] = new JsonArray(
                        new JsonObject { ["reference"] = "name", ["type"] = "string" },
                        new JsonObject { ["reference"] = "id", ["type"] = "integer" },
                        new JsonObject { ["reference"] = "secret", ["type"] = "string" }),
                }),
                ["pass"] = Entity(new JsonObject { ["passThrough"] = true, ["execute"] = true }, passThroughRoles),
            },
        };
        directory.Write("schema/shop/default.json", system.ToJsonString());
    }

    private static JsonObject Entity(JsonObject config, string[]? roles = null) => new()
    {
        ["execute"] = true,
        ["processor"] = "ExecuteSql",
        ["processorConfig"] = config,
        ["roles"] = new JsonArray([.. (roles ?? []).Select(r => (JsonNode?)r)]),
    };

    /// <summary>Every table's every row, and the schema itself, read straight from the file.</summary>
    private string Snapshot()
    {
        using var connection = new SqliteConnection($"Data Source={_database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            select 'schema', group_concat(type || ':' || name || ':' || coalesce(sql, ''), '|') from (select * from sqlite_master order by name)
            union all select 'products', group_concat(id || ',' || name || ',' || secret, '|') from (select * from products order by id)
            union all select 'notes', group_concat(id || ',' || coalesce(note, '<null>'), '|') from (select * from notes order by id)
            union all select 'databases', group_concat(name, '|') from pragma_database_list
            """;
        using var reader = command.ExecuteReader();
        var parts = new List<string>();
        while (reader.Read())
        {
            parts.Add($"{reader.GetString(0)}={(reader.IsDBNull(1) ? "" : reader.GetString(1))}");
        }
        return string.Join("\n", parts);
    }

    private static string Json(params (string Key, JsonNode? Value)[] members) =>
        new JsonObject([.. members.Select(m => KeyValuePair.Create(m.Key, m.Value))]).ToJsonString();

    [Test]
    public async Task Injection_through_a_string_value_matches_nothing_and_changes_nothing([ValueSource(nameof(_injections))] string injection)
    {
        var before = Snapshot();

        var answer = await _host.CallAsync("shop/find_by_name", body: Json(("name", injection)));

        Assert.That(answer.Status, Is.EqualTo(200), answer.ToString());
        Assert.That(answer.Body, Is.EqualTo("[]"), "the value is compared as a value, never run as SQL");
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task Injection_through_a_LIKE_pattern_and_a_second_value_reveals_no_secret([ValueSource(nameof(_injections))] string injection)
    {
        var before = Snapshot();

        var answer = await _host.CallAsync("shop/find_like", body: Json(("pattern", "%"), ("secret", injection)));

        Assert.That(answer.Body, Is.EqualTo("[]"), answer.ToString());
        Assert.That(answer.Body, Does.Not.Contain("s1"));
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task Injection_through_a_number_parameter_is_refused_as_invalid_data([ValueSource(nameof(_injections))] string injection)
    {
        var before = Snapshot();

        var answer = await _host.CallAsync("shop/find_by_id", body: Json(("id", injection)));

        Expect.Error(answer, 400, 25);
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task Injection_through_a_command_value_updates_nothing_when_its_other_values_do_not_match()
    {
        var before = Snapshot();

        foreach (var injection in _injections)
        {
            var answer = await _host.CallAsync("shop/rename", body: Json(("name", injection), ("id", 1), ("secret", "' OR '1'='1")));
            Assert.That(answer.Body, Is.EqualTo("""{"status":10,"rowsAffected":0}"""), answer.ToString());
        }

        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task Injection_in_a_batch_element_rolls_the_whole_batch_back()
    {
        var before = Snapshot();
        var batch = new JsonArray(
            new JsonObject { ["name"] = "'; DROP TABLE products; --", ["id"] = 1, ["secret"] = "s1" },
            new JsonObject { ["name"] = "x", ["id"] = "1 OR 1=1", ["secret"] = "s2" });

        var answer = await _host.CallAsync("shop/rename", body: batch.ToJsonString());

        Expect.Error(answer, 400, 25);
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_passThrough_entity_refuses_callers_without_credentials_or_without_its_role()
    {
        var before = Snapshot();
        var drop = Json(("sql", "drop table products"), ("execute", true));

        Expect.Unauthorized(await _host.CallAsync("shop/pass", body: drop), "Basic");
        Expect.Forbidden(await _host.CallAsync("shop/pass", SecuredHost.BasicFor("bob"), drop));
        Expect.Unauthorized(await _host.CallAsync("shop/pass", SecuredHost.Basic("alice", "guess"), drop));

        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task Injection_through_passThrough_values_matches_nothing_and_changes_nothing([ValueSource(nameof(_injections))] string injection)
    {
        var before = Snapshot();
        var call = new JsonObject
        {
            ["sql"] = "select id, name from products where name = ? or secret = ?",
            ["parameters"] = new JsonArray(
                new JsonObject { ["reference"] = "name", ["type"] = "string" },
                new JsonObject { ["reference"] = "secret", ["type"] = "string" }),
            ["data"] = new JsonObject { ["name"] = injection, ["secret"] = injection },
        };

        var answer = await _host.CallAsync("shop/pass", SecuredHost.BasicFor("alice"), call.ToJsonString());

        Assert.That(answer.Body, Is.EqualTo("[]"), answer.ToString());
        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_passThrough_insert_stores_an_injection_as_plain_text()
    {
        var injection = "'); DROP TABLE products; --";
        var call = new JsonObject
        {
            ["sql"] = "insert into notes (note) values (?)",
            ["execute"] = true,
            ["parameters"] = new JsonArray(new JsonObject { ["reference"] = "note", ["type"] = "string" }),
            ["data"] = new JsonObject { ["note"] = injection },
        };
        var products = Snapshot().Split('\n').Where(line => !line.StartsWith("notes=", StringComparison.Ordinal)).ToList();

        var answer = await _host.CallAsync("shop/pass", SecuredHost.BasicFor("alice"), call.ToJsonString());

        Assert.That(answer.Body, Is.EqualTo("""{"status":10,"rowsAffected":1}"""), answer.ToString());
        var after = Snapshot().Split('\n');
        Assert.That(after.Where(line => !line.StartsWith("notes=", StringComparison.Ordinal)), Is.EqualTo(products));
        Assert.That(after.Single(line => line.StartsWith("notes=", StringComparison.Ordinal)), Does.EndWith("," + injection));
    }

    [Test]
    public async Task A_passThrough_call_with_a_malformed_sql_member_is_refused_without_running_anything()
    {
        var before = Snapshot();
        string[] calls =
        [
            """{"sql": 1}""",
            """{"sql": ["drop table products"]}""",
            """{"sql": "select ? , ?", "parameters": [{"reference": "a"}], "data": {"a": "x"}}""",
            """{"sql": "select 1", "parameters": [{"reference": "a;drop table products", "type": "string"}]}""",
        ];

        foreach (var call in calls)
        {
            Expect.Error(await _host.CallAsync("shop/pass", SecuredHost.BasicFor("alice"), call), 400, 22);
        }

        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public void A_passThrough_entity_without_roles_is_refused_at_load()
    {
        using var directory = new TempDirectory();
        WriteSchema(directory, passThroughRoles: []);

        var problems = HostUnderTest.ProblemsStarting(directory);

        Assert.That(problems, Has.Some.Contains("entity 'pass'").And.Contains("roles"));
    }
}
