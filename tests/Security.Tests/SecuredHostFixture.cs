namespace DataHub.Security.Tests;

/// <summary>
/// Runs one <see cref="SecuredHost"/> for a fixture and checks after every test that no secret sent reached the log.
/// </summary>
public abstract class SecuredHostFixture
{
    protected SecuredHost Host { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartHost() => Host = await SecuredHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopHost() => await Host.DisposeAsync();

    [TearDown]
    public void No_secret_reached_the_log() => Host.AssertLogHoldsNoSecret();
}
