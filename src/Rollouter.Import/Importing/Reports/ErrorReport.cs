using Rollouter.Import.Data.Entities;
using Rollouter.Import.Exporting;
using Rollouter.Import.Importing.Corrections;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing.Reports;

/// <summary>
/// The error report of a failed import: a <see cref="RowHeader"/> column with each row's number in the uploaded file,
/// then the failing rows as the run checked them (the file's cells with the corrections made in the browser applied, each
/// corrected cell marked), under the file's own header row, plus an
/// <see cref="ErrorsHeader"/> column with every message of the row, each naming its column by the report's own letter
/// (one on from the file's) and header. The erroneous cells are highlighted.
/// Every cell is stored as text, the row numbers' and the file's columns with Excel's Text format (decision 0185), and
/// one that starts like a formula (<c>= + - @</c>) also gets Excel's quote prefix, so nothing in the report ever runs as
/// a formula. Written row by row (<see cref="XlsxStreamWriter"/>), never held whole.
/// Uploaded as an import, it maps and imports like the original: the file's headers are unchanged and the automatic
/// mapping leaves <see cref="RowHeader"/> and <see cref="ErrorsHeader"/> unmapped.
/// A cell holds at most Excel's <see cref="MaxCellLength"/> characters, or Excel calls the file damaged: a longer text (the
/// "Import errors" of a row failing in many columns, a header) and a value the reader cut at that length end in
/// <see cref="CutMarker"/> (<see cref="Fit"/>), and the row's "Import errors" say which of its cells were cut.
/// When the import lists only some of its failed rows, a note first below the header says so, in the
/// <see cref="RowHeader"/> column alone: a row holding nothing of the file, which the reader does not give as a data row
/// (<see cref="SpreadsheetFile.ReadRows"/>), so the report uploaded again counts, checks and runs only its failed rows.
/// </summary>
public static class ErrorReport
{
    /// <summary>The first column: the row's number in the uploaded file, to find it there.</summary>
    public const string RowHeader = "Row";

    public const string ErrorsHeader = "Import errors";

    /// <summary>The most characters Excel holds in a cell (and the reader keeps of one: <see cref="ReaderLimits.MaxCellLength"/>).</summary>
    public const int MaxCellLength = 32_767;

    /// <summary>The end of a text cut to <see cref="MaxCellLength"/> characters, so that the cut is seen.</summary>
    public const string CutMarker = " [… cut here: Excel holds at most 32,767 characters in a cell]";

