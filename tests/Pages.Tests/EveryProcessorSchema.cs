using System.Text.Json.Nodes;
using DataHub.Host.Auth;
using DataHub.Testing;

namespace DataHub.Pages.Tests;

/// <summary>
/// A schema with every processor: instance <c>every</c> (anonymous callers, Basic users and bearer tokens) serving
/// ExecuteSql (a query with every parameter type, a command, passThrough), Script, Actions and the Echo fixture (with
/// and without <c>fields</c>); instance <c>closed</c>, which takes no anonymous callers.
/// </summary>
internal static class EveryProcessorSchema
{
    public const string User = "ada";
    public const string Password = "ada-Analytical-Engine-1";

    public static void Write(TempDirectory schema)
    {
        var users = new JsonObject
        {
            [User] = new JsonObject { ["hash"] = PasswordHash.Create(Password).ToString(), ["roles"] = new JsonArray("admin") },
        }.ToJsonString();
        schema.Write("every/users.json", users);
        schema.Write("every/seed.sql", "create table orders (id integer primary key, quantity integer not null);");
        schema.Write("every/instance.json", """
            {
              "dataStores": {"database": {"provider": "sqlite", "connectionString": "Data Source=every.db", "seed": "seed.sql"}},
              "auth": {
                "anonymous": true,
                "basic": {"users": "users.json"},
                "jwt": {"secret": "openapi-test-secret-that-is-long-enough-0123456789", "issuer": "i", "audience": "a"}
              }
            }
            """);
        schema.Write("every/all.json", """
            {
              "entities": {
                "typed": {
                  "name": "Every parameter type", "execute": true, "processor": "ExecuteSql",
                  "processorConfig": {
                    "sql": "select ? as s, ? as i, ? as si, ? as bi, ? as d, ? as m, ? as b, ? as day, ? as at",
                    "parameters": [
                      {"reference": "s", "type": "string", "length": 12},
                      {"reference": "i", "type": "integer", "default": 7},
                      {"reference": "si", "type": "smallint"},
                      {"reference": "bi", "type": "bigint"},
                      {"reference": "d", "type": "double"},
                      {"reference": "m", "type": "decimal", "precision": 5, "scale": 2},
                      {"reference": "b", "type": "boolean"},
                      {"reference": "day", "type": "date"},
                      {"reference": "at", "type": "timestamp"}
                    ]
                  }
                },
                "add": {
                  "execute": true, "processor": "ExecuteSql",
                  "processorConfig": {"sql": "insert into orders (quantity) values (?)", "execute": true,
                                      "parameters": [{"reference": "quantity", "type": "integer"}]}
                },
                "raw": {
                  "execute": true, "processor": "ExecuteSql", "roles": ["admin"],
                  "processorConfig": {"passThrough": true, "execute": true}
                },
                "script": {"execute": true, "processor": "Script", "processorConfig": "attributes.put('response', {ok: true});"},
                "action": {
                  "execute": true, "processor": "Actions",
                  "processorConfig": {
                    "input": {
                      "name": {"type": "string", "required": true, "maxLength": 40},
                      "size": {"type": "integer", "minimum": 1, "maximum": 9},
                      "kind": {"type": "string", "enum": ["a", "b"]}
                    },
                    "actions": [{"query": {"as": "row", "single": true, "sql": "select ? as name", "parameters": ["input.name"]}}]
                  }
                },
                "echo": {"execute": true, "processor": "Echo"},
                "echo_fields": {
                  "execute": true, "processor": "Echo",
                  "fields": [{"reference": "code", "type": "string", "length": 3}, {"reference": "count", "type": "integer"}]
                },
                "not_served": {"name": "A plain entity", "fields": [{"reference": "x", "type": "string"}]}
              }
            }
            """);
        schema.Write("closed/users.json", users);
        schema.Write("closed/instance.json", """{"auth": {"anonymous": false, "basic": {"users": "users.json"}}}""");
        schema.Write("closed/default.json", """{"entities": {"echo": {"execute": true, "processor": "Echo"}}}""");
    }
}
