namespace DataHub.Plugins;

/// <summary>
/// The entry point of a plug-in assembly. The host creates one instance of every public,
/// non-abstract type that implements this interface and has a parameterless constructor.
/// </summary>
public interface IProcessorPlugin
{
    /// <summary>
    /// The names a schema's <c>processor</c> property may use for this plug-in, matched ignoring case
    /// (for example <c>ExecuteSql</c> and the Datahub class name it replaces).
    /// </summary>
    IReadOnlyCollection<string> ProcessorNames { get; }

    /// <summary>
    /// Checks one entity's <c>processorConfig</c> and prepares everything a request needs, once, when the
    /// schema is loaded. Return <see cref="PrepareResult.Failure(string[])"/> with every problem found rather
    /// than throwing: the host reports them all with the entity's file and reference.
    /// </summary>
    PrepareResult Prepare(ProcessorSetup setup);
}
