using System.Collections.Concurrent;
using DataHub.Host.DataStores;
using DataHub.Host.Schema;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataHub.Host.Operations;

/// <summary>
/// Readiness of the data: every data store a served instance's calls use (each declared environment's own, else the
/// stores as written) answers <c>SELECT 1</c> within the readiness timeout, all at once. One that does not makes the host unready (503), so that a load balancer sends its callers
/// elsewhere. A store's state is logged when it changes, not on every probe.
/// </summary>
public sealed partial class DataStoreReadiness(SchemaCatalog catalog, OperationsOptions options, ILogger<DataStoreReadiness> logger) : IHealthCheck
{
    public const string Name = "dataStores";

    public const string Reachable = "reachable";
    public const string Unreachable = "unreachable";
    public const string TimedOut = "timed out";

    private readonly ConcurrentDictionary<string, string> _lastState = new(StringComparer.Ordinal);

    /// <summary>The key a store's state is reported under: instance/store, or instance/environment/store.</summary>
    internal static string Key(string instance, UsedStore store) =>
        store.Environment is null ? $"{instance}/{store.Name}" : $"{instance}/{store.Environment}/{store.Name}";

    /// <summary>
    /// The stores an instance's calls use: with environments declared, each environment's own (calls never use the
    /// stores as written then); else the stores as written, with no environment.
    /// </summary>
    internal static IEnumerable<UsedStore> StoresOf(InstanceDefinition instance)
    {
        var environments = instance.Environments.Declared.ToList();
        return environments.Count == 0
            ? All(null, instance.DataStores)
            : environments.SelectMany(environment => All(environment.Name, environment.DataStores));

        static IEnumerable<UsedStore> All(string? environment, InstanceDataStores stores) =>
            stores.Names.Select(name => new UsedStore(environment, name, stores.TryGet(name, out var store) ? store as SqlDataStore : null));
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var probes = catalog.Current.Instances.Values
            .SelectMany(instance => StoresOf(instance).Select(store => (Key: Key(instance.Name, store), store.Store)))
            .Select(async probe => (probe.Key, State: await PingAsync(probe.Store, cancellationToken)))
            .ToList();
        var states = await Task.WhenAll(probes);

        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, state) in states)
        {
            data[key] = state;
            if (_lastState.TryGetValue(key, out var previous) ? previous != state : state != Reachable)
            {
                LogStateChanged(logger, key, state);
            }
            _lastState[key] = state;
        }
        var down = states.Count(s => s.State != Reachable);
        return down == 0
            ? HealthCheckResult.Healthy(data: data)
            : HealthCheckResult.Unhealthy($"{down} data store(s) cannot be reached.", data: data);
    }

    private async Task<string> PingAsync(SqlDataStore? store, CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return Reachable;
        }
        // Drivers do not all honour cancellation while connecting (Npgsql waits for its own connect timeout when a
        // server accepts and stays silent), so readiness stops waiting on its own clock; the probe ends in the driver's.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ReadinessTimeout);
        var probe = ProbeAsync(store, timeout.Token);
        try
        {
            await probe.WaitAsync(timeout.Token);
            return Reachable;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _ = probe.ContinueWith(static abandoned => abandoned.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return TimedOut;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The driver's message may name hosts and users: Debug only, like every failure the host logs.
            LogPingFailureDetails(logger, store.Name, e);
            return Unreachable;
        }
    }

    private static async Task ProbeAsync(SqlDataStore store, CancellationToken cancellationToken)
    {
        await using var command = store.DataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Readiness: data store {Store} is now {State}")]
    private static partial void LogStateChanged(ILogger logger, string store, string state);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Debug, Message = "Readiness: data store {Store} failed its probe")]
    private static partial void LogPingFailureDetails(ILogger logger, string store, Exception exception);
}

/// <summary>A store an instance's calls use, with the environment it belongs to (null when there are none).</summary>
internal sealed record UsedStore(string? Environment, string Name, SqlDataStore? Store);
