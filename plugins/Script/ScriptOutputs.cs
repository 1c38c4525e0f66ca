using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataHub.Plugins.Script;

/// <summary>
/// What a script set, read from the prelude's output text (a JSON object of the outputs, then after a line break
/// the response as JSON), checked against the entity's limits. Engine-neutral: every engine returns this text.
/// </summary>
internal sealed class ScriptOutputs
{
    /// <summary>The host's JSON writer refuses deeper nesting than this.</summary>
    public const int MaxResponseDepth = 1000;

    private ScriptOutputs()
    {
    }

    public int? HttpStatus { get; private init; }

    public int? Status { get; private init; }

    public string? ErrorMessage { get; private init; }

    public IReadOnlyList<KeyValuePair<string, string>> HttpHeaders { get; private init; } = [];

    public bool HasResponse { get; private set; }

    public JsonNode? Response { get; private set; }

    /// <summary>Why the response cannot be written (too large, cyclic, too deep, not Unicode text), or null.</summary>
    public string? ResponseProblem { get; private set; }

    /// <summary>What the script threw (or its promise rejected with), described; null when it did not.</summary>
    public string? Thrown { get; private init; }

    /// <summary>The thrown error's stack trace, when it had one: where it happened.</summary>
    public string? ThrownStack { get; private init; }

    /// <summary>True when the run left the engine changed (a global added): the engine must not run again.</summary>
    public bool Dirty { get; private init; }

    /// <summary>Reads the output text. Never throws for anything a script can write.</summary>
    public static ScriptOutputs Read(string text, ScriptLimits limits)
    {
        var split = text.IndexOf('\n', StringComparison.Ordinal);
        var head = split < 0 ? text.AsMemory() : text.AsMemory(0, split);
        // The prelude writes only what was set: most runs set nothing but their response.
        var outputs = head.Span.SequenceEqual("{}") ? new ScriptOutputs() : ReadHead(head, limits);
        if (split >= 0 && outputs.ResponseProblem is null)
        {
            (outputs.Response, outputs.ResponseProblem) = ReadResponse(text.AsSpan(split + 1), limits);
            outputs.HasResponse = outputs.ResponseProblem is null;
        }
        return outputs;
    }

    private static ScriptOutputs ReadHead(ReadOnlyMemory<char> text, ScriptLimits limits)
    {
        using var head = JsonDocument.Parse(text);
        var root = head.RootElement;
        var headers = new List<KeyValuePair<string, string>>();
        if (root.TryGetProperty("httpHeaders", out var headerObject) && headerObject.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in headerObject.EnumerateObject())
            {
                headers.Add(KeyValuePair.Create(header.Name, header.Value.GetString() ?? ""));
            }
        }
        string? thrown = null, stack = null;
        if (root.TryGetProperty("error", out var error))
        {
            thrown = error.GetProperty("message").GetString();
            stack = error.TryGetProperty("stack", out var trace) ? trace.GetString() : null;
        }
        return new ScriptOutputs
        {
            HttpStatus = Number(root, "httpStatus"),
            Status = Number(root, "status"),
            ErrorMessage = root.TryGetProperty("errorMessage", out var message) ? message.GetString() : null,
            HttpHeaders = headers,
            ResponseProblem = root.TryGetProperty("responseError", out var responseError) ? Describe(responseError.GetString(), limits) : null,
            Thrown = thrown,
            ThrownStack = stack,
            Dirty = root.TryGetProperty("dirty", out var dirty) && dirty.ValueKind == JsonValueKind.True,
        };
    }

    /// <summary>Sets everything the script set on the context, replacing nothing it did not set.</summary>
    public void ApplyTo(ProcessorContext context)
    {
        context.HttpStatus = HttpStatus;
        context.Status = Status;
        context.ErrorMessage = ErrorMessage;
        foreach (var (name, value) in HttpHeaders)
        {
            context.HttpHeaders[name] = value;
        }
        if (HasResponse)
        {
            context.Response = Response;
        }
    }

    private static (JsonNode? Response, string? Problem) ReadResponse(ReadOnlySpan<char> json, ScriptLimits limits)
    {
        var utf8 = new byte[Encoding.UTF8.GetByteCount(json)];
        Encoding.UTF8.GetBytes(json, utf8);
        JsonNode? response;
        try
        {
            response = JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = MaxResponseDepth });
        }
        catch (JsonException)
        {
            // The prelude writes valid JSON: only its depth can be refused.
            return (null, Describe("deep", limits));
        }
        // A string answer is written as it is, not as a JSON string.
        var bytes = response is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? Encoding.UTF8.GetByteCount(value.GetValue<string>())
            : utf8.Length;
        return bytes > limits.MaxResponseBytes ? (null, Describe("large", limits)) : (response, null);
    }

    private static string Describe(string? problem, ScriptLimits limits) => problem switch
    {
        "large" => $"The response is larger than maxResponseBytes ({limits.MaxResponseBytes} bytes).",
        "cycle" => "The response contains a cycle: an object inside itself cannot be written as JSON.",
        "text" => "The response holds half a surrogate pair (\\uD800-\\uDFFF alone), which is not Unicode text and cannot be written as UTF-8.",
        _ => $"The response is nested more than {MaxResponseDepth} levels deep.",
    };

    private static int? Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;
}
