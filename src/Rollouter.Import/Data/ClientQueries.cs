using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data;

public static class ClientQueries
{
    /// <summary>
    /// The clients of one inventory, found through the rollout's part of the unique name index (which carries the
    /// inventory id on PostgreSQL and SQL Server): a query by inventory alone would read the whole table there.
    /// </summary>
    public static IQueryable<Client> InInventory(this IQueryable<Client> clients, int rolloutId, int inventoryId) =>
        clients.Where(c => c.RolloutId == rolloutId && c.InventoryId == inventoryId);
}
