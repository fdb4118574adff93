using Microsoft.EntityFrameworkCore;

namespace Rollouter.Import.Data;

/// <summary>How <see cref="RowLock"/> holds a row.</summary>
public enum RowLockMode
{
    /// <summary>Others may hold it shared too; an exclusive lock waits (PostgreSQL FOR SHARE).</summary>
    Shared,

    /// <summary>For the row's delete (PostgreSQL FOR UPDATE: also a foreign key's check of the row waits).</summary>
    Exclusive,

    /// <summary>For rows added under it (PostgreSQL FOR NO KEY UPDATE: a foreign key's check of the row does not wait).</summary>
    ExclusiveNoKey,
}

/// <summary>
/// One row of a table, locked until the caller's transaction ends, so that two writers of what hangs under it take turns
/// (a link type and its links, decision 0092; a custom field and its options, decision 0100): whichever comes second
/// waits for the first's commit and then sees what it did. PostgreSQL: FOR SHARE, FOR UPDATE or FOR NO KEY UPDATE;
/// SQL Server: an update lock whatever the mode (a shared lock would let another's update lock in); SQLite: a shared
/// lock is a read of the row (the transaction holds the database's write lock or takes it at its write), an exclusive
/// one a write to the row, which takes the database's write lock first (a deferred transaction that read first could
/// not take it once another writer committed).
/// </summary>
public static class RowLock
{
    /// <summary>Locks the row <paramref name="id"/> of <paramref name="table"/> (a table name of the model); false when
    /// the row no longer exists.</summary>
    public static async Task<bool> LockAsync(RolloutDbContext db, string table, int id, RowLockMode mode,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentException.ThrowIfNullOrEmpty(table);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A row of " + table + " is locked inside a transaction.");
        }

        if (db.Provider == DatabaseProvider.Sqlite && mode != RowLockMode.Shared)
        {
            var write = "UPDATE \"" + table + "\" SET \"Id\" = \"Id\" WHERE \"Id\" = {0}";
            return await db.Database.ExecuteSqlRawAsync(write, [id], cancellationToken) > 0;
        }

        var sql = db.Provider switch
        {
            DatabaseProvider.SqlServer => "SELECT [Id] AS [Value] FROM [" + table + "] WITH (UPDLOCK, HOLDLOCK, ROWLOCK) WHERE [Id] = {0}",
            DatabaseProvider.PostgreSql => "SELECT \"Id\" AS \"Value\" FROM \"" + table + "\" WHERE \"Id\" = {0} " + mode switch
            {
                RowLockMode.Shared => "FOR SHARE",
                RowLockMode.Exclusive => "FOR UPDATE",
                _ => "FOR NO KEY UPDATE",
            },
            _ => "SELECT \"Id\" AS \"Value\" FROM \"" + table + "\" WHERE \"Id\" = {0}",
        };
        var found = await db.Database.SqlQueryRaw<int>(sql, id).ToListAsync(cancellationToken);
        return found.Count > 0;
    }
}
