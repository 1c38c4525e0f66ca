using System.Net.Http.Headers;
using System.Text;
using DataHub.Host.Caching;
using DataHub.Testing;

namespace DataHub.DbActions.Tests;

/// <summary>
/// The instance the cache tests call: "shop" with the users table on SQLite or PostgreSQL, five caches, reads that
/// use them, writes that evict them (and one that evicts nothing), and Script entities that answer who called and
/// fail on purpose.
/// </summary>
public static class CacheSchema
{
    public const string Secret = "a-cache-test-secret-of-at-least-32-bytes";
    public const string Issuer = "https://login.example";
    public const string Audience = "shop";

    public static async Task WriteAsync(TempDirectory schema, string provider)
    {
        var store = await UsersSchema.WriteStoreAsync(schema, provider, "shop");
        schema.Write("shop/instance.json", $$"""
            {
              "dataStores": { "database": {{store}} },
              "auth": { "anonymous": true, "jwt": { "secret": "{{Secret}}", "issuer": "{{Issuer}}", "audience": "{{Audience}}" } },
              "caches": {
                "users": { "ttlSeconds": 300 },
                "listing": { "ttlSeconds": 300 },
                "per-user": { "ttlSeconds": 300, "varyByUser": true },
                "brief": { "ttlSeconds": 2 },
                "tiny": { "ttlSeconds": 300, "maxEntryBytes": 16 }
              }
            }
            """);
        const string Rename = """
            "sql": "update users set name = ? where id = ?", "execute": true,
            "parameters": [{ "reference": "name", "type": "string", "length": 100 }, { "reference": "filter.id", "type": "integer" }]
            """;
        const string WhoAmI = """
            "attributes.put('response', { id: attributes.has('user') && attributes.get('user') ? attributes.get('user').id : null });"
            """;
        schema.Write("shop/db.json", $$"""
            {
              "reference": "db",
              "entities": {
                "get_user": {
                  "execute": true, "processor": "ExecuteSql", "cache": "users",
                  "processorConfig": { "sql": "select id, name from users where id = ?", "parameters": [{ "reference": "filter.id", "type": "integer" }] }
                },
                "name_of": {
                  "execute": true, "processor": "ExecuteSql",
                  "processorConfig": { "sql": "select name from users where id = ?", "parameters": [{ "reference": "filter.id", "type": "integer" }] }
                },
                "update_user": { "execute": true, "processor": "ExecuteSql", "evicts": { "caches": ["users"] }, "processorConfig": { {{Rename}} } },
                "rename_listed": { "execute": true, "processor": "ExecuteSql", "evicts": { "entities": ["list_users"] }, "processorConfig": { {{Rename}} } },
                "rename_quietly": { "execute": true, "processor": "ExecuteSql", "processorConfig": { {{Rename}} } },
                "whoami": { "execute": true, "processor": "Script", "cache": "per-user", "processorConfig": {{WhoAmI}} },
                "whoami_shared": { "execute": true, "processor": "Script", "cache": "users", "processorConfig": {{WhoAmI}} },
                "refuse": {
                  "execute": true, "processor": "Script", "cache": "users",
                  "processorConfig": "attributes.put('status', 25); attributes.put('errorMessage', 'Not today.');"
                }
              }
            }
            """);
        schema.Write("shop/default.json", """
            {
              "reference": "default",
              "entities": {
                "list_users": { "execute": true, "processor": "ExecuteSql", "cache": "listing", "processorConfig": { "sql": "select id, name from users order by id" } }
              }
            }
            """);
    }

    /// <summary>An answer's body and how the cache answered (null when the call named no cache).</summary>
    public sealed record Answer(int Status, string Body, string? Cache);

    public static async Task<Answer> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var cache = response.Headers.TryGetValues(CacheOutcome.Header, out var values) ? values.Single() : null;
            return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync(), cache);
        }
    }

    /// <summary>Calls shop/db/&lt;entity&gt; on the servlet, with the filter and cache as URL parameters.</summary>
    public static async Task<Answer> ServletAsync(HttpClient client, string entity, string? filter = null, string? cache = null,
        AuthenticationHeaderValue? authorization = null)
    {
        var query = new List<string>();
        if (filter is not null)
        {
            query.Add("filter=" + Uri.EscapeDataString(filter));
        }
        if (cache is not null)
        {
            query.Add("cache=" + cache);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, entity.Contains('/', StringComparison.Ordinal) ? entity : "shop/db/" + entity
            + (query.Count > 0 ? "?" + string.Join('&', query) : ""));
        request.Headers.Authorization = authorization;
        return await ReadAsync(await client.SendAsync(request));
    }

    /// <summary>Calls POST /_db/execute with event "db:&lt;entity&gt;".</summary>
    public static async Task<Answer> ExecuteAsync(HttpClient client, string entity, string data = "{}", string filter = "{}", string? cache = null)
    {
        var cacheMember = cache is null ? "" : $"\"cache\": \"{cache}\", ";
        using var content = new StringContent($$"""
            { "env": "testing", "product_tag": "shop", "event": "db:{{entity}}", {{cacheMember}}"input": { "data": {{data}}, "filter": {{filter}} } }
            """, Encoding.UTF8, "application/json");
        return await ReadAsync(await client.PostAsync("_db/execute", content));
    }

    /// <summary>Renames user <paramref name="id"/> through <paramref name="writer"/> (update_user, rename_listed or rename_quietly).</summary>
    public static Task<Answer> RenameAsync(HttpClient client, string writer, int id, string name) =>
        ExecuteAsync(client, writer, $$"""{ "name": "{{name}}" }""", $$"""{ "id": {{id}} }""");
}
