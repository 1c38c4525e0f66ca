using DataHub.Host.Limits;
using DataHub.Host.Operations;

namespace DataHub.Host;

/// <summary>The validate verb: loads plug-ins and schema exactly as start-up does, touching no database, and lists every problem.</summary>
public static class ValidateCommand
{
    public static async Task<int> RunAsync(HostArguments arguments, TextWriter output)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(arguments.Remaining)
            .Build();
        var options = DataHubApplication.ReadOptions(configuration, arguments);
        if (DataHubApplication.CheckSettings(options, RateLimitOptions.Read(configuration), OperationsOptions.Read(configuration)) is { Count: > 0 } problems)
        {
            await output.WriteLineAsync(string.Join(Environment.NewLine, problems));
            return 1;
        }

        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        var (plugins, result) = await DataHubApplication.LoadSchemaAsync(options, Directory.GetCurrentDirectory(), loggerFactory);
        foreach (var failure in plugins.Failures)
        {
            await output.WriteLineAsync($"warning: plug-in folder {failure.Directory} did not load: {failure.Reason}");
        }
        if (result.Snapshot is not { } snapshot)
        {
            foreach (var error in result.Errors)
            {
                await output.WriteLineAsync(error.ToString());
            }
            await output.WriteLineAsync($"{result.Errors.Count} problem(s) in {options.Schema}.");
            return 1;
        }
        await using (snapshot)
        {
            await output.WriteLineAsync(
                $"{options.Schema} is valid: {snapshot.Instances.Count} instance(s), {snapshot.EntityCount} entities.");
        }
        return 0;
    }
}
