namespace DataHub.Actions.Tests.Support;

/// <summary>Entities only the tests use, beside the shipped sample: system "test" of the organisations instance.</summary>
public static class TestEntities
{
    public const string System = """
        {
          "reference": "test",
          "name": "Test entities",
          "entities": {
            "fail_at": {
              "description": "Fails at step failAt (0 to 5); 6 runs through. Every failure must leave the database as it was.",
              "execute": true,
              "processor": "Actions",
              "processorConfig": {
                "input": {
                  "name": { "type": "string", "required": true },
                  "failAt": { "type": "integer", "required": true, "minimum": 0, "maximum": 6 }
                },
                "actions": [
                  { "create": { "as": "org", "table": "orgs",
                                "set": { "name": "input.failAt === 0 ? null : input.name", "created_at": "now()" },
                                "reference": { "owner_id": { "table": "users", "through": "email", "value": "'ada@example.com'" } } } },
                  { "create": { "as": "membership", "table": "memberships",
                                "set": { "org_id": "org.id", "role": "input.failAt === 1 ? 'boss' : 'owner'" },
                                "reference": { "user_id": { "table": "users", "through": "email", "value": "'ada@example.com'" } } } },
                  { "execute": { "as": "checked", "script": "if (args.failAt === 2) { throw new Error('step 2 fails'); } return true;",
                                 "args": { "failAt": "input.failAt" } } },
                  { "update": { "as": "renamed", "table": "orgs", "where": { "id": "input.failAt === 3 ? -1 : org.id" },
                                "set": { "description": "'renamed'" } } },
                  { "validate": { "key": "failAt", "rule": "input.failAt !== 4", "code": "fails-here", "message": "Step 4 fails." } },
                  { "respond": { "body": "input.failAt === 5 ? notDefinedAnywhere.value : ({ id: renamed.id, description: renamed.description })" } }
                ]
              }
            },
            "spin": {
              "description": "Creates an organisation, then a script that never ends: the time limit stops it and nothing is saved.",
              "execute": true,
              "processor": "Actions",
              "processorConfig": {
                "timeoutMs": 300,
                "input": { "name": { "type": "string", "required": true } },
                "actions": [
                  { "create": { "as": "org", "table": "orgs", "set": { "name": "input.name", "created_at": "now()", "owner_id": "1" } } },
                  { "execute": { "as": "never", "script": "while (true) { } " } }
                ]
              }
            },
            "hog": {
              "description": "A script that allocates without end: the heap limit stops it, the host lives on.",
              "execute": true,
              "processor": "Actions",
              "processorConfig": {
                "maxHeapMb": 32,
                "timeoutMs": 20000,
                "actions": [
                  { "execute": { "as": "hoard", "script": "const all = []; while (true) { all.push(new Array(100000).fill('x' + all.length)); }" } }
                ]
              }
            },
            "half_pair": {
              "description": "Throws an error whose text holds half a surrogate pair, which ClearScript cannot turn into UTF-8.",
              "execute": true,
              "processor": "Actions",
              "processorConfig": {
                "actions": [
                  { "execute": { "as": "cut", "script": "throw new Error('name ' + 'ab\\uD83D\\uDE00'.slice(0, 3) + ' is too long');" } }
                ]
              }
            },
            "half_pair_answer": {
              "description": "Answers with text holding half a surrogate pair, which the host's UTF-8 cannot hold.",
              "execute": true,
              "processor": "Actions",
              "processorConfig": {
                "actions": [
                  { "respond": { "body": "({ name: 'ab\\uD83D\\uDE00'.slice(0, 3) })" } }
                ]
              }
            },
            "slow_create": {
              "description": "Creates an organisation, then works for seconds before committing: the host is killed meanwhile.",
              "execute": true,
              "processor": "Actions",
              "processorConfig": {
                "timeoutMs": 60000,
                "input": { "name": { "type": "string", "required": true } },
                "actions": [
                  { "create": { "as": "org", "table": "orgs", "set": { "name": "input.name", "created_at": "now()", "owner_id": "1" } } },
                  { "execute": { "as": "waited", "script": "const end = Date.now() + 20000; while (Date.now() < end) { } return true;" } }
                ]
              }
            },
            "no_dry_run": {
              "execute": true,
              "processor": "Actions",
              "processorConfig": {
                "dryRun": false,
                "input": { "name": { "type": "string", "required": true } },
                "actions": [
                  { "create": { "as": "org", "table": "orgs", "set": { "name": "input.name", "created_at": "now()", "owner_id": "1" } } }
                ]
              }
            },
            "typed": {
              "description": "Every input rule; answers the input as read, defaults filled in.",
              "execute": true,
              "processor": "Actions",
              "processorConfig": {
                "input": {
                  "title": { "type": "string", "required": true, "maxLength": 5 },
                  "count": { "type": "integer", "minimum": 1, "maximum": 10 },
                  "kind": { "type": "string", "enum": ["a", "b"] },
                  "flag": { "type": "boolean", "default": true },
                  "label": { "type": "string", "default": "input.title + '-' + (input.count ?? 0)" }
                },
                "actions": [ { "respond": { "body": "input" } } ]
              }
            },
            "nothing_to_say": {
              "description": "No alias and no respond: the answer is {status: 10}.",
              "execute": true,
              "processor": "Actions",
              "processorConfig": {
                "actions": [ { "validate": { "key": "x", "rule": "true" } } ]
              }
            },
            "context_echo": {
              "description": "What expressions see besides input.",
              "execute": true,
              "processor": "Actions",
              "processorConfig": {
                "actions": [ { "respond": { "body": "({ entity: `${context.entity}`, user, hasNow: typeof now() === 'string', noHost: typeof host === 'undefined' })" } } ]
              }
            },
            "filter_echo": {
              "description": "A call's filter and session as expressions see them.",
              "execute": true,
              "processor": "Actions",
              "processorConfig": {
                "actions": [ { "respond": { "body": "({ id: filter?.id ?? null, session })" } } ]
              }
            },
            "add_user_no_dry_run": {
              "execute": true,
              "processor": "ExecuteSql",
              "processorConfig": {
                "sql": "insert into users (email, name) values (?, ?)",
                "execute": true,
                "dryRun": false,
                "parameters": [ { "reference": "email", "type": "string" }, { "reference": "name", "type": "string" } ]
              }
            },
            "script_hello": {
              "execute": true,
              "processor": "Script",
              "processorConfig": "attributes.put('response', { hello: 'world' });"
            }
          }
        }
        """;
}
