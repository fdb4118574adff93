namespace Rollouter.Import.Data.Entities;

public class Inventory
{
    public int Id { get; set; }

    public int RolloutId { get; set; }

    public Rollout Rollout { get => field ?? throw Navigation.NotLoaded(this, nameof(Rollout)); set; }

    public required string Name { get; set; }

    public int WorkflowId { get; set; }

    public Workflow Workflow { get => field ?? throw Navigation.NotLoaded(this, nameof(Workflow)); set; }

    /// <summary>The inventory's custom fields, in display order.</summary>
    public List<InventoryCustomField> CustomFields { get; set; } = [];

    /// <summary>The mapping of the last import into this inventory, offered again for the next one (JSON).</summary>
    public string? LastImportMapping { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// How many clients the inventory holds, kept in the transaction of every write of clients (the import writer, the
    /// context's own saves, a revert: <see cref="ClientCounts"/>), so that a list of a million clients need not count
    /// them.
    /// </summary>
    public int ClientCount { get; set; }
}

public class InventoryCustomField
{
    public int InventoryId { get; set; }

    public Inventory Inventory { get => field ?? throw Navigation.NotLoaded(this, nameof(Inventory)); set; }

    public int CustomFieldId { get; set; }

    public CustomField CustomField { get => field ?? throw Navigation.NotLoaded(this, nameof(CustomField)); set; }

    public int Position { get; set; }
}

/// <summary>
/// A custom field taken off an inventory whose clients had values of it: the values stay on the clients, hidden, and
/// come back if the field is added again, so the field still reaches the inventory's rollout (the shared-settings rule)
/// and its option changes still reach those clients. Removed when the field is added back or the inventory goes.
/// </summary>
public class InventoryHiddenField
{
    public int InventoryId { get; set; }

    public int CustomFieldId { get; set; }
}
