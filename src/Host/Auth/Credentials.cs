using System.Text;
using Microsoft.Net.Http.Headers;

namespace DataHub.Host.Auth;

/// <summary>What a request's Authorization header holds.</summary>
public abstract record Credentials
{
    /// <summary>Longest Authorization value read; anything longer is refused before any decoding.</summary>
    public const int MaximumLength = 16 * 1024;

    public const string BasicScheme = "Basic";
    public const string BearerScheme = "Bearer";

    private static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private Credentials()
    {
    }

    /// <summary>No Authorization header.</summary>
    public sealed record None : Credentials;

    /// <summary>Basic credentials, decoded.</summary>
    public sealed record Basic(string User, string Password) : Credentials;

    /// <summary>A bearer token, not yet validated.</summary>
    public sealed record Bearer(string Token) : Credentials;

    /// <summary>A header that cannot be read; <see cref="Reason"/> quotes none of it.</summary>
    public sealed record Malformed(string Scheme, string Reason) : Credentials;

    /// <summary>Reads the Authorization header. Never throws, whatever the header holds.</summary>
    public static Credentials Read(HttpRequest request)
    {
        var values = request.Headers[HeaderNames.Authorization];
        if (values.Count == 0)
        {
            return new None();
        }
        if (values.Count > 1)
        {
            return new Malformed("", "The request has more than one Authorization header.");
        }
        var header = values[0] ?? "";
        if (header.Length > MaximumLength)
        {
            return new Malformed("", "The Authorization header is too long.");
        }
        var trimmed = header.Trim();
        var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space < 0 ? trimmed : trimmed[..space];
        var parameter = space < 0 ? "" : trimmed[(space + 1)..].Trim();

        if (scheme.Equals(BasicScheme, StringComparison.OrdinalIgnoreCase))
        {
            return ReadBasic(parameter);
        }
        if (scheme.Equals(BearerScheme, StringComparison.OrdinalIgnoreCase))
        {
            return IsToken68(parameter)
                ? new Bearer(parameter)
                : new Malformed(BearerScheme, "The bearer token is missing or not in token form.");
        }
        return new Malformed("", "The Authorization header uses a scheme this host does not accept; use Basic or Bearer.");
    }

    private static Credentials ReadBasic(string parameter)
    {
        if (parameter.Length == 0)
        {
            return new Malformed(BasicScheme, "The Basic credentials are missing.");
        }
        var bytes = new byte[parameter.Length];
        if (!Convert.TryFromBase64String(parameter, bytes, out var length))
        {
            return new Malformed(BasicScheme, "The Basic credentials are not valid base64.");
        }
        string decoded;
        try
        {
            decoded = _strictUtf8.GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return new Malformed(BasicScheme, "The Basic credentials are not valid UTF-8.");
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return new Malformed(BasicScheme, "The Basic credentials must be user-id:password.");
        }
        return new Basic(decoded[..colon], decoded[(colon + 1)..]);
    }

    /// <summary>RFC 7235's token68: the characters a JWT (and any bearer token) is written in.</summary>
    private static bool IsToken68(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }
        var end = value.Length;
        while (end > 0 && value[end - 1] == '=')
        {
            end--;
        }
        for (var i = 0; i < end; i++)
        {
            var c = value[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/'))
            {
                return false;
            }
        }
        return end > 0;
    }
}
