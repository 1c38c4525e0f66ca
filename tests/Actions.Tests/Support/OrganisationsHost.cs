using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DataHub.Plugins;
using DataHub.Testing;

namespace DataHub.Actions.Tests.Support;

/// <summary>
/// The real host serving the organisations sample (the shipped services.json) plus the test-only entities of
/// <see cref="TestEntities"/>, on SQLite (the shipped instance, seeded on start) or on a fresh PostgreSQL database.
/// </summary>
public abstract class OrganisationsHost(string provider) : HostFixture
{
    private OrganisationsDatabase? _database;

    protected string Provider { get; } = provider;

    protected OrganisationsDatabase Database => _database ?? throw new InvalidOperationException("Made in OneTimeSetUp.");

    protected override async Task WriteSchemaAsync(TempDirectory schema)
    {
        var sample = Path.Combine(TestPaths.SchemaDirectory, "organisations");
        schema.CopyFrom(sample, "organisations", file => !file.EndsWith(".db", StringComparison.Ordinal)
            && !file.EndsWith(".db-wal", StringComparison.Ordinal) && !file.EndsWith(".db-shm", StringComparison.Ordinal));
        schema.Write("organisations/test.json", TestEntities.System);
        if (Provider == DataStoreProviders.PostgreSql)
        {
            _database = await OrganisationsDatabase.CreatePostgreSqlAsync();
            schema.Write("organisations/instance.json", new JsonObject
            {
                ["dataStores"] = new JsonObject
                {
                    ["database"] = new JsonObject { ["provider"] = "postgresql", ["connectionString"] = _database.ConnectionString },
                },
                ["auth"] = new JsonObject { ["anonymous"] = true },
            }.ToJsonString());
        }
        else
        {
            _database = new OrganisationsDatabase(DataStoreProviders.Sqlite,
                $"Data Source={Path.Combine(schema.Path, "organisations", "data", "organisations.db")}");
        }
    }

    /// <summary>POSTs JSON to /organisations/{system}/{entity}, with any extra headers.</summary>
    protected async Task<Answer> CallAsync(string entity, string json, string system = "org", params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"organisations/{system}/{entity}")
        {
            Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await Host.Client.SendAsync(request);
        return await Answer.ReadAsync(response);
    }

    protected static string Unique(string prefix) => $"{prefix} {Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 80)];
}

/// <summary>A response read whole: status, headers and the body as JSON.</summary>
public sealed record Answer(HttpStatusCode StatusCode, JsonNode? Body, HttpResponseHeaders Headers, string Text)
{
    public static async Task<Answer> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        try
        {
            body = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: the test reads Text.
        }
        return new Answer(response.StatusCode, body, response.Headers, text);
    }

    public int? Status => Body?["status"]?.GetValue<int>();

    /// <summary>The codes reported under <paramref name="field"/> in <c>errors</c>.</summary>
    public IReadOnlyList<string> Codes(string field) =>
        Body?["errors"]?[field] is JsonArray list ? [.. list.Select(e => e!["code"]!.GetValue<string>())] : [];

    public override string ToString() => $"{(int)StatusCode} {Text}";
}
