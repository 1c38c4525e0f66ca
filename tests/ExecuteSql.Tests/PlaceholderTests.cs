using DataHub.ExecuteSql.Tests.Support;
using DataHub.Plugins;

namespace DataHub.ExecuteSql.Tests;

/// <summary>A ? in a literal, a quoted name or a comment is not a placeholder; the others bind in order.</summary>
[TestFixture(DataStoreProviders.Sqlite)]
[TestFixture(DataStoreProviders.PostgreSql)]
public sealed class PlaceholderTests(string provider) : ProviderFixture(provider)
{
    [TestCase("select '?' as q, ? as v", "?")]
    [TestCase("select 'it''s ?' as q, ? as v", "it's ?")]
    [TestCase("select 'a' as \"what?\", 'x' as q, ? as v", "x")]
    [TestCase("select /* why? */ 'c' as q, ? as v", "c")]
    [TestCase("select 'l' as q, -- any ? here\n ? as v", "l")]
    [TestCase("select '--' as q, ? as v", "--")]
    [TestCase("select '/*' as q, ? as v /* ? */", "/*")]
    public async Task Only_placeholders_outside_literals_and_comments_are_bound(string sql, string literal)
    {
        var context = await Instance.RunAsync($$"""
            { "sql": {{System.Text.Json.JsonSerializer.Serialize(sql)}}, "parameters": [{ "reference": "v", "type": "integer" }] }
            """, """{"v":7}""");

        var row = context.Rows().Single()!;
        Assert.That(row["q"]!.GetValue<string>(), Is.EqualTo(literal));
        Assert.That(row["v"]!.ToJsonString(), Is.EqualTo("7"));
    }

    [Test]
    public async Task Placeholders_bind_in_order_even_when_one_touches_a_keyword()
    {
        var context = await Instance.RunAsync("""
            {
              "sql": "select product_id from door_prices where colour=?and height=?order by product_id",
              "parameters": [{ "reference": "colour", "type": "string" }, { "reference": "height", "type": "decimal" }]
            }
            """, """{"colour":"Brown Grey Avola","height":285}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"product_id":"1058150103"},{"product_id":"1058150104"}]"""));
    }

    [Test]
    public async Task The_same_reference_may_fill_two_placeholders()
    {
        var context = await Instance.RunAsync("""
            {
              "sql": "select count(*) as matches from door_prices where colour = ? or style = ?",
              "parameters": [{ "reference": "name", "type": "string" }, { "reference": "name", "type": "string" }]
            }
            """, """{"name":"White"}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"matches":1}]"""));
    }
}

/// <summary>SQLite's own quoting: [brackets] and `backticks` hide a ? too, and its block comments do not nest.</summary>
public sealed class SqlitePlaceholderTests() : ProviderFixture(DataStoreProviders.Sqlite)
{
    [Test]
    public async Task Bracketed_and_backticked_names_hide_question_marks()
    {
        var context = await Instance.RunAsync("""
            { "sql": "select 1 as [a?], 2 as `b?`, /* /* ? */ ? as v", "parameters": [{ "reference": "v", "type": "integer" }] }
            """, """{"v":3}""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""[{"a?":1,"b?":2,"v":3}]"""));
    }
}
