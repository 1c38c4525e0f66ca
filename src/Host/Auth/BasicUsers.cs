using System.Text.Json;
using System.Text.Json.Nodes;
using DataHub.Host.Diagnostics;
using DataHub.Host.Schema;

namespace DataHub.Host.Auth;

/// <summary>One entry of a users file.</summary>
public sealed record BasicUser(string Id, string StoredHash, PasswordHash Hash, IReadOnlyList<string> Roles);

/// <summary>
/// Pre-emptive HTTP Basic authentication against a users file,
/// <c>{"&lt;user id&gt;": {"hash": "pbkdf2-sha256$…", "roles": ["…"]}}</c>.
/// </summary>
public sealed class BasicUsers
{
    private static readonly JsonDocumentOptions _fileOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    // At most one PBKDF2 per core at a time: a burst of logins waits its turn instead of starving the thread pool.
    private static readonly SemaphoreSlim _hashing = new(Environment.ProcessorCount, Environment.ProcessorCount);

    /// <summary>The metric counting every PBKDF2 run, known user or not (see <see cref="DataHubMetrics"/>).</summary>
    public const string HashesComputedInstrument = "datahub.auth.password_hashes";

    private readonly IReadOnlyDictionary<string, BasicUser> _users;
    private readonly PasswordHash _dummy;
    private readonly VerifiedPasswordCache _cache = new(TimeProvider.System);
    private readonly DataHubMetrics? _metrics;

    private BasicUsers(string usersFile, IReadOnlyDictionary<string, BasicUser> users, DataHubMetrics? metrics)
    {
        UsersFile = usersFile;
        _users = users;
        _metrics = metrics;
        // An unknown user id is checked against this, so that it costs what a known one costs.
        var iterations = users.Count == 0 ? PasswordHash.DefaultIterations : users.Values.Max(u => u.Hash.Iterations);
        _dummy = PasswordHash.MatchingNothing(iterations);
    }

    /// <summary>The users file, as a full path: it is not a system even when it sits in the instance folder.</summary>
    public string UsersFile { get; }

    /// <summary>
    /// Reads the <c>basic</c> member of <c>auth</c>; reports every problem and returns null if there is one.
    /// <paramref name="metrics"/> counts the hashes computed; null where nothing is served (validate).
    /// </summary>
    public static BasicUsers? Read(JsonNode? basic, string instanceDirectory, DataHubMetrics? metrics, Action<string> report)
    {
        if (basic is not JsonObject settings)
        {
            report("auth.basic must be an object: {\"users\": \"users.json\"}.");
            return null;
        }
        var problems = new ProblemReport(report);
        foreach (var (member, _) in settings)
        {
            if (member != "users")
            {
                problems.Add($"auth.basic: unknown member '{member}'. It takes users.");
            }
        }
        if (settings["users"] is not JsonValue value || !value.TryGetValue(out string? file) || string.IsNullOrWhiteSpace(file))
        {
            problems.Add("auth.basic.users must name the users file, e.g. \"users.json\".");
            return null;
        }
        var path = Path.GetFullPath(file, instanceDirectory);
        var users = ReadUsersFile(path, file, problems.Add);
        return problems.Count == 0 && users is not null ? new BasicUsers(path, users, metrics) : null;
    }

    /// <summary>
    /// The user these credentials name, if the password is theirs. Unknown users and wrong passwords take the
    /// same time and give the same answer.
    /// </summary>
    public async ValueTask<BasicUser?> VerifyAsync(string userId, string password, CancellationToken cancellationToken)
    {
        var known = _users.TryGetValue(userId, out var user);
        if (known && _cache.Contains(userId, password, user!.StoredHash))
        {
            return user;
        }
        bool verified;
        await _hashing.WaitAsync(cancellationToken);
        try
        {
            verified = (known ? user!.Hash : _dummy).Verify(password);
            _metrics?.PasswordHashComputed();
        }
        finally
        {
            _hashing.Release();
        }
        if (!known || !verified)
        {
            return null;
        }
        _cache.Add(userId, password, user!.StoredHash);
        return user;
    }

    public bool IsKnown(string userId) => _users.ContainsKey(userId);

    private static Dictionary<string, BasicUser>? ReadUsersFile(string path, string name, Action<string> report)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), nodeOptions: null, _fileOptions);
        }
        catch (FileNotFoundException)
        {
            report($"auth.basic.users: the users file '{name}' does not exist.");
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            report($"auth.basic.users: the users file '{name}' does not exist.");
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            report($"auth.basic.users: the users file '{name}' cannot be read ({e.GetType().Name}).");
            return null;
        }
        catch (JsonException e)
        {
            report($"auth.basic.users: '{name}' is not valid JSON (line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}).");
            return null;
        }
        if (root is not JsonObject entries)
        {
            report($"auth.basic.users: '{name}' must hold an object of users: {{\"<user id>\": {{\"hash\": \"…\", \"roles\": [\"…\"]}}}}.");
            return null;
        }

        var users = new Dictionary<string, BasicUser>(StringComparer.Ordinal);
        var problems = new ProblemReport(report);
        foreach (var (id, node) in entries)
        {
            void Report(string message) => problems.Add($"auth.basic.users: '{name}', user '{id}': {message}");
            if (id.Length == 0 || id.Contains(':', StringComparison.Ordinal) || id.Any(char.IsControl))
            {
                Report("a user id must be non-empty and hold no ':' or control characters (Basic authentication cannot carry them).");
                continue;
            }
            if (node is not JsonObject entry)
            {
                Report("must be an object with 'hash' and 'roles'.");
                continue;
            }
            foreach (var (member, _) in entry)
            {
                if (member is not ("hash" or "roles"))
                {
                    Report($"unknown member '{member}'. A user takes hash and roles.");
                }
            }
            PasswordHash? hash = null;
            string? storedHash = null;
            if (entry["hash"] is JsonValue hashValue && hashValue.TryGetValue(out storedHash))
            {
                hash = PasswordHash.Parse(storedHash, out var problem);
                if (problem is not null)
                {
                    Report($"'hash' {problem}");
                }
            }
            else
            {
                Report("'hash' must be a string made by hash-password.");
            }
            var roles = ReadRoles(entry["roles"], Report);
            if (hash is not null && roles is not null)
            {
                users.Add(id, new BasicUser(id, storedHash!, hash, roles));
            }
        }
        return problems.Count == 0 ? users : null;
    }

    private static List<string>? ReadRoles(JsonNode? node, Action<string> report)
    {
        switch (node)
        {
            case null:
                return [];
            case JsonArray array when array.All(item => item is JsonValue v && v.TryGetValue(out string? role) && role.Length > 0):
                return [.. array.Select(item => item!.GetValue<string>())];
            default:
                report("'roles' must be an array of non-empty strings.");
                return null;
        }
    }
}
