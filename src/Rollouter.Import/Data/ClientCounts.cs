using Microsoft.EntityFrameworkCore;

namespace Rollouter.Import.Data;

/// <summary>
/// Keeps <see cref="Entities.Inventory.ClientCount"/> right: every write that creates or removes clients adds its
/// difference in its own transaction, so the count commits or rolls back with the clients. The context's own saves do it
/// themselves (<see cref="RolloutDbContext"/>); bulk writes call <see cref="AddAsync"/> before they commit: the import
/// writer (the clients it created), and whatever removes clients in bulk (a revert: minus the clients it removed). An
/// inventory's deletion removes the count with the inventory.
/// </summary>
public static class ClientCounts
{
    /// <summary>
    /// Adds <paramref name="difference"/> to the inventory's count, in the context's current transaction. Call it last
    /// before the commit: on PostgreSQL it locks the inventory row until then.
    /// </summary>
    public static async Task AddAsync(RolloutDbContext db, int inventoryId, int difference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (difference != 0)
        {
            await db.Inventories.Where(i => i.Id == inventoryId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.ClientCount, i => i.ClientCount + difference), cancellationToken);
        }
    }
}
