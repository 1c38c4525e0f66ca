namespace DataHub.Host.Schema;

/// <summary>One problem in a schema folder: the file, the entity if any, the position for invalid JSON, and what is wrong.</summary>
public sealed record SchemaError(string File, string Message, string? Entity = null, long? Line = null, long? Column = null)
{
    public override string ToString()
    {
        var position = Line is { } line ? $"({line},{Column})" : "";
        var entity = Entity is null ? "" : $"entity '{Entity}': ";
        return $"{File}{position}: {entity}{Message}";
    }
}
