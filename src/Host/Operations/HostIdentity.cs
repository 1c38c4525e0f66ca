using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace DataHub.Host.Operations;

/// <summary>
/// Names the host that answered in the <c>X-DataHub-Host</c> response header: with several hosts behind a load
/// balancer, an operator (or a test) sees where each request went. The value is <see cref="OperationsOptions.HostId"/>,
/// or the machine name and the port the request came in on, which tells apart hosts sharing a machine.
/// </summary>
public static class HostIdentity
{
    public const string HeaderName = "X-DataHub-Host";

    public static void UseDataHubHostIdentity(this WebApplication app)
    {
        var configured = app.Services.GetRequiredService<OperationsOptions>().HostId;
        if (configured is "")
        {
            return;
        }
        if (configured is not null)
        {
            var value = new StringValues(configured);
            app.Use((context, next) =>
            {
                context.Response.Headers[HeaderName] = value;
                return next(context);
            });
            return;
        }
        // One value per listening port, made on its first request rather than on every one.
        var byPort = new ConcurrentDictionary<int, StringValues>();
        app.Use((context, next) =>
        {
            context.Response.Headers[HeaderName] = byPort.GetOrAdd(context.Connection.LocalPort,
                static port => new StringValues(string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{port}")));
            return next(context);
        });
    }
}
