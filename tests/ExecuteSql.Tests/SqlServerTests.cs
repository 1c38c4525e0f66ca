using System.Data;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using DataHub.ExecuteSql.Tests.Support;
using DataHub.Host.DataStores;
using DataHub.Plugins;
using DataHub.Testing;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataHub.ExecuteSql.Tests;

/// <summary>
/// SQL Server without a server: the host's store as configured, the SQL and parameters the plug-in hands SqlClient
/// (recorded instead of sent), how SqlClient's errors are classified, and a real connection attempt that fails.
/// </summary>
public sealed class SqlServerTests
{
    private const string ConnectionString = "Server=127.0.0.1,1;Database=shop;User Id=sa;Password=hunter2;Connect Timeout=2;Encrypt=false";

    private TempDirectory _folder = null!;
    private InstanceDataStores _stores = null!;
    private IDataStore _store = null!;

    [OneTimeSetUp]
    public void CreateStore()
    {
        _folder = new TempDirectory();
        var errors = new List<string>();
        _store = DataStoreFactory.Create("database",
            new JsonObject { ["provider"] = "sqlserver", ["connectionString"] = ConnectionString, ["commandTimeoutSeconds"] = 12 },
            _folder.Path, errors)!;
        Assert.That(errors, Is.Empty);
        _stores = new InstanceDataStores(new Dictionary<string, IDataStore> { ["database"] = _store });
    }

    [OneTimeTearDown]
    public async Task DisposeStore()
    {
        await _stores.DisposeAsync();
        _folder.Dispose();
    }

    [Test]
    public void The_store_is_a_pooled_sqlclient_source_with_its_time_limit()
    {
        Assert.That(_store.Provider, Is.EqualTo(DataStoreProviders.SqlServer));
        Assert.That(_store.CommandTimeout, Is.EqualTo(TimeSpan.FromSeconds(12)));
        using var connection = _store.DataSource.CreateConnection();
        Assert.That(connection, Is.InstanceOf<SqlConnection>());
    }

    [Test]
    public async Task Placeholders_become_named_parameters_typed_sized_and_scaled_for_sqlclient()
    {
        var recording = new RecordingSqlServerStore(_store);
        var context = await RunAsync(recording, TestSchema.DoorQuery, TestSchema.DoorRequest);

        Assert.That(context.ResponseJson(), Is.EqualTo("[]"));
        var command = recording.Executed.Single();
        Assert.That(command.CommandText, Is.EqualTo(
            "select product_id, price from door_prices where range = @p1 and style = @p2 and colour = @p3 and component = @p4 and hinge = @p5 and height = @p6 and width = @p7"));
        Assert.That(command.CommandTimeout, Is.EqualTo(12));
        var parameters = command.Parameters.Cast<SqlParameter>().ToList();
        Assert.That(parameters.Select(p => p.ParameterName), Is.EqualTo(new[] { "@p1", "@p2", "@p3", "@p4", "@p5", "@p6", "@p7" }));
        Assert.Multiple(() =>
        {
            Assert.That(parameters[0].SqlDbType, Is.EqualTo(SqlDbType.NVarChar));
            Assert.That(parameters[0].Size, Is.EqualTo(510), "room for 255 characters of two UTF-16 units each");
            Assert.That(parameters[0].Value, Is.EqualTo("Aspire"));
            Assert.That(parameters[5].SqlDbType, Is.EqualTo(SqlDbType.Decimal));
            Assert.That(parameters[5].Precision, Is.EqualTo(18));
            Assert.That(parameters[5].Scale, Is.EqualTo(6));
            Assert.That(parameters[5].Value, Is.EqualTo(285m));
        });
    }

    [Test]
    public async Task Every_type_binds_with_the_sqlclient_type_it_maps_to()
    {
        var recording = new RecordingSqlServerStore(_store);
        await RunAsync(recording, """
            {
              "sql": "insert into typed values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              "execute": true,
              "parameters": [
                { "reference": "s", "type": "text" }, { "reference": "i", "type": "integer" }, { "reference": "si", "type": "smallint" },
                { "reference": "bi", "type": "bigint" }, { "reference": "d", "type": "number" }, { "reference": "dec", "type": "decimal" },
                { "reference": "b", "type": "boolean" }, { "reference": "dt", "type": "date" }, { "reference": "ts", "type": "timestamp" }
              ]
            }
            """, """{"s":"x","i":1,"si":2,"bi":3,"d":1.5,"dec":2.25,"b":true,"dt":"2024-02-29","ts":"2024-02-29T13:45:30.1234567"}""");

        var parameters = recording.Executed.Single().Parameters.Cast<SqlParameter>().ToList();
        Assert.That(parameters.Select(p => p.SqlDbType), Is.EqualTo(new[]
        {
            SqlDbType.NVarChar, SqlDbType.Int, SqlDbType.SmallInt, SqlDbType.BigInt, SqlDbType.Float, SqlDbType.Decimal,
            SqlDbType.Bit, SqlDbType.Date, SqlDbType.DateTime2,
        }));
        Assert.That(parameters.Select(p => p.Value), Is.EqualTo(new object[]
        {
            "x", 1, (short)2, 3L, 1.5, 2.25m, true, new DateOnly(2024, 2, 29), new DateTime(2024, 2, 29, 13, 45, 30).AddTicks(1234567),
        }));
    }

