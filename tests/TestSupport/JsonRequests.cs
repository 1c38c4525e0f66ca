using System.Net.Http.Headers;
using System.Text;

namespace DataHub.Testing;

/// <summary>A JSON POST to a host under test, in process (<see cref="RunningHost"/>) or not (<see cref="HostProcess"/>).</summary>
public static class JsonRequests
{
    /// <summary>POSTs <paramref name="json"/> as application/json to <paramref name="path"/>, relative to the client's base address.</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string json, CancellationToken cancellationToken = default)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return client.PostAsync(path.TrimStart('/'), content, cancellationToken);
    }
}
