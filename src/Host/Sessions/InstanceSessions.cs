using System.Text.Json.Nodes;
using DataHub.Host.Auth;
using DataHub.Host.Calls;
using DataHub.Host.Diagnostics;
using DataHub.Host.Schema;
using DataHub.Host.Servlet;
using DataHub.Plugins;
using Microsoft.Net.Http.Headers;

namespace DataHub.Host.Sessions;

/// <summary>A session's outcome: the claims plug-ins receive as <c>session</c>, or the error that refuses the call.</summary>
public readonly record struct SessionCheck(JsonObject? Session, HostError? Error);

/// <summary>
/// An instance's session tags (<c>instance.json</c>: <c>"sessions": {"required": bool, "tags": {"&lt;tag&gt;": {jwt
/// settings}}}</c>): how each tag's tokens are verified, with the JWT settings <c>auth.jwt</c> takes, and whether every
/// call needs a session.
/// </summary>
public sealed class InstanceSessions
{
    private static readonly string[] _members = ["required", "tags"];

    private readonly IReadOnlyDictionary<string, JwtTokens> _tags;

    private InstanceSessions(bool required, IReadOnlyDictionary<string, JwtTokens> tags)
    {
        Required = required;
        _tags = tags;
    }

    /// <summary>An instance that declares no session tags.</summary>
    public static InstanceSessions None { get; } = new(false, new Dictionary<string, JwtTokens>());

    /// <summary>True when every call to the instance must carry a verified session.</summary>
    public bool Required { get; }

    /// <summary>True when the instance declares session tags, so that a call can carry a session at all.</summary>
    public bool DeclaresTags => _tags.Count > 0;

    /// <summary>The declared tags, in order.</summary>
    public IEnumerable<string> Tags => _tags.Keys.Order(StringComparer.Ordinal);

    /// <summary>Reads the <c>sessions</c> member of instance.json; reports every problem and returns null if there is one.</summary>
    public static InstanceSessions? Read(JsonNode? node, string instanceDirectory, Action<string> report)
    {
        if (node is null)
        {
            return None;
        }
        if (node is not JsonObject settings)
        {
            report("sessions must be an object: {\"required\": true|false, \"tags\": {\"<tag>\": {\"secret\" or \"publicKey\", \"issuer\", \"audience\"}}}.");
            return null;
        }
        var problems = new ProblemReport(report);
        SchemaJson.CheckMembers(settings, _members, "sessions", message => problems.Add($"sessions: {message}"));
        var required = SchemaJson.GetBoolean(settings, "required", problems.Add, label: "sessions.required", fallback: false);
        var tags = new Dictionary<string, JwtTokens>(StringComparer.Ordinal);
        if (settings["tags"] is not JsonObject declared || declared.Count == 0)
        {
            problems.Add("sessions.tags must be an object naming at least one session tag.");
        }
        else
        {
            foreach (var (tag, jwt) in declared)
            {
                if (JwtTokens.Read(jwt, instanceDirectory, problems.Add, label: $"sessions.tags.{tag}") is { } tokens)
                {
                    tags.Add(tag, tokens);
                }
            }
        }
        return problems.Count == 0 ? new InstanceSessions(required, tags) : null;
    }

    /// <summary>
    /// Verifies a call's session: none where none is needed; 401 when one is needed (by the instance, or by the entity:
    /// <paramref name="entityRequiresSession"/>) but absent or its token does not hold (expired, wrong signature,
    /// audience or issuer); 400 for a tag the instance does not declare. Each outcome is counted in <paramref name="metrics"/>.
    /// </summary>
    public async Task<SessionCheck> VerifyAsync(string instance, SessionInput? input, bool entityRequiresSession, DataHubMetrics metrics)
    {
        if (input is null)
        {
            if (!Required && !entityRequiresSession)
            {
                return default;
            }
            metrics.SessionChecked(instance, "", "missing");
            return new SessionCheck(null, Unauthenticated($"This {(Required ? "instance" : "entity")} needs a session: send session {{tag, token}}, or the "
                + CallOptions.SessionHeader + " header on its URLs."));
        }
        if (!_tags.TryGetValue(input.Tag, out var tokens))
        {
            metrics.SessionChecked(instance, "", "unknown_tag");
            return new SessionCheck(null, HostError.InvalidInput(_tags.Count == 0
                ? $"Session tag '{input.Tag}' is not one this instance declares; it declares none."
                : $"Session tag '{input.Tag}' is not one this instance declares; it declares: {string.Join(", ", Tags)}."));
        }
        var check = await tokens.CheckAsync(input.Token);
        if (check.User is not { } user)
        {
            metrics.SessionChecked(instance, input.Tag, "refused");
            return new SessionCheck(null, Unauthenticated($"The session token is not valid: {check.Failure}."));
        }
        metrics.SessionChecked(instance, input.Tag, "verified");
        var session = new JsonObject();
        if (user["claims"] is JsonObject claims)
        {
            foreach (var (name, value) in claims)
            {
                session[name] = value?.DeepClone();
            }
        }
        session["tag"] = input.Tag;
        session["subject"] = user["id"]?.DeepClone();
        session["roles"] = user["roles"]?.DeepClone();
        return new SessionCheck(session, null);
    }

    private static HostError Unauthenticated(string message) =>
        new(StatusCodes.Status401Unauthorized, MessageStatus.GeneralError, message)
        {
            Headers = new Dictionary<string, string> { [HeaderNames.WWWAuthenticate] = $"{CallOptions.SessionHeader} realm=\"session\"" },
        };
}
