namespace DataHub.Plugins;

/// <summary>Where an entity lives: <c>/{Instance}/{System}/{Entity}</c>.</summary>
public sealed record EntityAddress(string Instance, string System, string Entity)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Instance}/{System}/{Entity}";
}
