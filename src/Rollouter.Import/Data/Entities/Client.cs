namespace Rollouter.Import.Data.Entities;

/// <summary>A device of an inventory. Its name is unique per rollout, case-insensitively.</summary>
public class Client
{
    public int Id { get; set; }

    /// <summary>
    /// Copied from the inventory so the database can enforce a name unique per rollout. Whoever creates a client takes
    /// both ids from one inventory row (the import writer locks and checks that row once per import).
    /// </summary>
    public int RolloutId { get; set; }

    // The inventory is a plain id, without a foreign-key constraint, like the status and the users below: the check
    // runs per inserted row, and was about half of PostgreSQL's work in a million-row import (4.5 of 10 CPU seconds).
    // An inventory is deleted only together with its clients, under the rollout's write lock (InventoryService).
    public int InventoryId { get; set; }

    private string _name = "";

    public required string Name
    {
        get => _name;
        set
        {
            _name = value;
            NameKey = KeyOf(value);
        }
    }

    /// <summary>
    /// <see cref="Name"/> as the unique index on (RolloutId, NameKey) compares it: <see cref="KeyOf"/>, stored by the
    /// application (kept in step by the setter of <see cref="Name"/> and by the import writer) on every provider.
    /// </summary>
    public string NameKey { get; private set; } = "";

    /// <summary>
    /// The one definition of "the same name, ignoring case", used by the import's checks and stored for the database's
    /// unique index: the name as a person sees it (<see cref="PlainText.AsSeen"/>: composed, without invisible
    /// characters, odd spaces plain), in the invariant culture's lower case (full Unicode on every database, where
    /// SQLite's lower() folds only ASCII letters).
    /// </summary>
    public static string KeyOf(string name) => PlainText.AsSeen(name).ToLowerInvariant();

    /// <summary>
    /// <see cref="KeyOf(string)"/> into <paramref name="key"/> (as long as the name); returns its length, which is
    /// shorter than the name's when the name holds invisible or uncomposed characters.
    /// </summary>
    public static int KeyOf(ReadOnlySpan<char> name, Span<char> key)
    {
        if (PlainText.IsAsSeen(name))
        {
            return name.ToLowerInvariant(key);
        }

        // Never longer than the name (PlainText.AsSeen), so it fits.
        return PlainText.AsSeen(name.ToString()).AsSpan().ToLowerInvariant(key);
    }

    // Status and users are plain ids, without foreign-key constraints: a constraint costs a lookup and a row lock
    // per client in a bulk load (31 s instead of 8.6 s for a million clients on PostgreSQL). The importer checks them,
    // statuses are only removed after their clients are moved, and users are deactivated, never deleted.

    public int StatusId { get; set; }

    public int? AssigneeId { get; set; }

    public int? ClientUserId { get; set; }

    public string? Description { get; set; }

    /// <summary>A red note shown on top of the client; null or empty means no flag.</summary>
    public string? Flag { get; set; }

    /// <summary>Custom field values by custom field id; single-valued fields hold one element.</summary>
    public Dictionary<int, string[]> Values { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Who created the client; the first entry of its history.</summary>
    public int? CreatedById { get; set; }

    /// <summary>The import that created the client, if one did ("created by import #N").</summary>
    public int? CreatedByImportId { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public enum ClientHistoryAction
{
    /// <summary>Recorded for clients created one by one; a bulk import records its creations on the client itself.</summary>
    Created = 1,
    Changed = 2,

    /// <summary>The values an import changed were set back by the revert of that import (<see cref="ClientHistoryEntry.ImportId"/>).</summary>
    Reverted = 3,

    /// <summary>
    /// A settings change renamed what the client holds (a status, an option: "Status: Scheduled → Planned"), nothing
    /// else: the client holds the same status, the same option under its new name. Shown as a change; no change since
    /// for a revert, which puts back statuses and options by their ids (decision 0071).
    /// </summary>
    Renamed = 4,
}

/// <summary>
/// One change of a client: who, when, from which import, and each field's old and new value. The client and the user
/// are plain ids without foreign-key constraints, as on the client itself: an import that updates a million clients
/// writes a million entries, and the constraints' checks were more than a third of PostgreSQL's work. Entries are
/// written only for clients the writer holds locked, by users that are never deleted, and an inventory's deletion
/// removes its clients' entries first (InventoryService).
/// </summary>
public class ClientHistoryEntry
{
    public long Id { get; set; }

    public int ClientId { get; set; }

    public DateTimeOffset At { get; set; }

    public int? UserId { get; set; }

    public int? ImportId { get; set; }

    public ClientHistoryAction Action { get; set; }

    public List<FieldChange> Changes { get; set; } = [];

    /// <summary>
    /// The values of the import's row that were corrected in the browser (null for none): an entry of its own, written
    /// after the import completed, beside the one the writer recorded (the import's entries are shown as one).
    /// </summary>
    public List<CorrectionNote>? Corrections { get; set; }
}

/// <summary>
/// One field's change as a person reads it: <see cref="Old"/> and <see cref="New"/> are labels (a status by name, a
/// user by email, several values joined by "; "). <see cref="OldValues"/> keeps the values before the change exactly
/// where the label cannot tell them (a multi-selection of several values, or a value that itself holds "; "), so that a
/// revert restores them as they were; absent (and not stored) otherwise, and in entries written before it was kept.
/// <see cref="FieldId"/> is the custom field's id (null for the default fields, and in entries written before it was
/// kept): <see cref="Field"/> is the name the field had then, which a rename changes and another field may take, so a
/// revert finds the field by its id. An import's change keeps what the old value named by its id too, since a name can
/// be given to another since (decision 0061): <see cref="OldId"/> the status's or user's (Status, Assignee, Client User),
/// <see cref="OldOptionIds"/> the options' of a Selection or Multi-Selection, one per old value (only when each is an
/// option); absent elsewhere and in entries written before they were kept.
/// <see cref="Setting"/> names the settings change that made the change, as a person
/// reads it ("status renamed in workflow "Standard"", "option renamed"): null (and not stored) for a change made by an
/// import, a link or a revert, and in entries written before it was kept.
/// </summary>
public record FieldChange(
    string Field,
    string? Old,
    string? New,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<string>? OldValues = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    int? FieldId = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    int? OldId = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<int>? OldOptionIds = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Setting = null);
