using DataHub.Host;

// DataHub: serves the execute entities of a schema folder over HTTP.
//   dotnet run --project src/Host                        serve ./schema on http://localhost:5000
//   dotnet run --project src/Host -- validate --schema DIR   check a schema folder and list every problem
var arguments = HostArguments.Parse(args);
return arguments.Verb switch
{
    HostArguments.Validate => await ValidateCommand.RunAsync(arguments, Console.Out),
    HostArguments.HashPassword => HashPasswordCommand.RunOnConsole(),
    _ => await ServeAsync(arguments),
};

static async Task<int> ServeAsync(HostArguments arguments)
{
    WebApplication app;
    try
    {
        app = await DataHubApplication.BuildAsync(arguments);
    }
    catch (InvalidSchemaException e)
    {
        await Console.Error.WriteLineAsync(e.Message);
        return 1;
    }
    await using (app)
    {
        await app.RunAsync();
    }
    return 0;
}
