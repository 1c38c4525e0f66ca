using System.Text.Json.Nodes;
using DataHub.Host.Caching;
using DataHub.Host.Calls;
using DataHub.Host.Diagnostics;
using DataHub.Host.Schema;
using DataHub.Host.Sessions;
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
    AnswerCache answers,
    DataHubMetrics metrics,
    IOptions<DataHubOptions> options,
    IHostEnvironment environment,
    IConfiguration configuration,
    ILogger<InstanceServlet> logger)
{
    private readonly RequestCancellation _cancellation = new(options.Value.RequestTimeout);
    private readonly CallRetries _retries = new(metrics);
    // The environment a call runs in when it names none.
    private readonly string _environmentName = configuration["DataHub:Environment"] is { Length: > 0 } configured ? configured : environment.EnvironmentName;

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
        var target = await ResolveAsync(http, instanceName, systemName, entityName);
        if (target is null)
        {
            return;
        }

        var requestAborted = http.RequestAborted;
        var input = await RequestInput.ReadAsync(http.Request, requestAborted);
        if (input.Error is { } invalid)
        {
            JsonOutput.WriteError(http, invalid);
            return;
        }
        using var data = input.Data;
        var call = CallOptions.ReadServlet(http.Request, input.CallMembers);
        if (call.Error is { } refused)
        {
            JsonOutput.WriteError(http, refused);
            return;
        }
        await RunAsync(http, target, data, input.Options, call.Options!);
    }

    /// <summary>
    /// Finds an execute entity and checks the caller may run it; writes the 404 or 401/403 and returns null when not.
    /// </summary>
    internal async Task<CallTarget?> ResolveAsync(HttpContext http, string instanceName, string systemName, string entityName)
    {
        var instances = catalog.Current.Instances;
        if (!instances.TryGetValue(instanceName, out var instance))
        {
            JsonOutput.WriteError(http, HostError.InstanceNotFound(instanceName));
            return null;
        }
        if (!instance.Systems.TryGetValue(systemName, out var system))
        {
            JsonOutput.WriteError(http, HostError.SystemNotFound(instanceName, systemName));
            return null;
        }
        if (!system.Entities.TryGetValue(entityName, out var entity))
        {
            JsonOutput.WriteError(http, HostError.EntityNotFound(systemName, entityName));
            return null;
        }
        if (entity.Processor is not { } processor)
        {
            JsonOutput.WriteError(http, HostError.NotExecutable(entityName));
            return null;
        }

        var access = await instance.Access.AuthorizeAsync(http, entity, http.RequestAborted);
        if (access.Error is { } denied)
        {
            JsonOutput.WriteError(http, denied);
            return null;
        }
        return new CallTarget(instance, system, entity, processor, entityName, access.User);
    }

    /// <summary>Checks the call's options, runs the processor and writes its outputs: the part both endpoints share.</summary>
    internal async Task RunAsync(HttpContext http, CallTarget target, CallData data, JsonNode? options, CallOptions call)
    {
        var (instance, system, entity, processor, entityName, user) = target;
        if (call.Check(instance.Caches) is { } refused)
        {
            JsonOutput.WriteError(http, refused);
            return;
        }
        var (dryRun, dryRunError) = DryRunRequest.Read(http.Request);
        if ((dryRunError ?? (dryRun ? DryRunRequest.Refusal(processor.Processor, entityName) : null)) is { } dryRunRefused)
        {
            JsonOutput.WriteError(http, dryRunRefused);
            return;
        }
        var chosen = instance.Environments.Choose(call.Environment, _environmentName, user);
        if (chosen.Error is { } unavailable)
        {
            JsonOutput.WriteError(http, unavailable);
            return;
        }
        var requestAborted = http.RequestAborted;
        var traceId = http.TraceIdentifier;
        var session = await instance.Sessions.VerifyAsync(instance.Name, call.Session, entity.RequiresSession, metrics);
        if (session.Error is { } unverified)
        {
            JsonOutput.WriteError(http, unverified);
            return;
        }
        if (session.Session is { } verified)
        {
            SessionLog.Verified(new RequestLogger(logger, traceId), entity.Address.ToString(), call.Session!.Tag,
                verified["subject"]?.GetValue<string>() ?? "", traceId);
        }

        ProcessorContext NewContext() => new(entity.Mapping)
        {
            Data = data.NodeIfParsed,
            DataJson = data.Text,
            Filter = call.Filter,
            Session = session.Session,
            Call = new EntityCall(instance.Name, system.Reference, entityName, traceId, chosen.Name),
            User = user,
            Options = options,
            ProcessorConfig = entity.ProcessorConfig,
            DataStoreName = entity.DataStoreName,
            DataStores = chosen.DataStores ?? instance.DataStores,
            Logger = new RequestLogger(processor.Logger, traceId),
            TraceId = traceId,
            DryRun = dryRun,
        };

        // A dry run changes nothing, so it neither reads nor fills a cache, nor evicts one.
        var (plan, planError) = dryRun ? default
            : instance.Caches.Plan(entity, call.Cache, new CallIdentity(chosen.Name, data, call.Filter, options, user, session.Session));
        if (planError is not null)
        {
            JsonOutput.WriteError(http, planError);
            return;
        }
        var cacheOutcome = CacheOutcome.Bypass;
        if (plan is not null)
        {
            (var answer, cacheOutcome) = await answers.LookUpAsync(plan, requestAborted);
            http.Response.Headers[CacheOutcome.Header] = cacheOutcome;
            if (answer is not null)
            {
                var kept = NewContext();
                CachedAnswer.Restore(answer, kept);
                responseWriter.Write(http, kept);
                return;
            }
        }

        var retries = Math.Min(call.Retries ?? 0, instance.MaxRetries);
        ProcessorContext context;
        using (var cancellation = _cancellation.Start(requestAborted))
        {
            try
            {
                if (retries == 0)
                {
                    context = NewContext();
                    await processor.Processor.ExecuteAsync(context, cancellation.Token);
                }
                else
                {
                    (context, var retried) = await _retries.RunAsync(NewContext, processor.Processor, retries, instance.Name, cancellation.Token);
                    http.Response.Headers[CallRetries.Header] = retried.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
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
        if (plan is not null && cacheOutcome == CacheOutcome.Miss)
        {
            await answers.StoreAsync(plan, context, requestAborted);
        }
        if (!dryRun && instance.Caches.For(entity) is { Evicts: true } writes && CachedAnswer.Succeeded(context))
        {
            // Not the caller's token: a write that committed must evict even if its caller has gone.
            await answers.EvictAsync(instance.Name, writes.EvictionTags, CancellationToken.None);
        }
        if (dryRun)
        {
            http.Response.Headers[DryRunRequest.PreferenceAppliedHeader] = DryRunRequest.Rollback;
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
