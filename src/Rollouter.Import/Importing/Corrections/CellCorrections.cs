using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Importing.Corrections;

/// <summary>
/// The corrections of one import (cells typed in the browser, value replacements), applied to its rows between the
/// reader and the checker: Check and the run see the corrected values, the kept file stays as uploaded. An import
/// without corrections gets its rows back untouched (<see cref="None"/>); otherwise each row costs one dictionary
/// lookup, plus one per column that has replacements. A cell corrected on its own wins over a replacement.
/// </summary>
public sealed class CellCorrections
{
    /// <summary>No corrections: <see cref="Apply"/> hands the rows through.</summary>
    public static CellCorrections None { get; } = new(new Dictionary<int, Fix[]>(), [], -1, 0);

    private readonly Dictionary<int, Fix[]> _cells;
    private readonly ColumnReplacements[] _replacements;
    private readonly int _nameIndex;
    private readonly int _width;
    private Dictionary<int, CorrectedRow>? _corrected;

    private CellCorrections(Dictionary<int, Fix[]> cells, ColumnReplacements[] replacements, int nameIndex, int width)
    {
        _cells = cells;
        _replacements = replacements;
        _nameIndex = nameIndex;
        _width = width;
    }

    public bool IsEmpty => _cells.Count == 0 && _replacements.Length == 0;

    /// <summary>Rows a recording <see cref="Apply"/> changed so far.</summary>
    public int CorrectedRowCount => _corrected?.Count ?? 0;

    /// <summary>
    /// The import's corrections for the file's <paramref name="columns"/> (those of a column the file no longer has are
    /// left out); <see cref="None"/> when it has none, after two small queries.
    /// </summary>
    public static async Task<CellCorrections> LoadAsync(RolloutDbContext db, int importId, IReadOnlyList<SheetColumn> columns,
        ImportMapping mapping, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(mapping);
        var cells = await db.ImportCellCorrections.AsNoTracking().Where(c => c.ImportId == importId).ToListAsync(cancellationToken);
        var replacements = await db.ImportValueReplacements.AsNoTracking().Where(r => r.ImportId == importId).ToListAsync(cancellationToken);
        if (cells.Count == 0 && replacements.Count == 0)
        {
            return None;
        }

        var indexes = columns.ToDictionary(c => c.Letter, c => c.Index, StringComparer.OrdinalIgnoreCase);
        var fields = mapping.Columns.Where(c => c.Target is not null)
            .ToDictionary(c => c.Letter, c => DefaultFields.IsDefault(c.Target) ? DefaultFields.DisplayName(c.Target) : c.Target,
                StringComparer.OrdinalIgnoreCase);
        var fixes = cells
            .Where(c => indexes.ContainsKey(c.Column))
            .GroupBy(c => c.Row)
            .ToDictionary(g => g.Key, g => g.Select(c => new Fix(indexes[c.Column],
                c.Value, new CorrectionNote(c.Column, fields.GetValueOrDefault(c.Column), c.Original, c.Value, c.ById, c.At))).ToArray());
        var byColumn = replacements
            .Where(r => indexes.ContainsKey(r.Column))
            .GroupBy(r => r.Column, StringComparer.OrdinalIgnoreCase)
            // Keyed as the cells are looked up (Key): a replacement stored before values were compared as seen then
            // still matches; of two that are now the same, the later one counts.
            .Select(g => new ColumnReplacements(indexes[g.Key], g.OrderBy(r => r.At).GroupBy(r => Key(r.From), StringComparer.Ordinal)
                .ToDictionary(k => k.Key, k => k.Last() is var r ? new Fix(indexes[g.Key], r.To, new CorrectionNote(r.Column,
                    fields.GetValueOrDefault(r.Column), r.From.Length == 0 ? null : r.From, r.To, r.ById, r.At)) : default,
                    StringComparer.Ordinal)))
            .ToArray();
        var nameIndex = mapping.NameColumn is { } name && indexes.TryGetValue(name.Letter, out var index) ? index : -1;
        return new CellCorrections(fixes, byColumn, nameIndex, columns.Count);
    }

    /// <summary>
    /// How a replacement compares a cell: its text as seen (<see cref="PlainText.AsSeen"/>, as the check reads it and
    /// the failed rows show it: a zero-width space or a decomposed letter in the file does not hide the cell from
    /// "Replace every …"; AsSeen also drops a NUL, which no stored text holds, so a "from" typed with one finds the cells
    /// its stored replacement will: decision 0040), without the spaces around it; an empty cell is "".
    /// </summary>
    public static string Key(string? cell) => PlainText.AsSeen(cell)?.Trim() ?? "";

