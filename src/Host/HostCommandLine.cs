namespace DataHub.Host;

/// <summary>What the host's command line does: usage on --help or a mistake, a verb, or serving.</summary>
public static class HostCommandLine
{
    /// <summary>The exit code for a command line that cannot be understood.</summary>
    public const int UsageExitCode = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        var arguments = HostArguments.Parse(args);
        if (arguments.Error is { } error)
        {
            await errors.WriteLineAsync($"{error}{Environment.NewLine}{Environment.NewLine}{HostArguments.Usage}");
            return UsageExitCode;
        }
        if (arguments.HelpRequested)
        {
            await output.WriteLineAsync(HostArguments.Usage);
            return 0;
        }
        return arguments.Verb switch
        {
            HostArguments.Validate => await ValidateCommand.RunAsync(arguments, output),
            HostArguments.HashPassword => HashPasswordCommand.RunOnConsole(),
            _ => await ServeAsync(arguments, errors),
        };
    }

    private static async Task<int> ServeAsync(HostArguments arguments, TextWriter errors)
    {
        WebApplication app;
        try
        {
            app = await DataHubApplication.BuildAsync(arguments);
        }
        catch (InvalidSchemaException e)
        {
            await errors.WriteLineAsync(e.Message);
            return 1;
        }
        await using (app)
        {
            try
            {
                await app.RunAsync();
            }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                // Kestrel's message names the address and says it is in use: what an operator needs, and no more.
                await errors.WriteLineAsync(e.Message);
                return 1;
            }
        }
        return 0;
    }
}
