using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Web;
using DataHub.Host.Calls;
using Microsoft.AspNetCore.WebUtilities;

namespace DataHub.Host.Servlet;

/// <summary>
/// A call's checked input, or the error that refuses it. <paramref name="CallMembers"/> holds the call options a body in
/// the wrapper form gives beside its <c>data</c>, for <see cref="Calls.CallOptions.ReadServlet"/>. Dispose
/// <paramref name="Data"/> when the request is done: a JSON body's text stays in a pooled buffer until then.
/// </summary>
public readonly record struct RequestInput(CallData Data, JsonNode? Options, HostError? Error, JsonObject? CallMembers = null)
{
    /// <summary>The call options a JSON body may give beside <c>data</c> (the wrapper form).</summary>
    public static readonly IReadOnlyList<string> WrapperOptionMembers = ["env", "cache", "retries", "filter"];

    private const string Body = "the request body";

    // Duplicate property names are refused: no plug-in could read such an object, and parsers disagree on them.
    private static readonly JsonDocumentOptions _jsonOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <summary>
    /// Reads <c>data</c> from the <c>data</c> URL parameter, else from the body: JSON, or a form with a <c>data</c>
    /// field. <c>options</c> comes from the URL parameter or the form field of that name. Data must be a JSON
    /// object or array. A JSON body in the wrapper form, <c>{"data": …, "env": …}</c> (a <c>data</c> member and at least
    /// one of <see cref="WrapperOptionMembers"/>, nothing else), gives its data and call options apart; any other body
    /// is the data itself, as it always was. Every JSON text must be Unicode: bytes that are not UTF-8, after any percent-decoding, and
    /// escapes of half a surrogate pair are refused here, so no plug-in ever reads such a value. A JSON body's data is
    /// checked in full but kept as text, which is parsed only if something reads it as a node.
    /// </summary>
    public static async ValueTask<RequestInput> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // Most calls have no query string. Values are percent-decoded to bytes, not text, so that bytes that are not
        // UTF-8 are seen rather than replaced.
        var query = request.QueryString.HasValue ? Parameters.Find(request.QueryString.Value) : default;
        var form = default(Parameters);
        RequestInput? body = null;

        if (HttpMethods.IsPost(request.Method))
        {
            var (read, unreadable) = await ReadBodyAsync(request, cancellationToken);
            if (unreadable is not null)
            {
                return Fail(unreadable);
            }
            try
            {
                var buffer = read.Buffer;
                if (IsForm(request, buffer))
                {
                    if (!JsonText.IsValidUtf8(buffer))
                    {
                        return Fail(HostError.InvalidInput("The request body is not valid UTF-8."));
                    }
                    form = Parameters.Find(Encoding.UTF8.GetString(buffer));
                }
                else if (!IsBlank(buffer) && query.Data is null)
                {
                    body = ReadJsonBody(buffer);
                    if (body.Value.Error is not null)
                    {
                        return body.Value;
                    }
                }
            }
            finally
            {
                request.BodyReader.AdvanceTo(read.Buffer.End);
            }
        }

        var (data, callMembers) = body is { } json ? (json.Data, json.CallMembers) : (CallData.None, null);
        if ((query.Data ?? form.Data) is { Length: > 0 } dataParameter)
        {
            var (node, error) = ParseNode(new ReadOnlySequence<byte>(dataParameter), "the 'data' parameter");
            if (error is not null)
            {
                return Fail(error);
            }
            if (node is not (null or JsonObject or JsonArray))
            {
                return Fail(NotObjectOrArray);
            }
            data = CallData.FromNode(node);
        }

        JsonNode? options = null;
        if ((query.Options ?? form.Options) is { Length: > 0 } optionsParameter)
        {
            (options, var error) = ParseNode(new ReadOnlySequence<byte>(optionsParameter), "the 'options' parameter");
            if (error is not null)
            {
                data.Dispose();
                return Fail(error);
            }
        }
        return new RequestInput(data, options, null, callMembers);
    }

    private static HostError NotObjectOrArray => HostError.InvalidInput("data must be a JSON object or array.");

    /// <summary>
    /// A JSON body, checked in full (Unicode text, syntax, nesting, duplicate names) in one pass that builds no
    /// nodes; its data, the whole body or a wrapper's <c>data</c>, stays as text in a pooled copy of the body.
    /// </summary>
    private static RequestInput ReadJsonBody(ReadOnlySequence<byte> body)
    {
        // The usual body of a call without data needs no parser.
        if (IsEmptyObject(body))
        {
            return new RequestInput(CallData.EmptyObject, null, null);
        }
        var length = checked((int)body.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            body.CopyTo(rented);
            var json = rented.AsMemory(0, length);
            if (JsonText.FindInvalidText(json.Span) is { } problem)
            {
                return Fail(HostError.InvalidInput($"{Capitalized(Body)} {problem}"));
            }
            JsonTokenType root;
            IReadOnlyList<TopLevelMember> members;
            string? repeated;
            try
            {
                (root, members, repeated) = JsonBodyCheck.Check(json, _jsonOptions.MaxDepth);
            }
            catch (JsonException e)
            {
                return Fail(NotJson(json.Span, e, Body));
            }
            if (repeated is not null)
            {
                return Fail(HostError.InvalidInput($"{Capitalized(Body)} names '{repeated}' twice in one object: property names must be unique."));
            }
            var data = json;
            JsonObject? callMembers = null;
            if (IsWrapper(members))
            {
                callMembers = [];
                foreach (var member in members)
                {
                    if (member.Name == "data")
                    {
                        data = json[member.Value];
                        root = member.Kind;
                    }
                    else
                    {
                        callMembers[member.Name] = JsonNode.Parse(json.Span[member.Value]);
                    }
                }
            }
            if (root == JsonTokenType.Null)
            {
                return new RequestInput(CallData.None, null, null, callMembers);
            }
            if (root is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                return Fail(NotObjectOrArray);
            }
            var kept = CallData.FromRentedText(rented, data);
            rented = null;
            return new RequestInput(kept, null, null, callMembers);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // Only a body that names data and nothing but call options is unwrapped: a body that is data of the caller's own
    // shape, {"data": …} alone included, reads as it always did.
    private static bool IsWrapper(IReadOnlyList<TopLevelMember> members) =>
        members.Count > 1 && members.Any(member => member.Name == "data")
        && members.All(member => member.Name == "data" || WrapperOptionMembers.Contains(member.Name, StringComparer.Ordinal));

    /// <summary>
    /// A body that must be JSON (the Ductape-shaped endpoint's), read and checked as the servlet reads one: size,
    /// framing, Unicode text, nesting and syntax. Its <see cref="Data"/> is the whole body, parsed.
    /// </summary>
    public static async ValueTask<RequestInput> ReadJsonBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, unreadable) = await ReadBodyAsync(request, cancellationToken);
        if (unreadable is not null)
        {
            return Fail(unreadable);
        }
        try
        {
            var (node, error) = IsEmptyObject(body.Buffer) ? (new JsonObject(), null) : ParseNode(body.Buffer, Body);
            return error is null ? new RequestInput(CallData.FromNode(node), null, null) : Fail(error);
        }
        finally
        {
            request.BodyReader.AdvanceTo(body.Buffer.End);
        }
    }

    private static async ValueTask<(ReadResult Body, HostError? Error)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return (await ReadWholeBodyAsync(request.BodyReader, cancellationToken), null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (default, HostError.BodyTooLarge(request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize));
        }
        catch (BadHttpRequestException)
        {
            // Broken framing (a bad chunk, a body shorter than its Content-Length): the client's fault, not ours.
            return (default, HostError.InvalidInput("The request body could not be read: its framing is malformed."));
        }
    }

    /// <summary>The first <c>data</c> and <c>options</c> values of a query string or form body, percent-decoded to bytes.</summary>
    private readonly record struct Parameters(byte[]? Data, byte[]? Options)
    {
        public static Parameters Find(string encoded)
        {
            byte[]? data = null, options = null;
            foreach (var pair in new QueryStringEnumerable(encoded))
            {
                var name = pair.DecodeName().Span;
                if (data is null && name.SequenceEqual("data"))
                {
                    data = HttpUtility.UrlDecodeToBytes(pair.EncodedValue.ToString());
                }
                else if (options is null && name.SequenceEqual("options"))
                {
                    options = HttpUtility.UrlDecodeToBytes(pair.EncodedValue.ToString());
                }
            }
            return new Parameters(data, options);
        }
    }

    private static async ValueTask<ReadResult> ReadWholeBodyAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            if (result.IsCompleted || result.IsCanceled)
            {
                return result;
            }
            // Nothing consumed, everything examined: the next read returns the whole body so far plus more.
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static (JsonNode? Node, HostError? Error) ParseNode(ReadOnlySequence<byte> utf8, string what)
    {
        // A body Kestrel holds in several segments is copied into one first.
        ReadOnlySpan<byte> json = utf8.IsSingleSegment ? utf8.FirstSpan : utf8.ToArray();
        if (JsonText.FindInvalidText(json) is { } problem)
        {
            return (null, HostError.InvalidInput($"{Capitalized(what)} {problem}"));
        }
        try
        {
            // One parse into a node that owns its copy of the input; anything but white space after the value is
            // refused.
            return (JsonNode.Parse(json, documentOptions: _jsonOptions), null);
        }
        catch (JsonException e)
        {
            return (null, NotJson(json, e, what));
        }
    }

    private static HostError NotJson(ReadOnlySpan<byte> json, JsonException e, string what) => HostError.InvalidInput(
        JsonText.IsNestedTooDeeply(json, _jsonOptions.MaxDepth)
            ? $"{Capitalized(what)} is nested too deeply: JSON objects and arrays may nest at most {_jsonOptions.MaxDepth} levels."
            : $"{Capitalized(what)} is not valid JSON (line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}).");

    private static string Capitalized(string what) => $"{char.ToUpperInvariant(what[0])}{what[1..]}";

    /// <summary>
    /// A form body (curl -d sends one by default). Raw JSON sent with the form content type is still read as JSON,
    /// as Datahub does.
    /// </summary>
    private static bool IsForm(HttpRequest request, ReadOnlySequence<byte> body) =>
        request.ContentType is { } type
        && type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
        && FirstNonBlank(body) is not ((byte)'{' or (byte)'[');

    private static bool IsBlank(ReadOnlySequence<byte> body) => FirstNonBlank(body) is null;

    private static bool IsEmptyObject(ReadOnlySequence<byte> body) =>
        body.IsSingleSegment && body.FirstSpan.Trim(" \t\r\n"u8) is [(byte)'{', (byte)'}'];

    private static byte? FirstNonBlank(ReadOnlySequence<byte> body)
    {
        foreach (var segment in body)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                {
                    return b;
                }
            }
        }
        return null;
    }

    private static RequestInput Fail(HostError error) => new(CallData.None, null, error);
}
