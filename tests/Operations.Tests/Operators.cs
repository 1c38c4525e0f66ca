using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DataHub.Host.Auth;

namespace DataHub.Operations.Tests;

/// <summary>What the operations tests share: the operator token, requests carrying it, and a small users file.</summary>
internal static class Operators
{
    public const string Token = "operator-token-for-tests-0123456789";

    public const string TokenSetting = "DataHub:Operations:OperatorToken";

    public static async Task<HttpResponseMessage> GetAsOperatorAsync(this HttpClient client, string path, string token = Token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    /// <summary>A users file with one user, <c>ops</c>, password <c>secret</c>, role <c>staff</c>.</summary>
    public static string UsersFile() =>
        new JsonObject
        {
            ["ops"] = new JsonObject { ["hash"] = PasswordHash.Create("secret").ToString(), ["roles"] = new JsonArray("staff") },
        }.ToJsonString();
}
