using DataHub.Host.Diagnostics;
using DataHub.Host.Schema;
using DataHub.Plugins;
using Microsoft.Extensions.Options;

namespace DataHub.Host.Servlet;

/// <summary>
/// Where a request enters: <c>/{instance}/{system}/{entity}</c> and <c>/{instance}/{entity}</c> (the default
/// system), by GET or POST. Resolves the entity, checks access, reads the input, runs the processor and writes
/// its outputs.
/// </summary>
public sealed partial class InstanceServlet(
    SchemaCatalog catalog,
    ResponseWriter responseWriter,
    DataHubMetrics metrics,
    IOptions<DataHubOptions> options,
    IHostEnvironment environment,
    ILogger<InstanceServlet> logger)
{
    private readonly RequestCancellation _cancellation = new(options.Value.RequestTimeout);
    private readonly string _environmentName = environment.EnvironmentName;

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var servlet = endpoints.ServiceProvider.GetRequiredService<InstanceServlet>();
        string[] methods = [HttpMethods.Get, HttpMethods.Post];
        endpoints.MapMethods("/{instance}/{system}/{entity}", methods, servlet.ServeAsync);
        endpoints.MapMethods("/{instance}/{entity}", methods, servlet.ServeAsync);
    }

    /// <summary>Serves a request routed here: the route's instance, system (the default one when absent) and entity.</summary>
    public Task ServeAsync(HttpContext http)
    {
        var route = http.Request.RouteValues;
        var instanceName = (string)route["instance"]!;
        var systemName = route["system"] as string ?? SystemDefinition.DefaultReference;
        var entityName = (string)route["entity"]!;
        return ServeCoreAsync(http, instanceName, systemName, entityName);
    }

    private async Task ServeCoreAsync(HttpContext http, string instanceName, string systemName, string entityName)
    {
        var instances = catalog.Current.Instances;
        if (!instances.TryGetValue(instanceName, out var instance))
        {
            JsonOutput.WriteError(http, HostError.InstanceNotFound(instanceName));
            return;
        }
        if (!instance.Systems.TryGetValue(systemName, out var system))
        {
            JsonOutput.WriteError(http, HostError.SystemNotFound(instanceName, systemName));
            return;
        }
        if (!system.Entities.TryGetValue(entityName, out var entity))
        {
            JsonOutput.WriteError(http, HostError.EntityNotFound(systemName, entityName));
            return;
        }
        if (entity.Processor is not { } processor)
        {
            JsonOutput.WriteError(http, HostError.NotExecutable(entityName));
            return;
        }

        var requestAborted = http.RequestAborted;
        var access = await instance.Access.AuthorizeAsync(http, entity, requestAborted);
        if (access.Error is { } denied)
        {
            JsonOutput.WriteError(http, denied);
            return;
        }

        var input = await RequestInput.ReadAsync(http.Request, requestAborted);
        if (input.Error is { } invalid)
        {
            JsonOutput.WriteError(http, invalid);
            return;
        }

        var traceId = http.TraceIdentifier;
        var context = new ProcessorContext(entity.Mapping)
        {
            Data = input.Data,
            Call = new EntityCall(instance.Name, system.Reference, entityName, traceId, _environmentName),
            User = access.User,
            Options = input.Options,
            ProcessorConfig = entity.ProcessorConfig,
            DataStoreName = entity.DataStoreName,
            DataStores = instance.DataStores,
            Logger = new RequestLogger(processor.Logger, traceId),
            TraceId = traceId,
        };

        using (var cancellation = _cancellation.Start(requestAborted))
        {
            try
            {
                await processor.Processor.ExecuteAsync(context, cancellation.Token);
            }
            catch (OperationCanceledException) when (requestAborted.IsCancellationRequested)
            {
                LogClientGone(new RequestLogger(logger, traceId), entity.Address.ToString(), traceId);
                return;
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                LogTimedOut(new RequestLogger(logger, traceId), entity.Address.ToString(), _cancellation.Limit.TotalSeconds, traceId);
                JsonOutput.WriteError(http, HostError.TimedOut(_cancellation.Limit));
                return;
            }
            catch (Exception e)
            {
                // Exception messages can carry SQL, connection strings or user data: the error line names the
                // failure, and the message and stack trace go to Debug, which operators enable deliberately.
                var requestLogger = new RequestLogger(logger, traceId);
                LogProcessorFailed(requestLogger, processor.PluginName, entity.Address.ToString(), e.GetType().FullName!, traceId);
                LogFailureDetails(requestLogger, e, traceId);
                metrics.ProcessorFailed(entity.Address, processor.PluginName);
                JsonOutput.WriteError(http, HostError.ProcessorFailed(traceId));
                return;
            }
        }
        responseWriter.Write(http, context);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Caller of {Entity} disconnected; the processor was cancelled (trace {TraceId})")]
    private static partial void LogClientGone(ILogger logger, string entity, string traceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Entity} ran past the {Seconds} s request limit and was cancelled (trace {TraceId})")]
    private static partial void LogTimedOut(ILogger logger, string entity, double seconds, string traceId);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Plug-in {Plugin} failed serving {Entity} with {ExceptionType} (trace {TraceId}); its message and stack trace are logged at Debug")]
    private static partial void LogProcessorFailed(ILogger logger, string plugin, string entity, string exceptionType, string traceId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Failure details (trace {TraceId})")]
    internal static partial void LogFailureDetails(ILogger logger, Exception exception, string traceId);
}
