using Microsoft.EntityFrameworkCore;

namespace Rollouter.Import.Data;

/// <summary>
/// The row of a custom field, locked until the caller's transaction ends, so that whatever adds options to the field
/// (an import's "Create option if not exists", the settings' Add option) counts its options under the lock and stays
/// within <see cref="Entities.CustomField.MaxOptions"/> whatever runs at the same moment, on one instance or several
/// (decision 0098, amended by decision 0100). Whichever comes second waits for the first's commit and then counts
/// what it added. PostgreSQL: FOR NO KEY UPDATE (a foreign key's check of the row does not wait for it); SQL Server: an update lock (UPDLOCK, HOLDLOCK, ROWLOCK); SQLite: a write to
/// the row, which takes the database's write lock (an import's transaction holds it already).
/// </summary>
public static class CustomFieldRowLock
{
    /// <summary>Locks the field's row for options added to it; false when the field no longer exists.</summary>
    public static async Task<bool> ForNewOptionsAsync(RolloutDbContext db, int fieldId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A custom field's row is locked inside a transaction.");
        }

        if (db.Provider == DatabaseProvider.Sqlite)
        {
            // A deferred transaction that read first could not take the write lock once another writer committed:
            // the write comes first, and waits for the other writer as any write does.
            return await db.Database.ExecuteSqlRawAsync("""UPDATE "CustomFields" SET "Id" = "Id" WHERE "Id" = {0}""",
                [fieldId], cancellationToken) > 0;
        }

        var sql = db.Provider == DatabaseProvider.SqlServer
            ? "SELECT [Id] AS [Value] FROM [CustomFields] WITH (UPDLOCK, HOLDLOCK, ROWLOCK) WHERE [Id] = {0}"
            : """SELECT "Id" AS "Value" FROM "CustomFields" WHERE "Id" = {0} FOR NO KEY UPDATE""";
        var found = await db.Database.SqlQueryRaw<int>(sql, fieldId).ToListAsync(cancellationToken);
        return found.Count > 0;
    }
}
