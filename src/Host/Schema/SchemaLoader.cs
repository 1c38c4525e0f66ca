using System.Text.Json.Nodes;
using DataHub.Host.Auth;
using DataHub.Host.Caching;
using DataHub.Host.Calls;
using DataHub.Host.DataStores;
using DataHub.Host.Diagnostics;
using DataHub.Host.Environments;
using DataHub.Host.Plugins;
using DataHub.Host.Sessions;
using DataHub.Plugins;

namespace DataHub.Host.Schema;

/// <summary>A loaded schema, or every problem that stops it from loading.</summary>
public sealed record SchemaLoadResult(SchemaSnapshot? Snapshot, IReadOnlyList<SchemaError> Errors)
{
    public bool Succeeded => Snapshot is not null;
}

/// <summary>
/// Reads a schema folder (one sub-folder per instance: instance.json plus one &lt;system&gt;.json per system) and
/// validates it in layers: JSON shape, meaning (references, processors, data stores), then each plug-in's own
/// check of its processorConfig. Every problem is collected; nothing is served unless there are none.
/// Basic authentication counts its password hashes in <c>metrics</c>, null where nothing is served (validate).
/// </summary>
public sealed class SchemaLoader(
    PluginCatalog plugins, ILoggerFactory loggerFactory, Func<string, string?>? environment = null, DataHubMetrics? metrics = null,
    IReadOnlyList<string>? pluginDirectories = null)
{
    private const string InstanceFile = "instance.json";

    // What each file may hold. Datahub's own entity members (reference, name, description, fields, dataStore) load as
    // they are; any other member is a mistake that would otherwise pass silently.
    private static readonly string[] _instanceMembers = ["description", "dataStores", "auth", "sessions", "environments", "maxRetries", "caches"];
    private static readonly string[] _systemMembers = ["reference", "name", "description", "entities", "mappings"];
    private static readonly string[] _entityMembers =
        ["reference", "name", "description", "execute", "processor", "processorConfig", "dataStore", "roles", "fields", "cache", "evicts", "requiresSession"];

    // The folders plug-ins were looked for in, for the unknown-processor message; without them, where some were found.
    private readonly IReadOnlyList<string> _pluginDirectories = pluginDirectories
        ?? [.. plugins.Plugins.Select(p => p.Directory).Concat(plugins.Failures.Select(f => f.Directory))
            .Select(dir => Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(dir))!).Distinct()];
    private readonly Func<string, string?> _environment = environment ?? Environment.GetEnvironmentVariable;
    private readonly ILogger<InstanceAccess> _accessLogger = loggerFactory.CreateLogger<InstanceAccess>();

    public async Task<SchemaLoadResult> LoadAsync(string schemaDirectory)
    {
        var errors = new List<SchemaError>();
        var root = Path.GetFullPath(schemaDirectory);
        if (!Directory.Exists(root))
        {
            errors.Add(new SchemaError(schemaDirectory, "The schema folder does not exist."));
            return new SchemaLoadResult(null, errors);
        }

        var instances = new Dictionary<string, InstanceDefinition>(StringComparer.OrdinalIgnoreCase);
        var createdStores = new List<InstanceDataStores>();
        foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            if (ReadInstance(root, folder, errors, createdStores) is { } instance)
            {
                instances.Add(instance.Name, instance);
            }
        }
        if (instances.Count == 0 && errors.Count == 0)
        {
            errors.Add(new SchemaError(schemaDirectory, "The schema folder holds no instance folder."));
        }

        if (errors.Count == 0)
        {
            return new SchemaLoadResult(new SchemaSnapshot(instances), errors);
        }
        foreach (var stores in createdStores)
        {
            await stores.DisposeAsync();
        }
        return new SchemaLoadResult(null, errors);
    }

    private InstanceDefinition? ReadInstance(string root, string folder, List<SchemaError> errors, List<InstanceDataStores> createdStores)
    {
        var name = Path.GetFileName(folder);
        var firstError = errors.Count;
        var settingsPath = Path.Combine(folder, InstanceFile);
        var settingsDisplay = Display(root, settingsPath);
        void Report(string message) => errors.Add(new SchemaError(settingsDisplay, message));

        if (name.StartsWith(DbActionEndpoint.ReservedPrefix))
        {
            Report($"Instance name '{name}' starts with '{DbActionEndpoint.ReservedPrefix}', which is kept for the host's own paths ({DbActionEndpoint.Path}, /_openapi, /_reference); rename the folder.");
            return null;
        }
        var settings = File.Exists(settingsPath) ? SchemaJson.ReadObject(settingsPath, settingsDisplay, errors) : [];
        if (settings is null)
        {
            return null;
        }
        SchemaJson.SubstituteEnvironment(settings, _environment, Report);
        SchemaJson.CheckMembers(settings, _instanceMembers, "instance.json", Report);

        var stores = ReadDataStores(settings["dataStores"], folder, Report);
        createdStores.Add(stores);
        var access = InstanceAccess.Read(settings["auth"], name, folder, _accessLogger, metrics, Report);
        var sessions = InstanceSessions.Read(settings["sessions"], folder, Report);
        var maxRetries = CallRetries.DefaultCap;
        if (settings["maxRetries"] is { } maxNode)
        {
            if (maxNode is JsonValue maxValue && maxValue.TryGetValue(out int max) && max is >= 0 and <= 10)
            {
                maxRetries = max;
            }
            else
            {
                Report("maxRetries must be a whole number from 0 to 10.");
            }
        }
        var environments = InstanceEnvironments.Read(settings["environments"], settings["dataStores"], folder, Report);
        if (environments is not null)
        {
            createdStores.AddRange(environments.DataStores);
        }

        var systems = new Dictionary<string, SystemDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            // The users file may sit beside the systems; it is not one.
            if (!string.Equals(Path.GetFileName(file), InstanceFile, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(Path.GetFullPath(file), access?.UsersFile, StringComparison.Ordinal)
                && ReadSystem(root, name, folder, file, stores, errors) is { } system)
            {
                systems.Add(system.Reference, system);
            }
        }

        void ReportEntity(SystemDefinition system, EntityDefinition entity, string message) =>
            errors.Add(new SchemaError(Display(root, Path.Combine(folder, system.Reference + ".json")), message, entity.Address.Entity));

        void ReportUncallable(Func<EntityDefinition, bool> uncallable, string message)
        {
            foreach (var system in systems.Values)
            {
                foreach (var entity in system.Entities.Values.Where(uncallable))
                {
                    ReportEntity(system, entity, message);
                }
            }
        }
        if (access is { AuthenticatesUsers: false })
        {
            ReportUncallable(entity => entity.Roles.Count > 0,
                "The entity lists roles but the instance authenticates no users (auth.basic or auth.jwt): nobody could call it.");
        }
        if (sessions is { DeclaresTags: false })
        {
            ReportUncallable(entity => entity.RequiresSession,
                "The entity requires a session but the instance declares no session tags (instance.json 'sessions'): nobody could call it.");
        }

        var caches = InstanceCaches.Read(settings["caches"], name, systems, Report, ReportEntity);

        return errors.Count > firstError || access is null || sessions is null || environments is null || caches is null
            ? null
            : new InstanceDefinition(name, stores, access, systems)
            {
                Sessions = sessions,
                Environments = environments,
                MaxRetries = maxRetries,
                Caches = caches,
            };
    }

    private static InstanceDataStores ReadDataStores(JsonNode? node, string instanceDirectory, Action<string> report)
    {
        var stores = new Dictionary<string, IDataStore>(StringComparer.OrdinalIgnoreCase);
        if (node is null)
        {
            return new InstanceDataStores(stores);
        }
        if (node is not JsonObject entries)
        {
            report("'dataStores' must be an object of named data stores.");
            return new InstanceDataStores(stores);
        }
        foreach (var (storeName, config) in entries)
        {
            if (config is not JsonObject storeConfig)
            {
                report($"dataStores.{storeName} must be an object.");
                continue;
            }
            var storeErrors = new List<string>();
            var store = DataStoreFactory.Create(storeName, InstanceEnvironments.WithoutOverrides(storeConfig), instanceDirectory, storeErrors);
            storeErrors.ForEach(message => report($"dataStores.{storeName}: {message}"));
            if (store is not null)
            {
                stores[storeName] = store;
            }
        }
        return new InstanceDataStores(stores);
    }

    private SystemDefinition? ReadSystem(
        string root, string instance, string instanceDirectory, string file, InstanceDataStores stores, List<SchemaError> errors)
    {
        var display = Display(root, file);
        var json = SchemaJson.ReadObject(file, display, errors);
        if (json is null)
        {
            return null;
        }
        var reference = Path.GetFileNameWithoutExtension(file);
        void Report(string message) => errors.Add(new SchemaError(display, message));
        SchemaJson.CheckMembers(json, _systemMembers, "A system file", Report);

        if (SchemaJson.GetString(json, "reference", Report) is { } declared && !string.Equals(declared, reference, StringComparison.OrdinalIgnoreCase))
        {
            Report($"'reference' is '{declared}' but the file name says '{reference}'.");
        }

        var entities = new Dictionary<string, EntityDefinition>(StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (entityReference, mapping) in EntityMappings(json, Report))
        {
            void ReportEntity(string message) => errors.Add(new SchemaError(display, message, entityReference));
            if (!seen.Add(entityReference))
            {
                ReportEntity("Duplicate entity reference.");
                continue;
            }
            var address = new EntityAddress(instance, reference, entityReference);
            if (ReadEntity(address, mapping, instanceDirectory, stores, ReportEntity) is { } entity)
            {
                entities.Add(entityReference, entity);
            }
        }

        // Documentation only, but it must be text.
        SchemaJson.GetString(json, "name", Report);
        SchemaJson.GetString(json, "description", Report);
        return new SystemDefinition(reference, entities);
    }

    /// <summary>
    /// The entities of a system file: the <c>entities</c> object (keyed by reference), and Datahub's
    /// <c>mappings</c> form, <c>{"source": [ {"reference": …}, … ]}</c>, so files written for Datahub load unchanged.
    /// </summary>
    private static IEnumerable<(string Reference, JsonObject Mapping)> EntityMappings(JsonObject system, Action<string> report)
    {
        switch (system["entities"])
        {
            case null:
                break;
            case JsonObject entities:
                foreach (var (key, node) in entities)
                {
                    if (node is not JsonObject entity)
                    {
                        report($"entities.{key} must be an object.");
                        continue;
                    }
                    if (entity["reference"] is JsonValue value && value.TryGetValue(out string? inner) && inner != key)
                    {
                        report($"entities.{key} has 'reference' '{inner}'; the key and the reference must agree.");
                    }
                    yield return (key, entity);
                }
                break;
            default:
                report("'entities' must be an object keyed by entity reference.");
                break;
        }

        switch (system["mappings"])
        {
            case null:
                break;
            case JsonObject mappings:
                foreach (var (source, node) in mappings)
                {
                    if (node is not JsonArray list)
                    {
                        report($"mappings.{source} must be an array of entity mappings.");
                        continue;
                    }
                    for (var i = 0; i < list.Count; i++)
                    {
                        if (list[i] is JsonObject entity && entity["reference"] is JsonValue value
                            && value.TryGetValue(out string? reference) && !string.IsNullOrWhiteSpace(reference))
                        {
                            yield return (reference, entity);
                        }
                        else
                        {
                            report($"mappings.{source}[{i}] must be an object with a 'reference'.");
                        }
                    }
                }
                break;
            default:
                report("'mappings' must be an object of arrays.");
                break;
        }
    }

    private EntityDefinition? ReadEntity(
        EntityAddress address, JsonObject mapping, string instanceDirectory, InstanceDataStores stores, Action<string> report)
    {
        var problems = new ProblemReport(report);
        SchemaJson.CheckMembers(mapping, _entityMembers, "An entity", problems.Add);

        var execute = SchemaJson.GetBoolean(mapping, "execute", problems.Add);
        var processorName = SchemaJson.GetString(mapping, "processor", problems.Add);
        var dataStore = SchemaJson.GetString(mapping, "dataStore", problems.Add);
        var roles = SchemaJson.GetStrings(mapping, "roles", problems.Add);
        var requiresSession = SchemaJson.GetBoolean(mapping, "requiresSession", problems.Add, fallback: false);
        // Documentation only, but it must be text.
        SchemaJson.GetString(mapping, "name", problems.Add);
        SchemaJson.GetString(mapping, "description", problems.Add);
        var config = mapping["processorConfig"];
        if (config is not (null or JsonObject) && !(config is JsonValue value && value.TryGetValue(out string? _)))
        {
            problems.Add("'processorConfig' must be an object or a string.");
        }
        if (dataStore is not null && !stores.TryGet(dataStore, out _))
        {
            problems.Add($"Unknown dataStore '{dataStore}'. Configured: {Names(stores.Names)}.");
        }
        if (!execute)
        {
            return problems.Count == 0
                ? new EntityDefinition(address, config, dataStore ?? EntityDefinition.DefaultDataStore, roles, mapping, null) { RequiresSession = requiresSession }
                : null;
        }
        if (string.IsNullOrWhiteSpace(processorName))
        {
            problems.Add("An execute entity needs a 'processor'.");
            return null;
        }
        if (!plugins.TryGetProcessor(processorName, out var plugin))
        {
            problems.Add($"Unknown processor '{processorName}'"
                + (SchemaJson.Nearest(processorName, plugins.ProcessorNames) is { } nearest ? $" — did you mean '{nearest}'?" : ".")
                + $" Loaded: {Names(plugins.ProcessorNames)}, from the plug-in folders {Names(_pluginDirectories)}."
                + " A plug-in elsewhere is found with --plugins DIR (or the DataHub:Plugins setting), one folder per plug-in inside DIR.");
            return null;
        }
        if (problems.Count > 0)
        {
            return null;
        }

        var storeName = dataStore ?? EntityDefinition.DefaultDataStore;
        var pluginLogger = loggerFactory.CreateLogger($"DataHub.Plugins.{plugin.Name}");
        var setup = new ProcessorSetup
        {
            Entity = address,
            ProcessorConfig = config,
            EntityMapping = mapping,
            DataStoreName = storeName,
            Roles = roles,
            InstanceDirectory = instanceDirectory,
            DataStores = stores,
            Logger = pluginLogger,
        };
        PrepareResult prepared;
        try
        {
            prepared = plugin.Plugin.Prepare(setup);
        }
        catch (Exception e)
        {
            // A plug-in bug, not a schema problem: say so, and keep checking the rest of the schema.
            report($"Processor '{processorName}' threw {e.GetType().Name} while checking its processorConfig: {e.Message}");
            return null;
        }
        if (prepared.Processor is not { } processor)
        {
            foreach (var error in prepared.Errors)
            {
                report($"processorConfig: {error}");
            }
            return null;
        }
        return new EntityDefinition(address, config, storeName, roles, mapping,
            new PreparedProcessor(plugin.Name, processor, pluginLogger))
        { RequiresSession = requiresSession };
    }

    private static string Names(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }

    private static string Display(string root, string path) =>
        Path.Combine(Path.GetFileName(root), Path.GetRelativePath(root, path));
}
