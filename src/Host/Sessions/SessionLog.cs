namespace DataHub.Host.Sessions;

/// <summary>Log lines about sessions: the tag and subject (an identifier, never the token) of each verified call.</summary>
internal static partial class SessionLog
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "{Entity} runs with session {SessionTag} for {Subject} (trace {TraceId})")]
    public static partial void Verified(ILogger logger, string entity, string sessionTag, string subject, string traceId);
}
