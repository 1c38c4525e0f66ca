using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace DataHub.Host.Operations;

/// <summary>
/// Tells operators from everyone else: an operator presents the configured operator token as a bearer token. Behind a
/// proxy or not, the rule is the same, so a proxy on the same machine cannot make every caller an operator.
/// </summary>
public sealed class OperatorAccess(OperationsOptions options)
{
    private readonly byte[]? _token = options.OperatorToken is { Length: > 0 } token ? Encoding.UTF8.GetBytes(token) : null;

    public bool IsConfigured => _token is not null;

    public bool IsOperator(HttpRequest request)
    {
        if (_token is null)
        {
            return false;
        }
        var header = request.Headers[HeaderNames.Authorization].ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var presented = Encoding.UTF8.GetBytes(header[scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _token);
    }
}
