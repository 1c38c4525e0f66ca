using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace DataHub.Plugins;

/// <summary>
/// One request to an execute entity: the inputs the host passes (data, context, user, options, entityMapping)
/// and the outputs the plug-in sets (response, httpStatus, httpHeaders, status, errorMessage).
/// <see cref="Attributes"/> offers the same values by their Datahub names.
/// </summary>
public sealed class ProcessorContext
{
    private readonly JsonObject _sharedEntityMapping;
    private JsonObject? _entityMapping;
    private JsonObject? _context;
    private JsonNode? _response;
    private JsonNode? _data;
    private ReadOnlyMemory<byte> _dataJson;
    private Attributes? _attributes;

    /// <param name="entityMapping">The entity's definition, shared by all requests; each context reads its own copy.</param>
    public ProcessorContext(JsonObject entityMapping)
    {
        ArgumentNullException.ThrowIfNull(entityMapping);
        _sharedEntityMapping = entityMapping;
    }

    /// <summary>
    /// The call's input: the JSON body or the <c>data</c> URL parameter (object or array); null when none. When the
    /// host gave <see cref="DataJson"/>, parsed from it on first read.
    /// </summary>
    public JsonNode? Data
    {
        get => _data ??= _dataJson.IsEmpty ? null : JsonNode.Parse(_dataJson.Span);
        init => _data = value;
    }

    /// <summary>
    /// The call's input as UTF-8 JSON text, as the caller sent it and the host checked it; empty when there is none.
    /// A plug-in that hands the data on as text (to a script engine, to a database's JSON parameter) reads this
    /// instead of <see cref="Data"/>, and a large body is then neither parsed nor written again. When the host gave
    /// only <see cref="Data"/>, this is it written as JSON. The memory is the host's: read it before
    /// <see cref="IProcessor.ExecuteAsync"/> completes, and never keep it. Added in contract 1.4.
    /// </summary>
    public ReadOnlyMemory<byte> DataJson
    {
        get
        {
            if (_dataJson.IsEmpty && _data is { } data)
            {
                _dataJson = JsonSerializer.SerializeToUtf8Bytes(data);
            }
            return _dataJson;
        }
        init => _dataJson = value;
    }

    /// <summary>
    /// The call's second input: criteria for selecting the records a call updates, deletes or reads (Ductape's
    /// <c>input.filter</c>, the <c>filter</c> URL parameter); null when the call has none. Added in contract 1.2.
    /// </summary>
    public JsonObject? Filter { get; init; }

    /// <summary>
    /// The claims of the call's verified session (<c>tag</c>, <c>subject</c> and the token's claims); null when the
    /// call names no session. Added in contract 1.2.
    /// </summary>
    public JsonObject? Session { get; init; }

    /// <summary>Which entity was called, under which request id: the typed form of <see cref="Context"/>.</summary>
    public EntityCall? Call { get; init; }

    /// <summary>
    /// Where and how the call arrived: instance, system, entity, requestId and environment. Built from
    /// <see cref="Call"/> on first read, since most plug-ins never read it.
    /// </summary>
    public JsonObject Context
    {
        get => _context ??= Call?.ToJson() ?? [];
        init => _context = value;
    }

    /// <summary>The authenticated user (<c>id</c>, <c>roles</c> and any claims), or null for an anonymous call.</summary>
    public JsonObject? User { get; init; }

    /// <summary>The call's <c>options</c>, or null. Datahub keeps it for compatibility: prefer <see cref="Data"/>.</summary>
    public JsonNode? Options { get; init; }

    /// <summary>The entity's definition as written in the schema; this request's own copy, made on first read.</summary>
    public JsonObject EntityMapping => _entityMapping ??= _sharedEntityMapping.DeepClone().AsObject();

    /// <summary>The entity's <c>processorConfig</c> as written. Prefer what <see cref="IProcessorPlugin.Prepare"/> parsed.</summary>
    public JsonNode? ProcessorConfig { get; init; }

    /// <summary>The entity's data store name: its <c>dataStore</c>, else <c>database</c>.</summary>
    public string DataStoreName { get; init; } = "database";

    /// <summary>
    /// The store this call runs on for a store <paramref name="prepared"/> at load: the same store of the call's
    /// environment (<see cref="DataStores"/>), or <paramref name="prepared"/> itself when the environment has none of
    /// that name and provider. Since contract 1.2.
    /// </summary>
    public IDataStore StoreFor(IDataStore prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        return DataStores.TryGet(prepared.Name, out var current) && current.Provider == prepared.Provider ? current : prepared;
    }

    /// <summary>
    /// True when the caller asked for a dry run and the processor accepted it (see <see cref="IDryRunProcessor"/>): run
    /// every step, then roll the transaction back instead of committing it. Only ever true for an
    /// <see cref="IDryRunProcessor"/> whose <see cref="IDryRunProcessor.AllowsDryRun"/> is true. Added in contract 1.2.
    /// </summary>
    public bool DryRun { get; init; }

    /// <summary>The instance's data stores.</summary>
    public required IDataStores DataStores { get; init; }

    /// <summary>A logger whose lines carry the request's trace id.</summary>
    public required ILogger Logger { get; init; }

    /// <summary>The id under which the host logs this request and reports its errors.</summary>
    public required string TraceId { get; init; }

    /// <summary>
    /// The response body: a JSON object or array is written as JSON; a JSON string is written as it is (so it may
    /// hold JSON text or any other content). Setting it, even to null, marks the response as set.
    /// </summary>
    public JsonNode? Response
    {
        get => _response;
        set
        {
            _response = value;
            IsResponseSet = true;
        }
    }

    /// <summary>True once <see cref="Response"/> has been set.</summary>
    public bool IsResponseSet { get; private set; }

    /// <summary>An explicit HTTP status; it wins over the one derived from <see cref="Status"/>.</summary>
    public int? HttpStatus { get; set; }

    /// <summary>Extra response headers. A <c>Content-Type</c> here replaces the default <c>application/json</c>.</summary>
    public IDictionary<string, string> HttpHeaders { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>A MessageStatus code (see <see cref="MessageStatus"/>). With no response set, builds the body.</summary>
    public int? Status { get; set; }

    /// <summary>
    /// Set by a plug-in when the call failed transiently and provably committed nothing (a connection that never
    /// opened, a statement or transaction the database rolled back): the host may run the call again when the caller
    /// asked for retries. Added in contract 1.2.
    /// </summary>
    public bool FailureIsTransient { get; set; }

    /// <summary>The error message that goes with <see cref="Status"/>.</summary>
    public string? ErrorMessage { get; set; }

    /// <summary>The Datahub-style attributes view of this context.</summary>
    public Attributes Attributes => _attributes ??= new Attributes(this);

    /// <summary>Removes the response, so that status and errorMessage build the body again.</summary>
    public void ClearResponse()
    {
        _response = null;
        IsResponseSet = false;
    }

    /// <summary>Sets status and errorMessage in one call: the usual way to report an expected failure.</summary>
    public void Fail(int status, string errorMessage)
    {
        Status = status;
        ErrorMessage = errorMessage;
    }
}
