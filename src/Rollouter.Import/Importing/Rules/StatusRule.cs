using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;

namespace Rollouter.Import.Importing.Rules;

/// <summary>Status: exactly a status of the inventory's workflow; empty means the first status for a new client.</summary>
internal sealed class StatusRule
{
    private const int ShownStatuses = 20;

    private readonly InventoryDefinition _inventory;
    private readonly Dictionary<string, WorkflowStatus> _statuses = new(StringComparer.Ordinal);
    private Dictionary<string, string>? _statusesByLooseKey;

    public StatusRule(InventoryDefinition inventory)
    {
        _inventory = inventory;
        foreach (var status in inventory.Statuses)
        {
            _statuses.TryAdd(status.Name, status);
        }

        // A status saved before names were kept as seen is found by the cell as seen (decision 0041).
        foreach (var status in inventory.Statuses)
        {
            _statuses.TryAdd(PlainText.AsSeen(status.Name), status);
        }
    }

    public void Read(ColumnPlan column, string? cell, RowBuffer buffer, ErrorCollector errors)
    {
        var value = cell?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (_statuses.TryGetValue(value, out var status))
        {
            buffer.StatusId = status.Id;
            return;
        }

        var names = string.Join(", ", _inventory.Statuses.Take(ShownStatuses).Select(s => s.Name));
        if (_inventory.Statuses.Count > ShownStatuses)
        {
            names += ", …";
        }

        // Built at the first failing cell, never for a file whose statuses are right.
        _statusesByLooseKey ??= _inventory.Statuses.GroupBy(s => ErrorText.Loose(s.Name)).ToDictionary(g => g.Key, g => g.First().Name);
        errors.Add(column, cell,
            $"\"{ErrorText.Shorten(value)}\" is not a status of workflow \"{_inventory.WorkflowName}\" ({names}).{ErrorText.DidYouMean(_statusesByLooseKey, value)}");
    }

    /// <summary>A new client without a status gets the workflow's first.</summary>
    public void ApplyDefault(RowBuffer buffer)
    {
        if (buffer.StatusId is null && _inventory.Statuses.Count > 0)
        {
            buffer.StatusId = _inventory.Statuses[0].Id;
        }
    }

    /// <summary>The import as a whole: new clients need a status to start in.</summary>
    public void CheckCanCreate(int newClients, List<string> importErrors)
    {
        if (newClients > 0 && _inventory.Statuses.Count == 0)
        {
            importErrors.Add($"Workflow \"{_inventory.WorkflowName}\" has no statuses, so no client can be created.");
        }
    }
}
