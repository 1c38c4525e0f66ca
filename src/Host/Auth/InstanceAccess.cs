using System.Text;
using System.Text.Json.Nodes;
using DataHub.Host.Diagnostics;
using DataHub.Host.Schema;
using DataHub.Host.Servlet;
using DataHub.Plugins;
using Microsoft.Net.Http.Headers;

namespace DataHub.Host.Auth;

/// <summary>The outcome of checking a call against an instance's access settings: a user (or null), or an error.</summary>
public readonly record struct AccessResult(JsonObject? User, HostError? Error)
{
    public static AccessResult Anonymous { get; } = new(null, null);
}

/// <summary>
/// Who may call an instance's entities, read from the <c>auth</c> member of instance.json:
/// <c>{"anonymous": true|false, "basic": {"users": "users.json"}, "jwt": {…}}</c>.
/// A request is first authenticated (once, whatever asks first), then checked against the entity's roles.
/// </summary>
public sealed class InstanceAccess
{
    private static readonly string[] _members = ["anonymous", "basic", "jwt"];

    private readonly string _realm;
    private readonly BasicUsers? _basic;
    private readonly JwtTokens? _jwt;
    private readonly ILogger<InstanceAccess> _logger;

    private InstanceAccess(string instanceName, bool allowsAnonymous, BasicUsers? basic, JwtTokens? jwt, ILogger<InstanceAccess> logger)
    {
        InstanceName = instanceName;
        _realm = QuotedStringContent(instanceName);
        AllowsAnonymous = allowsAnonymous;
        _basic = basic;
        _jwt = jwt;
        _logger = logger;
    }

    public string InstanceName { get; }

    /// <summary>Calls without credentials are let through (user null) to entities that list no roles.</summary>
    public bool AllowsAnonymous { get; }

    /// <summary>The instance can authenticate someone: it has a users file or accepts JWTs.</summary>
    public bool AuthenticatesUsers => _basic is not null || _jwt is not null;

    /// <summary>The instance checks bearer tokens (its <c>jwt</c> settings).</summary>
    public bool AcceptsBearerTokens => _jwt is not null;

    /// <summary>The Basic users file (a full path), if there is one.</summary>
    public string? UsersFile => _basic?.UsersFile;

    /// <summary>
    /// Reads the <c>auth</c> member of instance.json (none: anyone may call); reports every problem and returns null
    /// if there is one. <paramref name="metrics"/> is null where nothing is served (validate).
    /// </summary>
    public static InstanceAccess? Read(
        JsonNode? auth, string instanceName, string instanceDirectory, ILogger<InstanceAccess> logger, DataHubMetrics? metrics, Action<string> report)
    {
        if (auth is null)
        {
            return new InstanceAccess(instanceName, allowsAnonymous: true, basic: null, jwt: null, logger);
        }
        if (auth is not JsonObject settings)
        {
            report("'auth' must be an object.");
            return null;
        }
        var problems = new ProblemReport(report);
        foreach (var (member, _) in settings)
        {
            if (!_members.Contains(member))
            {
                problems.Add($"auth: unknown member '{member}'. It takes anonymous, basic and jwt.");
            }
        }
        var anonymous = SchemaJson.GetBoolean(settings, "anonymous", problems.Add, label: "auth.anonymous", fallback: true);
        var basic = settings.ContainsKey("basic") ? BasicUsers.Read(settings["basic"], instanceDirectory, metrics, problems.Add) : null;
        var jwt = settings.ContainsKey("jwt") ? JwtTokens.Read(settings["jwt"], instanceDirectory, problems.Add) : null;
        if (!anonymous && !settings.ContainsKey("basic") && !settings.ContainsKey("jwt"))
        {
            problems.Add("auth: anonymous is false but neither basic nor jwt is configured, so no call could ever be served.");
        }
        return problems.Count == 0 ? new InstanceAccess(instanceName, anonymous, basic, jwt, logger) : null;
    }

