using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Features.Inventories;

/// <summary>One custom field on the inventory form: chosen or not, and its place in the order.</summary>
public sealed class InventoryFieldChoice
{
    public int Id { get; set; }

    public bool Selected { get; set; }

    /// <summary>1-based place among the chosen fields; empty puts the field after the numbered ones.</summary>
    public int? Position { get; set; }
}

/// <summary>The inventory form (new and edit): name, workflow, custom fields with positions.</summary>
public sealed class InventoryForm
{
    public string? Name { get; set; }

    public int? WorkflowId { get; set; }

    public List<InventoryFieldChoice> Fields { get; set; } = [];

    /// <summary>The chosen fields' ids in order: by position, then as listed.</summary>
    public List<int> ChosenFieldIds() =>
    [
        .. Fields.Select((f, i) => (Field: f, Index: i))
            .Where(f => f.Field.Selected)
            .OrderBy(f => f.Field.Position ?? int.MaxValue).ThenBy(f => f.Index)
            .Select(f => f.Field.Id),
    ];
}

public sealed record WorkflowOption(int Id, string Name, IReadOnlyList<string> Statuses);

public sealed record FieldOption(int Id, string Name, CustomFieldType Type, bool Required);

/// <summary>The page of the inventory form.</summary>
public sealed record InventoryEditor(
    Rollout Rollout,
    Inventory? Inventory,
    int ClientCount,
    InventoryForm Form,
    IReadOnlyList<WorkflowOption> Workflows,
    IReadOnlyList<FieldOption> CustomFields)
{
    public bool IsNew => Inventory is null;

    /// <summary>The rows in the form's order: chosen fields by position first, then the others by name.</summary>
    public IEnumerable<(FieldOption Field, bool Selected, int? Position)> Rows()
    {
        var chosen = Form.ChosenFieldIds();
        var byId = CustomFields.ToDictionary(f => f.Id);
        foreach (var (id, i) in chosen.Select((id, i) => (id, i)))
        {
            if (byId.TryGetValue(id, out var field))
            {
                yield return (field, true, i + 1);
            }
        }

        foreach (var field in CustomFields.Where(f => !chosen.Contains(f.Id)))
        {
            yield return (field, false, null);
        }
    }
}

public sealed record InventoryDuplicate(Rollout Rollout, Inventory Inventory, string? Name);

public sealed record InventoryDeletion(Rollout Rollout, Inventory Inventory, int ClientCount, int ImportCount, bool ImportRunning)
{
    /// <summary>The imports that go with the inventory and also changed clients of other inventories (decision 0075).</summary>
    public IReadOnlyList<ImportReachingOtherInventories> ReachingImports { get; init; } = [];

    /// <summary>More such imports than <see cref="ReachingImports"/> names.</summary>
    public int MoreReachingImports { get; init; }
}
