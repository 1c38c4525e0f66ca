using System.Text.Json.Nodes;
using DataHub.Host.DataStores;
using DataHub.Host.Schema;
using DataHub.Host.Servlet;
using DataHub.Plugins;

namespace DataHub.Host.Environments;

/// <summary>One environment an instance declares: who may choose it, and its own data stores (and so its own pools).</summary>
public sealed record EnvironmentDefinition(string Name, IReadOnlyList<string> Roles, InstanceDataStores DataStores);

/// <summary>The environment a call runs in: its name and the stores it uses.</summary>
public readonly record struct EnvironmentChoice(string Name, InstanceDataStores? DataStores, HostError? Error);

/// <summary>
/// An instance's environments (instance.json <c>"environments": {"dev": {}, "prd": {"roles": ["admin"]}}</c>). Each
/// store holds its default settings and per-environment overrides (<c>"environments": {"prd": {"connectionString":
/// "${env:PRD_DB}"}}</c> inside the store), and each environment gets stores of its own. A call runs in the
/// environment it names, else in the host's default (<c>DataHub:Environment</c>, else the host's environment name).
/// </summary>
public sealed class InstanceEnvironments
{
    /// <summary>The member of a store's settings that holds its per-environment overrides.</summary>
    public const string OverridesMember = "environments";

    private static readonly string[] _environmentMembers = ["roles"];

    private readonly Dictionary<string, EnvironmentDefinition> _declared;

    private InstanceEnvironments(Dictionary<string, EnvironmentDefinition> declared) => _declared = declared;

    /// <summary>An instance that declares no environments: it runs in the host's, on its stores as written.</summary>
    public static InstanceEnvironments None { get; } = new(new Dictionary<string, EnvironmentDefinition>(StringComparer.OrdinalIgnoreCase));

    /// <summary>Every environment's own stores, for initialising and disposing them with the instance's.</summary>
    public IEnumerable<InstanceDataStores> DataStores => _declared.Values.Select(environment => environment.DataStores);

    /// <summary>The declared environments; when there are any, calls use only their stores.</summary>
    public IEnumerable<EnvironmentDefinition> Declared => _declared.Values;