    [Test]
    public async Task A_batch_reuses_one_command_without_preparing_it()
    {
        var recording = new RecordingSqlServerStore(_store);

        var context = await RunAsync(recording, TestSchema.AddOrder, """[{"product_id":"a","quantity":1},{"product_id":"b","quantity":2}]""");

        Assert.That(context.ResponseJson(), Is.EqualTo("""{"status":10,"rowsAffected":2}"""));
        Assert.That(recording.Executed.Select(c => c.Parameters["@p1"].Value), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public async Task Square_brackets_and_nested_comments_hide_question_marks()
    {
        var recording = new RecordingSqlServerStore(_store);

        await RunAsync(recording, """
            { "sql": "select 1 as [a?]]], '?' as q, /* /* ? */ ? */ ? as v", "parameters": [{ "reference": "v", "type": "integer" }] }
            """, """{"v":1}""");

        Assert.That(recording.Executed.Single().CommandText, Is.EqualTo("select 1 as [a?]]], '?' as q, /* /* ? */ ? */ @p1 as v"));
    }

    [TestCase(2627, DataStoreErrorKind.Conflict)]
    [TestCase(2601, DataStoreErrorKind.Conflict)]
    [TestCase(547, DataStoreErrorKind.Rejected)]
    [TestCase(515, DataStoreErrorKind.Rejected)]
    [TestCase(8152, DataStoreErrorKind.Rejected)]
    [TestCase(245, DataStoreErrorKind.Rejected)]
    [TestCase(-2, DataStoreErrorKind.Timeout)]
    [TestCase(53, DataStoreErrorKind.Unavailable)]
    [TestCase(18456, DataStoreErrorKind.Unavailable)]
    [TestCase(4060, DataStoreErrorKind.Unavailable)]
    [TestCase(1205, DataStoreErrorKind.Busy)]
    [TestCase(3960, DataStoreErrorKind.Busy)]
    [TestCase(229, DataStoreErrorKind.Forbidden)]
    [TestCase(208, DataStoreErrorKind.Failed)]
    public void Sqlclient_errors_are_classified_by_their_number(int number, DataStoreErrorKind kind)
    {
        var error = _store.DescribeError(CreateSqlException(number, "The database's own words."))!;

        Assert.That(error.Kind, Is.EqualTo(kind));
        Assert.That(error.Message, kind switch
        {
            DataStoreErrorKind.Rejected or DataStoreErrorKind.Conflict => Is.EqualTo("The database's own words."),
            DataStoreErrorKind.Busy => Does.Contain("retry the call"),
            DataStoreErrorKind.Forbidden => Is.EqualTo("The data store 'database' does not allow its user to run the command."),
            DataStoreErrorKind.Timeout => Is.EqualTo("The data store 'database' did not finish the command within its time limit of 12 seconds."),
            DataStoreErrorKind.Unavailable => Is.EqualTo("The data store 'database' cannot be reached."),
            _ => Is.EqualTo($"The data store 'database' could not run the command (SQL Server error {number})."),
        });
    }

    [Test]
    public void A_foreign_key_conflict_is_a_conflict_and_a_check_conflict_is_rejected_data()
    {
        Assert.That(_store.DescribeError(CreateSqlException(547,
            "The INSERT statement conflicted with the FOREIGN KEY constraint \"FK_orders\"."))!.Kind, Is.EqualTo(DataStoreErrorKind.Conflict));
        Assert.That(_store.DescribeError(CreateSqlException(547,
            "The INSERT statement conflicted with the CHECK constraint \"CK_quantity\"."))!.Kind, Is.EqualTo(DataStoreErrorKind.Rejected));
    }

    [Test]
    public void A_statement_error_carries_the_databases_words_for_a_pass_through_caller()
    {
        Assert.That(_store.DescribeError(CreateSqlException(208, "Invalid object name 'no_such_table'."))!.DatabaseMessage,
            Is.EqualTo("Invalid object name 'no_such_table'."));
    }

    [Test]
    public void A_fatal_severity_is_an_unavailable_server_whatever_its_number()
    {
        Assert.That(_store.DescribeError(CreateSqlException(0, "A network-related error occurred.", severity: 20))!.Kind,
            Is.EqualTo(DataStoreErrorKind.Unavailable));
    }

    [Test]
    public async Task A_rejected_value_is_status_25_with_sql_servers_message()
    {
        var failing = new FailingStore(_store, CreateSqlException(2627, "Violation of PRIMARY KEY constraint 'PK_orders'."));

        var context = await RunAsync(failing, TestSchema.AddOrder, """{"product_id":"a","quantity":1}""");

        Assert.That(context.Status, Is.EqualTo(MessageStatus.DataInvalid));
        Assert.That(context.ErrorMessage, Is.EqualTo("Violation of PRIMARY KEY constraint 'PK_orders'."));
    }

    [Test]
    public void Exceptions_that_are_not_sqlclients_are_not_the_stores()
    {
        Assert.That(_store.DescribeError(new InvalidOperationException()), Is.Null);
    }

    [Test]
    public async Task A_server_that_cannot_be_reached_is_http_503_with_status_20()
    {
        var context = await RunAsync(_stores, TestSchema.DoorQuery, TestSchema.DoorRequest);

        Assert.That(context.HttpStatus, Is.EqualTo(503), context.ErrorMessage);
        Assert.That(context.Status, Is.EqualTo(MessageStatus.GeneralError));
        Assert.That(context.ErrorMessage, Is.EqualTo("The data store 'database' cannot be reached."));
    }

    [Test]
    public async Task Output_parameters_bind_as_sqlclient_outputs_sized_and_answer_by_reference_name()
    {
        var recording = new RecordingSqlServerStore(_store);
        recording.OutputValues["@p1"] = 0;
        recording.OutputValues["@p3"] = 12.50m;
        recording.OutputValues["@p4"] = "Ascot";
        recording.OutputValues["@p5"] = new DateTime(2024, 2, 29);
        recording.OutputValues["@p6"] = 9007199254740993L;

        var context = await RunAsync(recording, """
            {
              "sql": "exec ? = dbo.door_total ?, ? output, ? output, ? output, ? output",
              "parameters": [
                { "reference": "returned", "type": "integer", "direction": "out" },
                { "reference": "range", "type": "string", "length": 255 },
                { "reference": "total", "type": "decimal", "precision": 18, "scale": 2, "direction": "inout" },
                { "reference": "style", "type": "string", "direction": "out" },
                { "reference": "seen", "type": "date", "direction": "out" },
                { "reference": "big", "type": "bigint", "direction": "out" }
              ]
            }
            """, """{"range":"Aspire","total":10}""");

        Assert.That(context.ResponseJson(), Is.EqualTo(
            """{"resultSets":[],"outputs":{"returned":0,"total":12.50,"style":"Ascot","seen":"2024-02-29","big":9007199254740993}}"""));
        var command = recording.Executed.Single();
        Assert.That(command.CommandText, Is.EqualTo("exec @p1 = dbo.door_total @p2, @p3 output, @p4 output, @p5 output, @p6 output"));
        var parameters = command.Parameters.Cast<SqlParameter>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(parameters.Select(p => p.Direction), Is.EqualTo(new[]
            {
                ParameterDirection.Output, ParameterDirection.Input, ParameterDirection.InputOutput,
                ParameterDirection.Output, ParameterDirection.Output, ParameterDirection.Output,
            }));
            Assert.That(parameters[2].Value, Is.EqualTo(10m), "an inout parameter takes its value from the call");
            Assert.That(parameters[2].Precision, Is.EqualTo(18));
            Assert.That(parameters[2].Scale, Is.EqualTo(2));
            Assert.That(parameters[3].Size, Is.EqualTo(-1), "an output string without a length is nvarchar(max)");
            Assert.That(parameters[0].Value, Is.EqualTo(DBNull.Value), "an out parameter sends no value");
        });
    }

