using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Importing.Writing;

/// <summary>The stored state of a client that the writer inserts, loads or updates.</summary>
internal sealed class ClientState
{
    public int Id { get; init; }

    public string Name { get; init; } = "";

    public int StatusId { get; set; }

    public int? AssigneeId { get; set; }

    public int? ClientUserId { get; set; }

    public string? Description { get; set; }

    public string? Flag { get; set; }

    public Dictionary<int, string[]> Values { get; set; } = [];
}

/// <summary>A history entry to insert: the client, what happened, the changes, and the values corrected in the browser (rarely).</summary>
internal sealed record HistoryRecord(int ClientId, ClientHistoryAction Action, List<FieldChange> Changes,
    List<CorrectionNote>? Corrections = null)
{
    /// <summary>The corrections as their JSON column holds them; null for none.</summary>
    public string? CorrectionsJson => Corrections is null ? null : Data.Configurations.JsonColumns.Serialize(Corrections);
}

/// <summary>
/// The bulk operations the writer needs, native to one database. All of them run on the context's connection inside
/// the transaction the writer began. <see cref="For"/> is the one place that picks the implementation.
/// </summary>
internal abstract class ClientStore(RolloutDbContext db) : IAsyncDisposable
{
    protected RolloutDbContext Db { get; } = db;

    protected JsonText Json { get; } = new();

    protected DbConnection Connection => Db.Database.GetDbConnection();

    protected DbTransaction Transaction =>
        Db.Database.CurrentTransaction?.GetDbTransaction()
        ?? throw new InvalidOperationException("The client store runs inside the writer's transaction.");

    public static ClientStore For(RolloutDbContext db) => db.Provider switch
    {
        DatabaseProvider.PostgreSql => new PostgreSqlClientStore(db),
        DatabaseProvider.Sqlite => new SqliteClientStore(db),
        DatabaseProvider.SqlServer => new SqlServerClientStore(db),
        _ => throw new NotSupportedException($"No client writer for {db.Provider}."),
    };

    /// <summary>
    /// Begins the writer's transaction; on PostgreSQL without the operator's statement timeout, which is meant for the
    /// pages, not for a job's write (<see cref="JobTimeouts"/>).
    /// </summary>
    public virtual async Task<IDbContextTransaction> BeginAsync(CancellationToken cancellationToken)
    {
        var transaction = await Db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await JobTimeouts.LiftStatementTimeoutAsync(Db, cancellationToken);
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }

        return transaction;
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Serialises writers into one rollout, so that a loser sees the winner's committed names.</summary>
    public abstract Task LockRolloutAsync(int rolloutId, CancellationToken cancellationToken);

    /// <summary>
    /// What the foreign key from clients to their inventory would check per row, once per import: the inventory exists
    /// and belongs to <paramref name="rolloutId"/> (so the unique name index per rollout covers its clients), and it
    /// stays so until the transaction ends (a key-share lock on PostgreSQL; on SQL Server the rollout's write lock, taken
    /// before, which the inventory's deletion takes too; SQLite's write transaction excludes every other writer).
    /// </summary>
    public async Task LockInventoryAsync(int inventoryId, int rolloutId, CancellationToken cancellationToken)
    {
        await using var command = Command(InventoryLockSql);
        Parameter(command, InventoryParameter, inventoryId);
        var actual = await command.ExecuteScalarAsync(cancellationToken);
        if (actual is null or DBNull || Convert.ToInt32(actual, System.Globalization.CultureInfo.InvariantCulture) != rolloutId)
        {
            throw new InvalidOperationException(
                $"Inventory {inventoryId} does not exist or does not belong to rollout {rolloutId}; nothing was written.");
        }
    }

    /// <summary>Selects the "RolloutId" of the inventory given as <see cref="InventoryParameter"/>, locking it.</summary>
    protected abstract string InventoryLockSql { get; }

    protected virtual string InventoryParameter => "inventory";

    /// <summary>
    /// Adds options that do not exist yet, after the field's last position, as created by <paramref name="importId"/>
    /// (a revert of the import removes them again); existing ones are kept.
    /// </summary>
    public abstract Task CreateOptionsAsync(int importId, IReadOnlyList<NewOption> options, CancellationToken cancellationToken);

    public abstract Task InsertClientsAsync(
        WriteContext context, IReadOnlyList<ClientState> clients, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the bulk insert a store may keep open across batches (PostgreSQL's COPY). The database's errors about the
    /// rows inserted since the last end surface here at the latest. The writer calls it before any other statement
    /// and before the commit.
    /// </summary>
    public virtual Task EndInsertAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// In the writer's transaction, before the first row: a store may defer work to <see cref="FinishAsync"/> (SQLite
    /// suspends its search index's insert trigger). Whoever calls it calls <see cref="FinishAsync"/> before committing.
    /// </summary>
    public virtual Task StartInsertsAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// After the last row and the last <see cref="EndInsertAsync"/>, before the commit: what a store deferred to the end
    /// of the write (SQLite's search index of the new clients).
    /// </summary>
    public virtual Task FinishAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Drops an open bulk insert without waiting for the database (the write failed and is rolled back).</summary>
    public virtual Task AbortInsertAsync() => Task.CompletedTask;

    /// <summary>Loads clients by id and locks them against concurrent edits until the transaction ends.</summary>
    public abstract Task<List<ClientState>> LoadForUpdateAsync(IReadOnlyCollection<int> ids, CancellationToken cancellationToken);

    public abstract Task UpdateClientsAsync(IReadOnlyList<ClientState> clients, DateTimeOffset now, CancellationToken cancellationToken);

    public abstract Task InsertHistoryAsync(
        WriteContext context, IReadOnlyList<HistoryRecord> entries, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Stores failed rows of an import in one bulk statement native to the database, outside any write transaction
    /// (the write has been rolled back): the failing path records its rows as fast as a successful one writes clients.
    /// </summary>
    public abstract Task InsertRowErrorsAsync(int importId, IReadOnlyList<Rules.RowError> errors, CancellationToken cancellationToken);

    /// <summary>Which of the name keys (<see cref="Client.KeyOf(string)"/>) a client of the rollout holds.</summary>
    public abstract Task<List<string>> FindTakenKeysAsync(int rolloutId, IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>True for the unique index on (RolloutId, NameKey) refusing a row.</summary>
    public abstract bool IsNameConflict(Exception exception);

    protected DbCommand Command(string sql)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = Transaction;
        command.CommandTimeout = 0;
        return command;
    }

    /// <summary>A command outside any transaction, for the lookups after a rollback.</summary>
    protected DbCommand LookupCommand(string sql)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    protected static DbParameter Parameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    protected static async Task<List<ClientState>> ReadClientsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var clients = new List<ClientState>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            clients.Add(new ClientState
            {
                Id = reader.GetInt32(0),
                Name = reader.GetString(1),
                StatusId = reader.GetInt32(2),
                AssigneeId = reader.IsDBNull(3) ? null : reader.GetInt32(3),
                ClientUserId = reader.IsDBNull(4) ? null : reader.GetInt32(4),
                Description = reader.IsDBNull(5) ? null : reader.GetString(5),
                Flag = reader.IsDBNull(6) ? null : reader.GetString(6),
                Values = Data.Configurations.JsonColumns.Deserialize<Dictionary<int, string[]>>(reader.GetString(7)),
            });
        }

        return clients;
    }

    protected static async Task<List<string>> ReadStringsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
