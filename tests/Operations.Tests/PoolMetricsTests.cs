using System.Text.Json.Nodes;
using DataHub.Testing;

namespace DataHub.Operations.Tests;

/// <summary>Npgsql's own connection pool metrics reach the Prometheus endpoint beside the host's.</summary>
public sealed class PoolMetricsTests
{
    [Test]
    public async Task PostgreSQL_connection_pool_use_is_scraped_from_npgsqls_meter()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        using var schema = new TempDirectory();
        var store = new JsonObject { ["provider"] = "postgresql", ["connectionString"] = connectionString };
        schema.Write("shop/instance.json", new JsonObject { ["dataStores"] = new JsonObject { ["database"] = store } }.ToJsonString());
        schema.Write("shop/services.json", """{"entities": {"one": {"execute": true, "processor": "ExecuteSql", "processorConfig": {"sql": "select 1 as one"}}}}""");
        await using var host = await RunningHost.StartAsync(schema.Path, settings: new Dictionary<string, string?> { [Operators.TokenSetting] = Operators.Token });

        (await host.PostJsonAsync("shop/services/one", "{}")).EnsureSuccessStatusCode();

        IReadOnlyList<Sample> samples = [];
        Assert.That(await Eventually.TrueAsync(async () =>
            (samples = await Prometheus.ScrapeAsync(host.Client)).Any(s => s.Name.StartsWith("db_client_connection", StringComparison.Ordinal)), TimeSpan.FromSeconds(20)),
            Is.True, "Npgsql's pool series: " + string.Join(", ", samples.Select(s => s.Name).Distinct()));
        var pool = samples.Where(s => s.Name.StartsWith("db_client_connection", StringComparison.Ordinal)).ToList();
        Assert.That(pool.Sum("db_client_connection_max", ("db_client_connection_pool_name", "shop/database")), Is.EqualTo(100), "the pool's size limit");
        Assert.That(pool.Sum("db_client_connection_count", ("db_client_connection_pool_name", "shop/database"), ("db_client_connection_state", "idle")),
            Is.EqualTo(1), "the connection the call used, back in the pool");
        // The test's own admin connection (CREATE DATABASE) shares the process and the meter; the host's pool is named.
        var database = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database!;
        Assert.That(pool.Select(s => s.Labels["db_client_connection_pool_name"]), Has.None.Contains(database), "no connection string in a label");
        Assert.That(samples.Sum("datahub_requests_total", ("datahub_entity", "one"), ("http_response_status_code", "200")), Is.EqualTo(1));
    }
}
