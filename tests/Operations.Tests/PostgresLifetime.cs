using DataHub.Testing;

namespace DataHub.Operations.Tests;

/// <summary>Stops the throwaway PostgreSQL server once this assembly's tests are done.</summary>
[SetUpFixture]
public sealed class PostgresLifetime
{
    [OneTimeTearDown]
    public Task StopPostgres() => PostgresServer.StopAsync();
}
