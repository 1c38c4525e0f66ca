using DataHub.Host;

// DataHub: serves the execute entities of a schema folder over HTTP.
//   dotnet run --project src/Host                        serve ./schema on http://localhost:5000
//   dotnet run --project src/Host -- validate --schema DIR   check a schema folder and list every problem
//   dotnet run --project src/Host -- --help               verbs, options and main settings
return await HostCommandLine.RunAsync(args, Console.Out, Console.Error);
