namespace DataHub.Host;

/// <summary>
/// The command line: an optional verb (validate, hash-password), DataHub's own --schema DIR and repeatable
/// --plugins DIR, ASP.NET Core's --urls and --environment, and any configuration key (--DataHub:RequestTimeoutSeconds
/// 10), in any order. Anything else is an <see cref="Error"/>; --help or -h asks for <see cref="Usage"/>.
/// </summary>
public sealed record HostArguments(string? Verb, string? Schema, IReadOnlyList<string> PluginDirectories, string[] Remaining)
{
    public const string Validate = "validate";
    public const string HashPassword = "hash-password";

    /// <summary>Options handed to ASP.NET Core as they are; a configuration key (with a colon) is accepted too.</summary>
    private static readonly string[] _hostOptions = ["--urls", "--environment"];

    /// <summary>--help, -h or the help verb: print <see cref="Usage"/> and exit 0.</summary>
    public bool HelpRequested { get; init; }

    /// <summary>What is wrong with the command line: print it with <see cref="Usage"/> and exit non-zero.</summary>
    public string? Error { get; init; }

    public const string Usage = """
        Usage: DataHub [verb] [options]

        Verbs:
          (none)            serve the schema's execute entities over HTTP
          validate          check the schema folder and plug-ins, list every problem, exit 1 if any
          hash-password     read a password from standard input and print its hash for a users file
          help              print this text (also --help, -h)

        Options (in any order, as --name value or --name=value):
          --schema DIR      the schema folder (default: schema)
          --plugins DIR     another plug-in folder, after the built-in plugins/ (repeatable)
          --urls URLS       where to listen (default: http://localhost:5000), e.g. http://0.0.0.0:8080
          --environment ENV the ASP.NET Core environment (Production, Development, ...)
          --KEY VALUE       any setting by its configuration key, e.g. --DataHub:RequestTimeoutSeconds 10

        Main settings (appsettings.json, environment variables such as DataHub__RequestTimeoutSeconds=10, or --KEY):
          DataHub:RequestTimeoutSeconds                 30; a longer request is cancelled with 504
          DataHub:MaxRequestBodyBytes                   10485760; a larger body is refused with 413
          DataHub:ReloadOnChange                        true; reload the schema when its files change
          DataHub:RateLimits:PerAddress:PermitLimit     0 (off); requests per client address per window
          DataHub:RateLimits:PerUser:PermitLimit        0 (off); requests per user per window
          DataHub:RateLimits:KnownProxies / KnownNetworks   proxies whose X-Forwarded-For names the client
          Logging__LogLevel__DataHub=Debug              failure details and every 4xx with its trace id

        See README.md and docs/ for the rest.
        """;

    public static HostArguments Parse(IReadOnlyList<string> args)
    {
        string? verb = null, schema = null, error = null;
        var help = false;
        var plugins = new List<string>();
        var remaining = new List<string>();
        for (var i = 0; i < args.Count && error is null; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" || (arg == "help" && verb is null))
            {
                help = true;
            }
            else if (!arg.StartsWith('-'))
            {
                error = verb is null && arg is Validate or HashPassword ? null
                    : verb is null ? $"Unknown verb '{arg}'."
                    : $"Unexpected argument '{arg}' after the verb '{verb}'.";
                verb ??= arg;
            }
            else if (TryTakeValue(args, ref i, "--schema", ref error) is { } schemaValue)
            {
                schema = schemaValue;
            }
            else if (TryTakeValue(args, ref i, "--plugins", ref error) is { } pluginValue)
            {
                plugins.Add(pluginValue);
            }
            else if (error is null && HostOption(arg) is { } name && TryTakeValue(args, ref i, name, ref error) is { } value)
            {
                remaining.Add($"{name}={value}");
            }
            else
            {
                error ??= $"Unknown option '{arg}'.";
            }
        }
        return new HostArguments(verb, schema, plugins, [.. remaining]) { HelpRequested = help && error is null, Error = error };
    }

    /// <summary>The option's name when ASP.NET Core takes it: --urls, --environment, or a configuration key.</summary>
    private static string? HostOption(string arg)
    {
        var name = arg.Split('=', 2)[0];
        return _hostOptions.Contains(name, StringComparer.OrdinalIgnoreCase) || (name.StartsWith("--", StringComparison.Ordinal) && name.Contains(':'))
            ? name
            : null;
    }

    /// <summary>Reads "--name value" or "--name=value" at <paramref name="index"/>, advancing past the value.</summary>
    private static string? TryTakeValue(IReadOnlyList<string> args, ref int index, string name, ref string? error)
    {
        var arg = args[index];
        if (arg.StartsWith(name + "=", StringComparison.Ordinal))
        {
            return arg[(name.Length + 1)..];
        }
        if (arg != name)
        {
            return null;
        }
        if (index + 1 < args.Count)
        {
            return args[++index];
        }
        error = $"The option '{name}' needs a value.";
        return null;
    }
}
