namespace Rollouter.Import.Importing.Reading;

/// <summary>A column of the chosen sheet: zero-based index, letter as the spreadsheet shows it ("A", "AB"), header text.</summary>
public sealed record SheetColumn(int Index, string Letter, string Header);

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
