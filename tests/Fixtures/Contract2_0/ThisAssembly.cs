namespace DataHub.Fixtures.ContractPlugin;

internal static class ThisAssembly
{
    public const string ProcessorName = "Contract2_0";
}
