using DataHub.Plugins;
using DataHub.Testing;
using Microsoft.Extensions.Logging;

namespace DataHub.Script.Tests;

public sealed class ConsoleAndSafetyTests
{
    private static async Task<IReadOnlyList<LogEntry>> LogOfAsync(string script)
    {
        var log = new CapturedLog();
        var context = ScriptHarness.Context(logger: log.Logger());
        await ScriptHarness.Processor(script).ExecuteAsync(context, CancellationToken.None);
        Assert.That(context.Status, Is.Null, context.ErrorMessage);
        return log.Entries;
    }

    [Test]
    public async Task Console_methods_write_to_the_requests_logger_at_their_levels()
    {
        var entries = await LogOfAsync("console.log('a'); console.info('b'); console.warn('c'); console.error('d'); console.debug('e');");

        Assert.That(entries.Select(e => (e.Level, e.Message)), Is.EqualTo(new[]
        {
            (LogLevel.Information, "Script product/services/test console.log: a"),
            (LogLevel.Information, "Script product/services/test console.info: b"),
            (LogLevel.Warning, "Script product/services/test console.warn: c"),
            (LogLevel.Error, "Script product/services/test console.error: d"),
            (LogLevel.Debug, "Script product/services/test console.debug: e"),
        }));
    }

    [Test]
    public async Task Console_arguments_are_joined_and_objects_written_as_JSON()
    {
        var entries = await LogOfAsync("""
            var cyclic = {name: 'loop'}; cyclic.self = cyclic;
            console.log('text', 42, true, null, undefined, {a: [1, 'x']}, [1, 2], function f() {}, new TypeError('bad'), cyclic);
            """);

        Assert.That(entries.Single().Message, Is.EqualTo(
            """Script product/services/test console.log: text 42 true null undefined {"a":[1,"x"]} [1,2] [Function] TypeError: bad [object Object]"""));
    }

    [Test]
    public async Task A_long_console_line_is_cut_short()
    {
        var entries = await LogOfAsync("var s = 'x'; while (s.length < 20000) s += s; console.log(s);");

        Assert.That(entries.Single().Message, Has.Length.LessThan(8300).And.EndWith("…"));
    }

    [Test]
    public async Task Formatting_a_log_line_runs_no_script_code()
    {
        var entries = await LogOfAsync("""
            var o = {toJSON: function () { attributes.put('status', 99); return 'ran'; }};
            Object.defineProperty(o, 'sneaky', {get: function () { attributes.put('status', 98); return 1; }, enumerable: true});
            console.log(o);
            """);

        Assert.That(entries.Single().Message, Does.EndWith("console.log: {}"));
    }

    [Test]
    public async Task The_global_object_holds_only_ECMAScript_and_the_two_host_objects()
    {
        var context = await ScriptHarness.Processor("attributes.put('response', Reflect.ownKeys(globalThis).map(String).sort());").RunAsync();

        // ECMAScript's globals (with Intl and Annex B's escape and unescape), attributes and console, and
        // ClearScript's frozen EngineInternal, which reaches nothing in .NET.
        Assert.That(context.Response!.AsArray().Select(n => n!.GetValue<string>()), Is.EquivalentTo(new[]
        {
            "AggregateError", "Array", "ArrayBuffer", "AsyncDisposableStack", "Atomics", "BigInt", "BigInt64Array", "BigUint64Array",
            "Boolean", "DataView", "Date", "DisposableStack", "EngineInternal", "Error", "EvalError", "Float16Array", "Float32Array",
            "Float64Array", "Function", "Infinity", "Int16Array", "Int32Array", "Int8Array", "Intl", "Iterator", "JSON", "Map", "Math",
            "NaN", "Number", "Object", "Promise", "Proxy", "RangeError", "ReferenceError", "Reflect", "RegExp", "Set",
            "SharedArrayBuffer", "String", "SuppressedError", "Symbol", "SyntaxError", "TypeError", "URIError", "Uint16Array",
            "Uint32Array", "Uint8Array", "Uint8ClampedArray", "WeakMap", "WeakRef", "WeakSet", "attributes", "console", "decodeURI",
            "decodeURIComponent", "encodeURI", "encodeURIComponent", "escape", "eval", "globalThis", "isFinite", "isNaN",
            "parseFloat", "parseInt", "undefined", "unescape",
        }));
    }

    [TestCase("importNamespace")]
    [TestCase("System")]
    [TestCase("clr")]
    [TestCase("require")]
    [TestCase("load")]
    [TestCase("Java")]
    [TestCase("XMLHttpRequest")]
    [TestCase("fetch")]
    [TestCase("setTimeout")]
    [TestCase("process")]
    [TestCase("WebAssembly")]
    [TestCase("FinalizationRegistry")]
    [TestCase("queueMicrotask")]
    [TestCase("Deno")]
    [TestCase("Bun")]
    public async Task Nothing_reaches_dotnet_the_file_system_or_the_network(string name)
    {
        var context = await ScriptHarness.Processor($"attributes.put('response', typeof {name});").RunAsync();

        Assert.That(context.ResponseJson(), Is.EqualTo("\"undefined\""));
    }

    [Test]
    public async Task Host_functions_expose_no_dotnet_object()
    {
        var context = await ScriptHarness.Processor("""
            var found = [];
            [attributes, attributes.get, console, console.log].forEach(function (o) {
              for (var k in o) found.push(k);
              found.push(Object.prototype.toString.call(o), Object.getPrototypeOf(o) === Object.prototype || Object.getPrototypeOf(o) === Function.prototype);
            });
            attributes.put('response', found);
            """).RunAsync();

        Assert.That(context.ResponseJson(), Is.EqualTo("""["[object Object]",true,"[object Function]",true,"[object Object]",true,"[object Function]",true]"""));
    }

    [Test]
    public async Task Code_built_at_run_time_still_runs_within_the_limits()
    {
        var processor = ScriptHarness.Processor("eval('while (true) {}');", new { timeoutMs = 200 });

        var context = await processor.RunAsync();

        Assert.That(context.Status, Is.EqualTo(MessageStatus.ReprocessTimeout));
        Assert.That(context.ErrorMessage, Is.EqualTo("The script ran past its timeoutMs of 200 ms"));
    }

    [Test]
    public async Task A_script_that_outlasts_a_brief_run_answers_once_and_logs_each_line_once()
    {
        // Past V8Pool.BriefMs on the request's thread the run is stopped and runs again on a dedicated worker: the
        // first attempt's console line must not be written too.
        var entries = await LogOfAsync("""
            console.log('start');
            const until = Date.now() + 60; let spins = 0;
            while (Date.now() < until) { spins++; }
            attributes.put('response', {spun: spins > 0});
            """);

        Assert.That(entries.Select(e => e.Message), Is.EqualTo(new[] { "Script product/services/test console.log: start" }));
    }
}
