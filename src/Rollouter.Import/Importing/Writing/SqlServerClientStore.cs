using System.Data;
using Microsoft.Data.SqlClient;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Configurations;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Importing.Writing;

/// <summary>
/// SQL Server: SqlBulkCopy for clients and history, a temporary staging table and one UPDATE ... FROM for updates.
/// No SQL Server runs on the development machines: every statement below is a constant ending in "Sql", and every
/// table SqlBulkCopy fills comes from a method ending in "Table", so that a test parses each statement with SQL
/// Server's own parser (ScriptDom) and checks each table and column it names against the SQL Server model
/// (SqlServerScriptTests).
/// </summary>
internal sealed class SqlServerClientStore(RolloutDbContext db) : ClientStore(db)
{
    internal const string NameIndex = "IX_Clients_RolloutId_NameKey";

    /// <summary>
    /// The rollout's write lock, held to the transaction's end. sp_getapplock says a refusal (-3: chosen as a deadlock
    /// victim, -999: a parameter or call error) only in its return value: the statement fails then, so that no writer
    /// goes on without the lock.
    /// </summary>
    internal const string LockRolloutSql = """
        DECLARE @result int;
        EXEC @result = sp_getapplock @Resource = @resource, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = -1;
        IF @result < 0 THROW 51000, 'The rollout''s write lock was not granted.', 1;
        """;

    /// <summary>
    /// The inventory's rollout, read without holding a lock: a shared lock held to the end (HOLDLOCK) made every rename
    /// of the inventory wait for the whole import (30 s, then 500) and could deadlock with the count's update at its end.
    /// The inventory cannot go meanwhile: its deletion (InventoryService.DeleteAsync, the only one) takes the rollout's
    /// write lock, which the writer holds from before this read to its commit, and an inventory never changes rollout.
    /// </summary>
    internal const string LockInventorySql =
        "SELECT [RolloutId] FROM [Inventories] WHERE [Id] = @inventory";

    /// <summary>
    /// Adds an option the import created unless the field has it: the same name by code point
    /// (<see cref="Collations.SqlServerBinary"/>, as the column's own collation): under a case- and width-insensitive
    /// collation an existing "Dell" would stand for a new "ＤＥＬＬ", and the client would keep a value that is no option.
    /// </summary>
    internal const string CreateOptionSql = """
        INSERT INTO [CustomFieldOptions] ([CustomFieldId], [Name], [Position], [CreatedByImportId])
        SELECT @field, @name,
               COALESCE((SELECT MAX([Position]) FROM [CustomFieldOptions] WITH (UPDLOCK, HOLDLOCK)
                         WHERE [CustomFieldId] = @field), -1) + 1,
               @import
        WHERE NOT EXISTS (SELECT 1 FROM [CustomFieldOptions] WITH (UPDLOCK, HOLDLOCK)
                          WHERE [CustomFieldId] = @field AND [Name] = @name COLLATE Latin1_General_100_BIN2)
        """;

    internal const string LoadForUpdateSql = """
        SELECT [Id], [Name], [StatusId], [AssigneeId], [ClientUserId], [Description], [Flag], [Values]
        FROM [Clients] WITH (UPDLOCK, ROWLOCK)
        WHERE [Id] IN (SELECT CAST([value] AS int) FROM OPENJSON(@ids))
        """;

    /// <summary>The staging table of updated clients: a column of <c>Clients</c> each.</summary>
    internal const string CreateUpdateStagingSql = """
        CREATE TABLE #client_updates ([Id] int PRIMARY KEY, [StatusId] int NOT NULL, [AssigneeId] int NULL,
            [ClientUserId] int NULL, [Description] nvarchar(max) NULL, [Flag] nvarchar(max) NULL,
            [Values] nvarchar(max) NOT NULL)
        """;

    internal const string UpdateFromStagingSql = """
        UPDATE c SET [StatusId] = u.[StatusId], [AssigneeId] = u.[AssigneeId], [ClientUserId] = u.[ClientUserId],
            [Description] = u.[Description], [Flag] = u.[Flag], [Values] = u.[Values], [UpdatedAt] = @now
        FROM [Clients] AS c INNER JOIN #client_updates AS u ON c.[Id] = u.[Id];
        TRUNCATE TABLE #client_updates;
        """;

    internal const string FindTakenKeysSql = """
        SELECT c.[NameKey] FROM [Clients] c
        WHERE c.[RolloutId] = @rollout AND c.[NameKey] IN (SELECT j.[value] FROM OPENJSON(@keys) AS j)
        """;

    private bool _stagingCreated;

    private SqlConnection Sql => (SqlConnection)Connection;

    private SqlTransaction SqlTransaction => (SqlTransaction)Transaction;

