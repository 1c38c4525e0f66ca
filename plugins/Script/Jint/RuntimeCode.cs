using Jint;
using Jint.Native;
using Jint.Native.Function;
using Jint.Native.Object;
using Jint.Parser;
using Jint.Parser.Ast;
using Jint.Runtime;
using Jint.Runtime.Environments;
using Jint.Runtime.Interop;
using JintProgram = Jint.Parser.Ast.Program;

namespace DataHub.Plugins.Script.Jint;

/// <summary>
/// eval and the Function constructor, parsed and prepared like the script itself (see
/// <see cref="SyntaxTreePreparer"/>): on a large stack, nesting checked, and every function body probing the stack,
/// so that code built at run time cannot recurse past the stack guard either. They stand in for Jint's own. One
/// instance serves one engine, and remembers the code it prepared: a script that builds the same code on every
/// request has it parsed once, not on a new large-stack thread per call (prepared programs are safe to share).
/// </summary>
internal sealed class RuntimeCode(Engine engine)
{
    private const string EvalSource = "eval code";

    // Past this many, start over: a script building ever-new code must not grow the cache without end.
    private const int MaxPreparedPrograms = 64;

    private readonly Dictionary<(string Code, bool Strict), (JintProgram? Program, string? Error)> _prepared = [];

    /// <summary>
    /// eval(code) with the semantics of a direct eval: the code sees the caller's variables. (Called indirectly it
    /// behaves the same, where ECMAScript would use the global scope.)
    /// </summary>
    public ClrFunctionInstance Eval() => new(engine, (_, arguments) =>
    {
        var code = arguments.At(0);
        if (!code.IsString())
        {
            return code;
        }
        var program = Parse(code.AsString(), StrictModeScope.IsStrictModeCode);
        using (new StrictModeScope(program.Strict, false))
        using (new EvalCodeScope(true, false))
        {
            // Strict eval code keeps its declarations to itself.
            var strict = StrictModeScope.IsStrictModeCode;
            if (strict)
            {
                var caller = engine.ExecutionContext;
                var own = LexicalEnvironment.NewDeclarativeEnvironment(engine, caller.LexicalEnvironment);
                engine.EnterExecutionContext(own, own, caller.ThisBinding);
            }
            try
            {
                engine.DeclarationBindingInstantiation(DeclarationBindingType.EvalCode, program.FunctionDeclarations, program.VariableDeclarations, null, arguments);
                var completion = engine.ExecuteStatement(program);
                return completion.Type == Completion.Throw
                    ? throw new JavaScriptException(completion.GetValueOrDefault()) { Location = completion.Location }
                    : completion.GetValueOrDefault();
            }
            finally
            {
                if (strict)
                {
                    engine.LeaveExecutionContext();
                }
            }
        }
    }, 1);

    private JintProgram Parse(string code, bool strict)
    {
        if (!_prepared.TryGetValue((code, strict), out var prepared))
        {
            if (_prepared.Count >= MaxPreparedPrograms)
            {
                _prepared.Clear();
            }
            prepared = LargeStack.Run(() => Prepare(code, strict));
            _prepared.Add((code, strict), prepared);
        }
        return prepared.Program ?? throw new JavaScriptException(engine.SyntaxError, prepared.Error!);
    }

    // Parses and prepares run-time code; an error is a message for a SyntaxError.
    private static (JintProgram? Program, string? Error) Prepare(string code, bool strict)
    {
        JintProgram program;
        try
        {
            program = new JavaScriptParser(strict).Parse(code, new ParserOptions { Source = EvalSource });
        }
        catch (ParserException e)
        {
            return (null, $"{e.Description} (line {e.LineNumber}, column {e.Column})");
        }
        var prepared = SyntaxTreePreparer.Prepare(program);
        return prepared.MaxDepth > JintScriptEngine.MaxSyntaxDepth
            ? (null, $"The code nests more than {JintScriptEngine.MaxSyntaxDepth} levels deep (line {prepared.MaxDepthLine})")
            : (program, null);
    }

    /// <summary>
    /// The Function constructor: Function(p1, …, body) and new Function(…) make a function in the global scope.
    /// It keeps Function.prototype, so instanceof and constructor checks read as before.
    /// </summary>
    public sealed class FunctionConstructor : FunctionInstance, IConstructor
    {
        private readonly RuntimeCode _code;

        public FunctionConstructor(Engine engine, RuntimeCode code)
            : base(engine, [], null, false)
        {
            _code = code;
            Prototype = engine.Function.PrototypeObject;
            Extensible = true;
            FastAddProperty("prototype", engine.Function.PrototypeObject, false, false, false);
            FastAddProperty("length", 1, false, false, false);
        }

        public override JsValue Call(JsValue thisObject, JsValue[] arguments) => Construct(arguments);

        public ObjectInstance Construct(JsValue[] arguments)
        {
            var parameters = string.Join(",", arguments.Take(Math.Max(0, arguments.Length - 1)).Select(TypeConverter.ToString));
            var body = arguments.Length > 0 ? TypeConverter.ToString(arguments[^1]) : "";
            // Line breaks keep a // comment at the end of either part from swallowing what follows.
            var program = _code.Parse($"(function anonymous({parameters}\n) {{\n{body}\n}})", strict: false);
            if (program.Body.SingleOrDefault() is not ExpressionStatement { Expression: FunctionExpression function })
            {
                throw new JavaScriptException(Engine.SyntaxError, "The parameters or body do not make one function.");
            }
            return new ScriptFunctionInstance(Engine, function, Engine.GlobalEnvironment, function.Strict);
        }
    }
}
