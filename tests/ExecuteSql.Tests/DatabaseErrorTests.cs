using System.Text.Json.Nodes;
using DataHub.ExecuteSql.Tests.Support;
using DataHub.Plugins;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataHub.ExecuteSql.Tests;

/// <summary>
/// The table in docs/database-errors.md, end to end on real databases: what a caller gets for each class of
/// database error, and what the operator's log holds (the database's words at Debug only).
/// </summary>
[TestFixture(DataStoreProviders.Sqlite)]
[TestFixture(DataStoreProviders.PostgreSql)]
public sealed class DatabaseErrorTests(string provider) : ProviderFixture(provider)
{
    private static readonly string[] _roles = ["sql-admin"];

    [Test]
    public async Task A_check_violation_stays_400_with_status_25()
    {
        var context = await Instance.RunAsync(TestSchema.AddOrder, """{"product_id":"p","quantity":-1}""");

        Assert.That(context.HttpStatus, Is.Null);
        Assert.That(context.Status, Is.EqualTo(MessageStatus.DataInvalid));
    }

    [Test]
    public async Task A_pass_through_statement_the_database_cannot_run_is_the_callers_error_in_the_databases_words()
    {
        var processor = Instance.Processor("""{ "passThrough": true }""", _roles);

        var context = await Instance.CallAsync(processor, """{ "sql": "select * from no_such_table", "parameters": [] }""");

        Assert.That(context.Status, Is.EqualTo(MessageStatus.MessageInvalid), context.ErrorMessage);
        Assert.That(context.HttpStatus, Is.Null, "status 22 answers 400");
        Assert.That(context.ErrorMessage, Does.Contain("no_such_table"));
        Assert.That(Instance.Log.Entries.Where(e => e.Level >= LogLevel.Information), Is.Empty, "a caller's mistake is no operator's news");
        Assert.That(Instance.Log.Entries.Any(e => e.Level == LogLevel.Debug && e.Message.Contains("no_such_table", StringComparison.Ordinal)
            && e.Exception is not null), Is.True, "the details are at Debug");
    }

    [Test]
    public async Task A_configured_statement_the_database_cannot_run_logs_its_kind_and_trace_at_error_and_its_words_at_debug()
    {
        var context = await Instance.RunAsync("""{ "sql": "select secret_column from no_such_table" }""", null);

        Assert.That(context.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(context.ErrorMessage, Does.Not.Contain("no_such_table"));
        var error = Instance.Log.Entries.Single(e => e.Level == LogLevel.Error);
        Assert.That(error.Message, Does.Contain("test-trace").And.Contain("Failed"));
        Assert.That(error.Exception, Is.Null);
        Assert.That(Instance.Log.Entries.Any(e => e.Level == LogLevel.Debug && e.Exception is not null
            && e.Message.Contains("no_such_table", StringComparison.Ordinal)), Is.True);
    }
}

/// <summary>How each data store error kind is answered, with stores that fail on cue.</summary>
public sealed class DatabaseErrorAnswerTests
{
    [TestCase(DataStoreErrorKind.Rejected, null, MessageStatus.DataInvalid)]
    [TestCase(DataStoreErrorKind.Conflict, 409, MessageStatus.DataInvalid)]
    [TestCase(DataStoreErrorKind.Forbidden, 403, MessageStatus.GeneralError)]
    [TestCase(DataStoreErrorKind.Busy, 503, MessageStatus.GeneralError)]
    [TestCase(DataStoreErrorKind.Unavailable, 503, MessageStatus.GeneralError)]
    [TestCase(DataStoreErrorKind.Timeout, null, MessageStatus.ReprocessTimeout)]
    [TestCase(DataStoreErrorKind.Failed, null, MessageStatus.GeneralError)]
    public async Task Each_kind_has_its_http_status_and_message_status(DataStoreErrorKind kind, int? httpStatus, int status)
    {
        var context = await CallAsync(new DataStoreError(kind, "safe words") { DatabaseMessage = "the database's words" }, passThrough: false);

        Assert.That(context.HttpStatus, Is.EqualTo(httpStatus));
        Assert.That(context.Status, Is.EqualTo(status));
        Assert.That(context.ErrorMessage, Is.EqualTo("safe words"), "a configured entity's caller never gets the database's words about its SQL");
        Assert.That(context.HttpHeaders.ContainsKey("Retry-After"), Is.EqualTo(kind == DataStoreErrorKind.Busy));
    }

    [TestCase(DataStoreErrorKind.Failed, MessageStatus.MessageInvalid)]
    [TestCase(DataStoreErrorKind.Forbidden, MessageStatus.GeneralError)]
    public async Task A_pass_through_caller_gets_the_databases_words_about_its_own_sql(DataStoreErrorKind kind, int status)
    {
        var context = await CallAsync(new DataStoreError(kind, "safe words") { DatabaseMessage = "the database's words" }, passThrough: true);

        Assert.That(context.Status, Is.EqualTo(status));
        Assert.That(context.ErrorMessage, Is.EqualTo("the database's words"));
    }

