namespace DataHub.ExecuteSql.Tests.Support;

/// <summary>A fixture run once per provider against one instance with the doors schema.</summary>
public abstract class ProviderFixture(string provider)
{
    private TestInstance? _instance;

    protected string Provider { get; } = provider;

    internal TestInstance Instance => _instance ?? throw new InvalidOperationException("The instance is made in OneTimeSetUp.");

    [OneTimeSetUp]
    public async Task CreateInstance() => _instance = await TestInstance.CreateAsync(Provider);

    [OneTimeTearDown]
    public async Task DisposeInstance()
    {
        if (_instance is not null)
        {
            await _instance.DisposeAsync();
        }
    }
}
