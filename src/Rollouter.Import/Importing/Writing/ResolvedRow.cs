using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Importing.Writing;

/// <summary>
/// A row that passed every rule, turned into what the writer stores. Rows are streamed (the file is read again for the
/// write), never held all at once. For a new client every property is the value to store; for an update
/// (<see cref="ExistingClientId"/> set) a null property or a missing value key means "leave unchanged".
/// </summary>
public sealed record ResolvedRow
{
    public required int RowNumber { get; init; }

    /// <summary>Set when "update existing clients" matched this row to a client of the inventory.</summary>
    public int? ExistingClientId { get; init; }

    /// <summary>
    /// The existing client is in an advanced link whose shared fields the file maps: its partner's row may impose a
    /// value on it later in the write, and the writer counts such a client once (<see cref="WriteResult.Updated"/>).
    /// </summary>
    public bool InAdvancedLink { get; init; }

    public required string Name { get; init; }

    public int? StatusId { get; init; }

    public int? AssigneeId { get; init; }

    public int? ClientUserId { get; init; }

    public string? Description { get; init; }

    public string? Flag { get; init; }

    /// <summary>Custom field values by field id (option names for selections; one element for single values).</summary>
    public Dictionary<int, string[]> Values { get; init; } = [];

    /// <summary>Existing clients linked to this row's client by an advanced link whose shared fields this row changes.</summary>
    public IReadOnlyList<LinkedClientUpdate> LinkedUpdates { get; init; } = [];

    /// <summary>
    /// Options that this row is the first to use and "Create option if not exists" allows: the writer creates them in
    /// the same transaction, once every row is written.
    /// </summary>
    public IReadOnlyList<NewOption> NewOptions { get; init; } = [];
}

/// <summary>
/// A shared custom field value the file imposes on a directly linked client ("the file wins"); its name as the check
/// read it names it should it be deleted before the write.
/// </summary>
public sealed record LinkedClientUpdate(int ClientId, int CustomFieldId, string[] Value, string? ClientName = null);

/// <summary>What the whole write needs besides the rows.</summary>
public sealed record WriteContext
{
    public required int ImportId { get; init; }

    public required int RolloutId { get; init; }

    public required int InventoryId { get; init; }

    public int? UserId { get; init; }

    /// <summary>Names for the history: custom field id → field name.</summary>
    public IReadOnlyDictionary<int, string> FieldNames { get; init; } = new Dictionary<int, string>();

    /// <summary>
    /// The inventory as the rows were checked against it (read before the rollout's write lock was taken). Once the
    /// writer holds the lock it reads the inventory's fields again and stops, writing nothing, when one of them changed
    /// meanwhile (<see cref="ImportSettingsChangedException"/>): the checked values might no longer be options of it.
    /// </summary>
    public Mapping.InventoryDefinition? CheckedAgainst { get; init; }

    /// <summary>
    /// The cells corrected in the browser, as the run applied them to its rows: the writer adds one history entry to each
    /// client a corrected row created or changed, in its transaction after the last row, so that the import's end and
    /// its clients' history commit together (decision 0025).
    /// </summary>
    public Corrections.CellCorrections? Corrections { get; init; }
}

public sealed record NewOption(int CustomFieldId, string Name);

/// <summary>
/// What a write did: clients created, and existing clients changed — by their own row or through an advanced link
/// (a shared value the file imposed on a linked client), each client counted once; and the history entries that name
/// the values corrected in the browser (<see cref="WriteContext.Corrections"/>).
/// </summary>
public sealed record WriteResult(int Created, int Updated, int CorrectionEntries = 0);