    /// <summary>
    /// A replacement's new value as it is stored and shown: without NUL characters and the spaces around it, and with U+FFFD
    /// for a character that is not valid text, as Check reads it (decisions 0040, 0044).
    /// </summary>
    public static string ReplacementValue(string? to) => PlainText.WithValidCharacters(PlainText.WithoutNul(to ?? "").Trim());

    /// <summary>
    /// The rows with the corrections applied (a changed row is a new <see cref="SourceRow"/>; a reader's problem with a
    /// corrected cell, such as #N/A, goes with the old value). With <paramref name="record"/>, the rows changed are
    /// remembered with their name for the history, which the writer adds (<see cref="WriteContext.Corrections"/>).
    /// </summary>
    public IEnumerable<SourceRow> Apply(IEnumerable<SourceRow> rows, bool record = false)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (IsEmpty)
        {
            return rows;
        }

        if (!record)
        {
            return ApplyEach(rows, corrected: null);
        }

        _corrected = [];
        return ApplyEach(rows, _corrected);
    }

    private IEnumerable<SourceRow> ApplyEach(IEnumerable<SourceRow> rows, Dictionary<int, CorrectedRow>? corrected)
    {
        foreach (var row in rows)
        {
            if (Correct(row) is not { } fixedRow)
            {
                yield return row;
                continue;
            }

            if (corrected is not null && _nameIndex >= 0 && fixedRow.Row[_nameIndex]?.Trim() is { Length: > 0 } name)
            {
                corrected[row.RowNumber] = new CorrectedRow(name, [.. fixedRow.Cells.Select(c => c.Note)]);
            }

            yield return fixedRow.Row;
        }
    }

    /// <summary>
    /// The rows with the corrections applied, as <see cref="Apply"/> gives them, each with the cells a correction changed
    /// (empty for a row none changed): what the error report shows and marks, so it holds the values the run checked.
    /// </summary>
    public IEnumerable<(SourceRow Row, IReadOnlyList<CorrectedCell> Corrected)> ApplyWithCells(IEnumerable<SourceRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var row in rows)
        {
            if (IsEmpty || Correct(row) is not { } fixedRow)
            {
                yield return (row, []);
                continue;
            }

            yield return (fixedRow.Row, fixedRow.Cells);
        }
    }

    /// <summary>The row with its corrections, and the cells they changed; null when none changes it.</summary>
    private CorrectedSourceRow? Correct(SourceRow row)
    {
        string?[]? cells = null;
        List<CorrectedCell>? changed = null;
        _cells.TryGetValue(row.RowNumber, out var fixes);
        if (fixes is not null)
        {
            cells = Copy(row);
            foreach (var fix in fixes)
            {
                (changed ??= []).Add(new CorrectedCell(fix.Index, row[fix.Index], fix.Note));
                cells[fix.Index] = fix.Value;
            }
        }

        foreach (var column in _replacements)
        {
            if (fixes is not null && Array.Exists(fixes, f => f.Index == column.Index))
            {
                continue;
            }

            if (column.Values.TryGetValue(Key(row[column.Index]), out var replacement))
            {
                cells ??= Copy(row);
                (changed ??= []).Add(new CorrectedCell(column.Index, row[column.Index], replacement.Note));
                cells[column.Index] = replacement.Value;
            }
        }

        // The two are set together: a row no correction changed goes on as it is.
        if (cells is null || changed is null)
        {
            return null;
        }

        var indexes = changed.Select(c => c.Index).ToList();
        return new CorrectedSourceRow(new SourceRow(row.RowNumber, cells, Without(row.Issues, indexes)), changed);
    }

    /// <summary>
    /// In the writer's transaction, after its last row, of a run that applied the corrections with recording: one history
    /// entry for each client a corrected row created or updated ("created by import #N (value corrected in the browser by
    /// …: 'Shipped' → 'Done')"), through the writer's bulk insert (a replacement can touch every row), so that it commits
    /// with the clients and the import's end, or not at all. The clients are found by name in the rollout, a thousand at
    /// a time: new clients' ids come from the database. A client the row left as it was (the corrected value is the one
    /// it has) gets none: the import changed nothing there, and an entry would be a change since for the revert of an
    /// earlier import (decision 0025). Returns the number of entries written.
    /// </summary>
    internal async Task<int> RecordHistoryAsync(RolloutDbContext db, ClientStore store, WriteContext context, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (_corrected is not { Count: > 0 })
        {
            return 0;
        }

        var byKey = new Dictionary<string, List<CorrectionNote>>(StringComparer.Ordinal);
        foreach (var row in _corrected.Values)
        {
            byKey[Client.KeyOf(row.Name)] = row.Notes;
        }

        var written = 0;
        var rolloutId = context.RolloutId;
        var importId = context.ImportId;
        foreach (var keys in byKey.Keys.Chunk(1_000))
        {
            // Created by this import, or changed by it: the writer's entry of this import, written in this transaction.
            var clients = await db.Clients.AsNoTracking()
                .Where(c => c.RolloutId == rolloutId && keys.Contains(c.NameKey) &&
                            (c.CreatedByImportId == importId ||
                             db.ClientHistory.Any(h => h.ClientId == c.Id && h.ImportId == importId && h.Action == ClientHistoryAction.Changed)))
                .Select(c => new { c.Id, c.NameKey, c.CreatedByImportId })
                .ToListAsync(cancellationToken);
            var entries = clients.Select(c => new HistoryRecord(c.Id,
                c.CreatedByImportId == importId ? ClientHistoryAction.Created : ClientHistoryAction.Changed, [],
                byKey[c.NameKey])).ToList();
            await store.InsertHistoryAsync(context, entries, now, cancellationToken);
            written += entries.Count;
        }

        return written;
    }

    /// <summary>
    /// The cells of <paramref name="wanted"/> (row number → column indexes) as the file holds them, reading the file only
    /// as far as the last row wanted; a row missing from the result is not a data row of the file (above the header,
    /// empty, hidden and not imported, or past the end).
    /// </summary>
    public static Dictionary<int, Dictionary<int, string?>> ReadCells(SpreadsheetFile file, IReadOnlyDictionary<int, HashSet<int>> wanted,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(wanted);
        var found = new Dictionary<int, Dictionary<int, string?>>();
        if (wanted.Count == 0)
        {
            return found;
        }

        var last = wanted.Keys.Max();
        foreach (var row in file.ReadRows())
        {
            if (row.RowNumber > last)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (wanted.TryGetValue(row.RowNumber, out var indexes))
            {
                found[row.RowNumber] = indexes.ToDictionary(i => i, i => row[i]);
            }
        }

        return found;
    }

    /// <summary>
    /// What a replacement of <paramref name="from"/> in column <paramref name="index"/> would change: every data row whose
    /// cell there matches (<see cref="Key"/>), except the rows in <paramref name="correctedRows"/> (their own correction
    /// wins); the first <paramref name="sample"/> row numbers are kept.
    /// </summary>
    public static (int Cells, IReadOnlyList<int> Rows) CountMatches(SpreadsheetFile file, int index, string from,
        IReadOnlySet<int> correctedRows, int sample, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(correctedRows);
        var count = 0;
        var rows = new List<int>(sample);
        foreach (var row in file.ReadRows())
        {
            if ((count & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (string.Equals(Key(row[index]), from, StringComparison.Ordinal) && !correctedRows.Contains(row.RowNumber))
            {
                if (rows.Count < sample)
                {
                    rows.Add(row.RowNumber);
                }

                count++;
            }
        }

        return (count, rows);
    }

    private string?[] Copy(SourceRow row)
    {
        var cells = new string?[Math.Max(row.Cells.Length, _width)];
        Array.Copy(row.Cells, cells, row.Cells.Length);
        return cells;
    }

    private static IReadOnlyList<CellIssue> Without(IReadOnlyList<CellIssue> issues, List<int> changed) =>
        issues.Count == 0 ? issues : [.. issues.Where(i => !changed.Contains(i.ColumnIndex))];

    private sealed record Fix(int Index, string Value, CorrectionNote Note);

    private sealed record ColumnReplacements(int Index, Dictionary<string, Fix> Values);

    private sealed record CorrectedRow(string Name, List<CorrectionNote> Notes);

    private sealed record CorrectedSourceRow(SourceRow Row, List<CorrectedCell> Cells);
}

/// <summary>
/// A cell a correction changed: its column's index in the file, the value the file holds there, and the correction (its
/// new value, who, when).
/// </summary>
public sealed record CorrectedCell(int Index, string? FileValue, CorrectionNote Note);
