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

    /// <summary>
    /// The inventories that show the custom field, and those whose clients keep its values hidden since it was taken off
    /// (<see cref="InventoryHiddenField"/>): what a change of the field or its options reaches.
    /// </summary>
    public static IQueryable<Inventory> WithField(this RolloutDbContext db, int fieldId)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Inventories.Where(i => i.CustomFields.Any(f => f.CustomFieldId == fieldId)
                                         || db.InventoryHiddenFields.Any(h => h.InventoryId == i.Id && h.CustomFieldId == fieldId));
    }
}
