namespace Rollouter.Import.Importing.Reading;

public enum SpreadsheetFormat
{
    Xlsx = 1,
    Xls,
    Csv,

    /// <summary>Excel's binary workbook (.xlsb).</summary>
    Xlsb,

    /// <summary>OpenDocument spreadsheet (.ods), LibreOffice's own format.</summary>
    Ods,
}

/// <summary>
/// A worksheet of a workbook (a CSV file has one, named after the file). <paramref name="Rows"/>: the rows that hold
/// a value, the header and hidden rows included; null where only reading the whole file would tell (CSV).
/// </summary>
public sealed record SheetInfo(string Name, bool Hidden, int? Rows = null);

public enum FileWarningKind
{
    HiddenRows = 1,
    HiddenColumns,
    AutoFilter,
    MergedCells,

    /// <summary>Columns that hold values but have no header ("Column K has values from row 37 on but no header").</summary>
    UnnamedColumns,

    /// <summary>Every row below the header is hidden: nothing is imported until hidden rows are included.</summary>
    NoVisibleRows,

    /// <summary>The sheet was chosen behind others that hold no table (a cover sheet, an empty or header-only sheet).</summary>
    SheetChosen,

    /// <summary>The header was found below other rows (a title, a date line), which are not imported.</summary>
    RowsAboveHeader,

    /// <summary>A CSV file read as one column whose header and rows all hold another likely delimiter (":").</summary>
    ReadAsOneColumn,

    /// <summary>Columns hold formulas never calculated (an .xlsx written by a program, not saved by Excel).</summary>
    UncalculatedFormulas,

    /// <summary>A row is the totals row of an Excel table ("Total", SUBTOTAL formulas): it is not imported.</summary>
    TotalsRow,

    /// <summary>A CSV file read as Mac Roman, guessed from its accented letters: the user checks them or chooses another encoding.</summary>
    EncodingGuessed,

    /// <summary>
    /// An .xls holds formulas that give text but store a number as their result (LibreOffice Calc saves 0 for a text
    /// formula it did not recalculate).
    /// </summary>
    TextFormulaResults,

    /// <summary>
    /// A CSV file read in a single-byte encoding holds "?" where letters belong, as Excel's "CSV (Comma delimited)" writes
    /// the letters the encoding cannot hold: they cannot be read back (decision 0177).
    /// </summary>
    LettersLost,
}

/// <summary>Something in the file the rollout manager should know before importing ("Rows 14–20 are hidden").</summary>
public sealed record FileWarning(FileWarningKind Kind, string Message);
