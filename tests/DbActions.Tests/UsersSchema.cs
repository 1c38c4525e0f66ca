using DataHub.Testing;
using Npgsql;

namespace DataHub.DbActions.Tests;

/// <summary>
/// The instance the tests call: "shop", whose "db" system updates and reads a users table by a filter, on SQLite or on
/// the throwaway PostgreSQL server, and whose default system lists the users.
/// </summary>
public static class UsersSchema
{
    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";

    private const string Seed = """
        CREATE TABLE users (id integer PRIMARY KEY, name varchar(100) NOT NULL, owner varchar(100) NOT NULL);
        INSERT INTO users (id, name, owner) VALUES (1, 'Ada', 'ada'), (2, 'Brian', 'brian'), (3, 'Cleo', 'ada');
        """;

    /// <summary>The session tag <see cref="WriteAsync"/> declares when asked for sessions, and its HS256 settings.</summary>
    public const string SessionTag = "user-session";
    public const string SessionSecret = "a-session-secret-of-at-least-32-bytes!";
    public const string SessionIssuer = "https://sessions.example";
    public const string SessionAudience = "shop";

    /// <summary>The SQL that creates and fills the users table.</summary>
    public const string SeedSql = Seed;

    /// <summary>A new database on the throwaway PostgreSQL server, with the users table; its connection string.</summary>
    public static async Task<string> CreateSeededPostgresDatabaseAsync()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(Seed, connection);
        await command.ExecuteNonQueryAsync();
        return connectionString;
    }

    /// <summary>
    /// The "database" store's settings for <paramref name="provider"/>, its users table seeded: a SQLite file seeded from
    /// schema/&lt;instance&gt;/data/seed.sql, or a new database on the throwaway PostgreSQL server.
    /// </summary>
    public static async Task<string> WriteStoreAsync(TempDirectory schema, string provider, string instance)
    {
        if (provider == Sqlite)
        {
            schema.Write($"{instance}/data/seed.sql", Seed);
            return """{ "provider": "sqlite", "connectionString": "Data Source=data/users.db", "seed": "data/seed.sql" }""";
        }
        var connectionString = await CreateSeededPostgresDatabaseAsync();
        return $$"""{ "provider": "postgresql", "connectionString": "{{connectionString}}" }""";
    }

    /// <summary>
    /// Writes schema/&lt;instance&gt; for <paramref name="provider"/>, creating and seeding the database. With
    /// <paramref name="sessions"/>, the instance declares the session tag <see cref="SessionTag"/> and adds the system
    /// "mine", whose my_users lists the users the session's subject owns; the instance requires a session on every
    /// call, or with <paramref name="onlyMyUsersRequiresSession"/> only my_users does.
    /// </summary>
    public static async Task WriteAsync(
        TempDirectory schema, string provider, string instance = "shop", bool sessions = false, bool onlyMyUsersRequiresSession = false)
    {
        var store = await WriteStoreAsync(schema, provider, instance);
        var sessionSettings = sessions
            ? $$""", "sessions": { "required": {{(onlyMyUsersRequiresSession ? "false" : "true")}}, "tags": { "{{SessionTag}}": { "secret": "{{SessionSecret}}", "issuer": "{{SessionIssuer}}", "audience": "{{SessionAudience}}" } } }"""
            : "";
        schema.Write($"{instance}/instance.json", $$"""
            { "dataStores": { "database": {{store}} }, "auth": { "anonymous": true }{{sessionSettings}} }
            """);
        if (sessions)
        {
            schema.Write($"{instance}/mine.json", $$"""
                {
                  "reference": "mine",
                  "entities": {
                    "my_users": {
                      "execute": true, "requiresSession": {{(onlyMyUsersRequiresSession ? "true" : "false")}},
                      "processor": "ExecuteSql",
                      "processorConfig": {
                        "sql": "select id, name from users where owner = ? order by id",
                        "parameters": [{ "reference": "session.subject", "type": "string", "length": 100 }]
                      }
                    }
                  }
                }
                """);
        }
        schema.Write($"{instance}/db.json", """
            {
              "reference": "db",
              "entities": {
                "update_user": {
                  "execute": true,
                  "processor": "ExecuteSql",
                  "processorConfig": {
                    "sql": "update users set name = ? where id = ?",
                    "execute": true,
                    "parameters": [
                      { "reference": "name", "type": "string", "length": 100 },
                      { "reference": "filter.id", "type": "integer" }
                    ]
                  }
                },
                "get_user": {
                  "execute": true,
                  "processor": "ExecuteSql",
                  "processorConfig": {
                    "sql": "select id, name from users where id = ?",
                    "parameters": [{ "reference": "filter.id", "type": "integer" }]
                  }
                }
              }
            }
            """);
        schema.Write($"{instance}/default.json", """
            {
              "reference": "default",
              "entities": {
                "list_users": {
                  "execute": true,
                  "processor": "ExecuteSql",
                  "processorConfig": { "sql": "select id, name from users order by id" }
                }
              }
            }
            """);
    }
}
