using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>SQL rewritten for one provider, with its parameter bindings: everything a request needs, made once.</summary>
internal sealed class SqlStatement
{
    private SqlStatement(string sql, ParameterBinding[] parameters, ParameterBinding[] outputs, SqlConfig config, string provider)
    {
        Sql = sql;
        Parameters = parameters;
        DefaultValues = Array.ConvertAll(parameters, parameter => parameter.DefaultValue);
        Outputs = outputs;
        OutputsFromRow = provider == DataStoreProviders.PostgreSql;
        AllResultSets = config.ResultSets == ResultSets.All;
        FetchesCursors = AllResultSets && provider == DataStoreProviders.PostgreSql;
        ReturnRows = config.ReturnRows;
        if (!OutputsFromRow)
        {
            OutputOrdinals = [.. outputs.Select(output => Array.IndexOf(parameters, output))];
        }
    }

    /// <summary>The SQL with the provider's parameter markers in place of the placeholders.</summary>
    public string Sql { get; }

    public ParameterBinding[] Parameters { get; }

    /// <summary>The out and inout parameters, in order: their values are the answer's outputs.</summary>
    public ParameterBinding[] Outputs { get; }

    /// <summary>
    /// PostgreSQL hands out values back as the one row a call or function returns, its columns in parameter order;
    /// elsewhere they are output parameters, at <see cref="OutputOrdinals"/> in <see cref="Parameters"/>.
    /// </summary>
    public bool OutputsFromRow { get; }

    public int[] OutputOrdinals { get; } = [];

    public bool AllResultSets { get; }

    /// <summary>PostgreSQL refcursors among the result sets are fetched, inside the call's transaction.</summary>
    public bool FetchesCursors { get; }

    public bool ReturnRows { get; }

    /// <summary>The answer is <c>{"resultSets": […], "outputs": {…}}</c> rather than rows or a status.</summary>
    public bool AnswersObject => Outputs.Length > 0 || AllResultSets;

    /// <summary>The values of a call without data, in parameter order. Shared by every such call: only ever read.</summary>
    public object[] DefaultValues { get; }

    /// <summary>
    /// Checks the SQL's placeholders against the configuration's parameters and prepares both for
    /// <paramref name="provider"/>. Returns null when <paramref name="errors"/> holds any error, older ones included,
    /// so a configuration with problems is still checked as far as it can be.
    /// </summary>
    public static SqlStatement? Compile(SqlConfig config, string provider, List<string> errors)
    {
        var sql = config.Sql;
        if (sql is null)
        {
            return null;
        }
        var definitions = config.Parameters;
        var postgres = provider == DataStoreProviders.PostgreSql;
        var outputCount = 0;
        foreach (var definition in definitions)
        {
            if (definition.Direction == Direction.In)
            {
                continue;
            }
            outputCount++;
            if (provider == DataStoreProviders.Sqlite)
            {
                errors.Add($"parameter '{definition.Reference}': SQLite has no procedures or output parameters, so its direction must be in.");
            }
        }

        // A PostgreSQL out parameter has no placeholder: a call passes NULL in its place, a function call omits it.
        var placeholderCount = postgres ? config.ParameterCount - definitions.Count(d => d.Direction == Direction.Out) : config.ParameterCount;
        var separators = new List<int>();
        var placeholders = PlaceholderScanner.Find(sql, provider, out var scanError, separators);
        if (placeholders is not null && provider == DataStoreProviders.Sqlite && config.ResultSets == ResultSets.All
            && !HasSeveralStatements(sql, separators))
        {
            // Without procedures, one SQLite statement gives at most one result set.
            errors.Add("resultSets 'all' needs several statements on SQLite (it has no procedures); this sql has one.");
        }
        if (placeholders is null)
        {
            errors.Add(scanError!);
        }
        else if (placeholders.Count != placeholderCount)
        {
            errors.Add(placeholderCount == config.ParameterCount
                ? string.Create(CultureInfo.InvariantCulture,
                    $"sql has {placeholders.Count} ? placeholder(s) but {config.ParameterCount} parameter(s) are defined; they must match one for one.")
                : string.Create(CultureInfo.InvariantCulture,
                    $"sql has {placeholders.Count} ? placeholder(s) but {placeholderCount} in and inout parameter(s) are defined; they must match one for one (on PostgreSQL an out parameter takes no placeholder)."));
        }

        // Several statements with parameters need Npgsql's named markers (it splits them); one statement keeps $n.
        var named = postgres && config.ResultSets == ResultSets.All;
        var parameters = new List<ParameterBinding>(definitions.Count);
        var outputs = new List<ParameterBinding>(outputCount);
        foreach (var definition in definitions)
        {
            var bound = !(postgres && definition.Direction == Direction.Out);
            var binding = ParameterBinding.Create(
                definition, bound ? PlaceholderScanner.ParameterName(parameters.Count, provider, named) : null, provider, errors);
            if (bound)
            {
                parameters.Add(binding);
            }
            if (definition.Direction != Direction.In)
            {
                outputs.Add(binding);
            }
        }
        return errors.Count == 0
            ? new SqlStatement(PlaceholderScanner.Rewrite(sql, placeholders!, provider, named), [.. parameters], [.. outputs], config, provider)
            : null;
    }

    private static bool HasSeveralStatements(string sql, List<int> separators)
    {
        var statements = 0;
        var start = 0;
        foreach (var end in separators.Append(sql.Length))
        {
            if (!sql.AsSpan(start, end - start).IsWhiteSpace())
            {
                statements++;
            }
            start = Math.Min(end + 1, sql.Length);
        }
        return statements > 1;
    }

    /// <summary>
    /// Converts one data object into values, in parameter order: a missing field takes the default. Returns the first
    /// value that does not fit as an error, and then nothing should run.
    /// </summary>
    public object[]? ReadValues(JsonObject data, out string? error)
    {
        error = null;
        var values = new object[Parameters.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = Parameters[i];
            if (parameter.Direction == Direction.Out || !data.TryGetPropertyValue(parameter.Reference, out var node))
            {
                values[i] = parameter.DefaultValue;
            }
            else if (!parameter.TryConvert(node, out values[i], out error))
            {
                return null;
            }
        }
        return values;
    }

    /// <summary>Adds one parameter per binding to <paramref name="command"/>, in order.</summary>
    public DbParameter[] AddParameters(DbCommand command)
    {
        var parameters = new DbParameter[Parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i] = Parameters[i].AddTo(command);
        }
        return parameters;
    }

    public static void SetValues(DbParameter[] parameters, object[] values)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i].Value = values[i];
        }
    }
}
