namespace DataHub.ExecuteSql.Tests.Support;

/// <summary>A fixture run once per provider against one instance with the doors schema.</summary>
public abstract class ProviderFixture(string provider)
{
    private TestInstance? _instance;

    protected string Provider { get; } = provider;

    internal TestInstance Instance => _instance ?? throw new InvalidOperationException("The instance is made in OneTimeSetUp.");

    [OneTimeSetUp]
    public async Task CreateInstance() => _instance = await TestInstance.CreateAsync(Provider);

    /// <summary>Whatever a test made the plug-in log, nothing at Information or above carries SQL or an exception.</summary>
    [TearDown]
    public void CheckWhatWasLogged()
    {
        Instance.Log.AssertSafeForOperators("test-trace", "door_", "no_such_table", "secret");
        Instance.Log.Clear();
    }

    [OneTimeTearDown]
    public async Task DisposeInstance()
    {
        if (_instance is not null)
        {
            await _instance.DisposeAsync();
        }
    }
}
