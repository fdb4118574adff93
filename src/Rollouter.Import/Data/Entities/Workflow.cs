namespace Rollouter.Import.Data.Entities;

/// <summary>An ordered list of statuses; several inventories may share one workflow.</summary>
public class Workflow
{
    public int Id { get; set; }

    public required string Name { get; set; }

    /// <summary>The most statuses a workflow has (settings pages and API; docs/decisions/0098).</summary>
    public const int MaxStatuses = 200;

    public List<WorkflowStatus> Statuses { get; set; } = [];
}

public class WorkflowStatus
{
    public int Id { get; set; }

    public int WorkflowId { get; set; }

    public Workflow Workflow { get => field ?? throw Navigation.NotLoaded(this, nameof(Workflow)); set; }

    /// <summary>Unique within the workflow, compared exactly (case-sensitive) by imports.</summary>
    public required string Name { get; set; }

    public int Position { get; set; }
}
