using JintProgram = Jint.Parser.Ast.Program;

namespace DataHub.Plugins.Script.Jint;

/// <summary>
/// An entity's parsed, prepared program and a small lock-free pool of engines ready to run it. A request takes an
/// idle engine (or makes one, about 100 µs), runs, and gives it back clean; nothing waits on anything.
/// </summary>
internal sealed class JintCompiledScript : ICompiledScript
{
    private readonly JintProgram _program;
    private readonly ScriptSource _source;
    private readonly ScriptLimits _limits;
    private readonly ScriptRealm?[] _idle;

    public JintCompiledScript(JintProgram program, ScriptSource source, ScriptLimits limits)
    {
        _program = program;
        _source = source;
        _limits = limits;
        // More engines than threads that can run at once would only hold memory.
        _idle = new ScriptRealm?[Math.Max(4, Environment.ProcessorCount * 2)];
        // Made now, so a broken engine set-up fails the load and the first request finds one ready.
        _idle[0] = CreateRealm();
    }

    public ScriptOutcome Run(ProcessorContext context, CancellationToken cancellationToken)
    {
        var realm = Rent() ?? CreateRealm();
        var outcome = realm.Run(context, cancellationToken);
        if (realm.IsReusable)
        {
            Return(realm);
        }
        return outcome;
    }

    private ScriptRealm CreateRealm() => new(_program, _source, _limits);

    private ScriptRealm? Rent()
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            if (Volatile.Read(ref _idle[i]) is not null && Interlocked.Exchange(ref _idle[i], null) is { } realm)
            {
                return realm;
            }
        }
        return null;
    }

    private void Return(ScriptRealm realm)
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _idle[i], realm, null) is null)
            {
                return;
            }
        }
    }
}
