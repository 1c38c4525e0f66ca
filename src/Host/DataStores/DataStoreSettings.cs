using System.Text.Json;
using System.Text.Json.Nodes;
using DataHub.Host.Schema;
using DataHub.Plugins;

namespace DataHub.Host.DataStores;

/// <summary>One <c>dataStores</c> entry of instance.json, checked.</summary>
/// <param name="Provider">One of <see cref="DataStoreProviders"/>.</param>
/// <param name="ConnectionString">The provider's connection string, as configured.</param>
/// <param name="CommandTimeout">The time limit for one command.</param>
/// <param name="SeedFile">SQLite only: the full path of the SQL file that fills a new database.</param>
internal sealed record DataStoreSettings(string Provider, string ConnectionString, TimeSpan CommandTimeout, string? SeedFile)
{
    private const int DefaultCommandTimeoutSeconds = 30;

    private static readonly HashSet<string> _knownMembers =
        new(StringComparer.Ordinal) { "provider", "connectionString", "commandTimeoutSeconds", "seed", "description" };

    /// <summary>Reads the entry; adds a sentence to <paramref name="errors"/> for each problem and returns null if any.</summary>
    public static DataStoreSettings? Read(JsonObject config, string instanceDirectory, ICollection<string> errors)
    {
        var before = errors.Count;
        foreach (var (member, _) in config)
        {
            if (!_knownMembers.Contains(member))
            {
                errors.Add($"unknown setting '{member}' (expected provider, connectionString, commandTimeoutSeconds, seed).");
            }
        }

        var provider = SchemaJson.GetString(config, "provider", errors.Add, label: "provider");
        if (provider is null && !IsSet(config, "provider"))
        {
            errors.Add("provider is required (sqlite, postgresql or sqlserver).");
        }
        else if (provider is not (null or DataStoreProviders.Sqlite or DataStoreProviders.PostgreSql or DataStoreProviders.SqlServer))
        {
            errors.Add($"unknown provider '{provider}' (expected sqlite, postgresql or sqlserver).");
            provider = null;
        }

        var connectionString = SchemaJson.GetString(config, "connectionString", errors.Add, label: "connectionString");
        if (connectionString is null ? !IsSet(config, "connectionString") : connectionString.Trim().Length == 0)
        {
            errors.Add("connectionString is required.");
        }

        var timeout = ReadTimeout(config, errors);
        var seedFile = ReadSeed(config, provider, instanceDirectory, errors);

        return errors.Count == before
            ? new DataStoreSettings(provider!, connectionString!, timeout, seedFile)
            : null;
    }

    /// <summary>True when the member is there, even with the wrong type (which <see cref="SchemaJson.GetString"/> reports).</summary>
    private static bool IsSet(JsonObject config, string member) => config[member] is not null;

    private static TimeSpan ReadTimeout(JsonObject config, ICollection<string> errors)
    {
        if (!config.TryGetPropertyValue("commandTimeoutSeconds", out var node) || node is null)
        {
            return TimeSpan.FromSeconds(DefaultCommandTimeoutSeconds);
        }
        if (node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue(out int seconds) && seconds > 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        errors.Add("commandTimeoutSeconds must be a whole number of seconds greater than 0.");
        return TimeSpan.Zero;
    }

    private static string? ReadSeed(JsonObject config, string? provider, string instanceDirectory, ICollection<string> errors)
    {
        var seed = SchemaJson.GetString(config, "seed", errors.Add, label: "seed");
        if (seed is null)
        {
            return null;
        }
        if (provider is not null and not DataStoreProviders.Sqlite)
        {
            errors.Add("seed is only supported for sqlite stores.");
            return null;
        }
        var path = Path.GetFullPath(seed, instanceDirectory);
        if (!File.Exists(path))
        {
            errors.Add($"the seed file '{seed}' does not exist in the instance folder.");
            return null;
        }
        return path;
    }
}
