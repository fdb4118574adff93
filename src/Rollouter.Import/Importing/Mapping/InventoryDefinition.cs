using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Importing.Mapping;

/// <summary>What mapping and rules need to know about an inventory: its workflow's statuses and its custom fields.</summary>
public sealed record InventoryDefinition
{
    public required int InventoryId { get; init; }

    public required string InventoryName { get; init; }

    public required int RolloutId { get; init; }

    public int? ClientLimit { get; init; }

    /// <summary>The rollout's name, for messages that point to its settings (the client limit).</summary>
    public string RolloutName { get; init; } = "";

    public required string WorkflowName { get; init; }

    /// <summary>The workflow's statuses in order; the first is the status of a new client without one.</summary>
    public required IReadOnlyList<WorkflowStatus> Statuses { get; init; }

    /// <summary>The inventory's custom fields in display order, each with its options in order.</summary>
    public required IReadOnlyList<CustomField> CustomFields { get; init; }

    public CustomField? FindField(string? name)
    {
        if (name is null)
        {
            return null;
        }

        foreach (var field in CustomFields)
        {
            if (string.Equals(field.Name, name, StringComparison.Ordinal))
            {
                return field;
            }
        }

        return null;
    }

    public static async Task<InventoryDefinition> LoadAsync(RolloutDbContext db, int inventoryId,
        CancellationToken cancellationToken = default)
    {
        var inventory = await db.Inventories.AsNoTracking()
            .Where(i => i.Id == inventoryId)
            .Select(i => new { i.Id, i.Name, i.RolloutId, i.Rollout.ClientLimit, RolloutName = i.Rollout.Name, i.WorkflowId, WorkflowName = i.Workflow.Name })
            .SingleOrDefaultAsync(cancellationToken)
            ?? throw new InvalidOperationException($"Inventory {inventoryId} does not exist.");
        var statuses = await db.WorkflowStatuses.AsNoTracking()
            .Where(s => s.WorkflowId == inventory.WorkflowId)
            .OrderBy(s => s.Position).ThenBy(s => s.Id)
            .ToListAsync(cancellationToken);
        var fields = (await db.InventoryCustomFields.AsNoTracking()
                .Where(f => f.InventoryId == inventoryId)
                .Include(f => f.CustomField).ThenInclude(f => f.Options)
                .ToListAsync(cancellationToken))
            .OrderBy(f => f.Position).ThenBy(f => f.CustomFieldId)
            .Select(f => f.CustomField)
            .ToList();
        foreach (var field in fields)
        {
            field.Options = [.. field.Options.OrderBy(o => o.Position).ThenBy(o => o.Id)];
        }

        return new InventoryDefinition
        {
            InventoryId = inventory.Id,
            InventoryName = inventory.Name,
            RolloutId = inventory.RolloutId,
            ClientLimit = inventory.ClientLimit,
            RolloutName = inventory.RolloutName,
            WorkflowName = inventory.WorkflowName,
            Statuses = statuses,
            CustomFields = fields,
        };
    }
}
