using System.Net;
using DataHub.Client;
using DataHub.Plugins;
using DataHub.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DataHub.DbActions.Tests;

/// <summary>The .NET client against the real host on Kestrel, on SQLite and PostgreSQL.</summary>
[TestFixture(UsersSchema.Sqlite)]
[TestFixture(UsersSchema.PostgreSql)]
public sealed class ClientTests(string provider) : HostFixture
{
    private sealed record Outcome(int Status, long RowsAffected);

    private sealed record User(int Id, string Name);

    protected override Task WriteSchemaAsync(TempDirectory schema) => UsersSchema.WriteAsync(schema, provider);

    private DataHubClient Hub => new(Host.Client);

    [Test]
    public async Task The_ductape_call_is_as_short_as_ductapes_and_reads_a_typed_answer()
    {
        var outcome = await Hub.Db.ExecuteAsync<Outcome>(new DbActionInput
        {
            Env = "testing",
            ProductTag = "shop",
            Event = "db:update_user",
            Input = new() { Data = new { name = "Cleo Patra" }, Filter = new { id = 3 } },
            Retries = 0,
        });

        var user = await Hub.Db.ExecuteAsync<User[]>(new DbActionInput
        {
            Env = "testing",
            ProductTag = "shop",
            Event = "db:get_user",
            Input = new() { Filter = new { id = 3 } },
        });
        Assert.That(outcome, Is.EqualTo(new Outcome(MessageStatus.Processed, 1)));
        Assert.That(user, Is.EqualTo(new[] { new User(3, "Cleo Patra") }));
    }

    [Test]
    public async Task A_servlet_call_returns_the_answer_as_json()
    {
        var rows = await Hub.ExecuteAsync("shop", "default", "list_users");

        Assert.That(rows!.AsArray().Select(row => row!["id"]!.GetValue<int>()), Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public void Every_error_becomes_one_exception_with_http_status_status_message_and_trace_id()
    {
        var error = Assert.ThrowsAsync<DataHubException>(() => Hub.Db.ExecuteAsync(new DbActionInput
        {
            Env = "testing",
            ProductTag = "shop",
            Event = "db:update_user",
            Input = new() { Data = new { name = "X" }, Filter = new { id = "one" } },
        }));

        Assert.That(error!.HttpStatus, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(error.Status, Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(error.ErrorMessage, Does.Contain("parameter 'filter.id' must be an integer"));
        Assert.That(error.TraceId, Is.Not.Null.And.Not.Empty);
    }

    [Test]
    public void A_missing_entity_is_a_404_exception()
    {
        var error = Assert.ThrowsAsync<DataHubException>(() => Hub.ExecuteAsync("shop", "db", "nope", new { }));

        Assert.That(error!.HttpStatus, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(error.ErrorMessage, Is.EqualTo("Entity 'nope' not found in system 'db'."));
    }

    [Test]
    public void A_cancelled_token_cancels_the_call()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.CatchAsync<OperationCanceledException>(() => Hub.ExecuteAsync("shop", "default", "list_users", cancellationToken: cancelled.Token));
    }

    [Test]
    public async Task It_works_as_a_typed_client_of_ihttpclientfactory()
    {
        var services = new ServiceCollection();
        services.AddHttpClient<DataHubClient>(client => client.BaseAddress = Host.BaseAddress);
        await using var provider = services.BuildServiceProvider();

        var hub = provider.GetRequiredService<DataHubClient>();
        var users = await hub.ExecuteAsync<User[]>("shop", "default", "list_users");

        Assert.That(users!.Select(user => user.Id), Is.EqualTo(new[] { 1, 2, 3 }));
    }
}
