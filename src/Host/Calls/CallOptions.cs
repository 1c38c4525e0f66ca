using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataHub.Host.Caching;
using DataHub.Host.Servlet;
using Microsoft.Extensions.Primitives;

namespace DataHub.Host.Calls;

/// <summary>
/// The options around a call that Ductape's <c>db.execute</c> takes beside its input: environment, cache, session,
/// retries, and the filter. Both endpoints read them into this one shape, and <see cref="Check"/> validates them
/// before anything runs.
/// </summary>
public sealed record CallOptions(JsonObject? Filter, string? Environment, string? Cache, SessionInput? Session, int? Retries)
{
    /// <summary>The servlet's session header: <c>DataHub-Session: &lt;tag&gt; &lt;token&gt;</c>.</summary>
    public const string SessionHeader = "DataHub-Session";

    /// <summary>A call with none of the options.</summary>
    public static CallOptions None { get; } = new(null, null, null, null, null);

    private static readonly JsonDocumentOptions _jsonOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <summary>
    /// Reads the servlet's form of the options: the URL parameters <c>filter</c> (a JSON object), <c>env</c>,
    /// <c>cache</c> and <c>retries</c>, and the <see cref="SessionHeader"/> header.
    /// </summary>
    public static (CallOptions? Options, HostError? Error) ReadServlet(HttpRequest request)
    {
        var hasQuery = request.QueryString.HasValue;
        var hasSession = request.Headers.TryGetValue(SessionHeader, out var sessionHeader);
        if (!hasQuery && !hasSession)
        {
            return (None, null);
        }
        var query = hasQuery ? request.Query : QueryCollection.Empty;
        var errors = new List<string>();

        JsonObject? filter = null;
        if (Single(query, "filter", errors) is { } filterText)
        {
            filter = ParseFilter(filterText, errors);
        }
        var environment = Single(query, "env", errors);
        var cache = Single(query, "cache", errors);
        int? retries = null;
        if (Single(query, "retries", errors) is { } retriesText)
        {
            if (int.TryParse(retriesText, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                retries = count;
            }
            else
            {
                errors.Add("retries must be a whole number of 0 or more.");
            }
        }
        SessionInput? session = null;
        if (hasSession)
        {
            var parts = sessionHeader.ToString().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (sessionHeader.Count == 1 && parts.Length == 2)
            {
                session = new SessionInput(parts[0], parts[1]);
            }
            else
            {
                errors.Add($"The {SessionHeader} header must be one '<tag> <token>'.");
            }
        }
        return errors.Count > 0
            ? (null, HostError.InvalidInput(string.Join(" ", errors)))
            : (new CallOptions(filter, environment, cache, session, retries), null);
    }

    /// <summary>
    /// Refuses options the call cannot have, all at once: a cache the instance does not declare, negative retries. Null when
    /// the call may run; the environment and the session are checked next.
    /// </summary>
    public HostError? Check(InstanceCaches caches)
    {
        var errors = new List<string>();
        if (Cache is { } cache && !caches.TryGet(cache, out _))
        {
            errors.Add(InstanceCaches.UnknownCache(cache, caches.Tags));
        }
        if (Retries is < 0)
        {
            errors.Add("retries must be a whole number of 0 or more.");
        }
        return errors.Count > 0 ? HostError.InvalidInput(string.Join(" ", errors)) : null;
    }

    private static string? Single(IQueryCollection query, string name, List<string> errors)
    {
        if (!query.TryGetValue(name, out var values) || StringValues.IsNullOrEmpty(values))
        {
            return null;
        }
        if (values.Count > 1)
        {
            errors.Add($"The '{name}' parameter is given more than once.");
            return null;
        }
        return values.ToString();
    }

    private static JsonObject? ParseFilter(string text, List<string> errors)
    {
        try
        {
            if (JsonNode.Parse(text, documentOptions: _jsonOptions) is JsonObject filter)
            {
                return filter;
            }
        }
        catch (JsonException e)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"The 'filter' parameter is not valid JSON (position {(e.BytePositionInLine ?? 0) + 1})."));
            return null;
        }
        errors.Add("filter must be a JSON object.");
        return null;
    }
}
