using System.Text.Json.Serialization;

namespace DataHub.Client;

/// <summary>
/// Ductape's <c>IDBActionProcessorInput</c>: which environment, product (instance) and event
/// (<c>"&lt;database tag&gt;:&lt;action tag&gt;"</c>), the input, and the optional cache, session and retries.
/// </summary>
public sealed record DbActionInput
{
    /// <summary>The environment slug, such as <c>"dev"</c> or <c>"prd"</c>.</summary>
    [JsonPropertyName("env")]
    public required string Env { get; init; }

    /// <summary>The product tag: the DataHub instance.</summary>
    [JsonPropertyName("product_tag")]
    public required string ProductTag { get; init; }

    /// <summary><c>"&lt;database tag&gt;:&lt;action tag&gt;"</c> (system and entity), or an entity of the default system.</summary>
    [JsonPropertyName("event")]
    public required string Event { get; init; }

    /// <summary>The data and the filter.</summary>
    [JsonPropertyName("input")]
    public DbActionRequest Input { get; init; } = new();

    /// <summary>A cache tag the instance declares, or null.</summary>
    [JsonPropertyName("cache")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Cache { get; init; }

    /// <summary>The session to verify, or null.</summary>
    [JsonPropertyName("session")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DbSession? Session { get; init; }

    /// <summary>How many times to retry a transient failure, or null.</summary>
    [JsonPropertyName("retries")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Retries { get; init; }
}

/// <summary>Ductape's <c>IDbActionRequest</c>: the payload and the criteria for selecting records.</summary>
public sealed record DbActionRequest
{
    /// <summary>The payload: any object that serialises to a JSON object or array. An empty object when not set.</summary>
    [JsonPropertyName("data")]
    public object Data { get; init; } = new Dictionary<string, object?>();

    /// <summary>Criteria for selecting records (update, delete, read), or null.</summary>
    [JsonPropertyName("filter")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public object? Filter { get; init; }
}

/// <summary>Ductape's <c>ISession</c>: the session tag and its token.</summary>
/// <param name="Tag">The session tag the instance declares.</param>
/// <param name="Token">The encoded token (a JWT).</param>
public sealed record DbSession(
    [property: JsonPropertyName("tag")] string Tag,
    [property: JsonPropertyName("token")] string Token);
