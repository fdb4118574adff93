using ClosedXML.Excel;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing.Reports;

/// <summary>
/// The error report of a failed import: the failing rows exactly as the file holds them, under the file's own header
/// row, plus an <see cref="ErrorsHeader"/> column with every message of the row. The erroneous cells are highlighted.
/// Every cell is stored as text, and one that starts like a formula (<c>= + - @</c>) also gets Excel's quote prefix, so
/// nothing in the report ever runs as a formula. Fixed and uploaded as a new import, it maps and imports like the
/// original: the header row is unchanged and the automatic mapping leaves <see cref="ErrorsHeader"/> unmapped.
/// </summary>
public static class ErrorReport
{
    public const string ErrorsHeader = "Import errors";

    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private static readonly XLColor ErrorFill = XLColor.FromArgb(0xFF, 0xC7, 0xCE);

    /// <summary>"laptops.csv" → "laptops-errors.xlsx".</summary>
    public static string FileName(string importFileName) =>
        (string.IsNullOrWhiteSpace(Path.GetFileNameWithoutExtension(importFileName)) ? "import" : Path.GetFileNameWithoutExtension(importFileName))
        + "-errors.xlsx";

    /// <summary>
    /// Writes the report of <paramref name="errors"/> (the import's row errors) for the rows of <paramref name="file"/>
    /// (opened with the import's parse options) to <paramref name="output"/>; returns the number of rows written.
    /// </summary>
    public static int Write(SpreadsheetFile file, IEnumerable<ImportRowError> errors, Stream output)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(output);

        var byRow = errors.GroupBy(e => e.Row).ToDictionary(g => g.Key, g => g.ToList());
        var columns = file.Columns;
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet(SheetName(file.Sheet));

        for (var i = 0; i < columns.Count; i++)
        {
            SetText(sheet.Cell(1, i + 1), i < file.HeaderTexts.Count ? file.HeaderTexts[i] : null);
        }

        var errorColumn = columns.Count + 1;
        SetText(sheet.Cell(1, errorColumn), ErrorsHeader);
        sheet.Row(1).Style.Font.Bold = true;

        var rowNumber = 1;
        foreach (var row in file.ReadRows())
        {
            if (!byRow.TryGetValue(row.RowNumber, out var rowErrors))
            {
                continue;
            }

            rowNumber++;
            for (var i = 0; i < columns.Count; i++)
            {
                SetText(sheet.Cell(rowNumber, i + 1), row[i]);
            }

            foreach (var error in rowErrors)
            {
                if (error.Column is { Length: > 0 } letter && ColumnLetters.ToIndex(letter) is var index && index >= 0 && index < columns.Count)
                {
                    sheet.Cell(rowNumber, index + 1).Style.Fill.BackgroundColor = ErrorFill;
                }
            }

            SetText(sheet.Cell(rowNumber, errorColumn), Describe(rowErrors, columns));
        }

        sheet.Column(errorColumn).Width = 80;
        sheet.Column(errorColumn).Style.Alignment.WrapText = true;
        sheet.SheetView.FreezeRows(1);
        workbook.SaveAs(output);
        return rowNumber - 1;
    }

    /// <summary>"B (Status): … ; F (Serial): …", in the order the errors were found.</summary>
    public static string Describe(IEnumerable<ImportRowError> rowErrors, IReadOnlyList<SheetColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(rowErrors);
        ArgumentNullException.ThrowIfNull(columns);
        return string.Join("; ", rowErrors.Select(e =>
        {
            if (string.IsNullOrEmpty(e.Column))
            {
                return e.Message;
            }

            var header = e.Header ?? columns.FirstOrDefault(c => c.Letter == e.Column)?.Header;
            return string.IsNullOrEmpty(header) ? $"{e.Column}: {e.Message}" : $"{e.Column} ({header}): {e.Message}";
        }));
    }

    /// <summary>Whether Excel would take the text for a formula (or a DDE call) when typed into a cell.</summary>
    public static bool LooksLikeFormula(string? text) =>
        !string.IsNullOrEmpty(text) && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>Stores the text as text, never as a number, date or formula; a formula-like text gets the quote prefix.</summary>
    internal static void SetText(IXLCell cell, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        cell.SetValue(text);
        cell.DataType = XLDataType.Text;
        if (LooksLikeFormula(text))
        {
            cell.Style.IncludeQuotePrefix = true;
        }
    }

    private static string SheetName(string? original)
    {
        if (string.IsNullOrWhiteSpace(original))
        {
            return "Clients";
        }

        var cleaned = new string([.. original.Select(c => c is '[' or ']' or ':' or '*' or '?' or '/' or '\\' ? '_' : c)]).Trim('\'');
        return cleaned.Length == 0 ? "Clients" : cleaned.Length > 31 ? cleaned[..31] : cleaned;
    }
}
