using System.Globalization;
using System.Text.Json.Nodes;
using DataHub.Host.Schema;
using DataHub.Host.Servlet;

namespace DataHub.Host.Calls;

/// <summary>
/// The body of a Ductape-shaped call, <c>{env, product_tag, event, cache, input: {data, filter}, session: {tag, token},
/// retries}</c>, read and checked whole: every problem is reported at once, before anything runs.
/// </summary>
public sealed record DbActionRequest(string Instance, string System, string Entity, JsonNode Data, CallOptions Options)
{
    private static readonly HashSet<string> _members =
        new(StringComparer.Ordinal) { "env", "product_tag", "event", "cache", "input", "session", "retries" };

    private static readonly HashSet<string> _inputMembers = new(StringComparer.Ordinal) { "data", "filter" };

    private static readonly HashSet<string> _sessionMembers = new(StringComparer.Ordinal) { "tag", "token" };

    /// <summary>Reads a parsed body; the error lists every missing or malformed member.</summary>
    public static (DbActionRequest? Request, HostError? Error) Read(JsonNode? body)
    {
        if (body is not JsonObject call)
        {
            return (null, HostError.InvalidInput(
                "The body must be a JSON object: {\"env\", \"product_tag\", \"event\", \"input\": {\"data\", \"filter\"}, \"cache\", \"session\", \"retries\"}."));
        }
        var errors = new List<string>();
        var missing = new List<string>();
        Unknown(call, _members, "", errors);

        var environment = RequiredString(call, "env", missing, errors);
        var instance = RequiredString(call, "product_tag", missing, errors);
        var actionEvent = RequiredString(call, "event", missing, errors);
        string? system = null, entity = null;
        if (actionEvent is not null)
        {
            // "<database tag>:<action tag>", as in Ductape; without a colon, an entity of the default system.
            var colon = actionEvent.IndexOf(':', StringComparison.Ordinal);
            (system, entity) = colon < 0
                ? (SystemDefinition.DefaultReference, actionEvent)
                : (actionEvent[..colon], actionEvent[(colon + 1)..]);
            if (system.Length == 0 || entity.Length == 0 || entity.Contains(':', StringComparison.Ordinal))
            {
                errors.Add($"event '{actionEvent}' must be '<database tag>:<action tag>' or '<action tag>'.");
            }
        }

        JsonNode? data = null;
        JsonObject? filter = null;
        if (!call.TryGetPropertyValue("input", out var inputNode) || inputNode is null)
        {
            missing.Add("input");
        }
        else if (inputNode is not JsonObject input)
        {
            errors.Add("input must be an object: {\"data\", \"filter\"}.");
        }
        else
        {
            Unknown(input, _inputMembers, "input.", errors);
            if (!input.TryGetPropertyValue("data", out data) || data is null)
            {
                missing.Add("input.data");
            }
            else if (data is not (JsonObject or JsonArray))
            {
                errors.Add("input.data must be a JSON object or array.");
            }
            if (input.TryGetPropertyValue("filter", out var filterNode) && filterNode is not null)
            {
                filter = filterNode as JsonObject;
                if (filter is null)
                {
                    errors.Add("input.filter must be a JSON object (or {} for none).");
                }
            }
        }

        var cache = OptionalString(call, "cache", errors);
        var session = ReadSession(call, errors);
        int? retries = null;
        if (call.TryGetPropertyValue("retries", out var retriesNode) && retriesNode is not null)
        {
            if (retriesNode is JsonValue value && value.TryGetValue(out int count) && count >= 0)
            {
                retries = count;
            }
            else
            {
                errors.Add("retries must be a whole number of 0 or more.");
            }
        }

        if (missing.Count > 0)
        {
            errors.Insert(0, string.Create(CultureInfo.InvariantCulture,
                $"Missing required member{(missing.Count == 1 ? "" : "s")}: {string.Join(", ", missing)}."));
        }
        return errors.Count > 0
            ? (null, HostError.InvalidInput(string.Join(" ", errors)))
            : (new DbActionRequest(instance!, system!, entity!, data!, new CallOptions(filter is { Count: 0 } ? null : filter, environment, cache, session, retries)), null);
    }

    private static SessionInput? ReadSession(JsonObject call, List<string> errors)
    {
        if (!call.TryGetPropertyValue("session", out var node) || node is null)
        {
            return null;
        }
        if (node is not JsonObject session)
        {
            errors.Add("session must be an object: {\"tag\", \"token\"} (or {} for none).");
            return null;
        }
        if (session.Count == 0)
        {
            return null;
        }
        Unknown(session, _sessionMembers, "session.", errors);
        var missing = new List<string>();
        var tag = RequiredString(session, "tag", missing, errors, "session.");
        var token = RequiredString(session, "token", missing, errors, "session.");
        if (missing.Count > 0)
        {
            errors.Add($"Missing required member{(missing.Count == 1 ? "" : "s")}: {string.Join(", ", missing)}.");
        }
        return tag is not null && token is not null ? new SessionInput(tag, token) : null;
    }

    private static string? RequiredString(JsonObject owner, string name, List<string> missing, List<string> errors, string prefix = "")
    {
        if (!owner.TryGetPropertyValue(name, out var node) || node is null)
        {
            missing.Add(prefix + name);
            return null;
        }
        return CallOptions.NonEmptyText(node, prefix + name, errors);
    }

    private static string? OptionalString(JsonObject owner, string name, List<string> errors) =>
        owner.TryGetPropertyValue(name, out var node) && node is not null ? CallOptions.NonEmptyText(node, name, errors) : null;

    private static void Unknown(JsonObject owner, HashSet<string> known, string prefix, List<string> errors)
    {
        foreach (var (name, _) in owner)
        {
            if (!known.Contains(name))
            {
                errors.Add($"Unknown member '{prefix}{name}' (expected {string.Join(", ", known)}).");
            }
        }
    }
}
