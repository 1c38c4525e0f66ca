using DataHub.Plugins.Script.V8;
using Microsoft.Extensions.Logging;

namespace DataHub.Plugins.Script;

/// <summary>
/// Datahub's script plug-in: runs the entity's JavaScript (on V8) with a global <c>attributes</c> map (get, put,
/// has, remove) holding data, context, user, options and entityMapping, and takes back response, httpStatus,
/// httpHeaders, status and errorMessage. The script's syntax is checked when the schema loads; it is compiled on
/// first use, once per isolate.
/// </summary>
public sealed partial class ScriptPlugin : IProcessorPlugin
{
    private readonly IScriptEngine _engine;

    public ScriptPlugin()
        : this(V8Engine.Shared)
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
        if (compiled.Script is not { } script)
        {
            return PrepareResult.Failure(compiled.Error!);
        }
        foreach (var warning in config.Warnings)
        {
            LogConfigurationWarning(setup.Logger, config.Source.Entity, warning);
        }
        return PrepareResult.Success(new ScriptProcessor(script, config.Limits, ScriptInput.EntityMappingJson(setup.EntityMapping)));
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Script {Entity}: {Warning}")]
    private static partial void LogConfigurationWarning(ILogger logger, string entity, string warning);
}
