using DataHub.Testing;

namespace DataHub.DbActions.Tests;

/// <summary>Stops the run's throwaway PostgreSQL server once every fixture of this assembly is done.</summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeTearDown]
    public Task StopPostgres() => PostgresServer.StopAsync();
}
