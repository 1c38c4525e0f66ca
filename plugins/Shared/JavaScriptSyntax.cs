using Acornima;

namespace DataHub.Plugins;

/// <summary>
/// The load-time syntax check of both JavaScript plug-ins (Script and Actions compile this file in), with no engine
/// behind it: Acornima, a JavaScript parser written in .NET. Loading a schema then makes no V8 isolate: an idle host
/// holds none, and hundreds of entities load in milliseconds. It only ever accepts: what it rejects goes on to V8,
/// whose verdict and message stand, so no code is refused for syntax V8 has and the parser does not yet.
/// </summary>
internal static class JavaScriptSyntax
{
    private static readonly ParserOptions _options = new() { EcmaVersion = EcmaVersion.Latest };

    /// <summary>Whether <paramref name="code"/> parses as a script (sloppy mode unless it says otherwise, as V8 compiles it).</summary>
    public static bool Parses(string code) => Parse(code) is not null;

    /// <summary>The parsed <paramref name="code"/>, or null when it does not parse (see <see cref="Parses"/>).</summary>
    public static Acornima.Ast.Script? Parse(string code)
    {
        try
        {
            return new Parser(_options).ParseScript(code);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A syntax error, code nested past the parser's stack, or a fault of the parser's own: the check is only a
            // shortcut, so V8 decides (and says how deep is too deep).
            return null;
        }
    }
}
