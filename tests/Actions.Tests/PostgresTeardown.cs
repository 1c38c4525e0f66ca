using DataHub.Testing;

namespace DataHub.Actions.Tests;

/// <summary>Stops the throwaway PostgreSQL server once every test of the assembly has run.</summary>
[SetUpFixture]
public sealed class PostgresTeardown
{
    [OneTimeTearDown]
    public Task StopPostgres() => PostgresServer.StopAsync();
}
