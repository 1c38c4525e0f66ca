using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DataHub.Host.Auth;
using DataHub.Testing;

namespace DataHub.Security.Tests;

/// <summary>
/// The real host on a schema with every kind of access, each instance holding the entities <c>echo</c> (open),
/// <c>reports</c> (role reporter) and <c>admin</c> (role admin), all served by the Echo fixture:
/// <list type="bullet">
/// <item><c>hub</c>: anonymous allowed, Basic users and HS256 tokens; a <c>services</c> system beside the default one.</item>
/// <item><c>closed</c>: anonymous false, Basic users and RS256 tokens.</item>
/// <item><c>ec</c>: anonymous false, ES256 tokens only.</item>
/// <item><c>public</c>: no auth section at all.</item>
/// </list>
/// </summary>
public sealed class SecuredHost : HostUnderTest
{
    public const string Secret = "hs256-test-secret-that-is-long-enough-0123456789";

    public static readonly IReadOnlyDictionary<string, (string Password, string[] Roles)> Users = new Dictionary<string, (string, string[])>
    {
        ["alice"] = ("alice-Correct-Horse-7", ["reporter", "admin"]),
        ["bob"] = ("bob-Battery-Staple-8", ["reporter"]),
        ["carol"] = ("carol-Has-No-Roles-9", []),
    };

    private SecuredHost(TempDirectory directory, RunningHost host, RSA rsa, ECDsa ec) : base(directory, host)
    {
        Rsa = rsa;
        Ec = ec;
        Remember([Secret, .. Users.Values.Select(u => u.Password)]);
    }

    /// <summary>The RS256 key of the closed instance (its public half is closed/keys/rsa.pem).</summary>
    public RSA Rsa { get; }

    /// <summary>The ES256 key of the ec instance (its public half is ec/keys/ec.pem).</summary>
    public ECDsa Ec { get; }

    public static async Task<SecuredHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var directory = new TempDirectory();
        var rsa = RSA.Create(2048);
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            WriteSchema(directory, rsa, ec);
            return new SecuredHost(directory, await StartRunningHostAsync(directory, settings), rsa, ec);
        }
        catch
        {
            directory.Dispose();
            rsa.Dispose();
            ec.Dispose();
            throw;
        }
    }

    // Hashing is PBKDF2 at full cost: the file for Users is made once per run, not once per host.
    private static readonly Lazy<string> _usersFile = new(() => BuildUsersFile(Users));

    /// <summary>A users file holding <paramref name="users"/>, or <see cref="Users"/>.</summary>
    public static string UsersFile(IReadOnlyDictionary<string, (string Password, string[] Roles)>? users = null) =>
        users is null ? _usersFile.Value : BuildUsersFile(users);

    private static string BuildUsersFile(IReadOnlyDictionary<string, (string Password, string[] Roles)> users) =>
        new JsonObject([.. users.Select(user => KeyValuePair.Create(user.Key, (JsonNode?)new JsonObject
        {
            ["hash"] = PasswordHash.Create(user.Value.Password).ToString(),
            ["roles"] = new JsonArray([.. user.Value.Roles.Select(r => (JsonNode?)r)]),
        }))]).ToJsonString();

    /// <summary>
    /// A folder holding one instance, <c>site</c>: Basic users (<paramref name="users"/>, or <see cref="Users"/>),
    /// anonymous calls as <paramref name="anonymous"/> says (the default when true), and the open entity <c>echo</c>.
    /// </summary>
    public static TempDirectory SiteSchema(IReadOnlyDictionary<string, (string Password, string[] Roles)>? users = null, bool anonymous = true)
    {
        var directory = new TempDirectory();
        directory.Write("schema/site/instance.json", anonymous
            ? """{"auth": {"basic": {"users": "users.json"}}}"""
            : """{"auth": {"anonymous": false, "basic": {"users": "users.json"}}}""");
        directory.Write("schema/site/users.json", UsersFile(users));
        directory.Write("schema/site/default.json", System("default", ("echo", [])));
        return directory;
    }

    /// <summary>A system file whose entities are served by the Echo fixture, each with the roles given.</summary>
    public static string System(string reference, params (string Entity, string[] Roles)[] entities) => new JsonObject
    {
        ["reference"] = reference,
        ["entities"] = new JsonObject([.. entities.Select(e => KeyValuePair.Create(e.Entity, (JsonNode?)new JsonObject
        {
            ["execute"] = true,
            ["processor"] = "Echo",
            ["roles"] = new JsonArray([.. e.Roles.Select(r => (JsonNode?)r)]),
        }))]),
    }.ToJsonString();

    public static readonly (string, string[])[] Entities = [("echo", []), ("reports", ["reporter"]), ("admin", ["admin"])];

    private static void WriteSchema(TempDirectory directory, RSA rsa, ECDsa ec)
    {
        var users = UsersFile();
        directory.Write("schema/hub/instance.json", $$$"""
            {"auth": {"anonymous": true, "basic": {"users": "users.json"},
                      "jwt": {"secret": "{{{Secret}}}", "issuer": "{{{TestTokens.Issuer}}}", "audience": "{{{TestTokens.Audience}}}"} } }
            """);
        directory.Write("schema/hub/users.json", users);
        directory.Write("schema/hub/default.json", System("default", Entities));
        directory.Write("schema/hub/services.json", System("services", Entities));

        directory.Write("schema/closed/instance.json", $$$"""
            {"auth": {"anonymous": false, "basic": {"users": "users.json"},
                      "jwt": {"publicKey": "keys/rsa.pem", "issuer": "{{{TestTokens.Issuer}}}", "audience": "{{{TestTokens.Audience}}}"} } }
            """);
        directory.Write("schema/closed/users.json", users);
        directory.Write("schema/closed/keys/rsa.pem", rsa.ExportSubjectPublicKeyInfoPem());
        directory.Write("schema/closed/default.json", System("default", Entities));

        directory.Write("schema/ec/instance.json", $$$"""
            {"auth": {"anonymous": false,
                      "jwt": {"publicKey": "keys/ec.pem", "issuer": "{{{TestTokens.Issuer}}}", "audience": "{{{TestTokens.Audience}}}"} } }
            """);
        directory.Write("schema/ec/keys/ec.pem", ec.ExportSubjectPublicKeyInfoPem());
        directory.Write("schema/ec/default.json", System("default", Entities));

        directory.Write("schema/public/default.json", System("default", ("echo", [])));
        // The built-in plug-ins too, so that malformed input is seen to stop before any of them.
        directory.Write("schema/public/instance.json", """
            {"dataStores": {"database": {"provider": "sqlite", "connectionString": "Data Source=:memory:"}}}
            """);
        directory.Write("schema/public/builtin.json", """
            {"entities": {
               "sql": {"execute": true, "processor": "ExecuteSql",
                       "processorConfig": {"sql": "select ? as v", "parameters": [{"reference": "v", "type": "string"}]}},
               "script": {"execute": true, "processor": "Script",
                          "processorConfig": "attributes.put('response', {got: attributes.get('data'), options: attributes.get('options')});"}
             }}
            """);
    }

    public static string Basic(string user, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    public static string BasicFor(string user) => Basic(user, Users[user].Password);

    public static string Bearer(string token) => "Bearer " + token;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Rsa.Dispose();
        Ec.Dispose();
    }
}
