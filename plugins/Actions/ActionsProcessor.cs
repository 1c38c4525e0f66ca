using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataHub.Plugins.Actions.Expressions;

namespace DataHub.Plugins.Actions;

/// <summary>
/// Runs an entity's steps for one call: the input validated completely first, then every step in one transaction on
/// the entity's data store, and the answer set only once the commit succeeded (or the dry run was rolled back).
/// </summary>
internal sealed class ActionsProcessor(
    string entity, ActionsConfig config, ExpressionEngine expressions, IDataStore store) : IDryRunProcessor, IInputSchemaProvider, IDisposable
{
    private readonly SqlText _sql = new(store.Provider);
    private readonly TableCatalog _tables = new(new SqlText(store.Provider));
    private readonly WritePlan?[] _plans = new WritePlan?[config.Steps.Count];

    public bool AllowsDryRun => config.AllowsDryRun;

    public JsonObject InputSchema { get; } = ActionsSchemas.Input(config.Input);

    // The respond step, or the last alias's value, decides the answer.
    public JsonObject? ResponseSchema => null;

    public async Task ExecuteAsync(ProcessorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = context.Data switch
        {
            null => [],
            JsonObject values => values,
            _ => null,
        };
        if (data is null)
        {
            context.Fail(MessageStatus.MessageInvalid, "data must be a JSON object.");
            return;
        }

        var callStore = context.StoreFor(store);
        var run = new Run(context, callStore, cancellationToken);
        var input = ReadInput(run, data);
        if (run.Errors.Any)
        {
            Answer(context, Outcome.Invalid(run.Errors, context.TraceId));
            return;
        }
        run.Scope["input"] = input;
        run.Scope["user"] = context.User?.DeepClone();
        run.Scope["context"] = context.Context.DeepClone();
        run.Scope["session"] = context.Session?.DeepClone();
        run.Scope["filter"] = context.Filter?.DeepClone();

        Outcome outcome;
        await using (var connection = await callStore.DataSource.OpenConnectionAsync(cancellationToken))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            outcome = await RunStepsAsync(run, connection, transaction);
            if (outcome.IsSuccess)
            {
                var step = config.Steps.Count;
                try
                {
                    if (context.DryRun)
                    {
                        await transaction.RollbackAsync(cancellationToken);
                        Log.DryRunRolledBack(context.Logger, entity);
                    }
                    else
                    {
                        await transaction.CommitAsync(cancellationToken);
                    }
                }
                catch (DbException e) when (!cancellationToken.IsCancellationRequested && callStore.DescribeError(e) is { } error)
                {
                    outcome = StoreFailure(run, "committing", e, error);
                }
            }
            // Otherwise disposing the transaction rolls back everything that ran.
        }
        Answer(context, outcome);
    }

    public void Dispose() => expressions.Dispose();

    private JsonObject ReadInput(Run run, JsonObject data)
    {
        if (config.Input is not { } fields)
        {
            return data.DeepClone().AsObject();
        }
        var missing = new List<InputField>();
        var input = InputValidator.Validate(fields, data, run.Errors, missing);
        if (run.Errors.Any)
        {
            return input;
        }
        foreach (var field in missing)
        {
            if (field.DefaultLiteral is { } literal)
            {
                input[field.Name] = literal.DeepClone();
                continue;
            }
            // Defaults see the inputs given and the defaults before them, in declaration order.
            var scope = new JsonObject { ["input"] = input.DeepClone() };
            input[field.Name] = expressions.Evaluate(field.DefaultBlock!.Value, scope, run.CancellationToken) is JsonArray values
                ? values[0]?.DeepClone()
                : null;
        }
        return input;
    }

    private async Task<Outcome> RunStepsAsync(Run run, DbConnection connection, DbTransaction transaction)
    {
        JsonNode? lastAlias = null;
        var hasAlias = false;
        foreach (var step in config.Steps)
        {
            // Consecutive validate steps report together; anything else first fails on what they found.
            if (step is not ValidateStep && run.Errors.Any)
            {
                return Outcome.Invalid(run.Errors, run.Context.TraceId);
            }
            Outcome? stop;
            JsonNode? value = null;
            try
            {
                (value, stop) = step switch
                {
                    QueryStep query => await QueryAsync(run, query, connection, transaction),
                    WriteStep write => await WriteAsync(run, write, connection, transaction),
                    ValidateStep validate => Validate(run, validate),
                    ExecuteStep execute => (Evaluate(run, execute), null),
                    RespondStep respond => (null, Respond(run, respond)),
                    _ => throw new InvalidOperationException($"No runner for {step.Kind}."),
                };
            }
            catch (EvaluationException e)
            {
                return EvaluationFailure(run, step, e);
            }
            catch (DbException e) when (!run.CancellationToken.IsCancellationRequested && run.Store.DescribeError(e) is { } error)
            {
                return StoreFailure(run, step.Name, e, error);
            }
            if (stop is not null)
            {
                return stop;
            }
            if (step.Alias is { } alias)
            {
                run.Scope[alias] = value;
                lastAlias = value;
                hasAlias = true;
            }
        }
        if (run.Errors.Any)
        {
            return Outcome.Invalid(run.Errors, run.Context.TraceId);
        }
        // Without respond: the last alias's value, or the status body.
        return hasAlias
            ? Outcome.Success(lastAlias?.DeepClone(), null, [])
            : Outcome.Success(new JsonObject { ["status"] = MessageStatus.Processed }, null, []);
    }

    private JsonArray EvaluateAll(Run run, Step step) =>
        expressions.Evaluate(step.Block, run.Scope, run.CancellationToken) as JsonArray ?? [];

    private JsonNode? Evaluate(Run run, Step step) =>
        expressions.Evaluate(step.Block, run.Scope, run.CancellationToken)?.DeepClone();

    private async Task<(JsonNode?, Outcome?)> QueryAsync(Run run, QueryStep step, DbConnection connection, DbTransaction transaction)
    {
        var values = EvaluateAll(run, step);
        await using var command = NewCommand(connection, transaction, step.Sql);
        for (var i = 0; i < step.ParameterCount; i++)
        {
            DbValues.Add(command, _sql.ParameterName(i), DbValues.ToParameter(values[i]));
        }
        JsonArray rows;
        await using (var reader = await command.ExecuteReaderAsync(run.CancellationToken))
        {
            rows = await DbValues.ReadRowsAsync(reader, run.CancellationToken);
        }
        if (!step.Single)
        {
            return (rows, null);
        }
        return rows.Count switch
        {
            1 => (rows[0]!.DeepClone(), null),
            0 => (null, Outcome.Failure(404, MessageStatus.MessageNotFound, $"{step.Name}: no row was found.")),
            _ => (null, Outcome.Failure(409, MessageStatus.GeneralError,
                string.Create(CultureInfo.InvariantCulture, $"{step.Name}: {rows.Count} rows were found where one was expected."))),
        };
    }

    private async Task<(JsonNode?, Outcome?)> WriteAsync(Run run, WriteStep step, DbConnection connection, DbTransaction transaction)
    {
        var plan = _plans[step.Position] ?? await PlanAsync(run, step, connection, transaction);
        if (plan is null)
        {
            return (null, Outcome.Failure(500, MessageStatus.GeneralError,
                $"{step.Name}: the entity's configuration does not match the database. The host log has the details under trace id {run.Context.TraceId}."));
        }
        var values = EvaluateAll(run, step);

        // Referenced rows first: every one that is missing is reported, and nothing is written.
        var keys = new object[step.References.Count];
        var missing = false;
        for (var r = 0; r < step.References.Count; r++)
        {
            var reference = step.References[r];
            var value = values[reference.Index];
            if (value is null || value.GetValueKind() == JsonValueKind.Null)
            {
                keys[r] = DBNull.Value;
                continue;
            }
            await using var lookup = NewCommand(connection, transaction, plan.References[r].Sql);
            DbValues.Add(lookup, _sql.ParameterName(0), ParameterValue(value));
            JsonArray found;
            await using (var reader = await lookup.ExecuteReaderAsync(run.CancellationToken))
            {
                found = await DbValues.ReadRowsAsync(reader, run.CancellationToken);
            }
            if (found.Count != 1)
            {
                run.Errors.Add(reference.Field, "reference-not-found", found.Count == 0
                    ? $"No {reference.Table} has {reference.Through} {Describe(value)}."
                    : $"More than one {reference.Table} has {reference.Through} {Describe(value)}.");
                missing = true;
                continue;
            }
            keys[r] = DbValues.ToParameter(found[0]!.AsObject().First().Value);
        }
        if (missing)
        {
            return (null, Outcome.Invalid(run.Errors, run.Context.TraceId));
        }

        await using var command = NewCommand(connection, transaction, plan.Sql);
        var index = 0;
        foreach (var column in step.Set)
        {
            DbValues.Add(command, _sql.ParameterName(index++), ParameterValue(values[column.Index]));
        }
        foreach (var key in keys)
        {
            DbValues.Add(command, _sql.ParameterName(index++), _sql.Provider == DataStoreProviders.PostgreSql && key is not DBNull
                ? Convert.ToString(key, CultureInfo.InvariantCulture)!
                : key);
        }
        foreach (var column in step.Where)
        {
            DbValues.Add(command, _sql.ParameterName(index++), ParameterValue(values[column.Index]));
        }
        if (step.Kind == "delete")
        {
            await command.ExecuteNonQueryAsync(run.CancellationToken);
            return (null, null);
        }
        JsonArray rows;
        await using (var reader = await command.ExecuteReaderAsync(run.CancellationToken))
        {
            rows = await DbValues.ReadRowsAsync(reader, run.CancellationToken);
        }
        return rows.Count switch
        {
            1 => (rows[0]!.DeepClone(), null),
            0 => (null, Outcome.Failure(404, MessageStatus.MessageNotFound, $"{step.Name}: no row matches 'where'.")),
            _ => (null, Outcome.Failure(409, MessageStatus.GeneralError,
                string.Create(CultureInfo.InvariantCulture, $"{step.Name}: 'where' matches {rows.Count} rows; {step.Kind} changes one."))),
        };
    }

    /// <summary>
    /// Checks the step's table and columns against the database (once) and builds its SQL: names quoted as the
    /// database spells them, values as parameters. Null when the database lacks something; the log says what.
    /// </summary>
    private async Task<WritePlan?> PlanAsync(Run run, WriteStep step, DbConnection connection, DbTransaction transaction)
    {
        _ = transaction;
        var problems = new List<string>();
        var table = await _tables.GetAsync(connection, step.Table, run.CancellationToken);
        if (table is null)
        {
            problems.Add($"table '{step.Table}' does not exist");
        }
        TableColumn? Column(TableInfo? owner, string name, string member)
        {
            if (owner is null)
            {
                return null;
            }
            if (owner.Columns.TryGetValue(name, out var column))
            {
                return column;
            }
            problems.Add($"{member}: table '{owner.Name}' has no column '{name}'");
            return null;
        }

        var set = step.Set.Select(c => Column(table, c.Column, "set")).ToList();
        var referenceColumns = step.References.Select(r => Column(table, r.Column, "reference")).ToList();
        var where = step.Where.Select(c => Column(table, c.Column, "where")).ToList();
        var references = new List<ReferencePlan>();
        foreach (var reference in step.References)
        {
            var target = await _tables.GetAsync(connection, reference.Table, run.CancellationToken);
            if (target is null)
            {
                problems.Add($"reference.{reference.Column}: table '{reference.Table}' does not exist");
                continue;
            }
            var key = Column(target, reference.Key, $"reference.{reference.Column}");
            var through = Column(target, reference.Through, $"reference.{reference.Column}");
            if (key is not null && through is not null)
            {
                references.Add(new ReferencePlan(_sql.Lookup(target, key, through)));
            }
        }
        if (problems.Count > 0)
        {
            Log.SchemaMismatch(run.Context.Logger, entity, step.Name, string.Join("; ", problems));
            return null;
        }

        List<TableColumn> written = [.. set.Select(c => c!), .. referenceColumns.Select(c => c!)];
        var sql = step.Kind switch
        {
            "create" => _sql.Insert(table!, written),
            "update" => _sql.Update(table!, written, [.. where.Select(c => c!)]),
            _ => _sql.Delete(table!, [.. where.Select(c => c!)]),
        };
        return _plans[step.Position] = new WritePlan(sql, references);
    }

    private (JsonNode?, Outcome?) Validate(Run run, ValidateStep step)
    {
        var values = EvaluateAll(run, step);
        if (!IsTruthy(values[0]))
        {
            run.Errors.Add(step.Key, step.Code, step.Message);
        }
        return (null, null);
    }

    private Outcome Respond(Run run, RespondStep step)
    {
        var values = EvaluateAll(run, step);
        var headers = new List<KeyValuePair<string, string>>();
        for (var h = 0; h < step.Headers.Count; h++)
        {
            var value = values[h + 1];
            if (value is null)
            {
                continue;
            }
            headers.Add(new(step.Headers[h], value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString()));
        }
        return Outcome.Success(values[0]?.DeepClone(), step.HttpStatus, headers);
    }

    private object ParameterValue(JsonNode? value) =>
        _sql.Provider == DataStoreProviders.PostgreSql ? DbValues.ToText(value) : DbValues.ToParameter(value);

    private DbCommand NewCommand(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.CommandTimeout = (int)Math.Ceiling(store.CommandTimeout.TotalSeconds);
        return command;
    }

    private static bool IsTruthy(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null or JsonValueKind.False or JsonValueKind.Undefined => false,
        JsonValueKind.Number => value.GetValue<double>() != 0,
        JsonValueKind.String => value.GetValue<string>().Length > 0,
        _ => true,
    };

    private static string Describe(JsonNode value) =>
        value.GetValueKind() == JsonValueKind.String ? $"'{value.GetValue<string>()}'" : value.ToJsonString();

    private Outcome EvaluationFailure(Run run, Step step, EvaluationException e)
    {
        Log.EvaluationFailed(run.Context.Logger, entity, step.Name, e.Failure.ToString());
        Log.EvaluationDetail(run.Context.Logger, step.Name, e.Detail);
        return e.Failure switch
        {
            Expressions.EvaluationFailure.TimedOut => Outcome.Failure(null, MessageStatus.ReprocessTimeout,
                $"{step.Name} ran past its time limit; nothing was saved."),
            _ => Outcome.Failure(500, MessageStatus.GeneralError,
                $"{step.Name} failed; nothing was saved. The host log has the details under trace id {run.Context.TraceId}."),
        };
    }

    private Outcome StoreFailure(Run run, string where, DbException e, DataStoreError error)
    {
        Log.StoreFailureDetail(run.Context.Logger, e, where);
        if (error.Kind is DataStoreErrorKind.Rejected or DataStoreErrorKind.Conflict)
        {
            // Also a unique key taken by a concurrent call that committed first: the caller's conflict (409).
            Log.Rejected(run.Context.Logger, entity, where);
            return Outcome.Failure(error.HttpStatus, MessageStatus.DataInvalid, $"{where}: {error.Message}");
        }
        Log.StoreFailed(run.Context.Logger, entity, where, error.Kind);
        return error.Kind switch
        {
            DataStoreErrorKind.Unavailable => Outcome.Failure(error.HttpStatus, MessageStatus.GeneralError, error.Message),
            DataStoreErrorKind.Timeout => Outcome.Failure(error.HttpStatus, MessageStatus.ReprocessTimeout, $"{where}: {error.Message}"),
            _ => Outcome.Failure(error.HttpStatus, MessageStatus.GeneralError, $"{where}: {error.Message}"),
        };
    }

    private static void Answer(ProcessorContext context, Outcome outcome)
    {
        if (outcome.Body is JsonObject { } errorBody && !outcome.IsSuccess)
        {
            context.Response = errorBody;
            context.HttpStatus = outcome.HttpStatus;
            context.Status = outcome.Status;
            return;
        }
        if (!outcome.IsSuccess)
        {
            context.HttpStatus = outcome.HttpStatus;
            context.Fail(outcome.Status, outcome.Message!);
            return;
        }
        context.Response = outcome.Body;
        context.HttpStatus = outcome.HttpStatus;
        context.Status = MessageStatus.Processed;
        foreach (var (name, value) in outcome.Headers)
        {
            context.HttpHeaders[name] = value;
        }
    }

    /// <summary>One call's state: the action context the expressions see, and the validation errors so far.</summary>
    private sealed class Run(ProcessorContext context, IDataStore store, CancellationToken cancellationToken)
    {
        public ProcessorContext Context { get; } = context;

        /// <summary>The store this call runs on.</summary>
        public IDataStore Store { get; } = store;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public JsonObject Scope { get; } = [];

        public ValidationErrors Errors { get; } = new();
    }

    private sealed record WritePlan(string Sql, IReadOnlyList<ReferencePlan> References);

    private sealed record ReferencePlan(string Sql);

    /// <summary>How a call ends: the answer to send, or why it failed (and then everything is rolled back).</summary>
    private sealed record Outcome(bool IsSuccess, int? HttpStatus, int Status, string? Message, JsonNode? Body,
        IReadOnlyList<KeyValuePair<string, string>> Headers)
    {
        public static Outcome Success(JsonNode? body, int? httpStatus, IReadOnlyList<KeyValuePair<string, string>> headers) =>
            new(true, httpStatus, MessageStatus.Processed, null, body, headers);

        public static Outcome Failure(int? httpStatus, int status, string message) =>
            new(false, httpStatus, status, message, null, []);

        public static Outcome Invalid(ValidationErrors errors, string traceId) =>
            new(false, 400, MessageStatus.DataInvalid, null, errors.ToResponse(traceId), []);
    }
}
