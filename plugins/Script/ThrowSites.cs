using Acornima.Ast;

namespace DataHub.Plugins.Script;

/// <summary>
/// Where a script's throw statements are, to place a thrown value that is not an error. An error knows where it was
/// made (its stack); a thrown string or number does not, and the prelude catches every throw before an engine could
/// say where it happened (docs/script.md, Errors). A value that exactly one statement throws as a literal is placed
/// there; a script whose only throw statement could have thrown it places it there; otherwise it has no position.
/// Only for a script that can start no asynchronous work and evaluate no code (<see cref="ScriptPrelude.NeedsTwoSteps"/>):
/// what such a script throws without a stack comes from one of its own throw statements, not from a rejected promise.
/// </summary>
internal sealed class ThrowSites
{
    private readonly IReadOnlyList<(ScriptPosition At, string? Literal)> _sites;

    private ThrowSites(IReadOnlyList<(ScriptPosition At, string? Literal)> sites) => _sites = sites;

    /// <summary>For a script whose statements are not known (the parser did not accept it: the engine did).</summary>
    public static ThrowSites None { get; } = new([]);

    /// <summary>The throw statements of <paramref name="wrapped"/>, the parsed <paramref name="script"/> as <see cref="ScriptPrelude.Wrap"/> made it.</summary>
    public static ThrowSites Of(Acornima.Ast.Script wrapped, string script, bool isAsync) =>
        ScriptPrelude.NeedsTwoSteps(script, isAsync)
            ? None
            : new([.. wrapped.DescendantNodes().OfType<ThrowStatement>().Select(statement => (
                ScriptPrelude.Unwrapped(statement.Location.Start.Line, statement.Location.Start.Column + 1, isAsync),
                LiteralText(statement.Argument)))]);

    /// <summary>Where the statement that threw a value described as <paramref name="thrown"/> is, when that is clear.</summary>
    public ScriptPosition? Find(string thrown)
    {
        var matching = _sites.Where(site => site.Literal == thrown).Take(2).ToList();
        if (matching.Count == 1)
        {
            return matching[0].At;
        }
        return _sites is [var only] && only.Literal is null ? only.At : null;
    }

    private static string? LiteralText(Expression argument) => argument switch
    {
        StringLiteral text => text.Value,
        NumericLiteral number => number.Raw,
        _ => null,
    };
}
