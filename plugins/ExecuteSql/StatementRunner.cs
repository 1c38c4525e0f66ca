using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>Runs a compiled statement for one call's data: one object, or an array of them.</summary>
internal static class StatementRunner
{
    public static async Task RunAsync(
        ProcessorContext context, IDataStore store, SqlStatement statement, bool execute, JsonNode? data, CancellationToken cancellationToken)
    {
        // Every value is converted and checked before anything runs.
        var batch = data is JsonArray;
        var valueSets = ReadValueSets(context, statement, data);
        if (valueSets is null)
        {
            return;
        }
        var answersRows = statement.AnswersObject || (execute && statement.ReturnRows);
        if (valueSets.Length == 0)
        {
            context.Response = execute && !answersRows ? Processed(0) : new JsonArray();
            return;
        }

        var element = 0;
        try
        {
            await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = statement.Sql;
            command.CommandTimeout = (int)Math.Ceiling(store.CommandTimeout.TotalSeconds);
            var parameters = statement.AddParameters(command);
            if (answersRows)
            {
                // A command's batch is one transaction, as below; so is any call whose refcursors must be fetched.
                await using var transaction = (execute && batch) || statement.FetchesCursors
                    ? await connection.BeginTransactionAsync(cancellationToken)
                    : null;
                command.Transaction = transaction;
                var answers = new List<Answer>(execute ? valueSets.Length : 1);
                for (; element < valueSets.Length; element++)
                {
                    SqlStatement.SetValues(parameters, valueSets[element]);
                    if (!execute && element < valueSets.Length - 1)
                    {
                        // Without execute only the last run is answered, as for a plain query.
                        await command.ExecuteNonQueryAsync(cancellationToken);
                        continue;
                    }
                    var answer = await ReadAnswerAsync(command, parameters, statement, store, cancellationToken);
                    if (answer.Error is { } answerError)
                    {
                        context.Fail(MessageStatus.GeneralError, answerError);
                        return;
                    }
                    answers.Add(answer);
                }
                if (transaction is not null)
                {
                    await transaction.CommitAsync(cancellationToken);
                }
                context.Response = Compose(answers, statement, execute && batch);
            }
            else if (execute)
            {
                // A batch runs in one transaction, reusing one command; a failure rolls it all back. Preparing is the
                // store's to decide (Npgsql's auto-prepare, as the connection string sets it), so none is asked for here.
                await using var transaction = batch ? await connection.BeginTransactionAsync(cancellationToken) : null;
                command.Transaction = transaction;
                long rowsAffected = 0;
                for (; element < valueSets.Length; element++)
                {
                    SqlStatement.SetValues(parameters, valueSets[element]);
                    rowsAffected += Math.Max(0, await command.ExecuteNonQueryAsync(cancellationToken));
                }
                if (transaction is not null)
                {
                    await transaction.CommitAsync(cancellationToken);
                }
                context.Response = Processed(rowsAffected);
            }
            else
            {
                // Each value set runs in turn; only the last run's rows are read and returned.
                var last = valueSets.Length - 1;
                for (; element < last; element++)
                {
                    SqlStatement.SetValues(parameters, valueSets[element]);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
                SqlStatement.SetValues(parameters, valueSets[last]);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                context.Response = await ResultReader.ReadAsync(reader, store.Provider == DataStoreProviders.Sqlite, cancellationToken);
            }
            context.Status = MessageStatus.Processed;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && store.DescribeError(e) is { } error)
        {
            var where = !batch ? ""
                : element < valueSets.Length ? string.Create(CultureInfo.InvariantCulture, $"data[{element}]: ")
                : "committing the batch: ";
            Report(context, error, where, e);
        }
        catch (OverflowException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Npgsql cannot read a numeric of more than 28 significant digits into any .NET number.
            context.Logger.LogError(e, "A result value does not fit a decimal.");
            context.Fail(MessageStatus.GeneralError,
                "A value in the result has more digits than a decimal holds (28); the SQL should cast it, for example to text.");
        }
    }

    /// <summary>
    /// Runs the command once and reads what it answers: the result sets asked for and the out values. Refcursors are
    /// fetched after the reader closes, on the same connection and transaction, and take their place in the order.
    /// </summary>
    private static async Task<Answer> ReadAnswerAsync(
        DbCommand command, DbParameter[] parameters, SqlStatement statement, IDataStore store, CancellationToken cancellationToken)
    {
        var sqlite = store.Provider == DataStoreProviders.Sqlite;
        var sets = new List<JsonArray>();
        var cursors = new List<(int At, string Name)>();
        JsonNode?[]? outputRow = null;
        var outputsRead = !statement.OutputsFromRow || statement.Outputs.Length == 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            do
            {
                if (reader.FieldCount == 0)
                {
                    // A statement without columns (an insert without returning) answers no result set.
                    continue;
                }
                if (!outputsRead)
                {
                    outputsRead = true;
                    outputRow = await ResultReader.ReadFirstRowAsync(reader, sqlite, cancellationToken);
                    if (outputRow is not null && outputRow.Length < statement.Outputs.Length)
                    {
                        return new Answer([], null, string.Create(CultureInfo.InvariantCulture,
                            $"The statement returned {outputRow.Length} value(s) for {statement.Outputs.Length} out and inout parameter(s)."));
                    }
                    continue;
                }
                if (statement.FetchesCursors && ResultReader.IsCursorSet(reader))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        for (var i = 0; i < reader.FieldCount; i++)
                        {
                            if (!reader.IsDBNull(i))
                            {
                                cursors.Add((sets.Count + cursors.Count, reader.GetString(i)));
                            }
                        }
                    }
                    continue;
                }
                sets.Add(await ResultReader.ReadSetAsync(reader, sqlite, cancellationToken));
                if (!statement.AllResultSets)
                {
                    break;
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        foreach (var (at, name) in cursors)
        {
            await using var fetch = command.Connection!.CreateCommand();
            fetch.Transaction = command.Transaction;
            fetch.CommandTimeout = command.CommandTimeout;
            fetch.CommandText = "FETCH ALL FROM \"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            await using var reader = await fetch.ExecuteReaderAsync(cancellationToken);
            sets.Insert(at, await ResultReader.ReadSetAsync(reader, sqlite, cancellationToken));
        }

        JsonObject? outputs = null;
        if (statement.Outputs.Length > 0)
        {
            outputs = [];
            for (var i = 0; i < statement.Outputs.Length; i++)
            {
                var output = statement.Outputs[i];
                // Output parameters are read only once the reader is closed.
                outputs[output.Reference] = statement.OutputsFromRow
                    ? outputRow?[i]?.DeepClone()
                    : ResultReader.FromValue(parameters[statement.OutputOrdinals[i]].Value, output.Type);
            }
        }
        return new Answer(sets, outputs, null);
    }

    /// <summary>
    /// The answer's JSON: the documented object (one per element in a command's batch), or, for a command with
    /// returnRows alone, its rows (every element's, in order, in a batch).
    /// </summary>
    private static JsonNode Compose(List<Answer> answers, SqlStatement statement, bool batch)
    {
        if (!statement.AnswersObject)
        {
            var rows = new JsonArray();
            foreach (var answer in answers)
            {
                foreach (var set in answer.Sets)
                {
                    var moved = set.ToArray();
                    set.Clear();
                    foreach (var row in moved)
                    {
                        rows.Add(row);
                    }
                }
            }
            return rows;
        }
        if (!batch)
        {
            return answers[0].ToJson();
        }
        var elements = new JsonArray();
        foreach (var answer in answers)
        {
            elements.Add(answer.ToJson());
        }
        return elements;
    }

    private static object[][]? ReadValueSets(ProcessorContext context, SqlStatement statement, JsonNode? data)
    {
        switch (data)
        {
            case null:
                return [statement.DefaultValues];
            case JsonObject single:
                var values = statement.ReadValues(single, out var error);
                if (values is null)
                {
                    context.Fail(MessageStatus.DataInvalid, error!);
                    return null;
                }
                return [values];
            case JsonArray array:
                var sets = new object[array.Count][];
                for (var i = 0; i < sets.Length; i++)
                {
                    if (array[i] is not JsonObject item)
                    {
                        context.Fail(MessageStatus.DataInvalid, string.Create(CultureInfo.InvariantCulture, $"data[{i}] must be a JSON object."));
                        return null;
                    }
                    var itemValues = statement.ReadValues(item, out var itemError);
                    if (itemValues is null)
                    {
                        context.Fail(MessageStatus.DataInvalid, string.Create(CultureInfo.InvariantCulture, $"data[{i}]: {itemError}"));
                        return null;
                    }
                    sets[i] = itemValues;
                }
                return sets;
            default:
                context.Fail(MessageStatus.DataInvalid, "data must be a JSON object or an array of JSON objects.");
                return null;
        }
    }

    /// <summary>What one run answered; <paramref name="Error"/> when its out values do not match the configuration.</summary>
    private sealed record Answer(List<JsonArray> Sets, JsonObject? Outputs, string? Error)
    {
        public JsonObject ToJson()
        {
            var sets = new JsonArray();
            foreach (var set in Sets)
            {
                sets.Add(set);
            }
            return new JsonObject { ["resultSets"] = sets, ["outputs"] = Outputs ?? [] };
        }
    }

    private static JsonObject Processed(long rowsAffected) =>
        new() { ["status"] = MessageStatus.Processed, ["rowsAffected"] = rowsAffected };

    private static void Report(ProcessorContext context, DataStoreError error, string where, Exception exception)
    {
        switch (error.Kind)
        {
            case DataStoreErrorKind.Rejected:
                context.Logger.LogInformation("The database rejected the call's data: {Message}", error.Message);
                context.Fail(MessageStatus.DataInvalid, where + error.Message);
                break;
            case DataStoreErrorKind.Unavailable:
                context.Logger.LogWarning(exception, "The data store is unavailable.");
                context.HttpStatus = 503;
                context.Fail(MessageStatus.GeneralError, error.Message);
                break;
            case DataStoreErrorKind.Timeout:
                context.Logger.LogWarning(exception, "The command timed out.");
                context.Fail(MessageStatus.ReprocessTimeout, where + error.Message);
                break;
            default:
                context.Logger.LogError(exception, "The command failed.");
                context.Fail(MessageStatus.GeneralError, where + error.Message);
                break;
        }
    }
}
