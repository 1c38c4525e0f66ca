using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DataHub.Security.Tests;

/// <summary>
/// Sends bytes, exactly as given, to a loopback endpoint and reads the status code of the answer: what no HTTP
/// client library would let a test send (bad request lines, raw non-ASCII headers, broken framing).
/// </summary>
public static class RawHttp
{
    /// <summary>The HTTP status of the answer; null if the server closed or went quiet without one.</summary>
    public static async Task<int?> SendAsync(IPEndPoint endpoint, byte[] request, TimeSpan timeout)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var cancel = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        try
        {
            await socket.ConnectAsync(endpoint, cancel.Token);
            await socket.SendAsync(request, SocketFlags.None, cancel.Token);
            var buffer = new byte[16 * 1024];
            while (received.Length < 64 * 1024)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
                if (read == 0)
                {
                    break;
                }
                received.Write(buffer, 0, read);
                if (StatusOf(received) is { } status && HasWholeHead(received))
                {
                    return status;
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // The server may reset a connection that sent garbage; what it answered before, if anything, counts.
        }
        return StatusOf(received);
    }

    /// <summary>Builds a request from its parts; the body's length is declared unless <paramref name="headers"/> sets framing.</summary>
    public static byte[] Request(string method, string target, IEnumerable<(string Name, byte[] Value)> headers, byte[] body, bool declareLength = true)
    {
        var head = new MemoryStream();
        void Write(string text) => head.Write(Encoding.Latin1.GetBytes(text));
        Write($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            Write(name + ": ");
            head.Write(value);
            Write("\r\n");
        }
        if (declareLength)
        {
            Write($"Content-Length: {body.Length}\r\n");
        }
        Write("\r\n");
        head.Write(body);
        return head.ToArray();
    }

    private static bool HasWholeHead(MemoryStream received) =>
        Encoding.Latin1.GetString(received.GetBuffer(), 0, (int)received.Length).Contains("\r\n\r\n", StringComparison.Ordinal);

    private static int? StatusOf(MemoryStream received)
    {
        var text = Encoding.Latin1.GetString(received.GetBuffer(), 0, (int)Math.Min(received.Length, 64));
        return text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && text.Length >= 12
            && int.TryParse(text.AsSpan(9, 3), out var status)
            ? status
            : null;
    }
}
