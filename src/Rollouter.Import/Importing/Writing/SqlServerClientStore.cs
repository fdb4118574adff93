using System.Data;
using Microsoft.Data.SqlClient;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Configurations;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Importing.Writing;

/// <summary>
/// SQL Server: SqlBulkCopy for clients and history, a temporary staging table and one UPDATE ... FROM for updates.
/// Not tested: there is no SQL Server on the development machine.
/// </summary>
internal sealed class SqlServerClientStore(RolloutDbContext db) : ClientStore(db)
{
    private const string NameIndex = "IX_Clients_RolloutId_NameKey";

    private bool _stagingCreated;

    private SqlConnection Sql => (SqlConnection)Connection;

    private SqlTransaction SqlTransaction => (SqlTransaction)Transaction;

    public override async Task LockRolloutAsync(int rolloutId, CancellationToken ct)
    {
        await using var command = Command(
            "EXEC sp_getapplock @Resource = @resource, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = -1");
        Parameter(command, "@resource", $"Rollouter.ClientWrite.{rolloutId}");
        await command.ExecuteNonQueryAsync(ct);
    }

    protected override string InventoryLockSql =>
        "SELECT [RolloutId] FROM [Inventories] WITH (HOLDLOCK, ROWLOCK) WHERE [Id] = @inventory";

    protected override string InventoryParameter => "@inventory";

