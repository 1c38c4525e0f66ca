using System.Net;
using System.Text.Json.Nodes;
using DataHub.Plugins;
using DataHub.Testing;

namespace DataHub.Script.Tests;

/// <summary>The JavaScript written today: ES2015 and later syntax and built-ins, with standard semantics.</summary>
public sealed class ModernJavaScriptTests
{
    [TestCase("const r = []; for (let i = 0; i < 3; i++) r.push(() => i);", "r.map(f => f()).join() === '0,1,2'", TestName = "Let_is_block_scoped_per_iteration")]
    [TestCase("const c = 1; let threw = false; try { c = 2; } catch (e) { threw = e instanceof TypeError; }", "threw && c === 1", TestName = "Assigning_to_a_const_throws")]
    [TestCase("const add = (a, b = 2) => a + b;", "add(1) === 3 && `${add(1, 1)}!` === '2!'", TestName = "Arrow_functions_defaults_and_template_literals")]
    [TestCase("const {a, b: [, second], ...rest} = {a: 1, b: [1, 2], c: 3, d: 4};", "a === 1 && second === 2 && Object.keys(rest).join() === 'c,d'", TestName = "Destructuring_and_rest")]
    [TestCase("class Counter { #n = 0; static of(n) { const c = new Counter(); c.#n = n; return c; } get next() { return ++this.#n; } }", "Counter.of(41).next === 42", TestName = "Classes_with_private_fields_static_methods_and_getters")]
    [TestCase("const o = {a: {b: null}};", "o.a?.b?.c === undefined && (o.x ?? 'dflt') === 'dflt' && [...'abc', ...[1]].length === 4", TestName = "Optional_chaining_nullish_coalescing_and_spread")]
    [TestCase("function* gen() { yield 1; yield 2; } let s = 0; for (const v of gen()) s += v;", "s === 3", TestName = "Generators_and_for_of")]
    [TestCase("const m = new Map([['a', 1]]); const s = new Set([1, 1, 2]); const w = new WeakMap(); w.set(m, 1);", "m.get('a') === 1 && s.size === 2 && w.get(m) === 1", TestName = "Map_Set_and_WeakMap")]
    [TestCase("const p = new Proxy({}, {get: (t, k) => k.toString().toUpperCase()}); const sym = Symbol('s');", "p.abc === 'ABC' && typeof sym === 'symbol'", TestName = "Proxy_and_Symbol")]
    [TestCase("const big = 2n ** 64n;", "big.toString() === '18446744073709551616'", TestName = "BigInt")]
    [TestCase("const m = /(?<year>\\d{4})-(?<month>\\d{2})/.exec('2024-02');", "m.groups.year === '2024' && m.groups.month === '02'", TestName = "Regular_expression_named_groups")]
    [TestCase("const sorted = [3, 1, 2].toSorted(); const last = [1, 2, 3].findLast(x => x < 3);", "sorted.join() === '1,2,3' && last === 2 && [1, [2, [3]]].flat(Infinity).length === 3 && Object.groupBy([1, 2, 3], x => x % 2 ? 'odd' : 'even').odd.length === 2", TestName = "ES2023_and_later_built_ins")]
    [TestCase("const f = new Intl.NumberFormat('de-DE', {style: 'currency', currency: 'EUR'});", "f.format(1234.5) === '1.234,50\u00a0€'", TestName = "Intl")]
    public async Task Modern_syntax_and_built_ins_work(string setup, string expression)
    {
        var context = await ScriptHarness.Processor($"{setup}\nattributes.put('response', ({expression}));").RunAsync();

        Assert.That(context.ResponseJson(), Is.EqualTo("true"), context.ErrorMessage);
    }

