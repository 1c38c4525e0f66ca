using System.Text.Json.Nodes;

namespace DataHub.Security.Tests;

/// <summary>Assertions on the host's one error shape.</summary>
public static class Expect
{
    /// <summary>The answer is <paramref name="httpStatus"/> with exactly {"status", "errorMessage", "traceId"}.</summary>
    public static JsonObject Error(Answer answer, int httpStatus, int status = 20)
    {
        Assert.That(answer.Status, Is.EqualTo(httpStatus), answer.ToString());
        var json = answer.Json;
        Assert.Multiple(() =>
        {
            Assert.That(json.Select(member => member.Key), Is.EquivalentTo(new[] { "status", "errorMessage", "traceId" }), answer.Body);
            Assert.That(json["status"]!.GetValue<int>(), Is.EqualTo(status), answer.Body);
            Assert.That(json["errorMessage"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(json["traceId"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(answer.Body, Does.Not.Contain(" at ").And.Not.Contain("Exception"), "no stack trace");
        });
        return json;
    }

    /// <summary>A 401 in the error shape whose WWW-Authenticate offers <paramref name="schemes"/>.</summary>
    public static JsonObject Unauthorized(Answer answer, params string[] schemes)
    {
        var json = Error(answer, 401);
        var challenge = answer.Header("WWW-Authenticate");
        Assert.That(challenge, Is.Not.Null.And.Not.Empty, "a 401 carries WWW-Authenticate");
        foreach (var scheme in schemes)
        {
            Assert.That(challenge, Does.Contain(scheme + " realm="));
        }
        return json;
    }

    public static JsonObject Forbidden(Answer answer) => Error(answer, 403);

    /// <summary>A 200 from the Echo fixture; returns the user it was handed (null for anonymous).</summary>
    public static JsonObject? Served(Answer answer)
    {
        Assert.That(answer.Status, Is.EqualTo(200), answer.ToString());
        return answer.Json["user"] as JsonObject;
    }

    /// <summary>A 200, whatever the body.</summary>
    public static void Ok(Answer answer) => Assert.That(answer.Status, Is.EqualTo(200), answer.ToString());
}
