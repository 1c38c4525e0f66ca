using DataHub.Plugins.Script.Jint;

namespace DataHub.Plugins.Script;

/// <summary>
/// Datahub's script plug-in: runs the entity's JavaScript with a global <c>attributes</c> map (get, put, has,
/// remove) holding data, context, user, options and entityMapping, and takes back response, httpStatus,
/// httpHeaders, status and errorMessage. The script is parsed once, when the schema loads.
/// </summary>
public sealed class ScriptPlugin : IProcessorPlugin
{
    private readonly IScriptEngine _engine;

    public ScriptPlugin()
        : this(new JintScriptEngine())
    {
    }

    internal ScriptPlugin(IScriptEngine engine) => _engine = engine;

    public IReadOnlyCollection<string> ProcessorNames { get; } = ["Script", "com.datahub.metrici.ScriptPlugIn"];

    public PrepareResult Prepare(ProcessorSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var read = ScriptConfigReader.Read(setup.ProcessorConfig, setup.InstanceDirectory, setup.Entity.ToString());
        if (read.Config is not { } config)
        {
            return PrepareResult.Failure([.. read.Errors]);
        }
        var compiled = _engine.Compile(config.Source, config.Limits);
        return compiled.Script is { } script
            ? PrepareResult.Success(new ScriptProcessor(script))
            : PrepareResult.Failure(compiled.Error!);
    }
}
