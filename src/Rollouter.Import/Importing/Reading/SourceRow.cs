namespace Rollouter.Import.Importing.Reading;

/// <summary>
/// A column of the chosen sheet: zero-based index, letter as the spreadsheet shows it ("A", "AB"), header text (at
/// most <see cref="MaxHeaderLength"/> characters: the mapping step, the API and the stored mapping show a header, not a
/// cell's worth of text; the error report keeps the file's own cell).
/// </summary>
public sealed record SheetColumn(int Index, string Letter, string Header)
{
    public const int MaxHeaderLength = 256;

    /// <summary>A header cut to <see cref="MaxHeaderLength"/> characters, the last of them "…"; null stays null.</summary>
    public static string? Shorten(string? header) =>
        header is null || header.Length <= MaxHeaderLength ? header : header[..(MaxHeaderLength - 1)].TrimEnd() + "…";
}

/// <summary>
/// One data row as the file holds it. <see cref="RowNumber"/> is the number the spreadsheet shows (1-based, header
/// included; for CSV the physical record number, header = 1). Cells are text as a person reads them: dates
/// "yyyy-MM-dd" (date-times ISO 8601), numbers without float noise; null or "" for an empty cell.
/// </summary>
public sealed record SourceRow(int RowNumber, string?[] Cells, IReadOnlyList<CellIssue> Issues)
{
    public string? this[int columnIndex] => columnIndex < Cells.Length ? Cells[columnIndex] : null;
}

/// <summary>A problem with one cell that the reader found (an error cell such as #N/A, an over-long value).</summary>
public sealed record CellIssue(int ColumnIndex, string? Value, string Message);
