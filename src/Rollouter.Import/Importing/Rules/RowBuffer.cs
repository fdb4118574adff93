using System.Diagnostics.CodeAnalysis;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// What the rules make of the current row, reused for every row of a pass (a million rows allocate no buffer each):
/// the name and whether it creates or updates a client, the ids found, the custom field values by field position.
/// </summary>
internal sealed class RowBuffer(int fieldCount, int columnCount)
{
    private readonly char[] _key = new char[ImportChecker.MaxNameLength];
    private readonly bool[] _failed = new bool[columnCount];
    private int _keyLength;
    private int _failedCount;

    public string? Name { get; set; }

    /// <summary>The name's <see cref="Client.KeyOf(string)"/>, without allocating a string per row.</summary>
    public ReadOnlySpan<char> Key => _key.AsSpan(0, _keyLength);

    public ReadOnlySpan<char> SetKey(string name)
    {
        _keyLength = Client.KeyOf(name, _key);
        return Key;
    }

    public ExistingClient? Existing { get; set; }

    /// <summary>The name is valid and new: the row creates a client.</summary>
    public bool IsNew { get; set; }

    /// <summary>
    /// The name is that of a client of this inventory and "Update existing clients" is on: the name rule sets
    /// <see cref="Existing"/> only then.
    /// </summary>
    [MemberNotNullWhen(true, nameof(Name), nameof(Existing))]
    public bool IsUpdate => Name is not null && Existing.HasValue;

    public int? StatusId { get; set; }

    public int? AssigneeId { get; set; }

    public int? ClientUserId { get; set; }

    public string? Description { get; set; }

    public string? Flag { get; set; }

    /// <summary>Custom field values by <see cref="FieldPlan.Index"/>; null where the row sets none.</summary>
    public string[]?[] Values { get; } = new string[]?[fieldCount];

    /// <summary>Options this row is the first to use ("Create option if not exists"); the writer creates them.</summary>
    public List<NewOption> NewOptions { get; } = [];

    /// <summary>Marks a column whose cell failed in this row: no second rule reports the same cell.</summary>
    public void Fail(ColumnPlan column)
    {
        if (column.Ordinal >= 0 && !_failed[column.Ordinal])
        {
            _failed[column.Ordinal] = true;
            _failedCount++;
        }
    }

    public bool HasFailed(ColumnPlan column) => _failedCount > 0 && column.Ordinal >= 0 && _failed[column.Ordinal];

    public void Clear()
    {
        Name = Description = Flag = null;
        _keyLength = 0;
        Existing = null;
        IsNew = false;
        StatusId = AssigneeId = ClientUserId = null;
        Array.Clear(Values);
        if (NewOptions.Count > 0)
        {
            NewOptions.Clear();
        }

        if (_failedCount > 0)
        {
            Array.Clear(_failed);
            _failedCount = 0;
        }
    }
}
