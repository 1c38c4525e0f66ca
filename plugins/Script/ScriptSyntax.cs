using Acornima;

namespace DataHub.Plugins.Script;

/// <summary>
/// A syntax check with no engine behind it (Acornima, a JavaScript parser written in .NET), so that loading a schema
/// makes no isolate: an idle host holds none, and hundreds of Script entities load in milliseconds. It only ever
/// accepts: what it rejects goes on to the engine, whose verdict and message stand, so no script is refused for
/// syntax the engine has and the parser does not yet.
/// </summary>
internal static class ScriptSyntax
{
    private static readonly ParserOptions _options = new() { EcmaVersion = EcmaVersion.Latest };

    /// <summary>Whether <paramref name="code"/> parses as a script (sloppy mode, as an engine compiles it).</summary>
    public static bool Accepts(string code)
    {
        try
        {
            new Parser(_options).ParseScript(code);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A syntax error, code nested past the parser's stack, or a fault of the parser's own: the check is only a
            // shortcut, so the engine decides (and says how deep is too deep).
            return false;
        }
    }
}
