using DataHub.Host.Schema;

namespace DataHub.Host;

/// <summary>Thrown when the host cannot start: the first load fails loudly, with every problem found.</summary>
public sealed class InvalidSchemaException(IReadOnlyList<string> problems)
    : Exception($"DataHub cannot start: {problems.Count} problem(s).{Environment.NewLine}{string.Join(Environment.NewLine, problems)}")
{
    public InvalidSchemaException(IReadOnlyList<SchemaError> errors) : this([.. errors.Select(e => e.ToString())])
    {
    }

    public IReadOnlyList<string> Problems { get; } = problems;
}
