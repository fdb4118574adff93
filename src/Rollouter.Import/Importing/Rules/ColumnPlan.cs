using Rollouter.Import.Importing.Mapping;

namespace Rollouter.Import.Importing.Rules;

/// <summary>What a mapped column of the file goes into.</summary>
internal enum ColumnKind
{
    Name,
    Status,
    Assignee,
    ClientUser,
    Description,
    Flag,
    Field,
}

/// <summary>One mapped column of the file: where it is, what it goes into, and the mapping's choices for it.</summary>
internal sealed class ColumnPlan(int index, string letter, string? header, ColumnKind kind)
{
    private FieldPlan? _field;
    private UserDirectory? _users;

    /// <summary>Stands for a Name column the mapping lacks (the mapping check reports that before any row).</summary>
    public static readonly ColumnPlan Unmapped = new(-1, "", null, ColumnKind.Name);

    public int Index { get; } = index;

    public string Letter { get; } = letter;

    public string? Header { get; } = header;

    public ColumnKind Kind { get; } = kind;

    /// <summary>The plan's position among the mapped columns (its slot in <see cref="RowBuffer"/>); -1 for none.</summary>
    public int Ordinal { get; init; } = -1;

    public UserLookup Lookup { get; init; }

    public bool CreateOptions { get; init; }

    public string Separator { get; init; } = ColumnMapping.DefaultSeparator;

    /// <summary>The custom field of a <see cref="ColumnKind.Field"/> column (the loader sets it with the plan).</summary>
    public FieldPlan Field
    {
        get => _field ?? NotLoaded<FieldPlan>(nameof(Field));
        set => _field = value;
    }

    /// <summary>
    /// The users an Assignee or Client User column looks up, by its <see cref="Lookup"/> (the loader sets them before
    /// the first row).
    /// </summary>
    public UserDirectory Users
    {
        get => _users ?? NotLoaded<UserDirectory>(nameof(Users));
        set => _users = value;
    }

    /// <summary>
    /// The users the inventory's clients have in this column's field (assignees or client users), by id, whether or not
    /// they are still active members with the role: an update row naming the one its client already has is no change
    /// (decision 0088). Empty unless the import updates clients.
    /// </summary>
    public IReadOnlyDictionary<int, UserRecord> CurrentUsers { get; set; } = EmptyUsers;

    private static readonly Dictionary<int, UserRecord> EmptyUsers = [];

    // Out of line, so that the getters stay small enough to inline in the per-cell loop.
    private T NotLoaded<T>(string member) =>
        throw new InvalidOperationException($"Column {Letter} has no {member}: the checker's loader sets it.");
}
