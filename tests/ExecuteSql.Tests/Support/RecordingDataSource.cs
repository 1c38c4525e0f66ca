using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using DataHub.Plugins;
using Microsoft.Data.SqlClient;

namespace DataHub.ExecuteSql.Tests.Support;

/// <summary>
/// A SQL Server store that records instead of connecting (no SQL Server can run here): commands are real
/// <see cref="SqlCommand"/>s, so the parameters the plug-in builds are real <see cref="SqlParameter"/>s with
/// SqlClient's own DbType mapping. Errors are described by the host's real SQL Server store.
/// </summary>
internal sealed class RecordingSqlServerStore(IDataStore realStore) : IDataStore, IDataStores
{
    private readonly RecordingDataSource _dataSource = new();

    public string Name => realStore.Name;

    public string Provider => DataStoreProviders.SqlServer;

    public DbDataSource DataSource => _dataSource;

    public TimeSpan CommandTimeout => realStore.CommandTimeout;

    public IReadOnlyList<SqlCommand> Executed => _dataSource.Executed;

    /// <summary>The values a stored procedure would hand back, by parameter name, set on every output parameter after a run.</summary>
    public Dictionary<string, object> OutputValues => _dataSource.OutputValues;

    public IReadOnlyCollection<string> Names => [Name];

    public DataStoreError? DescribeError(Exception exception) => realStore.DescribeError(exception);

    public bool TryGet(string name, [NotNullWhen(true)] out IDataStore? store)
    {
        store = string.Equals(name, Name, StringComparison.OrdinalIgnoreCase) ? this : null;
        return store is not null;
    }

    private sealed class RecordingDataSource : DbDataSource
    {
        public List<SqlCommand> Executed { get; } = [];

        public Dictionary<string, object> OutputValues { get; } = [];

        public override string ConnectionString => "";

        protected override DbConnection CreateDbConnection() => new RecordingConnection(Executed, OutputValues);
    }

    private sealed class RecordingConnection(List<SqlCommand> executed, Dictionary<string, object> outputValues) : DbConnection
    {
        private ConnectionState _state = ConnectionState.Closed;

        [AllowNull]
        public override string ConnectionString { get; set; } = "";

        public override string Database => "recording";

        public override string DataSource => "recording";

        public override string ServerVersion => "0";

        public override ConnectionState State => _state;

        public override void ChangeDatabase(string databaseName) => throw new NotSupportedException();

        public override void Close() => _state = ConnectionState.Closed;

        public override void Open() => _state = ConnectionState.Open;

        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => new RecordingTransaction(this);

        protected override DbCommand CreateDbCommand() => new RecordingCommand(this, executed, outputValues);
    }

    private sealed class RecordingTransaction(DbConnection connection) : DbTransaction
    {
        public override IsolationLevel IsolationLevel => IsolationLevel.ReadCommitted;

        protected override DbConnection DbConnection => connection;

        public override void Commit()
        {
        }

        public override void Rollback()
        {
        }
    }

    /// <summary>Keeps a copy of the command, with its parameters, each time it runs; answers no rows.</summary>
    private sealed class RecordingCommand(DbConnection connection, List<SqlCommand> executed, Dictionary<string, object> outputValues) : DbCommand
    {
        private readonly SqlCommand _command = new();

        [AllowNull]
        public override string CommandText { get => _command.CommandText; set => _command.CommandText = value; }

        public override int CommandTimeout { get => _command.CommandTimeout; set => _command.CommandTimeout = value; }

        public override CommandType CommandType { get => _command.CommandType; set => _command.CommandType = value; }

        public override bool DesignTimeVisible { get; set; }

        public override UpdateRowSource UpdatedRowSource { get; set; }

        protected override DbConnection? DbConnection { get; set; } = connection;

        protected override DbParameterCollection DbParameterCollection => _command.Parameters;

        protected override DbTransaction? DbTransaction { get; set; }

        public override void Cancel()
        {
        }

        public override int ExecuteNonQuery()
        {
            Record();
            return 1;
        }

        public override object? ExecuteScalar() => throw new NotSupportedException();

        public override void Prepare() => throw new InvalidOperationException("SqlClient cannot prepare without explicit sizes.");

        protected override DbParameter CreateDbParameter() => _command.CreateParameter();

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
        {
            Record();
            return new DataTable().CreateDataReader();
        }

        private void Record()
        {
            var copy = _command.Clone();
            executed.Add(copy);
            foreach (SqlParameter parameter in _command.Parameters)
            {
                if (parameter.Direction != ParameterDirection.Input && outputValues.TryGetValue(parameter.ParameterName, out var value))
                {
                    parameter.Value = value;
                }
            }
        }
    }
}