    [Test]
    public async Task A_batch_with_an_output_clause_reads_rows_for_every_element_in_one_command()
    {
        var recording = new RecordingSqlServerStore(_store);

        var context = await RunAsync(recording, """
            {
              "sql": "insert into door_orders (product_id, quantity) output inserted.id values (?, ?)",
              "execute": true,
              "returnRows": true,
              "parameters": [{ "reference": "product_id", "type": "string", "length": 20 }, { "reference": "quantity", "type": "integer" }]
            }
            """, """[{"product_id":"a","quantity":1},{"product_id":"b","quantity":2}]""");

        Assert.That(context.ResponseJson(), Is.EqualTo("[]"), "the recording answers no rows; a real server would answer the inserted ids");
        Assert.That(recording.Executed.Select(c => c.Parameters["@p1"].Value), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void An_output_decimal_without_precision_is_refused_at_load_on_sql_server()
    {
        var recording = new RecordingSqlServerStore(_store);

        var result = PluginUnderTest.Instance.Prepare(new ProcessorSetup
        {
            Entity = new EntityAddress("test", "services", "entity"),
            ProcessorConfig = JsonNode.Parse("""
                { "sql": "exec dbo.total ? output", "parameters": [{ "reference": "total", "type": "decimal", "direction": "out" }] }
                """),
            EntityMapping = [],
            DataStoreName = "database",
            InstanceDirectory = _folder.Path,
            DataStores = recording,
            Logger = NullLogger.Instance,
        });

        Assert.That(result.Errors, Is.EqualTo(new[]
        {
            "parameter 'total': an out decimal parameter on SQL Server needs precision and scale to size it.",
        }));
    }

    private async Task<ProcessorContext> RunAsync(IDataStores stores, string config, string data)
    {
        var result = PluginUnderTest.Instance.Prepare(new ProcessorSetup
        {
            Entity = new EntityAddress("test", "services", "entity"),
            ProcessorConfig = JsonNode.Parse(config),
            EntityMapping = [],
            DataStoreName = "database",
            InstanceDirectory = _folder.Path,
            DataStores = stores,
            Logger = NullLogger.Instance,
        });
        Assert.That(result.Errors, Is.Empty);
        var context = new ProcessorContext([])
        {
            Data = JsonNode.Parse(data),
            DataStores = stores,
            Logger = NullLogger.Instance,
            TraceId = "t",
        };
        await result.Processor!.ExecuteAsync(context, CancellationToken.None);
        return context;
    }

    /// <summary>SqlClient has no public way to make a SqlException; its internal factory is the one it uses itself.</summary>
    private static SqlException CreateSqlException(int number, string message, byte severity = 16)
    {
        const BindingFlags Internal = BindingFlags.NonPublic | BindingFlags.Instance;
        var errorConstructor = typeof(SqlError).GetConstructors(Internal).OrderByDescending(c => c.GetParameters().Length).First();
        var arguments = errorConstructor.GetParameters().Select(p => p.Name switch
        {
            "infoNumber" => (object?)number,
            "errorState" => (byte)1,
            "errorClass" => severity,
            "server" => "server",
            "errorMessage" => message,
            "procedure" => "",
            "lineNumber" => 1,
            "win32ErrorCode" => Convert.ChangeType(0, p.ParameterType, CultureInfo.InvariantCulture),
            _ => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null,
        }).ToArray();
        var error = (SqlError)errorConstructor.Invoke(arguments);
        var errors = (SqlErrorCollection)typeof(SqlErrorCollection).GetConstructors(Internal).Single().Invoke(null);
        typeof(SqlErrorCollection).GetMethod("Add", Internal)!.Invoke(errors, [error]);
        var create = typeof(SqlException).GetMethod("CreateException", BindingFlags.NonPublic | BindingFlags.Static,
            [typeof(SqlErrorCollection), typeof(string)])!;
        return (SqlException)create.Invoke(null, [errors, "15.0"])!;
    }

    /// <summary>A store whose every command fails with the given exception, described by the real store.</summary>
    private sealed class FailingStore(IDataStore realStore, Exception failure) : IDataStores, IDataStore
    {
        private readonly RecordingSqlServerStore _recording = new(realStore);

        public string Name => realStore.Name;

        public string Provider => realStore.Provider;

        public System.Data.Common.DbDataSource DataSource => throw failure;

        public TimeSpan CommandTimeout => realStore.CommandTimeout;

        public IReadOnlyCollection<string> Names => _recording.Names;

        public DataStoreError? DescribeError(Exception exception) => realStore.DescribeError(exception);

        public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IDataStore? store)
        {
            store = _recording.TryGet(name, out _) ? this : null;
            return store is not null;
        }
    }
}
