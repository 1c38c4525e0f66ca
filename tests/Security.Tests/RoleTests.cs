namespace DataHub.Security.Tests;

/// <summary>Who may call what: entity roles on every path, and instances that take no anonymous calls.</summary>
public sealed class RoleTests : SecuredHostFixture
{
    /// <summary>Every path to an entity of hub: the default system by both paths, and a named system; GET and POST.</summary>
    private static readonly string[] _paths = ["hub/{0}", "hub/default/{0}", "hub/services/{0}"];

    private static string Token(params string[] roles) =>
        SecuredHost.Bearer(TestTokens.Hs256(TestTokens.Payload("token-user", roles), SecuredHost.Secret));

    [Test]
    public async Task An_entity_with_roles_needs_a_user_on_every_path([ValueSource(nameof(_paths))] string path)
    {
        Expect.Unauthorized(await Host.CallAsync(string.Format(path, "admin")), "Basic", "Bearer");
        Expect.Unauthorized(await Host.CallAsync(string.Format(path, "reports")), "Basic", "Bearer");
        Assert.That(Expect.Served(await Host.CallAsync(string.Format(path, "echo"))), Is.Null);
    }

    [Test]
    public async Task A_user_without_the_role_gets_403_on_every_path([ValueSource(nameof(_paths))] string path)
    {
        var target = string.Format(path, "admin");

        Expect.Forbidden(await Host.CallAsync(target, SecuredHost.BasicFor("bob")));
        Expect.Forbidden(await Host.CallAsync(target, SecuredHost.BasicFor("carol")));
        Expect.Forbidden(await Host.CallAsync(target, Token("reporter")));
        Expect.Forbidden(await Host.CallAsync(target, Token()));
    }

    [Test]
    public async Task A_user_with_one_of_the_roles_is_served_on_every_path([ValueSource(nameof(_paths))] string path)
    {
        Assert.That(Expect.Served(await Host.CallAsync(string.Format(path, "admin"), SecuredHost.BasicFor("alice")))!["id"]!.GetValue<string>(),
            Is.EqualTo("alice"));
        Assert.That(Expect.Served(await Host.CallAsync(string.Format(path, "reports"), SecuredHost.BasicFor("bob")))!["id"]!.GetValue<string>(),
            Is.EqualTo("bob"));
        Assert.That(Expect.Served(await Host.CallAsync(string.Format(path, "admin"), Token("viewer", "admin")))!["id"]!.GetValue<string>(),
            Is.EqualTo("token-user"));
    }

    [Test]
    public async Task Roles_are_checked_on_GET_with_a_data_parameter_too()
    {
        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "hub/admin?data=%7B%7D");
        Expect.Unauthorized(await Host.SendAsync(anonymous));

        using var bob = new HttpRequestMessage(HttpMethod.Get, "hub/admin?data=%7B%7D");
        bob.Headers.TryAddWithoutValidation("Authorization", SecuredHost.BasicFor("bob"));
        Expect.Forbidden(await Host.SendAsync(bob));

        using var alice = new HttpRequestMessage(HttpMethod.Get, "hub/admin?data=%7B%7D");
        alice.Headers.TryAddWithoutValidation("Authorization", SecuredHost.BasicFor("alice"));
        Expect.Served(await Host.SendAsync(alice));
    }

    [Test]
    public async Task Role_names_are_compared_exactly()
    {
        Expect.Forbidden(await Host.CallAsync("hub/admin", Token("Admin")));
        Expect.Forbidden(await Host.CallAsync("hub/admin", Token("admin ")));
    }

    [Test]
    public async Task An_instance_with_anonymous_false_needs_a_user_for_every_entity()
    {
        Expect.Unauthorized(await Host.CallAsync("closed/echo"), "Basic", "Bearer");
        Expect.Unauthorized(await Host.CallAsync("closed/default/echo"), "Basic", "Bearer");
        Expect.Unauthorized(await Host.CallAsync("ec/echo"), "Bearer");

        Assert.That(Expect.Served(await Host.CallAsync("closed/echo", SecuredHost.BasicFor("carol")))!["id"]!.GetValue<string>(),
            Is.EqualTo("carol"));
        Expect.Forbidden(await Host.CallAsync("closed/admin", SecuredHost.BasicFor("carol")));
    }

    [Test]
    public async Task A_closed_instance_does_not_tell_strangers_which_systems_and_entities_exist()
    {
        var unknownEntity = await Host.CallAsync("closed/no_such_entity");
        var unknownSystem = await Host.CallAsync("closed/no_such_system/echo");

        Expect.Unauthorized(unknownEntity, "Basic", "Bearer");
        Expect.Unauthorized(unknownSystem, "Basic", "Bearer");
        Assert.That(unknownEntity.Json["errorMessage"]!.GetValue<string>(), Is.EqualTo("Authentication required."));
    }

    [Test]
    public async Task A_known_user_of_a_closed_instance_gets_the_usual_404_for_an_unknown_entity()
    {
        var answer = await Host.CallAsync("closed/no_such_entity", SecuredHost.BasicFor("carol"));

        Expect.Error(answer, 404, 24);
    }

    [Test]
    public async Task The_user_is_the_same_object_for_both_kinds_of_credentials()
    {
        var basic = Expect.Served(await Host.CallAsync("hub/echo", SecuredHost.BasicFor("bob")))!;
        var token = Expect.Served(await Host.CallAsync("hub/echo", Token("reporter")))!;

        Assert.That(basic.Select(m => m.Key), Is.EqualTo(new[] { "id", "roles", "claims" }));
        Assert.That(token.Select(m => m.Key), Is.EqualTo(new[] { "id", "roles", "claims" }));
    }
}
