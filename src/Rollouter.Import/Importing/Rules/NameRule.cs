using Rollouter.Import.Data;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing.Rules;

/// <summary>
/// A client of the rollout as the name rule finds it; its assignee and client user only when the import updates and maps
/// a user column (<see cref="ExistingNames.KeepsUsers"/>), for the user rule's "no change" (decision 0088).
/// </summary>
internal readonly record struct ExistingClient(int Id, int InventoryId, string Name, int? AssigneeId = null, int? ClientUserId = null);

/// <summary>
/// Name: required, at most <see cref="ImportChecker.MaxNameLength"/> characters, unique per rollout ignoring case
/// (<see cref="Data.Entities.Client.KeyOf(string)"/>, the unique index's definition) unless "Update existing clients"
/// matches a client of this inventory, and used once in the file.
/// </summary>
internal sealed class NameRule
{
    private readonly ExistingNames _existing;
    private readonly IReadOnlyDictionary<int, string> _inventoryNames;
    private readonly int _inventoryId;
    private readonly bool _updateExisting;
    private NameIndex _namesInFile = new();

    /// <param name="column">The Name column.</param>
    /// <param name="existing">The rollout's clients by name key.</param>
    /// <param name="inventoryNames">The rollout's inventories, to name the one that holds a name already.</param>
    public NameRule(ColumnPlan column, ExistingNames existing,
        IReadOnlyDictionary<int, string> inventoryNames, int inventoryId, bool updateExisting)
    {
        Column = column;
        _existing = existing;
        _inventoryNames = inventoryNames;
        _inventoryId = inventoryId;
        _updateExisting = updateExisting;
    }

    public ColumnPlan Column { get; }

    /// <summary>
    /// The file's single-byte encoding (<see cref="LostLetterScan.IsSingleByte"/>) when it is a CSV read in one, else
    /// null: then a new name with a lost letter ("Wroc?aw-07") that is a stored client of the inventory but for those
    /// letters ("Wrocław-07") fails its row instead of creating a near-duplicate (decision 0184). A UTF-8 file or a
    /// workbook can hold every letter: its "?" is meant.
    /// </summary>
    public string? SingleByteEncoding { get; set; }

    /// <summary>Rows of this pass with a valid name that is new to the rollout and to the file.</summary>
    public int NewClients { get; private set; }

    /// <param name="expectedRowCount">The file's row count when known: sizes the index of the file's names once.</param>
    public void BeginPass(int expectedRowCount)
    {
        _namesInFile = new NameIndex(expectedRowCount);
        NewClients = 0;
    }

    /// <summary>Reads the row's name into <paramref name="buffer"/>: whether it creates a client or updates one.</summary>
    public void Read(SourceRow row, RowBuffer buffer, ErrorCollector errors)
    {
        if (buffer.HasFailed(Column))
        {
            return;
        }

        var cell = row[Column.Index];
        var name = cell?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(Column, ErrorText.NullIfEmpty(cell), "Name is required.");
            return;
        }

        if (name.Length > ImportChecker.MaxNameLength)
        {
            errors.Add(Column, cell, $"Name is too long: {name.Length} characters, at most {ImportChecker.MaxNameLength}.");
            return;
        }

        buffer.Name = name;
        if (!_existing.TryGetValue(buffer.SetKey(name), out var existing))
        {
            if (PlainText.IndexOfLineBreakOrControl(name) is >= 0 and var at)
            {
                // A name is one line (decision 0174): a new client's name with a line break (Excel's Alt+Enter) or a
                // control character would break the template's lists, exports and searches. A client stored with one
                // before is still found and updated by its name as it is.
                errors.Add(Column, cell,
                    $"Name \"{ErrorText.Shorten(name)}\" holds {PlainText.DescribeLineBreakOrControl(name[at])}, which a client's name cannot: a name is one line. Remove it from the cell.");
                return;
            }

            if (SingleByteEncoding is { } encoding && LostLetterScan.HoldsLostLetter(name)
                && _existing.TryGetLostLetterMatch(buffer.Key, _inventoryId, out var meant))
            {
                errors.Add(Column, cell,
                    $"Name \"{ErrorText.Shorten(name)}\" would create a client, but it is probably \"{ErrorText.Shorten(meant.Name)}\", " +
                    $"whose letters the file lost: it was read as {LostLetterScan.Label(encoding)}, and Excel's \"CSV (Comma delimited)\" " +
                    "writes a \"?\" for each letter that encoding cannot hold. Save the sheet in Excel as \"CSV UTF-8 (Comma delimited)\" " +
                    "or as Excel Workbook (.xlsx) and upload that; if the \"?\" is meant, such a file imports the name as it is.");
                return;
            }

            buffer.IsNew = true;
            return;
        }

        if (existing.InventoryId != _inventoryId)
        {
            errors.Add(Column, cell,
                $"Name \"{ErrorText.Shorten(name)}\" already exists in this rollout (inventory \"{_inventoryNames.GetValueOrDefault(existing.InventoryId)}\").");
        }
        else if (!_updateExisting)
        {
            errors.Add(Column, cell,
                $"Name \"{ErrorText.Shorten(name)}\" already exists in this inventory; enable \"Update existing clients\" to update it.");
        }
        else
        {
            buffer.Existing = existing;
        }
    }

    /// <summary>A name used again in the file fails the later row; the first use counts as a new client if it is one.</summary>
    public void CheckRepeat(SourceRow row, RowBuffer buffer, ErrorCollector errors)
    {
        if (buffer.Name is null)
        {
            return;
        }

        if (!_namesInFile.TryAdd(buffer.Key, row.RowNumber, out var firstRow))
        {
            errors.Add(Column, row[Column.Index],
                $"Name \"{ErrorText.Shorten(buffer.Name)}\" appears again in row {row.RowNumber}; it is first used in row {firstRow}.");
        }
        else if (buffer.IsNew)
        {
            NewClients++;
        }
    }
}
