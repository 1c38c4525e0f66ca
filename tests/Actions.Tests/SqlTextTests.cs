using DataHub.Plugins;
using DataHub.Plugins.Actions;

namespace DataHub.Actions.Tests;

/// <summary>The SQL each provider gets. SQL Server cannot run here, so its text is checked as text.</summary>
public sealed class SqlTextTests
{
    private static readonly TableInfo _orgs = new("orgs", "[orgs]", new Dictionary<string, TableColumn>
    {
        ["id"] = new("id", "int"),
        ["name"] = new("name", "nvarchar"),
        ["slug"] = new("slug", "nvarchar"),
    });

    [Test]
    public void SQL_Server_creates_return_the_row_through_OUTPUT()
    {
        var sql = new SqlText(DataStoreProviders.SqlServer);

        Assert.That(sql.Insert(_orgs, [_orgs.Columns["name"], _orgs.Columns["slug"]]),
            Is.EqualTo("INSERT INTO [orgs] ([name], [slug]) OUTPUT INSERTED.* VALUES (@p0, @p1)"));
    }

    [Test]
    public void SQL_Server_updates_return_the_row_through_OUTPUT_before_WHERE()
    {
        var sql = new SqlText(DataStoreProviders.SqlServer);

        Assert.That(sql.Update(_orgs, [_orgs.Columns["slug"]], [_orgs.Columns["id"]]),
            Is.EqualTo("UPDATE [orgs] SET [slug] = @p0 OUTPUT INSERTED.* WHERE [id] = @p1"));
    }

    [Test]
    public void SQL_Server_deletes_and_lookups_quote_with_brackets()
    {
        var sql = new SqlText(DataStoreProviders.SqlServer);

        Assert.That(sql.Delete(_orgs, [_orgs.Columns["id"]]), Is.EqualTo("DELETE FROM [orgs] WHERE [id] = @p0"));
        Assert.That(sql.Lookup(_orgs, _orgs.Columns["id"], _orgs.Columns["slug"]), Is.EqualTo("SELECT TOP 2 [id] FROM [orgs] WHERE [slug] = @p0"));
        Assert.That(sql.Quote("odd]name"), Is.EqualTo("[odd]]name]"));
    }

    [Test]
    public void PostgreSQL_casts_each_value_to_its_column_type_and_returns_the_row()
    {
        var sql = new SqlText(DataStoreProviders.PostgreSql);
        var orgs = _orgs with { QuotedName = "orgs" };

        Assert.That(sql.Update(orgs, [new TableColumn("created_at", "timestamp with time zone")], [new TableColumn("id", "integer")]),
            Is.EqualTo("""UPDATE orgs SET "created_at" = $1::timestamp with time zone WHERE "id" = $2::integer RETURNING *"""));
    }

    [Test]
    public void SQLite_quotes_names_and_returns_the_row()
    {
        var sql = new SqlText(DataStoreProviders.Sqlite);

        Assert.That(sql.Insert(_orgs with { QuotedName = "\"orgs\"" }, [new TableColumn("we\"ird", "TEXT")]),
            Is.EqualTo("""INSERT INTO "orgs" ("we""ird") VALUES (@p0) RETURNING *"""));
    }

    [Test]
    public void Placeholders_in_strings_quoted_names_and_comments_are_left_alone()
    {
        var sql = new SqlText(DataStoreProviders.PostgreSql);

        var rewritten = sql.RewritePlaceholders("select '?', \"a?\" from t where x = ? /* ? */ and y = ? -- ?\n", out var count);

        Assert.That(count, Is.EqualTo(2));
        Assert.That(rewritten, Is.EqualTo("select '?', \"a?\" from t where x = $1 /* ? */ and y = $2 -- ?\n"));
    }
}