    public override async Task CreateOptionsAsync(IReadOnlyList<NewOption> options, CancellationToken ct)
    {
        await using var command = Command("""
            INSERT INTO [CustomFieldOptions] ([CustomFieldId], [Name], [Position])
            SELECT @field, @name,
                   COALESCE((SELECT MAX([Position]) FROM [CustomFieldOptions] WITH (UPDLOCK, HOLDLOCK)
                             WHERE [CustomFieldId] = @field), -1) + 1
            WHERE NOT EXISTS (SELECT 1 FROM [CustomFieldOptions] WITH (UPDLOCK, HOLDLOCK)
                              WHERE [CustomFieldId] = @field AND [Name] = @name)
            """);
        var field = Parameter(command, "@field", 0);
        var name = Parameter(command, "@name", "");
        foreach (var option in options)
        {
            field.Value = option.CustomFieldId;
            name.Value = option.Name;
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    public override async Task InsertClientsAsync(
        WriteContext context, IReadOnlyList<ClientState> clients, DateTimeOffset now, CancellationToken ct)
    {
        using var table = ClientTable();
        table.Columns.Add("CreatedById", typeof(int));
        table.Columns.Add("CreatedByImportId", typeof(int));
        foreach (var client in clients)
        {
            table.Rows.Add(context.RolloutId, context.InventoryId, client.Name, Client.KeyOf(client.Name), client.StatusId,
                (object?)client.AssigneeId ?? DBNull.Value, (object?)client.ClientUserId ?? DBNull.Value,
                (object?)client.Description ?? DBNull.Value, (object?)client.Flag ?? DBNull.Value,
                Json.Values(client.Values), now, now, (object?)context.UserId ?? DBNull.Value, context.ImportId);
        }

        await BulkCopyAsync("[Clients]", table, SqlBulkCopyOptions.CheckConstraints, ct);
    }

    public override async Task<List<ClientState>> LoadForUpdateAsync(IReadOnlyCollection<int> ids, CancellationToken ct)
    {
        await using var command = Command("""
            SELECT [Id], [Name], [StatusId], [AssigneeId], [ClientUserId], [Description], [Flag], [Values]
            FROM [Clients] WITH (UPDLOCK, ROWLOCK)
            WHERE [Id] IN (SELECT CAST([value] AS int) FROM OPENJSON(@ids))
            """);
        Parameter(command, "@ids", JsonColumns.Serialize(ids));
        return await ReadClientsAsync(command, ct);
    }

    public override async Task UpdateClientsAsync(
        IReadOnlyList<ClientState> clients, DateTimeOffset now, CancellationToken ct)
    {
        if (!_stagingCreated)
        {
            await using var create = Command("""
                CREATE TABLE #client_updates ([Id] int PRIMARY KEY, [StatusId] int NOT NULL, [AssigneeId] int NULL,
                    [ClientUserId] int NULL, [Description] nvarchar(max) NULL, [Flag] nvarchar(max) NULL,
                    [Values] nvarchar(max) NOT NULL)
                """);
            await create.ExecuteNonQueryAsync(ct);
            _stagingCreated = true;
        }

        using var table = new DataTable();
        table.Columns.Add("Id", typeof(int));
        table.Columns.Add("StatusId", typeof(int));
        table.Columns.Add("AssigneeId", typeof(int));
        table.Columns.Add("ClientUserId", typeof(int));
        table.Columns.Add("Description", typeof(string));
        table.Columns.Add("Flag", typeof(string));
        table.Columns.Add("Values", typeof(string));
        foreach (var client in clients)
        {
            table.Rows.Add(client.Id, client.StatusId, (object?)client.AssigneeId ?? DBNull.Value,
                (object?)client.ClientUserId ?? DBNull.Value, (object?)client.Description ?? DBNull.Value,
                (object?)client.Flag ?? DBNull.Value, Json.Values(client.Values));
        }

        await BulkCopyAsync("#client_updates", table, SqlBulkCopyOptions.Default, ct);
        await using var update = Command("""
            UPDATE c SET [StatusId] = u.[StatusId], [AssigneeId] = u.[AssigneeId], [ClientUserId] = u.[ClientUserId],
                [Description] = u.[Description], [Flag] = u.[Flag], [Values] = u.[Values], [UpdatedAt] = @now
            FROM [Clients] AS c INNER JOIN #client_updates AS u ON c.[Id] = u.[Id];
            TRUNCATE TABLE #client_updates;
            """);
        Parameter(update, "@now", now);
        await update.ExecuteNonQueryAsync(ct);
    }

    public override async Task InsertHistoryAsync(
        WriteContext context, IReadOnlyList<HistoryRecord> entries, DateTimeOffset now, CancellationToken ct)
    {
        using var table = new DataTable();
        table.Columns.Add("ClientId", typeof(int));
        table.Columns.Add("At", typeof(DateTimeOffset));
        table.Columns.Add("UserId", typeof(int));
        table.Columns.Add("ImportId", typeof(int));
        table.Columns.Add("Action", typeof(string));
        table.Columns.Add("Changes", typeof(string));
        foreach (var entry in entries)
        {
            table.Rows.Add(entry.ClientId, now, (object?)context.UserId ?? DBNull.Value, context.ImportId,
                entry.Action.ToString(), Json.Changes(entry.Changes));
        }

        await BulkCopyAsync("[ClientHistory]", table, SqlBulkCopyOptions.CheckConstraints, ct);
    }

    public override async Task InsertRowErrorsAsync(int importId, IReadOnlyList<Rules.RowError> errors, CancellationToken ct)
    {
        using var table = new DataTable();
        table.Columns.Add("ImportId", typeof(int));
        table.Columns.Add("Row", typeof(int));
        table.Columns.Add("Column", typeof(string));
        table.Columns.Add("Header", typeof(string));
        table.Columns.Add("Value", typeof(string));
        table.Columns.Add("Message", typeof(string));
        foreach (var error in errors)
        {
            table.Rows.Add(importId, error.Row, (object?)error.Column ?? DBNull.Value,
                (object?)error.Header ?? DBNull.Value, (object?)error.Value ?? DBNull.Value, error.Message);
        }

        using var copy = new SqlBulkCopy(Sql, SqlBulkCopyOptions.CheckConstraints, null)
        {
            DestinationTableName = "[ImportRowErrors]",
            BulkCopyTimeout = 0,
        };
        foreach (DataColumn column in table.Columns)
        {
            copy.ColumnMappings.Add(column.ColumnName, column.ColumnName);
        }

        await copy.WriteToServerAsync(table, ct);
    }

    public override async Task<List<string>> FindTakenKeysAsync(
        int rolloutId, IReadOnlyList<string> keys, CancellationToken ct)
    {
        await using var command = LookupCommand("""
            SELECT c.[NameKey] FROM [Clients] c
            WHERE c.[RolloutId] = @rollout AND c.[NameKey] IN (SELECT j.[value] FROM OPENJSON(@keys) AS j)
            """);
        Parameter(command, "@keys", JsonColumns.Serialize(keys));
        Parameter(command, "@rollout", rolloutId);
        return await ReadStringsAsync(command, ct);
    }

    public override bool IsNameConflict(Exception exception) =>
        exception is SqlException { Number: 2601 or 2627 } e && e.Message.Contains(NameIndex, StringComparison.Ordinal);

    private static DataTable ClientTable()
    {
        var table = new DataTable();
        table.Columns.Add("RolloutId", typeof(int));
        table.Columns.Add("InventoryId", typeof(int));
        table.Columns.Add("Name", typeof(string));
        table.Columns.Add("NameKey", typeof(string));
        table.Columns.Add("StatusId", typeof(int));
        table.Columns.Add("AssigneeId", typeof(int));
        table.Columns.Add("ClientUserId", typeof(int));
        table.Columns.Add("Description", typeof(string));
        table.Columns.Add("Flag", typeof(string));
        table.Columns.Add("Values", typeof(string));
        table.Columns.Add("CreatedAt", typeof(DateTimeOffset));
        table.Columns.Add("UpdatedAt", typeof(DateTimeOffset));
        return table;
    }

    private async Task BulkCopyAsync(string destination, DataTable table, SqlBulkCopyOptions options, CancellationToken ct)
    {
        using var copy = new SqlBulkCopy(Sql, options, SqlTransaction)
        {
            DestinationTableName = destination,
            BulkCopyTimeout = 0,
            BatchSize = 0,
        };
        foreach (DataColumn column in table.Columns)
        {
            copy.ColumnMappings.Add(column.ColumnName, column.ColumnName);
        }

        await copy.WriteToServerAsync(table, ct);
    }
}
