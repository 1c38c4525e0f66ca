using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataHub.Plugins;
using DataHub.Plugins.Script;
using Microsoft.ClearScript;
using Microsoft.ClearScript.V8;
using Microsoft.Extensions.Logging.Abstractions;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

// Runs test262 through the Script plug-in, in process, and the same tests on a bare V8 engine (one context per test,
// the test as a global script, nothing frozen). A test the bare engine passes and the plug-in fails is a difference
// the plug-in makes; one both fail is V8's (or ClearScript's). Sloppy and strict runs are counted separately, as
// test262 asks. Module tests, and tests that need a host hook neither side has ($262.agent, createRealm, gc,
// IsHTMLDDA), are skipped and counted. A run is stopped after TEST262_TIMEOUT_MS (default 3,000) on either side.
//
//   dotnet run -c Release --project bench/Conformance -- <test262 checkout> [directories under test/ ...]
if (args.Length == 0 || !Directory.Exists(Path.Combine(args[0], "test")))
{
    Console.Error.WriteLine("usage: Conformance <test262 checkout> [directories under test/, default: built-ins language]");
    return 2;
}
var suite = args[0];
string[] directories = args.Length > 1 ? args[1..] : ["built-ins", "language"];

var harness = new Harness(Path.Combine(suite, "harness"));
var timeout = TimeSpan.FromMilliseconds(int.TryParse(Environment.GetEnvironmentVariable("TEST262_TIMEOUT_MS"), out var ms) ? ms : 3_000);
var results = new List<Result>();
var skipped = 0;
var watch = Stopwatch.StartNew();
var v8Time = new Stopwatch();
var pluginTime = new Stopwatch();
foreach (var directory in directories)
{
    foreach (var path in Directory.EnumerateFiles(Path.Combine(suite, "test", directory), "*.js", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
    {
        if (path.Contains("_FIXTURE", StringComparison.Ordinal))
        {
            continue;
        }
        var test = Test262File.Read(path, Path.GetRelativePath(Path.Combine(suite, "test"), path));
        if (test.IsSkipped)
        {
            skipped++;
            continue;
        }
        foreach (var strict in test.Modes)
        {
            v8Time.Start();
            var v8 = BareV8.Run(test, strict, harness, timeout);
            v8Time.Stop();
            var before = pluginTime.Elapsed;
            pluginTime.Start();
            var plugin = ThroughPlugin.Run(test, strict, harness, timeout);
            pluginTime.Stop();
            results.Add(new Result(test.Name, strict, v8, plugin, pluginTime.Elapsed - before));
        }
    }
}

Console.WriteLine($"test262 {GitHead(suite)}: {results.Count} runs of {results.Select(r => r.Name).Distinct().Count()} tests in {watch.Elapsed.TotalSeconds:F0} s (bare V8 {v8Time.Elapsed.TotalSeconds:F0} s, plug-in {pluginTime.Elapsed.TotalSeconds:F0} s); {skipped} tests skipped (modules, host hooks)");
Console.WriteLine();
Console.WriteLine($"{"directory",-40} {"runs",7} {"bare V8",9} {"plug-in",9} {"plug-in only fails",19}");
foreach (var group in results.GroupBy(r => Area(r.Name)).OrderBy(g => g.Key, StringComparer.Ordinal))
{
    Console.WriteLine($"{group.Key,-40} {group.Count(),7} {group.Count(r => r.V8 is null),9} {group.Count(r => r.Plugin is null),9} {group.Count(r => r.V8 is null && r.Plugin is not null),19}");
}
Console.WriteLine($"{"all",-40} {results.Count,7} {results.Count(r => r.V8 is null),9} {results.Count(r => r.Plugin is null),9} {results.Count(r => r.V8 is null && r.Plugin is not null),19}");

Console.WriteLine();
Console.WriteLine("Slowest through the plug-in: " + string.Join(", ", results.OrderByDescending(r => r.PluginTime).Take(5).Select(r => $"{r.Name} {r.PluginTime.TotalMilliseconds:F0} ms")));
Console.WriteLine();
Console.WriteLine("Passing on bare V8, failing through the plug-in, by reason (three examples each):");
foreach (var reason in results.Where(r => r.V8 is null && r.Plugin is not null).GroupBy(r => Reason(r.Plugin!)).OrderByDescending(g => g.Count()))
{
    Console.WriteLine($"{reason.Count(),6}  {reason.Key}");
    foreach (var example in reason.Take(3))
    {
        Console.WriteLine($"          {example.Name} ({(example.Strict ? "strict" : "sloppy")})");
    }
}
return 0;

// The directory two levels down (built-ins/Array, language/expressions): the table's rows.
static string Area(string name) => string.Join('/', name.Split('/').Take(2));

// A failure's first line, without what makes every instance distinct (where it was thrown, the property, the values).
static string Reason(string failure)
{
    var line = failure.Length == 0 ? "(an empty message)" : failure.Split('\n')[0];
    line = Regex.Replace(line, @"\s*\(line \d+, column \d+\)", "");
    line = Regex.Replace(line, @"^\S+ descriptor should", "<property> descriptor should");
    line = Regex.Replace(line, @"obj\[[^\]]*\]", "obj[…]");
    line = Regex.Replace(line, @"«[^»]*»", "«…»");
    return line.Length > 140 ? line[..140] : line;
}

// The checkout's commit, so that figures can be compared with a later run of the same suite.
static string GitHead(string suite)
{
    var git = Path.Combine(suite, ".git");
    var head = Path.Combine(git, "HEAD");
    if (!File.Exists(head))
    {
        return "(not a git checkout)";
    }
    var text = File.ReadAllText(head).Trim();
    var reference = text.StartsWith("ref: ", StringComparison.Ordinal) ? Path.Combine(git, text[5..]) : null;
    return reference is not null && File.Exists(reference) ? File.ReadAllText(reference).Trim() : text;
}

/// <summary>One run's outcome on each side: null when it passed, else why not.</summary>
internal sealed record Result(string Name, bool Strict, string? V8, string? Plugin, TimeSpan PluginTime);

/// <summary>The frontmatter of a test262 file (INTERPRETING.md): what it includes, how it runs, what it expects.</summary>
internal sealed class Metadata
{
    public List<string> Includes { get; set; } = [];

    public List<string> Flags { get; set; } = [];

    public List<string> Features { get; set; } = [];

    public NegativeExpectation? Negative { get; set; }
}

/// <summary>A test that must fail: at parse time or at run time, with an error of this type.</summary>
internal sealed class NegativeExpectation
{
    public string Phase { get; set; } = "";

    public string Type { get; set; } = "";
}

internal sealed record Test262File(string Name, string Source, Metadata Meta)
{
    private static readonly IDeserializer _yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    // Host hooks that test262 leaves to the host and that neither side here provides.
    private static readonly string[] _missingHooks = ["$262.agent", "$262.createRealm", "$262.gc", "$262.IsHTMLDDA", "$262.AbstractModuleSource"];

    public static Test262File Read(string path, string name)
    {
        var source = File.ReadAllText(path);
        var start = source.IndexOf("/*---", StringComparison.Ordinal);
        var end = source.IndexOf("---*/", StringComparison.Ordinal);
        var meta = start >= 0 && end > start ? _yaml.Deserialize<Metadata?>(source[(start + 5)..end]) ?? new Metadata() : new Metadata();
        return new Test262File(name, source, meta);
    }

    public bool IsAsync => Meta.Flags.Contains("async");

    public bool IsRaw => Meta.Flags.Contains("raw");

    public bool IsSkipped =>
        Meta.Flags.Contains("module") || Meta.Negative?.Phase == "resolution" || _missingHooks.Any(hook => Source.Contains(hook, StringComparison.Ordinal));

    /// <summary>False for a sloppy run, true for a strict one: both, unless the flags say one.</summary>
    public bool[] Modes =>
        IsRaw || Meta.Flags.Contains("noStrict") ? [false]
        : Meta.Flags.Contains("onlyStrict") ? [true]
        : [false, true];

    /// <summary>Whether a failure's message is the error the test expects (by its constructor's name).</summary>
    public bool IsExpected(string message) =>
        Meta.Negative is { Phase: "runtime" } negative && message.Contains(negative.Type, StringComparison.Ordinal);
}

/// <summary>The harness files, read once.</summary>
internal sealed class Harness(string directory)
{
    private readonly Dictionary<string, string> _files = [];

    /// <summary>
    /// What runs before a test: the hooks both sides provide, assert.js and sta.js, the async handler for an async
    /// test, and the test's own includes; none of it for a raw test.
    /// </summary>
    public string Prelude(Test262File test, string print, bool functionBody = false)
    {
        if (test.IsRaw)
        {
            return "";
        }
        var text = new StringBuilder(print).Append('\n')
            .Append("var $262 = { global: globalThis, detachArrayBuffer(buffer) { buffer.transfer(); }, evalScript(code) { return (0, eval)(code); } };\n");
        foreach (var include in (string[])["assert.js", "sta.js", .. test.IsAsync ? ["doneprintHandle.js"] : Array.Empty<string>(), .. test.Meta.Includes])
        {
            text.Append(Read(include)).Append('\n');
        }
        // asyncHelpers.js looks for $DONE on the global object, where a global script's declaration puts it.
        if (functionBody && test.IsAsync)
        {
            text.Append("globalThis.$DONE = $DONE;\n");
        }
        return text.ToString();
    }

    private string Read(string name)
    {
        if (!_files.TryGetValue(name, out var text))
        {
            text = File.ReadAllText(Path.Combine(directory, name));
            _files[name] = text;
        }
        return text;
    }
}

/// <summary>The test as a global script in a fresh context of one V8 isolate: V8 itself, nothing added or frozen.</summary>
internal static class BareV8
{
    private const string Print = "var __printed = []; function print(message) { __printed.push(String(message)); }";

    private static readonly V8Runtime _runtime = new();

    public static string? Run(Test262File test, bool strict, Harness harness, TimeSpan timeout)
    {
        var source = (strict ? "'use strict';\n" : "") + harness.Prelude(test, Print) + test.Source;
        using var engine = _runtime.CreateScriptEngine(V8ScriptEngineFlags.None);
        using var interrupt = new Timer(_ => engine.Interrupt(), null, timeout, Timeout.InfiniteTimeSpan);
        V8Script compiled;
        try
        {
            compiled = engine.Compile(source);
        }
        catch (Exception e) when (e is IScriptEngineException)
        {
            return test.Meta.Negative?.Phase is "parse" or "early" ? null : e.Message;
        }
        using (compiled)
        {
            if (test.Meta.Negative?.Phase is "parse" or "early")
            {
                return "parsed, but the test expects a " + test.Meta.Negative.Type;
            }
            try
            {
                engine.Evaluate(compiled);
            }
            catch (Exception e) when (e is IScriptEngineException)
            {
                // Also an interrupt (ScriptInterruptedException): the run took longer than the timeout.
                return test.IsExpected(e.Message) ? null : e.Message;
            }
        }
        if (test.Meta.Negative is { } negative)
        {
            return "ran to its end, but the test expects a " + negative.Type;
        }
        if (test.IsAsync)
        {
            var printed = (string)engine.Evaluate("__printed.join('\\n')");
            return printed.Contains("Test262:AsyncTestComplete", StringComparison.Ordinal) ? null : "async: " + printed;
        }
        return null;
    }
}

/// <summary>The test as an entity's script, through the Script plug-in: prepared as a schema load would, then run once.</summary>
internal static class ThroughPlugin
{
    // A test's print is the script's response, which is how the plug-in hands anything back.
    private const string Print = "function print(message) { attributes.put('response', String(message)); }";

    private static readonly ScriptPlugin _plugin = new();

    public static string? Run(Test262File test, bool strict, Harness harness, TimeSpan timeout)
    {
        var source = (strict ? "'use strict';\n" : "") + harness.Prelude(test, Print, functionBody: true) + test.Source;
        var prepared = _plugin.Prepare(new ProcessorSetup
        {
            Entity = new EntityAddress("test262", "tests", "run"),
            ProcessorConfig = new JsonObject { ["script"] = source, ["timeoutMs"] = (int)timeout.TotalMilliseconds },
            EntityMapping = new JsonObject { ["execute"] = true, ["processor"] = "Script" },
            DataStoreName = "database",
            InstanceDirectory = Path.GetTempPath(),
            DataStores = new NoDataStores(),
            Logger = NullLogger.Instance,
        });
        if (prepared.Processor is not { } processor)
        {
            return test.Meta.Negative?.Phase is "parse" or "early" ? null : string.Join("; ", prepared.Errors);
        }
        if (test.Meta.Negative?.Phase is "parse" or "early")
        {
            return "parsed, but the test expects a " + test.Meta.Negative.Type;
        }
        var context = new ProcessorContext(new JsonObject { ["processor"] = "Script" })
        {
            Data = new JsonObject(),
            DataStores = new NoDataStores(),
            Logger = NullLogger.Instance,
            TraceId = "test262",
        };
        processor.ExecuteAsync(context, CancellationToken.None).GetAwaiter().GetResult();
        if (context.ErrorMessage is { } error)
        {
            return test.IsExpected(error) ? null : error;
        }
        if (test.Meta.Negative is { } negative)
        {
            return "ran to its end, but the test expects a " + negative.Type;
        }
        if (test.IsAsync)
        {
            var printed = context.Response?.GetValue<string>() ?? "";
            return printed.Contains("Test262:AsyncTestComplete", StringComparison.Ordinal) ? null : "async: " + printed;
        }
        return null;
    }
}

internal sealed class NoDataStores : IDataStores
{
    public IReadOnlyCollection<string> Names => [];

    public bool TryGet(string name, [NotNullWhen(true)] out IDataStore? store)
    {
        store = null;
        return false;
    }
}
