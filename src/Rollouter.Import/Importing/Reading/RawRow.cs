namespace Rollouter.Import.Importing.Reading;

/// <summary>What a cell holds besides a value: each kind but <see cref="Value"/> is a row error naming the cell.</summary>
internal enum CellKind : byte
{
    Value,

    /// <summary>An Excel error (#N/A typed in, or a formula whose result is an error).</summary>
    Error,

    /// <summary>
    /// An Excel 365 data type or a picture in the cell whose text could not be read: the sheet holds #VALUE! for it.
    /// </summary>
    RichValue,

    /// <summary>A picture placed in the cell (Excel 365): the sheet holds #VALUE! for it.</summary>
    Picture,

    /// <summary>
    /// A formula that gives text whose stored result is a number (an .xls saved by LibreOffice Calc without recalculating
    /// stores 0): the number is not what the cell shows.
    /// </summary>
    TextFormulaResultMissing,
}

/// <summary>A cell as a format reader found it, before limits and labels apply.</summary>
internal readonly record struct RawCell(int Column, string Text, CellKind Kind, int Length)
{
    /// <summary>Whether the cell is a row error rather than a value (<see cref="CellKind"/>).</summary>
    public bool IsError => Kind != CellKind.Value;
}

/// <summary>
/// One row as a format reader produces it. The reader reuses the instance for the next row, so a consumer copies
/// what it keeps. Only cells left of the reader's column cap are stored; <see cref="MaxColumn"/> still sees all.
/// </summary>
internal sealed class RawRow(int columnCap)
{
    public int Number { get; private set; }

    public bool Hidden { get; private set; }

    /// <summary>Highest column holding something other than blanks (any column, also beyond the cap); -1 = empty row.</summary>
    public int MaxColumn { get; private set; } = -1;

    public List<RawCell> Cells { get; } = new(16);

    public int ColumnCap { get; } = columnCap;

    public void Reset(int number, bool hidden)
    {
        Number = number;
        Hidden = hidden;
        MaxColumn = -1;
        Cells.Clear();
    }

    /// <summary>A value past <see cref="ColumnCap"/> that holds more than blanks: only its column is kept, in <see cref="MaxColumn"/>.</summary>
    public void AddBeyondCap(int column)
    {
        if (column > MaxColumn)
        {
            MaxColumn = column;
        }
    }

    public void Add(int column, string text, bool isError = false, int length = -1) =>
        Add(column, text, isError ? CellKind.Error : CellKind.Value, length);

    public void Add(int column, string text, CellKind kind, int length = -1)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (column > MaxColumn && (kind != CellKind.Value || !string.IsNullOrWhiteSpace(text)))
        {
            MaxColumn = column;
        }

        if (column < ColumnCap)
        {
            Cells.Add(new RawCell(column, text, kind, length < 0 ? text.Length : length));
        }
    }
}

/// <summary>A row kept beyond the reader's next row: for header detection and the sample.</summary>
internal sealed record RowSnapshot(int Number, bool Hidden, int MaxColumn, RawCell[] Cells)
{
    public static RowSnapshot Of(RawRow row) => new(row.Number, row.Hidden, row.MaxColumn, [.. row.Cells]);
}

/// <summary>
/// What a format reader offers once it has opened a file: its sheets, the rows of any of them from the top (so that
/// the sheet holding the data can be chosen by its first rows), and the opening of the chosen one for reading.
/// </summary>
internal abstract class WorkbookFile : IDisposable
{
    public abstract SpreadsheetFormat Format { get; }

    public abstract IReadOnlyList<SheetInfo> Sheets { get; }

    /// <summary>The rows of sheet <paramref name="sheet"/> from the top, streamed: a caller reads as far as it needs.</summary>
    public abstract IEnumerable<RawRow> Rows(int sheet, int columnCap);

    /// <summary>Opens one sheet for reading, with what the mapping step warns about; the result owns its source.</summary>
    public abstract OpenedSheet Open(int sheet, ParseOptions options);

    public virtual void Dispose()
    {
    }
}

/// <summary>Rows of the chosen sheet of one file, readable again and again (each call opens the file anew).</summary>
internal abstract class SheetSource : IDisposable
{
    /// <summary>Rows in file order with increasing numbers. Empty rows may or may not be produced.</summary>
    public abstract IEnumerable<RawRow> ReadRaw(int columnCap);

    public virtual void Dispose()
    {
    }
}

/// <summary>What a format reader found when it opened the file.</summary>
internal sealed record OpenedSheet(
    SpreadsheetFormat Format,
    IReadOnlyList<SheetInfo> Sheets,
    string? Sheet,
    ParseOptions Options,
    SheetSource Source)
{
    /// <summary>Inclusive row-number ranges hidden in the sheet.</summary>
    public IReadOnlyList<(int First, int Last)> HiddenRows { get; init; } = [];

    /// <summary>Inclusive zero-based column ranges hidden in the sheet.</summary>
    public IReadOnlyList<(int First, int Last)> HiddenColumns { get; init; } = [];

    public string? AutoFilterRange { get; init; }

    /// <summary>Whether the auto-filter has criteria (values filtered out), not just filter buttons.</summary>
    public bool AutoFilterActive { get; init; }

    public IReadOnlyList<string> MergedRanges { get; init; } = [];

    /// <summary>Rows that are the totals row of an Excel table (row number → the table's name): never imported.</summary>
    public IReadOnlyDictionary<int, string> TotalsRows { get; init; } = new Dictionary<int, string>();

    /// <summary>Data rows counted by the format reader while opening (a bound check before streaming), if it knows.</summary>
    public int? RowsWithValues { get; init; }

    /// <summary>False when the encoding was detected: a message then cannot advise choosing another one at upload.</summary>
    public bool EncodingChosen { get; init; } = true;

    /// <summary>A CSV file read as Mac Roman because detection guessed it (<see cref="Csv.CsvSource.LooksLikeMacRoman(Func{Stream})"/>): warned about.</summary>
    public bool MacRomanGuessed { get; init; }

    /// <summary>
    /// Formulas of an .xls that give text, or may, whose stored result is a number (<see cref="TextFormulaCell"/>), found
    /// when the workbook was opened.
    /// </summary>
    public IReadOnlyList<TextFormulaCell> TextFormulas { get; init; } = [];

    /// <summary>What the reader notes about formulas while it reads rows (shared with the sheet's source).</summary>
    public FormulaNotes Formulas { get; init; } = new();
}

/// <summary>
/// A formula cell whose stored result is a number although the formula gives text (<paramref name="Always"/>: its
/// number is not its result, the cell is a row error) or may give text (an IF with a text branch: warned about only).
/// </summary>
/// <param name="Row">As the spreadsheet numbers it.</param>
/// <param name="Column">Zero-based.</param>
internal sealed record TextFormulaCell(int Row, int Column, bool Always);

/// <summary>
/// Columns whose formulas were never calculated, noted by a format reader in the rows it has read so far (no extra
/// pass): an .xlsx formula without a cached value (openpyxl), or any formula of a workbook that asks to be
/// recalculated when opened (XlsxWriter writes 0 as every formula's value). Only a spreadsheet program calculates them.
/// </summary>
internal sealed class FormulaNotes
{
    public SortedSet<int> UncalculatedColumns { get; } = [];
}