    [Test]
    public async Task A_script_may_await_at_its_top_level()
    {
        var processor = ScriptHarness.Processor("""
            const wait = value => new Promise(resolve => resolve(value));
            const order = attributes.get('data');
            const total = await wait(order.lines.reduce((sum, {qty, price}) => sum + qty * price, 0));
            attributes.put('response', {total});
            """);

        var context = await processor.RunAsync("""{"lines": [{"qty": 2, "price": 3}, {"qty": 1, "price": 4}]}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"total":10}"""));
    }

    [Test]
    public async Task Promises_a_script_starts_settle_before_the_outputs_are_read()
    {
        var processor = ScriptHarness.Processor("""
            Promise.resolve(21).then(n => n * 2).then(n => attributes.put('response', {n}));
            """);

        Assert.That((await processor.RunAsync()).ResponseJson(), Is.EqualTo("""{"n":42}"""));
    }

    [Test]
    public async Task A_rejected_top_level_await_is_a_runtime_error_with_its_line()
    {
        var processor = ScriptHarness.Processor("""
            attributes.put('response', {partial: true});
            await null;
            throw new RangeError('too wide');
            """);

        var context = await processor.RunAsync();

        Assert.That((context.Status, context.IsResponseSet), Is.EqualTo(((int?)MessageStatus.GeneralError, false)));
        Assert.That(context.ErrorMessage, Is.EqualTo("RangeError: too wide (line 3, column 7)"));
    }

    [Test]
    public async Task A_detached_rejected_promise_nothing_handles_is_a_runtime_error()
    {
        var processor = ScriptHarness.Processor("""
            attributes.put('response', {partial: true});
            Promise.reject(new Error('lost'));
            """);

        var context = await processor.RunAsync();

        Assert.That((context.Status, context.IsResponseSet), Is.EqualTo(((int?)MessageStatus.GeneralError, false)));
        Assert.That(context.ErrorMessage, Does.StartWith("Error: lost (line 2"));
    }

    [Test]
    public async Task A_rejection_in_an_async_chain_that_is_never_awaited_is_a_runtime_error()
    {
        var processor = ScriptHarness.Processor("""
            const save = async order => { await null; throw new TypeError(`cannot save ${order}`); };
            save('o-1').then(() => attributes.put('response', 'saved'));
            attributes.put('response', 'started');
            """);

        var context = await processor.RunAsync();

        Assert.That(context.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(context.ErrorMessage, Does.StartWith("TypeError: cannot save o-1 (line 1"));
    }

    [Test]
    public async Task A_rejection_handled_later_in_the_run_is_not_an_error()
    {
        var processor = ScriptHarness.Processor("""
            const early = Promise.reject(new Error('handled below'));
            await null;
            const caught = await early.catch(e => e.message);
            attributes.put('response', {caught});
            """);

        var context = await processor.RunAsync();

        Assert.That((context.Status, context.ResponseJson()), Is.EqualTo(((int?)null, """{"caught":"handled below"}""")));
    }

    [Test]
    public async Task A_promise_that_never_settles_is_a_runtime_error_not_a_hang()
    {
        var processor = ScriptHarness.Processor("await new Promise(() => {});", new { timeoutMs = 2_000 });

        var context = await processor.RunAsync();

        Assert.That(context.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(context.ErrorMessage, Does.StartWith("Error: The script's promise never settled"));
    }

    [Test]
    public async Task Endless_microtasks_end_at_timeoutMs()
    {
        var processor = ScriptHarness.Processor("for (;;) { await null; }", new { timeoutMs = 200 });

        var context = await processor.RunAsync();

        Assert.That((context.Status, context.ErrorMessage), Is.EqualTo(((int?)MessageStatus.ReprocessTimeout, "The script ran past its timeoutMs of 200 ms")));
    }

    [Test]
    public async Task A_BigInt_in_a_response_is_written_as_its_exact_number()
    {
        var context = await ScriptHarness.Processor("attributes.put('response', {id: 2n ** 64n, small: 7n});").RunAsync();

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"id":18446744073709551616,"small":7}"""));
    }

    [Test]
    public async Task A_script_that_allocates_without_end_fails_alone_with_the_memory_limit()
    {
        var hungry = ScriptHarness.Processor("const keep = []; for (;;) { keep.push(new Array(100000).fill(keep.length)); }", new { maxHeapMB = 16, timeoutMs = 30_000 });
        var fine = ScriptHarness.Processor("attributes.put('response', 'still here');");

        var context = await hungry.RunAsync();

        Assert.That((context.Status, context.ErrorMessage), Is.EqualTo(((int?)MessageStatus.GeneralError, "The script used more memory than maxHeapMB (16 MB) allows")));
        Assert.That((await fine.RunAsync()).ResponseJson(), Is.EqualTo("\"still here\""));
        Assert.That((await hungry.RunAsync()).Status, Is.EqualTo(MessageStatus.GeneralError), "the next isolate enforces it too");
    }

    [Test]
    public async Task Runaway_recursion_ends_at_maxStackKB()
    {
        var context = await ScriptHarness.Processor("const down = n => down(n + 1) + 1;\ndown(0);", new { maxStackKB = 128 }).RunAsync();

        Assert.That(context.ErrorMessage, Does.StartWith("The script nested function calls deeper than maxStackKB (128) allows"));
    }
}

/// <summary>Modern and async JavaScript end to end: a {file} entity served by the host over HTTP.</summary>
public sealed class ModernJavaScriptEndToEndTests : HostFixture
{
    protected override Task WriteSchemaAsync(TempDirectory schema)
    {
        schema.Write("shop/instance.json", """{"auth": {"anonymous": true}}""");
        schema.Write("shop/scripts/quote.js", """
            class Quote {
              #lines;
              constructor(lines) { this.#lines = lines; }
              get total() { return this.#lines.reduce((sum, {qty = 1, price}) => sum + qty * price, 0); }
            }
            const {lines = [], currency = 'EUR'} = attributes.get('data') ?? {};
            const priced = await Promise.all(lines.map(async line => ({...line, price: line.price ?? 10})));
            const quote = new Quote(priced);
            console.info(`quoted ${priced.length} lines`);
            attributes.put('response', {total: quote.total, currency, lines: priced.length});
            """);
        schema.Write("shop/services.json", """
            {"reference": "services", "entities": {
              "quote": {"execute": true, "processor": "Script", "processorConfig": {"file": "scripts/quote.js", "maxHeapMB": 16}},
              "reject": {"execute": true, "processor": "Script", "processorConfig": "await Promise.reject(new TypeError('no price list'));"},
              "detached": {"execute": true, "processor": "Script", "processorConfig": "Promise.reject(new RangeError('nobody waits')); attributes.put('response', 'ok');"}
            }}
            """);
        return Task.CompletedTask;
    }

    [Test]
    public async Task An_async_script_with_classes_and_destructuring_answers_over_HTTP()
    {
        using var response = await Host.PostJsonAsync("/shop/services/quote", """{"lines": [{"qty": 2, "price": 3}, {"sku": "door"}]}""");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"total":16,"currency":"EUR","lines":2}"""));
    }

    [Test]
    public async Task A_rejected_promise_answers_500_with_status_20_and_the_message()
    {
        using var response = await Host.PostJsonAsync("/shop/services/reject", "{}");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(20));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Does.StartWith("TypeError: no price list (line 1"));
    }

    [Test]
    public async Task A_detached_rejection_answers_500_with_status_20_and_the_message()
    {
        using var response = await Host.PostJsonAsync("/shop/services/detached", "{}");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(body["status"]!.GetValue<int>(), Is.EqualTo(20));
        Assert.That(body["errorMessage"]!.GetValue<string>(), Does.StartWith("RangeError: nobody waits (line 1"));
    }
}
