using System.Net;
using System.Net.Sockets;

namespace DataHub.Testing;

public static class Ports
{
    /// <summary>
    /// A loopback TCP port nothing listens on right now: one to bind a server to, or one a connection is refused on.
    /// Someone else may take it before it is used.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
