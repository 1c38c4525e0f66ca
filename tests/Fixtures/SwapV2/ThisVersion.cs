namespace DataHub.Fixtures.Swap;

internal static class ThisVersion
{
    public const int Number = 2;
}