    public override async Task LockRolloutAsync(int rolloutId, CancellationToken cancellationToken)
    {
        await using var command = Command(LockRolloutSql);
        Parameter(command, "@resource", $"Rollouter.ClientWrite.{rolloutId}");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override string InventoryLockSql => LockInventorySql;

    protected override string InventoryParameter => "@inventory";

    public override async Task CreateOptionsAsync(int importId, IReadOnlyList<NewOption> options, CancellationToken cancellationToken)
    {
        await using var command = Command(CreateOptionSql);
        var field = Parameter(command, "@field", 0);
        var name = Parameter(command, "@name", "");
        Parameter(command, "@import", importId);
        foreach (var option in options)
        {
            field.Value = option.CustomFieldId;
            name.Value = option.Name;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public override async Task InsertClientsAsync(
        WriteContext context, IReadOnlyList<ClientState> clients, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var table = ClientsTable();
        foreach (var client in clients)
        {
            table.Rows.Add(context.RolloutId, context.InventoryId, client.Name, Client.KeyOf(client.Name), client.StatusId,
                (object?)client.AssigneeId ?? DBNull.Value, (object?)client.ClientUserId ?? DBNull.Value,
                (object?)client.Description ?? DBNull.Value, (object?)client.Flag ?? DBNull.Value,
                Json.Values(client.Values), now, now, (object?)context.UserId ?? DBNull.Value, context.ImportId);
        }

        await BulkCopyAsync(table, SqlBulkCopyOptions.CheckConstraints, cancellationToken);
    }

    public override async Task<List<ClientState>> LoadForUpdateAsync(IReadOnlyCollection<int> ids, CancellationToken cancellationToken)
    {
        await using var command = Command(LoadForUpdateSql);
        Parameter(command, "@ids", JsonColumns.Serialize(ids));
        return await ReadClientsAsync(command, cancellationToken);
    }

    public override async Task UpdateClientsAsync(
        IReadOnlyList<ClientState> clients, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!_stagingCreated)
        {
            await using var create = Command(CreateUpdateStagingSql);
            await create.ExecuteNonQueryAsync(cancellationToken);
            _stagingCreated = true;
        }

        using var table = UpdatesTable();
        foreach (var client in clients)
        {
            table.Rows.Add(client.Id, client.StatusId, (object?)client.AssigneeId ?? DBNull.Value,
                (object?)client.ClientUserId ?? DBNull.Value, (object?)client.Description ?? DBNull.Value,
                (object?)client.Flag ?? DBNull.Value, Json.Values(client.Values));
        }

        await BulkCopyAsync(table, SqlBulkCopyOptions.Default, cancellationToken);
        await using var update = Command(UpdateFromStagingSql);
        Parameter(update, "@now", now);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async Task InsertHistoryAsync(
        WriteContext context, IReadOnlyList<HistoryRecord> entries, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var table = HistoryTable();
        foreach (var entry in entries)
        {
            table.Rows.Add(entry.ClientId, now, (object?)context.UserId ?? DBNull.Value, context.ImportId,
                entry.Action.ToString(), Json.Changes(entry.Changes), (object?)entry.CorrectionsJson ?? DBNull.Value);
        }

        await BulkCopyAsync(table, SqlBulkCopyOptions.CheckConstraints, cancellationToken);
    }

    public override async Task InsertRowErrorsAsync(int importId, IReadOnlyList<Rules.RowError> errors, CancellationToken cancellationToken)
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

        await copy.WriteToServerAsync(table, cancellationToken);
    }

    public override async Task<List<string>> FindTakenKeysAsync(
        int rolloutId, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        await using var command = LookupCommand(FindTakenKeysSql);
        Parameter(command, "@keys", JsonColumns.Serialize(keys));
        Parameter(command, "@rollout", rolloutId);
        return await ReadStringsAsync(command, cancellationToken);
    }

    public override bool IsNameConflict(Exception exception) =>
        exception is SqlException { Number: 2601 or 2627 } e && e.Message.Contains(NameIndex, StringComparison.Ordinal);

    /// <summary>New clients for SqlBulkCopy into <c>Clients</c>: the table's name is the destination, columns map by name.</summary>
    internal static DataTable ClientsTable()
    {
        var table = new DataTable("[Clients]");
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
        table.Columns.Add("CreatedById", typeof(int));
        table.Columns.Add("CreatedByImportId", typeof(int));
        return table;
    }

    /// <summary>Updated clients for SqlBulkCopy into the staging table <see cref="CreateUpdateStagingSql"/> creates.</summary>
    internal static DataTable UpdatesTable()
    {
        var table = new DataTable("#client_updates");
        table.Columns.Add("Id", typeof(int));
        table.Columns.Add("StatusId", typeof(int));
        table.Columns.Add("AssigneeId", typeof(int));
        table.Columns.Add("ClientUserId", typeof(int));
        table.Columns.Add("Description", typeof(string));
        table.Columns.Add("Flag", typeof(string));
        table.Columns.Add("Values", typeof(string));
        return table;
    }

    /// <summary>History entries for SqlBulkCopy into <c>ClientHistory</c>.</summary>
    internal static DataTable HistoryTable()
    {
        var table = new DataTable("[ClientHistory]");
        table.Columns.Add("ClientId", typeof(int));
        table.Columns.Add("At", typeof(DateTimeOffset));
        table.Columns.Add("UserId", typeof(int));
        table.Columns.Add("ImportId", typeof(int));
        table.Columns.Add("Action", typeof(string));
        table.Columns.Add("Changes", typeof(string));
        table.Columns.Add("Corrections", typeof(string));
        return table;
    }

    /// <summary>Copies <paramref name="table"/> into the table its name names, mapping the columns by name.</summary>
    private async Task BulkCopyAsync(DataTable table, SqlBulkCopyOptions options, CancellationToken cancellationToken)
    {
        using var copy = new SqlBulkCopy(Sql, options, SqlTransaction)
        {
            DestinationTableName = table.TableName,
            BulkCopyTimeout = 0,
            BatchSize = 0,
        };
        foreach (DataColumn column in table.Columns)
        {
            copy.ColumnMappings.Add(column.ColumnName, column.ColumnName);
        }

        await copy.WriteToServerAsync(table, cancellationToken);
    }
}
