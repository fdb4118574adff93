using Rollouter.Import.Data.Entities;
using Rollouter.Import.Exporting;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing.Reports;

/// <summary>
/// The error report of a failed import: the failing rows exactly as the file holds them, under the file's own header
/// row, plus an <see cref="ErrorsHeader"/> column with every message of the row. The erroneous cells are highlighted.
/// Every cell is stored as text, and one that starts like a formula (<c>= + - @</c>) also gets Excel's quote prefix, so
/// nothing in the report ever runs as a formula. Written row by row (<see cref="XlsxStreamWriter"/>), never held whole. Fixed and uploaded as a new import, it maps and imports like the
/// original: the header row is unchanged and the automatic mapping leaves <see cref="ErrorsHeader"/> unmapped.
/// </summary>
public static class ErrorReport
{
    public const string ErrorsHeader = "Import errors";

    /// <summary>"laptops.csv" → "laptops-errors.xlsx".</summary>
    public static string FileName(string importFileName) =>
        (string.IsNullOrWhiteSpace(Path.GetFileNameWithoutExtension(importFileName)) ? "import" : Path.GetFileNameWithoutExtension(importFileName))
        + "-errors.xlsx";

    /// <summary>
    /// Writes the report of <paramref name="errors"/> (the import's row errors) for the rows of <paramref name="file"/>
    /// (opened with the import's parse options) to <paramref name="output"/>, streamed: only the current row is held,
    /// whatever the number of failed rows. Returns the number of rows written.
    /// </summary>
    public static async Task<int> WriteAsync(SpreadsheetFile file, IEnumerable<ImportRowError> errors, Stream output,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(output);

        var byRow = errors.GroupBy(e => e.Row).ToDictionary(g => g.Key, g => g.ToList());
        var columns = file.Columns;
        var errorColumn = columns.Count;
        var widths = new double?[columns.Count + 1];
        widths[errorColumn] = 80;
        await using var writer = await XlsxStreamWriter.CreateAsync(output, file.Sheet ?? "", ct, widths);

        var header = new string[columns.Count + 1];
        for (var i = 0; i < columns.Count; i++)
        {
            header[i] = i < file.HeaderTexts.Count ? file.HeaderTexts[i] ?? "" : "";
        }

        header[errorColumn] = ErrorsHeader;
        await writer.WriteHeaderAsync(header);

        var written = 0;
        var values = new string?[columns.Count + 1];
        var marked = new bool[columns.Count + 1];
        foreach (var row in file.ReadRows())
        {
            ct.ThrowIfCancellationRequested();
            if (!byRow.TryGetValue(row.RowNumber, out var rowErrors))
            {
                continue;
            }

            Array.Clear(marked);
            for (var i = 0; i < columns.Count; i++)
            {
                values[i] = row[i];
            }

            foreach (var error in rowErrors)
            {
                if (error.Column is { Length: > 0 } letter && ColumnLetters.ToIndex(letter) is var index && index >= 0 && index < columns.Count)
                {
                    marked[index] = true;
                }
            }

            values[errorColumn] = Describe(rowErrors, columns);
            await writer.WriteRowAsync(values, i => i == errorColumn ? CellLook.Wrapped : marked[i] ? CellLook.Marked : CellLook.Plain);
            written++;
        }

        await writer.FinishAsync(ct);
        return written;
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
}
