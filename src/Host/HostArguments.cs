namespace DataHub.Host;

/// <summary>
/// The command line: an optional verb (validate, hash-password), DataHub's own --schema DIR and repeatable
/// --plugins DIR, and everything else, which goes to ASP.NET Core as usual (--urls, --environment, …).
/// </summary>
public sealed record HostArguments(string? Verb, string? Schema, IReadOnlyList<string> PluginDirectories, string[] Remaining)
{
    public const string Validate = "validate";
    public const string HashPassword = "hash-password";

    public static HostArguments Parse(IReadOnlyList<string> args)
    {
        string? verb = null, schema = null;
        var plugins = new List<string>();
        var remaining = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (i == 0 && arg is Validate or HashPassword)
            {
                verb = arg;
            }
            else if (TryTakeValue(args, ref i, "--schema") is { } schemaValue)
            {
                schema = schemaValue;
            }
            else if (TryTakeValue(args, ref i, "--plugins") is { } pluginValue)
            {
                plugins.Add(pluginValue);
            }
            else
            {
                remaining.Add(arg);
            }
        }
        return new HostArguments(verb, schema, plugins, [.. remaining]);
    }

    /// <summary>Reads "--name value" or "--name=value" at <paramref name="index"/>, advancing past the value.</summary>
    private static string? TryTakeValue(IReadOnlyList<string> args, ref int index, string name)
    {
        var arg = args[index];
        if (arg.StartsWith(name + "=", StringComparison.Ordinal))
        {
            return arg[(name.Length + 1)..];
        }
        if (arg == name && index + 1 < args.Count)
        {
            return args[++index];
        }
        return null;
    }
}
