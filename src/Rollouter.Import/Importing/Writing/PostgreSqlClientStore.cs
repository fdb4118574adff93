using Npgsql;
using NpgsqlTypes;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Configurations;

namespace Rollouter.Import.Importing.Writing;

/// <summary>
/// PostgreSQL: clients and history by binary COPY, updates by COPY into a
/// temporary table and one UPDATE ... FROM. Values go into the COPY buffer synchronously: the importer only touches
/// the network when its buffer fills, and the async calls cost a sixth of the writer's CPU at a million rows.
/// </summary>
internal sealed class PostgreSqlClientStore(RolloutDbContext db) : ClientStore(db)
{
    private const string NameIndex = "IX_Clients_RolloutId_NameKey";

    // An arbitrary constant that keeps this advisory lock apart from others the application might take.
    private const int RolloutWriteLockClass = 0x524F4C;

    private readonly PgCopyBuffer _copyBuffer = new();

    private NpgsqlRawCopyStream? _copy;

    private NpgsqlConnection Npgsql => (NpgsqlConnection)Connection;

    public override async Task LockRolloutAsync(int rolloutId, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT pg_advisory_xact_lock(@class, @rollout)");
        Parameter(command, "class", RolloutWriteLockClass);
        Parameter(command, "rollout", rolloutId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override string InventoryLockSql =>
        """SELECT "RolloutId" FROM "Inventories" WHERE "Id" = @inventory FOR KEY SHARE""";

    public override async Task CreateOptionsAsync(int importId, IReadOnlyList<NewOption> options, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            INSERT INTO "CustomFieldOptions" ("CustomFieldId", "Name", "Position", "CreatedByImportId")
            SELECT n.field, n.name,
                   COALESCE((SELECT max(o."Position") FROM "CustomFieldOptions" o WHERE o."CustomFieldId" = n.field), -1)
                   + row_number() OVER (PARTITION BY n.field ORDER BY n.ord),
                   @import
            FROM unnest(@fields, @names) WITH ORDINALITY AS n(field, name, ord)
            WHERE NOT EXISTS (SELECT 1 FROM "CustomFieldOptions" o WHERE o."CustomFieldId" = n.field AND o."Name" = n.name)
            ON CONFLICT ("CustomFieldId", "Name") DO NOTHING
            """);
        Parameter(command, "fields", options.Select(o => o.CustomFieldId).ToArray());
        Parameter(command, "names", options.Select(o => o.Name).ToArray());
        Parameter(command, "import", importId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async Task InsertClientsAsync(
        WriteContext context, IReadOnlyList<ClientState> clients, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Raw binary COPY with the rows encoded here: NpgsqlBinaryImporter's per-value calls cost more than the rest
        // of the write at a million rows. The COPY stays open for the batches that follow (see EndInsertAsync): each
        // COPY's end waits for the server to catch up, and the next start leaves it idle until the first buffer.
        if (_copy is null)
        {
            _copy = await Npgsql.BeginRawBinaryCopyAsync("""
                COPY "Clients" ("RolloutId", "InventoryId", "Name", "NameKey", "StatusId", "AssigneeId", "ClientUserId",
                                "Description", "Flag", "Values", "CreatedAt", "UpdatedAt", "CreatedById",
                                "CreatedByImportId") FROM STDIN (FORMAT BINARY)
                """, cancellationToken);
            _copyBuffer.Start(_copy);
        }

        try
        {
            var rows = _copyBuffer;
            foreach (var client in clients)
            {
                rows.StartRow(14);
                rows.WriteInt32(context.RolloutId);
                rows.WriteInt32(context.InventoryId);
                rows.WriteText(client.Name);
                rows.WriteNameKey(client.Name);
                rows.WriteInt32(client.StatusId);
                rows.WriteInt32(client.AssigneeId);
                rows.WriteInt32(client.ClientUserId);
                rows.WriteText(client.Description);
                rows.WriteText(client.Flag);
                var json = rows.BeginValue();
                Json.Values(client.Values, rows);
                rows.EndValue(json);
                rows.WriteTimestampTz(now);
                rows.WriteTimestampTz(now);
                rows.WriteInt32(context.UserId);
                rows.WriteInt32(context.ImportId);
            }
        }
        catch
        {
            await AbortInsertAsync();
            throw;
        }
    }

    /// <summary>Ends the open COPY; the server's errors (such as a name another import took meanwhile) surface here.</summary>
    public override async Task EndInsertAsync(CancellationToken cancellationToken)
    {
        if (_copy is not { } copy)
        {
            return;
        }

        _copy = null;
        try
        {
            _copyBuffer.Complete();
        }
        catch
        {
            _copyBuffer.Clear();
            await CancelAsync(copy);
            throw;
        }

        await copy.DisposeAsync();
    }

    public override async Task AbortInsertAsync()
    {
        if (_copy is not { } copy)
        {
            return;
        }

        _copy = null;
        _copyBuffer.Clear();
        await CancelAsync(copy);
    }

    private static async Task CancelAsync(NpgsqlRawCopyStream copy)
    {
        try
        {
            await copy.CancelAsync();
            await copy.DisposeAsync();
        }
        catch (Exception)
        {
            // The original failure matters; the transaction is rolled back either way.
        }
    }

    public override async Task<List<ClientState>> LoadForUpdateAsync(IReadOnlyCollection<int> ids, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            SELECT "Id", "Name", "StatusId", "AssigneeId", "ClientUserId", "Description", "Flag", "Values"
            FROM "Clients" WHERE "Id" = ANY(@ids) ORDER BY "Id" FOR UPDATE
            """);
        Parameter(command, "ids", ids.ToArray());
        return await ReadClientsAsync(command, cancellationToken);
    }

    public override async Task UpdateClientsAsync(
        IReadOnlyList<ClientState> clients, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // One statement per batch, the new values as arrays: no staging table to fill and empty each time, and the
        // planner joins the few rows through the primary key (a freshly filled staging table looked big enough for a
        // hash join over every client of the table).
        await using var update = Command("""
            UPDATE "Clients" AS c
            SET "StatusId" = u.status, "AssigneeId" = u.assignee, "ClientUserId" = u.client_user,
                "Description" = u.description, "Flag" = u.flag, "Values" = u.field_values, "UpdatedAt" = @now
            FROM unnest(@ids, @statuses, @assignees, @clientUsers, @descriptions, @flags, @values)
                 AS u(id, status, assignee, client_user, description, flag, field_values)
            WHERE c."Id" = u.id
            """);
        Parameter(update, "ids", clients.Select(c => c.Id).ToArray());
        Parameter(update, "statuses", clients.Select(c => c.StatusId).ToArray());
        Parameter(update, "assignees", clients.Select(c => c.AssigneeId).ToArray());
        Parameter(update, "clientUsers", clients.Select(c => c.ClientUserId).ToArray());
        Parameter(update, "descriptions", clients.Select(c => c.Description).ToArray());
        Parameter(update, "flags", clients.Select(c => c.Flag).ToArray());
        Parameter(update, "values", clients.Select(c => Json.Values(c.Values)).ToArray());
        Parameter(update, "now", now);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async Task InsertHistoryAsync(
        WriteContext context, IReadOnlyList<HistoryRecord> entries, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var copy = await Npgsql.BeginBinaryImportAsync("""
            COPY "ClientHistory" ("ClientId", "At", "UserId", "ImportId", "Action", "Changes", "Corrections") FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        foreach (var entry in entries)
        {
            copy.StartRow();
            copy.Write(entry.ClientId, NpgsqlDbType.Integer);
            copy.Write(now, NpgsqlDbType.TimestampTz);
            WriteNullable(copy, context.UserId);
            copy.Write(context.ImportId, NpgsqlDbType.Integer);
            copy.Write(entry.Action.ToString(), NpgsqlDbType.Varchar);
            copy.Write(Json.Changes(entry.Changes), NpgsqlDbType.Text);
            if (entry.CorrectionsJson is { } corrections)
            {
                copy.Write(corrections, NpgsqlDbType.Text);
            }
            else
            {
                copy.WriteNull();
            }
        }

        await copy.CompleteAsync(cancellationToken);
    }

    public override async Task InsertRowErrorsAsync(int importId, IReadOnlyList<Rules.RowError> errors, CancellationToken cancellationToken)
    {
        await using var copy = await Npgsql.BeginRawBinaryCopyAsync("""
            COPY "ImportRowErrors" ("ImportId", "Row", "Column", "Header", "Value", "Message") FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        var rows = _copyBuffer.Start(copy);
        try
        {
            foreach (var error in errors)
            {
                rows.StartRow(6);
                rows.WriteInt32(importId);
                rows.WriteInt32(error.Row);
                rows.WriteText(error.Column);
                rows.WriteText(error.Header);
                rows.WriteText(error.Value);
                rows.WriteText(error.Message);
            }

            rows.Complete();
        }
        catch
        {
            rows.Clear();
            await CancelAsync(copy);
            throw;
        }
    }

    public override async Task<List<string>> FindTakenKeysAsync(
        int rolloutId, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        await using var command = LookupCommand("""
            SELECT c."NameKey" FROM "Clients" c WHERE c."RolloutId" = @rollout AND c."NameKey" = ANY(@keys)
            """);
        Parameter(command, "keys", keys.ToArray());
        Parameter(command, "rollout", rolloutId);
        return await ReadStringsAsync(command, cancellationToken);
    }

    public override bool IsNameConflict(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: NameIndex };

    private static void WriteNullable(NpgsqlBinaryImporter copy, int? value)
    {
        if (value is { } v)
        {
            copy.Write(v, NpgsqlDbType.Integer);
        }
        else
        {
            copy.WriteNull();
        }
    }

    private static void WriteNullable(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(value, type);
        }
    }
}