    /// <summary>
    /// Reads the <c>environments</c> member of instance.json and builds each environment's stores from
    /// <paramref name="dataStores"/> with its overrides applied; reports every problem.
    /// </summary>
    public static InstanceEnvironments? Read(JsonNode? node, JsonNode? dataStores, string instanceDirectory, Action<string> report)
    {
        var stores = dataStores as JsonObject ?? [];
        if (node is null)
        {
            foreach (var (storeName, config) in stores)
            {
                if (config is JsonObject storeConfig && storeConfig.ContainsKey(OverridesMember))
                {
                    report($"dataStores.{storeName}.{OverridesMember}: the instance declares no environments (instance.json 'environments').");
                }
            }
            return None;
        }
        if (node is not JsonObject settings || settings.Count == 0)
        {
            report("environments must be an object naming at least one environment: {\"dev\": {}, \"prd\": {\"roles\": [\"admin\"]}}.");
            return null;
        }
        var problems = new ProblemReport(report);
        var declared = new Dictionary<string, EnvironmentDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in settings)
        {
            if (value is not JsonObject environment)
            {
                problems.Add($"environments.{name} must be an object, such as {{}} or {{\"roles\": [\"admin\"]}}.");
                continue;
            }
            void ReportMember(string message) => problems.Add($"environments.{name}: {message}");
            SchemaJson.CheckMembers(environment, _environmentMembers, "An environment", ReportMember);
            var roles = SchemaJson.GetStrings(environment, "roles", ReportMember);
            declared[name] = new EnvironmentDefinition(name, roles, BuildStores(name, stores, instanceDirectory, problems));
        }
        foreach (var (storeName, config) in stores)
        {
            if (config is JsonObject storeConfig && storeConfig[OverridesMember] is { } overrides)
            {
                if (overrides is not JsonObject byEnvironment)
                {
                    problems.Add($"dataStores.{storeName}.{OverridesMember} must be an object of overrides by environment.");
                    continue;
                }
                foreach (var (environment, _) in byEnvironment.Where(pair => !declared.ContainsKey(pair.Key)))
                {
                    problems.Add($"dataStores.{storeName}.{OverridesMember}.{environment}: the instance declares no environment '{environment}' "
                        + $"(it declares {string.Join(", ", declared.Keys)}).");
                }
            }
        }
        return problems.Count == 0 ? new InstanceEnvironments(declared) : null;
    }

    /// <summary>The store settings as the store itself reads them: without the overrides member.</summary>
    public static JsonObject WithoutOverrides(JsonObject storeConfig)
    {
        if (!storeConfig.ContainsKey(OverridesMember))
        {
            return storeConfig;
        }
        var copy = storeConfig.DeepClone().AsObject();
        copy.Remove(OverridesMember);
        return copy;
    }

    /// <summary>
    /// The environment a call runs in: the one it names, else the host's default. 400 naming those that exist when the
    /// instance has no such environment; 403 when the environment is kept for roles the caller lacks.
    /// </summary>
    public EnvironmentChoice Choose(string? requested, string hostDefault, JsonObject? user)
    {
        var name = requested ?? hostDefault;
        if (_declared.Count == 0)
        {
            return string.Equals(name, hostDefault, StringComparison.OrdinalIgnoreCase)
                ? new EnvironmentChoice(hostDefault, null, null)
                : Refuse($"Environment '{name}' is not one this instance has; it has: {hostDefault}.");
        }
        if (!_declared.TryGetValue(name, out var environment))
        {
            return Refuse($"Environment '{name}' is not one this instance has; it has: {string.Join(", ", _declared.Keys.Order(StringComparer.Ordinal))}.");
        }
        if (environment.Roles.Count > 0 && !HasAnyRole(user, environment.Roles))
        {
            return new EnvironmentChoice(environment.Name, null, new HostError(StatusCodes.Status403Forbidden, MessageStatus.GeneralError,
                $"Environment '{environment.Name}' may only be chosen by callers with one of the roles: {string.Join(", ", environment.Roles)}."));
        }
        return new EnvironmentChoice(environment.Name, environment.DataStores, null);
    }

    private static EnvironmentChoice Refuse(string message) => new("", null, HostError.InvalidInput(message));

    private static bool HasAnyRole(JsonObject? user, IReadOnlyList<string> roles) =>
        user?["roles"] is JsonArray held
        && held.Any(role => role is JsonValue value && value.TryGetValue(out string? name) && roles.Contains(name, StringComparer.Ordinal));

    private static InstanceDataStores BuildStores(string environment, JsonObject stores, string instanceDirectory, ProblemReport problems)
    {
        var built = new Dictionary<string, IDataStore>(StringComparer.OrdinalIgnoreCase);
        foreach (var (storeName, config) in stores)
        {
            if (config is not JsonObject storeConfig)
            {
                continue;
            }
            var merged = WithoutOverrides(storeConfig).DeepClone().AsObject();
            if (storeConfig[OverridesMember] is JsonObject overrides && overrides[environment] is { } own)
            {
                if (own is not JsonObject ownSettings)
                {
                    problems.Add($"dataStores.{storeName}.{OverridesMember}.{environment} must be an object of settings.");
                    continue;
                }
                if (ownSettings.ContainsKey("provider"))
                {
                    problems.Add($"dataStores.{storeName}.{OverridesMember}.{environment}: the provider is the same in every environment; override its connection settings only.");
                    continue;
                }
                foreach (var (member, value) in ownSettings)
                {
                    merged[member] = value?.DeepClone();
                }
            }
            var storeErrors = new List<string>();
            if (DataStoreFactory.Create(storeName, merged, instanceDirectory, storeErrors) is { } store)
            {
                built[storeName] = store;
            }
            storeErrors.ForEach(message => problems.Add($"dataStores.{storeName} ({environment}): {message}"));
        }
        return new InstanceDataStores(built);
    }
}
