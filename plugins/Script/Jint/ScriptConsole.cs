using System.Text;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Interop;
using Microsoft.Extensions.Logging;

namespace DataHub.Plugins.Script.Jint;

/// <summary>
/// The script's global <c>console</c>: log, info, warn, error and debug write one line each to the request's
/// logger, which carries its trace id. Objects are written as JSON (data properties only: formatting a log line
/// never runs script code), and a line is cut at <see cref="MaxLineLength"/> characters.
/// </summary>
internal sealed partial class ScriptConsole
{
    public const int MaxLineLength = 8192;

    private readonly JsToJson _toJson;
    private readonly string _entity;
    private ILogger? _logger;

    public ScriptConsole(Engine engine, StackGuard stack, string entity)
    {
        _toJson = new JsToJson(stack, MaxLineLength, runScript: false);
        _entity = entity;
        Object = engine.Object.Construct(Arguments.Empty);
        Add(engine, "log", LogLevel.Information);
        Add(engine, "info", LogLevel.Information);
        Add(engine, "warn", LogLevel.Warning);
        Add(engine, "error", LogLevel.Error);
        Add(engine, "debug", LogLevel.Debug);
    }

    /// <summary>The object the script sees as <c>console</c>.</summary>
    public ObjectInstance Object { get; }

    public void Begin(ILogger logger) => _logger = logger;

    public void End() => _logger = null;

    private void Add(Engine engine, string method, LogLevel level) =>
        Object.FastAddProperty(method, new ClrFunctionInstance(engine, (_, arguments) => Write(method, level, arguments), 0), true, false, true);

    private JsValue Write(string method, LogLevel level, JsValue[] arguments)
    {
        if (_logger is { } logger && logger.IsEnabled(level))
        {
            LogLine(logger, level, _entity, method, Format(arguments));
        }
        return JsValue.Undefined;
    }

    private string Format(JsValue[] arguments)
    {
        var line = new StringBuilder();
        foreach (var argument in arguments)
        {
            if (line.Length > 0)
            {
                line.Append(' ');
            }
            line.Append(Format(argument));
            if (line.Length > MaxLineLength)
            {
                line.Length = MaxLineLength;
                line.Append('…');
                break;
            }
        }
        return line.ToString();
    }

    private string Format(JsValue value)
    {
        if (!value.IsObject())
        {
            return TypeConverter.ToString(value);
        }
        var target = value.AsObject();
        if (target is ICallable)
        {
            return "[Function]";
        }
        if (target.Class == "Error")
        {
            return ErrorText.Describe(value);
        }
        try
        {
            return _toJson.TryConvert(value, out var json) ? json?.ToJsonString() ?? "null" : "undefined";
        }
        catch (ResponseConversionException)
        {
            return "[object " + target.Class + "]";
        }
    }

    [LoggerMessage(Message = "Script {Entity} console.{Method}: {Line}")]
    private static partial void LogLine(ILogger logger, LogLevel level, string entity, string method, string line);
}

/// <summary>How a thrown JavaScript value reads in an errorMessage or a log line.</summary>
internal static class ErrorText
{
    public const int MaxLength = 1000;

    /// <summary>"TypeError: x is not a function" for an error; the value itself for anything else thrown.</summary>
    public static string Describe(JsValue thrown)
    {
        string text;
        if (thrown.IsObject())
        {
            var error = thrown.AsObject();
            var name = DataString(error, "name");
            var message = DataString(error, "message");
            text = (name, message) switch
            {
                (null, null) => "Uncaught " + error.Class,
                (null, _) => message!,
                (_, null or "") => name,
                _ => $"{name}: {message}",
            };
        }
        else
        {
            text = TypeConverter.ToString(thrown);
        }
        return text.Length > MaxLength ? text[..MaxLength] + "…" : text;
    }

    /// <summary>True for a built-in error type with no message, as Jint raises many of its own.</summary>
    public static bool IsBareBuiltInError(JsValue thrown, string description) =>
        thrown.IsObject() && thrown.AsObject().Class == "Error"
        && description is "Error" or "TypeError" or "ReferenceError" or "RangeError" or "SyntaxError" or "URIError" or "EvalError";

    // Read without running getters: describing an error must not run more script.
    private static string? DataString(ObjectInstance target, string name) =>
        target.GetProperty(name) is { } descriptor && descriptor.IsDataDescriptor() && descriptor.Value is { } value && value.IsString()
            ? value.AsString()
            : null;
}
