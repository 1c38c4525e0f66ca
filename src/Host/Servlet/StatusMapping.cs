using DataHub.Plugins;

namespace DataHub.Host.Servlet;

/// <summary>How a MessageStatus becomes an HTTP status when the plug-in set no httpStatus. Documented in the README.</summary>
public static class StatusMapping
{
    public static int ToHttpStatus(int? status) => status switch
    {
        null or < MessageStatus.GeneralError => StatusCodes.Status200OK,
        MessageStatus.MessageNotFound or MessageStatus.SystemNotFound or MessageStatus.EntityNotFound => StatusCodes.Status404NotFound,
        MessageStatus.MessageInvalid or MessageStatus.DataInvalid => StatusCodes.Status400BadRequest,
        MessageStatus.ReprocessTimeout => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };
}
