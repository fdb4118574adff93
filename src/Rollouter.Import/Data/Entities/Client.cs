namespace Rollouter.Import.Data.Entities;

/// <summary>A device of an inventory. Its name is unique per rollout, case-insensitively.</summary>
public class Client
{
    public int Id { get; set; }

    /// <summary>Copied from the inventory so the database can enforce a name unique per rollout.</summary>
    public int RolloutId { get; set; }

    public Rollout Rollout { get; set; } = null!;

    public int InventoryId { get; set; }

    public Inventory Inventory { get; set; } = null!;

    public required string Name { get; set; }

    /// <summary>Lower-cased <see cref="Name"/>, computed by the database; the unique index is on (RolloutId, NameKey).</summary>
    public string NameKey { get; private set; } = "";

    public int StatusId { get; set; }

    public WorkflowStatus Status { get; set; } = null!;

    public int? AssigneeId { get; set; }

    public User? Assignee { get; set; }

    public int? ClientUserId { get; set; }

    public User? ClientUser { get; set; }

    public string? Description { get; set; }

    /// <summary>A red note shown on top of the client; null or empty means no flag.</summary>
    public string? Flag { get; set; }

    /// <summary>Custom field values by custom field id; single-valued fields hold one element.</summary>
    public Dictionary<int, string[]> Values { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<ClientHistoryEntry> History { get; set; } = [];
}

public enum ClientHistoryAction
{
    Created = 1,
    Changed = 2,
}

/// <summary>One change of a client: who, when, from which import, and each field's old and new value.</summary>
public class ClientHistoryEntry
{
    public long Id { get; set; }

    public int ClientId { get; set; }

    public Client Client { get; set; } = null!;

    public DateTimeOffset At { get; set; }

    public int? UserId { get; set; }

    public User? User { get; set; }

    public int? ImportId { get; set; }

    public ClientHistoryAction Action { get; set; }

    public List<FieldChange> Changes { get; set; } = [];
}

public record FieldChange(string Field, string? Old, string? New);