    /// <summary>
    /// Who is calling: the user the credentials prove, null for a call without any, or a 401 for credentials that do
    /// not hold. Computed once per request and kept in its features, so that the rate limiter and the servlet agree.
    /// </summary>
    public async ValueTask<AccessResult> AuthenticateAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (!AuthenticatesUsers)
        {
            // No users, no tokens: an Authorization header means nothing here (it may belong to a proxy).
            return AccessResult.Anonymous;
        }
        if (http.Features.Get<AuthenticatedCall>() is { } known && ReferenceEquals(known.Access, this))
        {
            return known.Result;
        }
        var result = await AuthenticateCoreAsync(http, cancellationToken);
        http.Features.Set(new AuthenticatedCall(this, result));
        return result;
    }

    /// <summary>
    /// Authenticates the call and refuses, before anything else is looked at, what no entity of the instance would
    /// accept: credentials that do not hold, and anonymous calls where the instance takes none. An unknown entity
    /// on a closed instance is thus a 401 to a stranger, not a 404 that maps the schema for them.
    /// </summary>
    public async ValueTask<AccessResult> AdmitAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var result = await AuthenticateAsync(http, cancellationToken);
        return result is { Error: null, User: null } && !AllowsAnonymous
            ? Deny(Unauthenticated("Authentication required."))
            : result;
    }

    /// <summary>Authenticates the call and checks it may call <paramref name="entity"/>: 401 without a needed user, 403 without a needed role.</summary>
    public async ValueTask<AccessResult> AuthorizeAsync(HttpContext http, EntityDefinition entity, CancellationToken cancellationToken)
    {
        var result = await AuthenticateAsync(http, cancellationToken);
        if (result.Error is not null)
        {
            return result;
        }
        if (result.User is not { } user)
        {
            // Roles on an instance that authenticates nobody are refused at load: there is always a scheme to ask for.
            return AllowsAnonymous && entity.Roles.Count == 0 ? result : Deny(Unauthenticated("Authentication required."));
        }
        if (entity.Roles.Count > 0 && !HasAnyRole(user, entity.Roles))
        {
            RequestLog(http).UserLacksRole(user["id"]?.GetValue<string>() ?? "", entity.Address.ToString(), http.TraceIdentifier);
            return Deny(new HostError(StatusCodes.Status403Forbidden, MessageStatus.GeneralError,
                "The authenticated user does not have a role this entity requires."));
        }
        return result;
    }

    private async ValueTask<AccessResult> AuthenticateCoreAsync(HttpContext http, CancellationToken cancellationToken)
    {
        switch (Credentials.Read(http.Request))
        {
            case Credentials.None:
                return AccessResult.Anonymous;

            case Credentials.Malformed malformed:
                RequestLog(http).CredentialsRefused(InstanceName, malformed.Reason, http.TraceIdentifier);
                return Deny(Unauthenticated(malformed.Reason,
                    malformed.Scheme == Credentials.BearerScheme ? "invalid_request" : null));

            case Credentials.Basic when _basic is null:
                RequestLog(http).CredentialsRefused(InstanceName, "Basic authentication is not enabled", http.TraceIdentifier);
                return Deny(Unauthenticated("This instance does not accept Basic authentication."));

            case Credentials.Basic basic:
                if (await _basic.VerifyAsync(basic.User, basic.Password, cancellationToken) is not { } found)
                {
                    RequestLog(http).PasswordRefused(InstanceName, _basic.IsKnown(basic.User) ? basic.User : "(unknown user)", http.TraceIdentifier);
                    return Deny(Unauthenticated("The user id or password is not valid."));
                }
                return new AccessResult(new JsonObject
                {
                    ["id"] = found.Id,
                    ["roles"] = new JsonArray([.. found.Roles.Select(role => (JsonNode?)JsonValue.Create(role))]),
                    ["claims"] = new JsonObject(),
                }, null);

            case Credentials.Bearer when _jwt is null:
                RequestLog(http).CredentialsRefused(InstanceName, "Bearer tokens are not enabled", http.TraceIdentifier);
                return Deny(Unauthenticated("This instance does not accept bearer tokens."));

            case Credentials.Bearer bearer:
                var check = await _jwt.CheckAsync(bearer.Token);
                if (check.User is not { } tokenUser)
                {
                    RequestLog(http).CredentialsRefused(InstanceName, $"bearer token refused: {check.Failure}", http.TraceIdentifier);
                    return Deny(Unauthenticated($"The bearer token is not valid: {check.Failure}.", "invalid_token"));
                }
                return new AccessResult(tokenUser, null);

            default:
                throw new InvalidOperationException("Unknown kind of credentials.");
        }
    }

    private static bool HasAnyRole(JsonObject user, IReadOnlyList<string> required) =>
        user["roles"] is JsonArray roles
        && roles.Any(role => role is JsonValue value && value.TryGetValue(out string? name) && required.Contains(name, StringComparer.Ordinal));

    /// <summary>A 401 naming every scheme this instance accepts, as RFC 9110 and RFC 6750 ask.</summary>
    private HostError Unauthenticated(string message, string? bearerError = null)
    {
        var challenges = new List<string>();
        if (_basic is not null)
        {
            challenges.Add($"Basic realm=\"{_realm}\", charset=\"UTF-8\"");
        }
        if (_jwt is not null)
        {
            challenges.Add(bearerError is null ? $"Bearer realm=\"{_realm}\"" : $"Bearer realm=\"{_realm}\", error=\"{bearerError}\"");
        }
        return new HostError(StatusCodes.Status401Unauthorized, MessageStatus.GeneralError, message)
        {
            Headers = new Dictionary<string, string> { [HeaderNames.WWWAuthenticate] = string.Join(", ", challenges) },
        };
    }

    private static AccessResult Deny(HostError error) => new(null, error);

    /// <summary>The realm as the content of a quoted-string: printable ASCII, with quote and backslash escaped.</summary>
    private static string QuotedStringContent(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }
            builder.Append(c is >= ' ' and < (char)127 ? c : '_');
        }
        return builder.ToString();
    }

    /// <summary>The instance's logger, tagged with the request: made only where a refusal is logged.</summary>
    private RequestLogger RequestLog(HttpContext http) => new(_logger, http.TraceIdentifier);
}

/// <summary>A request's authentication, kept in its features so that the rate limiter and the servlet agree on it.</summary>
public sealed record AuthenticatedCall(InstanceAccess Access, AccessResult Result);

/// <summary>Log lines about refused calls. None carries a password, a token or a hash.</summary>
internal static partial class AccessLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Credentials refused on instance {Instance}: {Reason} (trace {TraceId})")]
    public static partial void CredentialsRefused(this ILogger logger, string instance, string reason, string traceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Basic authentication failed on instance {Instance} for {User} (trace {TraceId})")]
    public static partial void PasswordRefused(this ILogger logger, string instance, string user, string traceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {User} lacks a role required by {Entity} (trace {TraceId})")]
    public static partial void UserLacksRole(this ILogger logger, string user, string entity, string traceId);
}