    [Test]
    public async Task A_pass_through_failure_without_the_databases_words_stays_a_server_error()
    {
        var context = await CallAsync(new DataStoreError(DataStoreErrorKind.Failed, "safe words"), passThrough: true);

        Assert.That(context.Status, Is.EqualTo(MessageStatus.GeneralError));
    }

    [TestCase(PostgresErrorCodes.UniqueViolation, DataStoreErrorKind.Conflict)]
    [TestCase(PostgresErrorCodes.ForeignKeyViolation, DataStoreErrorKind.Conflict)]
    [TestCase(PostgresErrorCodes.NotNullViolation, DataStoreErrorKind.Rejected)]
    [TestCase(PostgresErrorCodes.CheckViolation, DataStoreErrorKind.Rejected)]
    [TestCase(PostgresErrorCodes.InvalidTextRepresentation, DataStoreErrorKind.Rejected)]
    [TestCase(PostgresErrorCodes.SerializationFailure, DataStoreErrorKind.Busy)]
    [TestCase(PostgresErrorCodes.DeadlockDetected, DataStoreErrorKind.Busy)]
    [TestCase(PostgresErrorCodes.QueryCanceled, DataStoreErrorKind.Timeout)]
    [TestCase(PostgresErrorCodes.InsufficientPrivilege, DataStoreErrorKind.Forbidden)]
    [TestCase(PostgresErrorCodes.AdminShutdown, DataStoreErrorKind.Unavailable)]
    [TestCase(PostgresErrorCodes.TooManyConnections, DataStoreErrorKind.Unavailable)]
    [TestCase(PostgresErrorCodes.UndefinedTable, DataStoreErrorKind.Failed)]
    [TestCase(PostgresErrorCodes.SyntaxError, DataStoreErrorKind.Failed)]
    public async Task Postgresql_errors_are_classified_by_their_sqlstate(string sqlState, DataStoreErrorKind kind)
    {
        await using var instance = await TestInstance.OnConnectionStringAsync(DataStoreProviders.PostgreSql, "Host=127.0.0.1;Username=nobody");

        var error = instance.Store.DescribeError(new PostgresException("the database's words", "ERROR", "ERROR", sqlState))!;

        Assert.That(error.Kind, Is.EqualTo(kind));
        if (kind == DataStoreErrorKind.Failed)
        {
            Assert.That(error.Message, Is.EqualTo($"The data store 'database' could not run the command (SQLSTATE {sqlState})."));
            Assert.That(error.DatabaseMessage, Is.EqualTo("the database's words"));
        }
    }

    private static async Task<ProcessorContext> CallAsync(DataStoreError error, bool passThrough)
    {
        var store = new FailingStore(error);
        var setup = new ProcessorSetup
        {
            Entity = new EntityAddress("test", "services", "entity"),
            ProcessorConfig = JsonNode.Parse(passThrough ? """{ "passThrough": true }""" : """{ "sql": "select 1" }"""),
            EntityMapping = [],
            DataStoreName = "database",
            Roles = ["admin"],
            InstanceDirectory = Path.GetTempPath(),
            DataStores = store,
            Logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
        };
        var prepared = PluginUnderTest.Instance.Prepare(setup);
        Assert.That(prepared.Errors, Is.Empty);
        var log = new Testing.CapturedLog();
        var context = new ProcessorContext([])
        {
            Data = passThrough ? JsonNode.Parse("""{ "sql": "select 1", "parameters": [] }""") : null,
            DataStores = store,
            Logger = log.CreateLogger("DataHub.Plugins.ExecuteSql"),
            TraceId = "trace-1",
        };
        await prepared.Processor!.ExecuteAsync(context, CancellationToken.None);
        log.AssertSafeForOperators("trace-1", "the database's words", "select");
        return context;
    }

    /// <summary>A store whose every connection fails, and which describes the failure as told.</summary>
    private sealed class FailingStore(DataStoreError error) : IDataStores, IDataStore
    {
        private readonly InvalidOperationException _failure = new("the database's words, with select 1 in them");

        public string Name => "database";

        public string Provider => DataStoreProviders.Sqlite;

        public System.Data.Common.DbDataSource DataSource => throw _failure;

        public TimeSpan CommandTimeout => TimeSpan.FromSeconds(5);

        public IReadOnlyCollection<string> Names => [Name];

        public DataStoreError? DescribeError(Exception exception) => exception == _failure ? error : null;

        public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IDataStore? store)
        {
            store = this;
            return true;
        }
    }
}
