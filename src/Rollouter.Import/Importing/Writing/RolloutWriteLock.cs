using Rollouter.Import.Data;

namespace Rollouter.Import.Importing.Writing;

/// <summary>
/// The lock an import's writer holds on its rollout until its transaction ends (a PostgreSQL advisory lock, a SQL
/// Server application lock; SQLite serialises writers anyway). Whatever else changes the clients of a rollout in bulk,
/// such as deleting an inventory, takes it too inside its own transaction, so it never interleaves with an import.
/// </summary>
public static class RolloutWriteLock
{
    /// <summary>Waits for the lock; the caller's transaction must be open and releases it when it ends.</summary>
    public static async Task AcquireAsync(RolloutDbContext db, int rolloutId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("The rollout's write lock is taken inside a transaction.");
        }

        await using var store = ClientStore.For(db);
        await store.LockRolloutAsync(rolloutId, cancellationToken);
    }
}