    /// <summary>
    /// <paramref name="text"/> as a cell of the report holds it: unchanged up to <see cref="MaxCellLength"/> characters;
    /// longer, or <paramref name="cut"/> (a value the reader already cut at that length), its start and
    /// <see cref="CutMarker"/>, <see cref="MaxCellLength"/> characters in all (a character of two code units is not split).
    /// </summary>
    public static string? Fit(string? text, bool cut = false)
    {
        if (text is null || (!cut && text.Length <= MaxCellLength))
        {
            return text;
        }

        var keep = Math.Min(text.Length, MaxCellLength - CutMarker.Length);
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), CutMarker);
    }

    /// <summary>
    /// "laptops.csv" of import 12 → "laptops-import-12-errors.xlsx": the import's number tells apart the reports of two
    /// imports of the same file (<see cref="DownloadNames"/>).
    /// </summary>
    public static string FileName(string importFileName, int importId) => DownloadNames.ErrorReport(importFileName, importId);

    /// <summary>
    /// Writes the report of <paramref name="errors"/> (the import's row errors, in the order of their rows) for the rows
    /// of <paramref name="file"/> (opened with the import's parse options) to <paramref name="output"/>, streamed: the
    /// file's rows (which come in the order of their numbers) and the errors are read side by side, and only the
    /// current row and its errors are held, whatever the number of failed rows. Returns the number of rows written.
    /// </summary>
    /// <param name="note">Written first below the header, in the <see cref="RowHeader"/> column (marked): why the
    /// report holds only some of the failed rows; null when it holds them all.</param>
    /// <param name="corrections">The import's corrections (cells typed in the browser, value replacements): each row
    /// is shown with them applied, as the run checked it, every corrected cell marked as such (light blue; light red when
    /// it still fails) and named with the file's value at the end of its row's "Import errors" cell, so that whoever fixes
    /// the file itself can carry them over (decision 0076). Null: the rows as the file holds them.</param>
    /// <param name="mark">The import and rollout the report is of, written into the workbook's properties so that the
    /// report, fixed and uploaded again, is known for what it is (<see cref="ErrorReportMark"/>, decision 0101).</param>
    public static async Task<int> WriteAsync(SpreadsheetFile file, IAsyncEnumerable<ImportRowError> errors, Stream output,
        CancellationToken cancellationToken = default, string? note = null, CellCorrections? corrections = null,
        ErrorReportMark? mark = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(output);

        await using var pending = errors.GetAsyncEnumerator(cancellationToken);
        var more = await pending.MoveNextAsync();
        var rowErrors = new List<ImportRowError>();
        var columns = file.Columns;
        // The file's column i is the report's i + 1, after the row number.
        var errorColumn = columns.Count + 1;
        var widths = new double?[columns.Count + 2];
        widths[0] = 8;
        widths[errorColumn] = 80;
        // The row numbers and the file's columns have Excel's Text format, as the export's and the template's (decision
        // 0176): a value corrected in the report ("00124", "1-2", "1E5") is kept as typed, not converted by Excel
        // (decision 0185). The "Import errors" column keeps General: it is read by a person, never imported.
        await using var writer = await XlsxStreamWriter.CreateAsync(output, file.Sheet ?? "", cancellationToken, widths,
            mark?.ToProperties(), textColumns: columns.Count + 1);

        var header = new string[columns.Count + 2];
        header[0] = RowHeader;
        for (var i = 0; i < columns.Count; i++)
        {
            header[i + 1] = Fit(i < file.HeaderTexts.Count ? file.HeaderTexts[i] ?? "" : "") ?? "";
        }

        header[errorColumn] = ErrorsHeader;
        await writer.WriteHeaderAsync(header);
        if (note is not null)
        {
            var noteRow = new string?[columns.Count + 2];
            noteRow[0] = Fit(note);
            await writer.WriteRowAsync(noteRow, i => i == 0 ? CellLook.Marked : CellLook.Plain);
        }

        var written = 0;
        var values = new string?[columns.Count + 2];
        var marked = new bool[columns.Count + 2];
        var corrected = new bool[columns.Count + 2];
        foreach (var (row, correctedCells) in (corrections ?? CellCorrections.None).ApplyWithCells(file.ReadRows()))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Errors of rows before this one name rows the file no longer gives (as before, they are left out).
            while (more && pending.Current.Row < row.RowNumber)
            {
                more = await pending.MoveNextAsync();
            }

            rowErrors.Clear();
            while (more && pending.Current.Row == row.RowNumber)
            {
                rowErrors.Add(pending.Current);
                more = await pending.MoveNextAsync();
            }

            if (rowErrors.Count == 0)
            {
                continue;
            }

            Array.Clear(marked);
            Array.Clear(corrected);
            values[0] = row.RowNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
            List<string>? cutColumns = null;
            for (var i = 0; i < columns.Count; i++)
            {
                var value = row[i];
                // Longer than a cell holds, or cut by the reader at that length (its row error says how long it was).
                var cut = value is not null && (value.Length > MaxCellLength
                    || (value.Length >= MaxCellLength && row.Issues.Any(issue => issue.ColumnIndex == i)));
                values[i + 1] = Fit(value, cut);
                if (cut)
                {
                    (cutColumns ??= []).Add(ColumnLetters.FromIndex(i + 1));
                }
            }

            foreach (var error in rowErrors)
            {
                if (error.Column is { Length: > 0 } letter && ColumnLetters.ToIndex(letter) is var index && index >= 0 && index < columns.Count)
                {
                    marked[index + 1] = true;
                }
            }

            var described = Describe(rowErrors, columns);
            if (cutColumns is not null)
            {
                // Said first, so that it stays when the messages themselves are cut.
                described = $"{string.Join(", ", cutColumns)}: cut in this report to Excel's 32,767 characters a cell (marked at its end); " +
                            $"the uploaded file holds the whole value. {described}";
            }

            foreach (var cell in correctedCells)
            {
                if (cell.Index >= 0 && cell.Index < columns.Count)
                {
                    corrected[cell.Index + 1] = true;
                }
            }

            if (correctedCells.Count > 0)
            {
                described += " " + DescribeCorrections(correctedCells, columns);
            }

            values[errorColumn] = Fit(described);
            await writer.WriteRowAsync(values, i => i == errorColumn ? CellLook.Wrapped
                : marked[i] ? CellLook.Marked
                : corrected[i] ? CellLook.Corrected
                : CellLook.Plain);
            written++;
        }

        await writer.FinishAsync(cancellationToken);
        return written;
    }

    /// <summary>
    /// "C (Status): …. G (Serial): …", in the order the errors were found: each message a sentence (a full stop added
    /// where it ends without one), one after the other. A message names its column as the report shows it: the
    /// report's own letter (the file's letter moved one on by <see cref="RowHeader"/>) and the header. The messages
    /// hold semicolons of their own, so "; " between them read as ".;".
    /// </summary>
    /// <param name="rowErrors">The errors of one row, their columns the uploaded file's letters.</param>
    /// <param name="columns">The uploaded file's columns.</param>
    public static string Describe(IEnumerable<ImportRowError> rowErrors, IReadOnlyList<SheetColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(rowErrors);
        ArgumentNullException.ThrowIfNull(columns);
        return string.Join(" ", rowErrors.Select(e =>
        {
            var message = Sentence(e.Message);
            if (string.IsNullOrEmpty(e.Column))
            {
                return message;
            }

            var header = e.Header ?? columns.FirstOrDefault(c => c.Letter == e.Column)?.Header;
            var index = ColumnLetters.ToIndex(e.Column);
            var letter = index >= 0 ? ColumnLetters.FromIndex(index + 1) : e.Column;
            return string.IsNullOrEmpty(header) ? $"{letter}: {message}" : $"{letter} ({header}): {message}";
        }));
    }

    /// <summary>
    /// "Corrected in the browser, not in the file: C (Status) 'Shipped' → 'Shiped'; D (Department) 'Marketing' → 'IT'."
    /// Each corrected cell of a row by the report's letter and header, with the value the file holds there and the one
    /// the run used (which the report shows), in the order of the file's columns.
    /// </summary>
    /// <param name="cells">The corrected cells of one row, their indexes the uploaded file's.</param>
    /// <param name="columns">The uploaded file's columns.</param>
    public static string DescribeCorrections(IEnumerable<CorrectedCell> cells, IReadOnlyList<SheetColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(columns);
        return "Corrected in the browser, not in the file: " + string.Join("; ", cells.OrderBy(c => c.Index).Select(c =>
        {
            var header = columns.FirstOrDefault(column => column.Index == c.Index)?.Header;
            var letter = ColumnLetters.FromIndex(c.Index + 1);
            var name = string.IsNullOrEmpty(header) ? letter : $"{letter} ({header})";
            return $"{name} {Quoted(c.FileValue)} → {Quoted(c.Note.Value)}";
        })) + ".";
    }

    private static string Quoted(string? value) => string.IsNullOrEmpty(value) ? "(empty)" : $"'{value}'";

    private static string Sentence(string message)
    {
        var text = message.TrimEnd();
        return text.Length == 0 || text[^1] is '.' or '?' or '!' ? text : text + ".";
    }
}
