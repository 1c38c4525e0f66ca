using System.Text.Json.Nodes;
using DataHub.Host.Schema;
using DataHub.Host.Servlet;

namespace DataHub.Host.Auth;

/// <summary>The outcome of checking a call against an instance's access settings: a user (or null), or an error.</summary>
public readonly record struct AccessResult(JsonObject? User, HostError? Error)
{
    public static AccessResult Anonymous { get; } = new(null, null);
}

/// <summary>Who may call an instance's entities, read from the <c>auth</c> member of instance.json.</summary>
public sealed class InstanceAccess
{
    private InstanceAccess(bool allowsAnonymous) => AllowsAnonymous = allowsAnonymous;

    public bool AllowsAnonymous { get; }

    public static InstanceAccess? Read(JsonObject? auth, string instanceDirectory, Action<string> report)
    {
        if (auth is null)
        {
            return new InstanceAccess(allowsAnonymous: true);
        }
        var anonymous = auth["anonymous"] is null || SchemaJson.GetBoolean(auth, "anonymous", report);
        foreach (var (member, _) in auth)
        {
            if (member != "anonymous")
            {
                report($"auth: '{member}' is not supported yet ({instanceDirectory}).");
            }
        }
        return new InstanceAccess(anonymous);
    }

    public ValueTask<AccessResult> AuthorizeAsync(HttpContext http, EntityDefinition entity, CancellationToken cancellationToken) =>
        AllowsAnonymous && entity.Roles.Count == 0
            ? ValueTask.FromResult(AccessResult.Anonymous)
            : ValueTask.FromResult(new AccessResult(null, new HostError(StatusCodes.Status401Unauthorized, 20, "Authentication required.")));
}
