using System.Collections.Concurrent;
using System.Data.Common;

namespace DataHub.Plugins.Actions;

/// <summary>
/// The tables an entity writes, as the database describes them, read on first use and kept: their quoted names and
/// their columns with types. A table the database does not have is not kept, so creating it later is picked up.
/// </summary>
internal sealed class TableCatalog(SqlText sql)
{
    private readonly ConcurrentDictionary<string, TableInfo> _tables = new(StringComparer.Ordinal);

    public async Task<TableInfo?> GetAsync(DbConnection connection, string table, CancellationToken cancellationToken)
    {
        if (_tables.TryGetValue(table, out var known))
        {
            return known;
        }
        await using var command = connection.CreateCommand();
        var parameter = command.CreateParameter();
        parameter.ParameterName = sql.ParameterName(0);
        parameter.Value = table;
        command.Parameters.Add(parameter);
        command.CommandText = sql.Provider switch
        {
            // The type without its modifier: a value cast to varchar(10) would be cut silently, while the column
            // refuses one that is too long.
            DataStoreProviders.PostgreSql =>
                "SELECT to_regclass($1)::text, a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a " +
                "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            DataStoreProviders.SqlServer =>
                "SELECT NULL, c.name, t.name FROM sys.columns c JOIN sys.types t ON t.user_type_id = c.user_type_id " +
                "WHERE c.object_id = OBJECT_ID(@p0) ORDER BY c.column_id",
            _ => "SELECT NULL, name, type FROM pragma_table_info(@p0) ORDER BY cid",
        };
        var columns = new Dictionary<string, TableColumn>(StringComparer.OrdinalIgnoreCase);
        string? quotedName = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                quotedName ??= reader.IsDBNull(0) ? null : reader.GetString(0);
                var name = reader.GetString(1);
                columns.TryAdd(name, new TableColumn(name, reader.IsDBNull(2) ? "" : reader.GetString(2)));
            }
        }
        if (columns.Count == 0)
        {
            return null;
        }
        quotedName ??= string.Join('.', table.Split('.').Select(sql.Quote));
        return _tables.GetOrAdd(table, new TableInfo(table, quotedName, columns));
    }
}
