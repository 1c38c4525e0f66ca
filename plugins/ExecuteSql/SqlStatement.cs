using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;

namespace DataHub.Plugins.ExecuteSql;

/// <summary>SQL rewritten for one provider, with its parameter bindings: everything a request needs, made once.</summary>
internal sealed class SqlStatement
{
    private SqlStatement(string sql, ParameterBinding[] parameters)
    {
        Sql = sql;
        Parameters = parameters;
        DefaultValues = Array.ConvertAll(parameters, parameter => parameter.DefaultValue);
        ReadsOnlyData = Array.TrueForAll(parameters, parameter => parameter.Source == ParameterSource.Data);
    }

    /// <summary>True when no parameter reads the filter or the session, so a call without data takes the defaults.</summary>
    public bool ReadsOnlyData { get; }

    /// <summary>The SQL with the provider's parameter markers in place of the placeholders.</summary>
    public string Sql { get; }

    public ParameterBinding[] Parameters { get; }

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
        var placeholders = PlaceholderScanner.Find(sql, provider, out var scanError);
        if (placeholders is null)
        {
            errors.Add(scanError!);
        }
        else if (placeholders.Count != config.ParameterCount)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"sql has {placeholders.Count} ? placeholder(s) but {config.ParameterCount} parameter(s) are defined; they must match one for one."));
        }

        var parameters = new ParameterBinding[definitions.Count];
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i] = ParameterBinding.Create(definitions[i], PlaceholderScanner.ParameterName(i, provider), provider, errors);
        }
        return errors.Count == 0
            ? new SqlStatement(PlaceholderScanner.Rewrite(sql, placeholders!, provider), parameters)
            : null;
    }

    /// <summary>
    /// Converts one data object (with the call's filter and session) into values, in parameter order: a missing field
    /// takes the default. Returns the first value that does not fit as an error, and then nothing should run.
    /// </summary>
    public object[]? ReadValues(JsonObject data, JsonObject? filter, JsonObject? session, out string? error)
    {
        error = null;
        var values = new object[Parameters.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = Parameters[i];
            var source = parameter.Source switch
            {
                ParameterSource.Filter => filter,
                ParameterSource.Session => session,
                _ => data,
            };
            JsonNode? node = null;
            if (source is null || !source.TryGetPropertyValue(parameter.Field, out node))
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
