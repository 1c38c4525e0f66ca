namespace DataHub.Host.Schema;

/// <summary>
/// Passes each problem on to the caller's report and counts them, so that a reader of one part of a
/// configuration knows whether its own part was clean while every problem still reaches the one list.
/// </summary>
internal sealed class ProblemReport(Action<string> report)
{
    public int Count { get; private set; }

    public void Add(string message)
    {
        Count++;
        report(message);
    }
}
