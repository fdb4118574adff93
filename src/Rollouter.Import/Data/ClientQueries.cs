using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Data;

public static class ClientQueries
{
    /// <summary>
    /// The clients of one inventory of the rollout, read through the index on (inventory, name key); naming the
    /// rollout too keeps a query from reaching another rollout's inventory by its id.
    /// </summary>
    public static IQueryable<Client> InInventory(this IQueryable<Client> clients, int rolloutId, int inventoryId) =>
        clients.Where(c => c.RolloutId == rolloutId && c.InventoryId == inventoryId);
}
