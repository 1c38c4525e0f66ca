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
        if (valueSets.Length == 0)
        {
            context.Response = execute ? Processed(0) : new JsonArray();
            return;
        }

        var element = 0;
        var opened = false;
        try
        {
            await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
            opened = true;
            await using var command = connection.CreateCommand();
            command.CommandText = statement.Sql;
            command.CommandTimeout = (int)Math.Ceiling(store.CommandTimeout.TotalSeconds);
            var parameters = statement.AddParameters(command);
            if (execute)
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
            context.FailureIsTransient = TransientFailure.ProvesNoCommit(e, opened, error);
        }
        catch (OverflowException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Npgsql cannot read a numeric of more than 28 significant digits into any .NET number.
            context.Logger.LogError(e, "A result value does not fit a decimal.");
            context.Fail(MessageStatus.GeneralError,
                "A value in the result has more digits than a decimal holds (28); the SQL should cast it, for example to text.");
        }
    }

    private static object[][]? ReadValueSets(ProcessorContext context, SqlStatement statement, JsonNode? data)
    {
        switch (data)
        {
            case null when statement.ReadsOnlyData:
                return [statement.DefaultValues];
            case null:
                return ReadValueSets(context, statement, new JsonObject());
            case JsonObject single:
                var values = statement.ReadValues(single, context.Filter, context.Session, out var error);
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
                    var itemValues = statement.ReadValues(item, context.Filter, context.Session, out var itemError);
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
