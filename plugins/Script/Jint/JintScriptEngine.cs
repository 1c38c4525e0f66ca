using Jint.Parser;
using JintProgram = Jint.Parser.Ast.Program;

namespace DataHub.Plugins.Script.Jint;

/// <summary>The Jint 2.10.4 implementation of <see cref="IScriptEngine"/>: pure managed, in-process, ECMAScript 5.1.</summary>
internal sealed class JintScriptEngine : IScriptEngine
{
    /// <summary>
    /// How deeply syntax may nest inside one function: evaluating each level takes stack (about 700 bytes), and
    /// nesting is not a call, so the stack guard does not see it until the next lookup.
    /// </summary>
    public const int MaxSyntaxDepth = 150;

    public ScriptCompilation Compile(ScriptSource source, ScriptLimits limits)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(limits);
        return LargeStack.Run(() => CompileOnThisThread(source, limits));
    }

    private static ScriptCompilation CompileOnThisThread(ScriptSource source, ScriptLimits limits)
    {
        JintProgram program;
        try
        {
            program = new JavaScriptParser().Parse(source.Text, new ParserOptions { Source = source.Name });
        }
        catch (ParserException e)
        {
            return ScriptCompilation.Failure(
                $"Syntax error in {source.Name} at line {e.LineNumber}, column {e.Column}: {e.Description}");
        }
        var prepared = SyntaxTreePreparer.Prepare(program);
        if (prepared.MaxDepth > MaxSyntaxDepth)
        {
            return ScriptCompilation.Failure(
                $"{source.Name} nests expressions and statements more than {MaxSyntaxDepth} levels deep (at line {prepared.MaxDepthLine}); split it into functions.");
        }
        return ScriptCompilation.Success(new JintCompiledScript(program, source, limits));
    }
}
