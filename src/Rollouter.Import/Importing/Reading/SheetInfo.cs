namespace Rollouter.Import.Importing.Reading;

public enum SpreadsheetFormat
{
    Xlsx = 1,
    Xls,
    Csv,
}

/// <summary>A worksheet of a workbook (a CSV file has one, named after the file).</summary>
public sealed record SheetInfo(string Name, bool Hidden);

public enum FileWarningKind
{
    HiddenRows = 1,
    HiddenColumns,
    AutoFilter,
    MergedCells,
}

/// <summary>Something in the file the rollout manager should know before importing ("Rows 14–20 are hidden").</summary>
public sealed record FileWarning(FileWarningKind Kind, string Message);
