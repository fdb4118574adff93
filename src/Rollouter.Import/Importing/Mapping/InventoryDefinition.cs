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

    /// <summary>
    /// The target a mapping names, in the field's own spelling: a default field's key or a custom field's name that
    /// <paramref name="target"/> names ignoring case (a script's <c>"name"</c> is Name), the exact spelling first; the
    /// target as given when it names none, or two fields that differ only in case (the mapping's error names it then).
    /// </summary>
    public string Spelled(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (DefaultFields.IsDefault(target) || FindField(target) is not null)
        {
            return target;
        }

        var matches = DefaultFields.All.Concat(CustomFields.Select(f => f.Name))
            .Where(name => string.Equals(name, target, StringComparison.OrdinalIgnoreCase))
            .Take(2)
            .ToList();
        return matches.Count == 1 ? matches[0] : target;
    }

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
        var fields = await LoadFieldsAsync(db, inventoryId, cancellationToken);
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

    /// <summary>The inventory's custom fields in display order, each with its options in order: one query.</summary>
    public static async Task<List<CustomField>> LoadFieldsAsync(RolloutDbContext db, int inventoryId,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
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

        return fields;
    }

    /// <summary>
    /// "Status" when a status the rows were checked against is no longer one of the inventory's workflow (removed, or
    /// the inventory switched workflow meanwhile); null otherwise. One query. A renamed or added status is no change:
    /// clients hold the status's id.
    /// </summary>
    public async Task<string?> ChangedStatusesAsync(RolloutDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var current = (await db.Inventories.AsNoTracking().Where(i => i.Id == InventoryId)
                .SelectMany(i => i.Workflow.Statuses.Select(s => s.Id)).ToListAsync(cancellationToken))
            .ToHashSet();
        return Statuses.All(s => current.Contains(s.Id)) ? null : "Status";
    }

    /// <summary>
    /// The name of a field whose settings differ in <paramref name="current"/> (the inventory's fields read again) from
    /// what this definition holds, in a way that matters to the values an import checked against it: a field taken off
    /// or added, renamed, another type, required flag or pattern, or an option renamed or removed. Options added since
    /// (another import's, a user's) and a new order are no change. Null when nothing changed.
    /// </summary>
    public string? ChangedField(IReadOnlyList<CustomField> current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var byId = current.ToDictionary(f => f.Id);
        foreach (var field in CustomFields)
        {
            if (!byId.TryGetValue(field.Id, out var now)
                || !string.Equals(now.Name, field.Name, StringComparison.Ordinal)
                || now.Type != field.Type
                || now.Required != field.Required
                || !string.Equals(now.ValidationRegex, field.ValidationRegex, StringComparison.Ordinal))
            {
                return field.Name;
            }

            var options = now.Options.ToDictionary(o => o.Id, o => o.Name);
            if (field.Options.Any(o => !options.TryGetValue(o.Id, out var name) || !string.Equals(name, o.Name, StringComparison.Ordinal)))
            {
                return field.Name;
            }
        }

        var known = CustomFields.Select(f => f.Id).ToHashSet();
        return current.FirstOrDefault(f => !known.Contains(f.Id))?.Name;
    }
}
