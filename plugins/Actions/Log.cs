using Microsoft.Extensions.Logging;

namespace DataHub.Plugins.Actions;

/// <summary>The plug-in's log lines. None carries SQL text or an exception's message above Debug.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1301, Level = LogLevel.Error,
        Message = "{Step} of {Entity} does not match the database: {Problem}")]
    public static partial void SchemaMismatch(ILogger logger, string entity, string step, string problem);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning,
        Message = "{Step} of {Entity}: an expression or script failed ({Failure}); details at Debug")]
    public static partial void EvaluationFailed(ILogger logger, string entity, string step, string failure);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Debug, Message = "{Step}: the engine reported {Detail}")]
    public static partial void EvaluationDetail(ILogger logger, string step, string detail);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Information,
        Message = "{Step} of {Entity}: the database refused the call's data; rolled back")]
    public static partial void Rejected(ILogger logger, string entity, string step);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Warning,
        Message = "{Step} of {Entity}: the data store failed ({Kind}); rolled back")]
    public static partial void StoreFailed(ILogger logger, string entity, string step, DataStoreErrorKind kind);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Debug, Message = "{Step}: the data store failure in full")]
    public static partial void StoreFailureDetail(ILogger logger, Exception exception, string step);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Debug, Message = "{Entity}: dry run rolled back")]
    public static partial void DryRunRolledBack(ILogger logger, string entity);
}
