using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using Jint.Native;
using Jint.Parser;
using Jint.Parser.Ast;

namespace DataHub.Plugins.Script.Jint;

/// <summary>
/// Makes a parsed program safe to share between engines and threads, once, before any request runs it. Jint 2
/// caches evaluated literals and literal call arguments on the syntax tree as it runs; here they are filled in
/// ahead of time, so running never writes to the tree. A regular expression literal would be cached as one
/// RegExp object, tied to the first engine and shared by every later run (ES3 semantics), so it becomes
/// <c>new RegExp(pattern, flags)</c> through a name no script can shadow. Every function body starts with a
/// lookup of another such name, which gives the stack guard a check on each call (getters and callbacks too).
/// It also measures how deeply the program nests, which the stack a request thread has must allow.
/// </summary>
internal sealed class SyntaxTreePreparer
{
    /// <summary>The global holding the engine's own RegExp constructor for regular expression literals.</summary>
    public const string RegExpName = "%RegExp%";

    /// <summary>The global every function body looks up first; its lookup checks the stack.</summary>
    public const string StackProbeName = "%StackProbe%";

    private static readonly ConcurrentDictionary<Type, NodeField[]> _fieldsByType = new();

    private int _depth;

    /// <summary>The deepest nesting of syntax within one function body (or the top level).</summary>
    public int MaxDepth { get; private set; }

    /// <summary>A line where the deepest nesting occurs.</summary>
    public int MaxDepthLine { get; private set; }

    public static SyntaxTreePreparer Prepare(Program program)
    {
        var preparer = new SyntaxTreePreparer();
        preparer.VisitChildren(program);
        return preparer;
    }

    private SyntaxNode Visit(SyntaxNode node)
    {
        _depth++;
        if (_depth > MaxDepth)
        {
            MaxDepth = _depth;
            MaxDepthLine = node.Location?.Start.Line ?? 0;
        }
        if (node.Type == SyntaxNodes.RegularExpressionLiteral && node is Literal regex)
        {
            node = NewRegExp(regex);
        }
        if (node is IFunctionDeclaration)
        {
            // A function body runs in its own call, on top of whatever stack the call itself takes.
            var outer = _depth;
            _depth = 0;
            VisitChildren(node);
            ProbeStackOnEntry(node);
            _depth = outer;
        }
        else
        {
            VisitChildren(node);
        }
        switch (node)
        {
            case Literal literal:
                literal.CachedValue = LiteralValue(literal);
                literal.Cached = true;
                break;
            case CallExpression call when call.Arguments.All(argument => argument is Literal):
                call.CachedArguments = [.. call.Arguments.Select(argument => ((Literal)argument).CachedValue)];
                call.Cached = true;
                break;
            case CallExpression call:
                call.CanBeCached = false;
                break;
        }
        _depth--;
        return node;
    }

    private void VisitChildren(SyntaxNode node)
    {
        foreach (var field in FieldsOf(node.GetType()))
        {
            var value = field.Field.GetValue(node);
            switch (value)
            {
                case null:
                    break;
                case SyntaxNode child:
                    var replacement = Visit(child);
                    if (!ReferenceEquals(replacement, child))
                    {
                        field.Field.SetValue(node, replacement);
                    }
                    break;
                case IEnumerable children:
                    var list = children as IList ?? Materialise(node, field, children);
                    for (var i = 0; i < list.Count; i++)
                    {
                        if (list[i] is SyntaxNode item)
                        {
                            var replaced = Visit(item);
                            if (!ReferenceEquals(replaced, item))
                            {
                                list[i] = replaced;
                            }
                        }
                    }
                    break;
            }
        }
    }

    // Some node lists are lazy enumerables; a list can be walked once and changed in place.
    private static IList Materialise(SyntaxNode node, NodeField field, IEnumerable children)
    {
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(field.ElementType!))!;
        foreach (var child in children)
        {
            list.Add(child);
        }
        field.Field.SetValue(node, list);
        return list;
    }

    private static void ProbeStackOnEntry(SyntaxNode function)
    {
        var body = ((IFunctionDeclaration)function).Body;
        if (body is not BlockStatement block)
        {
            return;
        }
        var statements = block.Body as List<Statement> ?? [.. block.Body];
        var at = block.Location;
        statements.Insert(0, new ExpressionStatement
        {
            Type = SyntaxNodes.ExpressionStatement,
            Location = at,
            Range = block.Range,
            Expression = new Identifier { Type = SyntaxNodes.Identifier, Name = StackProbeName, Location = at, Range = block.Range },
        });
        block.Body = statements;
    }

    private static NewExpression NewRegExp(Literal regex)
    {
        // Raw is the literal as written: /pattern/flags.
        var raw = regex.Raw;
        var end = raw.LastIndexOf('/');
        return new NewExpression
        {
            Type = SyntaxNodes.NewExpression,
            Location = regex.Location,
            Range = regex.Range,
            Callee = new Identifier { Type = SyntaxNodes.Identifier, Name = RegExpName, Location = regex.Location, Range = regex.Range },
            Arguments = new List<Expression> { StringLiteral(raw[1..end], regex), StringLiteral(raw[(end + 1)..], regex) },
        };
    }

    private static Literal StringLiteral(string value, SyntaxNode at) => new()
    {
        Type = SyntaxNodes.Literal,
        Location = at.Location,
        Range = at.Range,
        Value = value,
        Raw = value,
    };

    private static JsValue LiteralValue(Literal literal) => literal.Value switch
    {
        null => JsValue.Null,
        string text => new JsValue(text),
        bool flag => flag ? JsValue.True : JsValue.False,
        double number => new JsValue(number),
        var other => throw new InvalidOperationException($"Unexpected literal of type {other.GetType().Name}."),
    };

    private static NodeField[] FieldsOf(Type type) => _fieldsByType.GetOrAdd(type, static type =>
    [
        .. AllFields(type)
            // The hoisting lists repeat declarations that also sit in the body, where their depth is known.
            .Where(field => !field.Name.Contains("VariableDeclarations", StringComparison.Ordinal)
                && !field.Name.Contains("FunctionDeclarations", StringComparison.Ordinal))
            .Select(field => new NodeField(field, NodeElementType(field.FieldType)))
            .Where(field => IsNode(field.Field.FieldType) || field.ElementType is not null),
    ]);

    private static IEnumerable<FieldInfo> AllFields(Type type)
    {
        for (var current = type; current is not null && current != typeof(object); current = current.BaseType)
        {
            foreach (var field in current.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                yield return field;
            }
        }
    }

    private static bool IsNode(Type type) => typeof(SyntaxNode).IsAssignableFrom(type) || type == typeof(IPropertyKeyExpression);

    private static Type? NodeElementType(Type type)
    {
        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        var element = enumerable?.GetGenericArguments()[0];
        return element is not null && IsNode(element) ? element : null;
    }

    private sealed record NodeField(FieldInfo Field, Type? ElementType);
}
