using System.Globalization;
using System.Text;
using System.Xml;

namespace Rollouter.Import.Importing.Reading;

/// <summary>
/// An opened import file: what the mapping step shows (sheets, detected options, columns, sample rows, warnings) and
/// the data rows for the job. Rows are streamed from the file on every call; nothing but the sample is held.
/// </summary>
public sealed class SpreadsheetFile : IDisposable
{
    private readonly SheetSource source;
    private readonly int width;

    private SpreadsheetFile(OpenedSheet opened, string fileName, ReaderLimits limits, int headerRow, IReadOnlyList<SheetColumn> columns)
    {
        source = opened.Source;
        FileName = fileName;
        Limits = limits;
        Format = opened.Format;
        Sheets = opened.Sheets;
        Sheet = opened.Sheet;
        HeaderRow = headerRow;
        Options = opened.Options with { HeaderRow = headerRow };
        Columns = columns;
        width = columns.Count;
    }

    public string FileName { get; }

    public SpreadsheetFormat Format { get; }

    public ReaderLimits Limits { get; }

    public IReadOnlyList<SheetInfo> Sheets { get; }

    /// <summary>The chosen worksheet; null for CSV.</summary>
    public string? Sheet { get; }

    /// <summary>The header row as the spreadsheet numbers it.</summary>
    public int HeaderRow { get; }

    /// <summary>The options as used, every detected value filled in: store these on the import.</summary>
    public ParseOptions Options { get; }

    /// <summary>Columns up to the last one with a header or a value in the sample; labels are unique.</summary>
    public IReadOnlyList<SheetColumn> Columns { get; }

    /// <summary>The header row's cells exactly as the file holds them (null for an empty cell), one per column.</summary>
    public IReadOnlyList<string?> HeaderTexts { get; private set; } = [];

    public IReadOnlyList<FileWarning> Warnings { get; private set; } = [];

    /// <summary>The first data rows (as <see cref="ReadRows"/> gives them), for the mapping step.</summary>
    public IReadOnlyList<SourceRow> SampleRows { get; private set; } = [];

    /// <summary>
    /// Streams the data rows below the header: empty rows skipped, hidden rows skipped unless
    /// <see cref="ParseOptions.IncludeHiddenRows"/>. Throws only <see cref="ImportFileException"/> (damaged content
    /// found mid-stream, more rows than <see cref="ReaderLimits.MaxRows"/>, undecodable bytes), after yielding the
    /// rows before the problem: a caller that writes must therefore consume every row before writing.
    /// </summary>
    public IEnumerable<SourceRow> ReadRows()
    {
        var count = 0;
        foreach (var raw in Guarded(source.ReadRaw(width)))
        {
            if (raw.Number <= HeaderRow || !IsData(raw, Options.IncludeHiddenRows))
            {
                continue;
            }

            if (++count > Limits.MaxRows)
            {
                throw TooManyRows(Limits);
            }

            yield return ToSourceRow(raw);
        }
    }

    /// <summary>Counts the rows <see cref="ReadRows"/> gives, streaming the file. Throws only <see cref="ImportFileException"/>.</summary>
    public int CountRows()
    {
        var count = 0;
        foreach (var raw in Guarded(source.ReadRaw(0)))
        {
            if (raw.Number > HeaderRow && IsData(raw, Options.IncludeHiddenRows) && ++count > Limits.MaxRows)
            {
                throw TooManyRows(Limits);
            }
        }

        return count;
    }

    public void Dispose() => source.Dispose();

    internal static SpreadsheetFile Create(OpenedSheet opened, string fileName, ReaderLimits limits, int sampleSize)
    {
        var options = opened.Options;
        var include = options.IncludeHiddenRows;
        int? headerRow = null;
        RawCell[] header = [];
        var headerWidth = 0;
        var samples = new List<(int Number, int MaxColumn, RawCell[] Cells)>();
        var hiddenSkipped = 0;

        foreach (var raw in Guarded(opened.Source.ReadRaw(limits.MaxColumns + 1)))
        {
            if (headerRow is null)
            {
                if (options.HeaderRow is int wanted)
                {
                    if (raw.Number < wanted)
                    {
                        continue;
                    }

                    if (raw.Number > wanted || raw.MaxColumn < 0)
                    {
                        throw new ImportFileException(FileProblemKind.InvalidOption,
                            $"Row {wanted} is empty, so it cannot be the header row; choose the row that holds the column names.");
                    }
                }
                else if (raw.MaxColumn < 0)
                {
                    continue;
                }

                headerRow = raw.Number;
                header = [.. raw.Cells];
                headerWidth = raw.MaxColumn + 1;
                continue;
            }

            if (raw.MaxColumn < 0)
            {
                continue;
            }

            if (raw.Hidden && !include)
            {
                hiddenSkipped++;
                continue;
            }

            samples.Add((raw.Number, raw.MaxColumn, [.. raw.Cells]));
            if (samples.Count >= Math.Max(1, sampleSize))
            {
                break;
            }
        }

        var where = opened.Sheet is null ? "The file" : $"Sheet \"{opened.Sheet}\"";
        if (headerRow is null)
        {
            throw options.HeaderRow is int wanted
                ? new ImportFileException(FileProblemKind.InvalidOption, $"{where} has no row {wanted}; choose the row that holds the column names.")
                : new ImportFileException(FileProblemKind.Empty, $"{where} holds no data: every row is empty.");
        }

        if (samples.Count == 0)
        {
            throw new ImportFileException(FileProblemKind.NoDataRows, hiddenSkipped > 0
                ? $"{where} has a header (row {headerRow}) but every row below it is hidden; include hidden rows to import them."
                : $"{where} has a header (row {headerRow}) but no rows below it.");
        }

        var columnCount = Math.Max(headerWidth, samples.Max(s => s.MaxColumn + 1));
        if (columnCount > limits.MaxColumns)
        {
            throw new ImportFileException(FileProblemKind.TooManyColumns,
                $"{where} has {columnCount.ToString("N0", CultureInfo.InvariantCulture)} columns; at most {limits.MaxColumns.ToString("N0", CultureInfo.InvariantCulture)} are supported.");
        }

        if (opened.RowsWithValues is int rows && rows - 1 > limits.MaxRows)
        {
            throw TooManyRows(limits);
        }

        var file = new SpreadsheetFile(opened, fileName, limits, headerRow.Value, LabelColumns(header, columnCount));
        var headerTexts = new string?[columnCount];
        foreach (var cell in header)
        {
            if (cell.Column < columnCount)
            {
                headerTexts[cell.Column] = cell.Text;
            }
        }

        file.HeaderTexts = headerTexts;
        var sampleRow = new RawRow(columnCount);
        file.SampleRows = samples.Select(s =>
        {
            sampleRow.Reset(s.Number, false);
            foreach (var cell in s.Cells)
            {
                sampleRow.Add(cell.Column, cell.Text, cell.IsError, cell.Length);
            }

            return file.ToSourceRow(sampleRow);
        }).ToList();
        file.Warnings = DescribeWarnings(opened, headerRow.Value, columnCount);
        return file;
    }

    internal static IReadOnlyList<SheetColumn> LabelColumns(IReadOnlyList<RawCell> header, int columnCount)
    {
        var texts = new string?[columnCount];
        foreach (var cell in header)
        {
            if (cell.Column < columnCount)
            {
                texts[cell.Column] = cell.Text.Trim();
            }
        }

        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var columns = new SheetColumn[columnCount];
        for (var i = 0; i < columnCount; i++)
        {
            var letter = ColumnLetters.FromIndex(i);
            var text = texts[i];
            var label = string.IsNullOrEmpty(text) ? $"Column {letter}" : used.Contains(text) ? $"{text} ({letter})" : text;
            used.Add(label);
            columns[i] = new SheetColumn(i, letter, label);
        }

        return columns;
    }

    private static bool IsData(RawRow raw, bool includeHidden) => raw.MaxColumn >= 0 && (includeHidden || !raw.Hidden);

    private SourceRow ToSourceRow(RawRow raw)
    {
        var cells = new string?[width];
        List<CellIssue>? issues = null;
        foreach (var cell in raw.Cells)
        {
            if (cell.Column >= width)
            {
                continue;
            }

            var text = cell.Text;
            if (cell.IsError)
            {
                (issues ??= []).Add(new CellIssue(cell.Column, text, $"cell {Reference(cell, raw)} holds the Excel error {text}"));
            }
            else if (cell.Length > Limits.MaxCellLength)
            {
                text = text[..Math.Min(text.Length, Limits.MaxCellLength)];
                (issues ??= []).Add(new CellIssue(cell.Column, text[..Math.Min(text.Length, 100)] + "…",
                    $"cell {Reference(cell, raw)} holds {cell.Length.ToString("N0", CultureInfo.InvariantCulture)} characters; at most {Limits.MaxCellLength.ToString("N0", CultureInfo.InvariantCulture)} are allowed"));
            }

            cells[cell.Column] = text;
        }

        return new SourceRow(raw.Number, cells, issues is null ? [] : issues);
    }

    // Only for a cell with an issue: building it for every cell cost more allocation than the cells themselves.
    private static string Reference(RawCell cell, RawRow raw) =>
        ColumnLetters.FromIndex(cell.Column) + raw.Number.ToString(CultureInfo.InvariantCulture);

    private static ImportFileException TooManyRows(ReaderLimits limits) => new(FileProblemKind.TooLarge,
        $"The file has more than {limits.MaxRows.ToString("N0", CultureInfo.InvariantCulture)} rows; at most {limits.MaxRows.ToString("N0", CultureInfo.InvariantCulture)} can be imported at once.");

    /// <summary>Turns anything a format reader throws while streaming into an <see cref="ImportFileException"/>.</summary>
    private static IEnumerable<RawRow> Guarded(IEnumerable<RawRow> rows)
    {
        IEnumerator<RawRow> enumerator;
        try
        {
            enumerator = rows.GetEnumerator();
        }
        catch (Exception ex) when (ex is not ImportFileException and not OutOfMemoryException)
        {
            throw Translate(ex, 0);
        }

        using (enumerator)
        {
            var last = 0;
            while (true)
            {
                RawRow row;
                try
                {
                    if (!enumerator.MoveNext())
                    {
                        yield break;
                    }

                    row = enumerator.Current;
                }
                catch (Exception ex) when (ex is not ImportFileException and not OutOfMemoryException)
                {
                    throw Translate(ex, last);
                }

                last = row.Number;
                yield return row;
            }
        }
    }

    internal static ImportFileException Translate(Exception ex, int lastRow)
    {
        var after = lastRow > 0 ? $" after row {lastRow.ToString(CultureInfo.InvariantCulture)}" : "";
        return ex switch
        {
            DecoderFallbackException => new ImportFileException(FileProblemKind.InvalidEncoding,
                $"The file holds bytes{after} that are not valid in the chosen encoding; choose another encoding (for example Windows-1252).", ex),
            XmlException or InvalidDataException or EndOfStreamException or FormatException or IOException or ArgumentException
                or InvalidOperationException or IndexOutOfRangeException or NotSupportedException or ExcelDataReader.Exceptions.ExcelReaderException
                => new ImportFileException(FileProblemKind.Corrupt, $"The file is damaged or incomplete: it cannot be read{after}.", ex),
            _ => new ImportFileException(FileProblemKind.Corrupt, $"The file cannot be read{after}: it is damaged or not a valid spreadsheet.", ex),
        };
    }

    private static List<FileWarning> DescribeWarnings(OpenedSheet opened, int headerRow, int columnCount)
    {
        var warnings = new List<FileWarning>();
        var rows = opened.HiddenRows.Where(r => r.Last > headerRow).Select(r => (Math.Max(r.First, headerRow + 1), r.Last)).ToList();
        if (rows.Count > 0)
        {
            var total = rows.Sum(r => r.Item2 - r.Item1 + 1);
            var treatment = opened.Options.IncludeHiddenRows ? "they are imported" : "they are skipped unless you include hidden rows";
            warnings.Add(new FileWarning(FileWarningKind.HiddenRows,
                $"{Ranges(rows, "Row", "Rows", n => n.ToString(CultureInfo.InvariantCulture), total)}; {treatment}."));
        }

        var columns = opened.HiddenColumns.Where(c => c.First < columnCount).Select(c => (c.First, Math.Min(c.Last, columnCount - 1))).ToList();
        if (columns.Count > 0)
        {
            warnings.Add(new FileWarning(FileWarningKind.HiddenColumns,
                $"{Ranges(columns, "Column", "Columns", ColumnLetters.FromIndex, columns.Sum(c => c.Item2 - c.Item1 + 1))}; they are imported like the others."));
        }

        if (opened.AutoFilterRange is { } filter)
        {
            warnings.Add(new FileWarning(FileWarningKind.AutoFilter, opened.AutoFilterActive
                ? $"A filter is active on {filter}: rows it hides count as hidden rows."
                : $"The sheet has an auto-filter on {filter} (no rows are filtered out)."));
        }

        if (opened.MergedRanges.Count > 0)
        {
            var shown = string.Join(", ", opened.MergedRanges.Take(10));
            var more = opened.MergedRanges.Count > 10 ? $" and {opened.MergedRanges.Count - 10} more" : "";
            warnings.Add(new FileWarning(FileWarningKind.MergedCells, opened.MergedRanges.Count == 1
                ? $"Cells {shown} are merged; only the first cell holds the value."
                : $"Cells are merged in {shown}{more}; only the first cell of each holds the value."));
        }

        return warnings;
    }

    private static string Ranges(List<(int First, int Last)> ranges, string one, string many, Func<int, string> name, int total)
    {
        string Range((int First, int Last) r) => r.First == r.Last ? name(r.First) : $"{name(r.First)}–{name(r.Last)}";
        var parts = ranges.Take(10).Select(Range).ToList();
        var text = parts.Count == 1 ? parts[0] : string.Join(", ", parts[..^1]) + " and " + parts[^1];
        if (ranges.Count > 10)
        {
            text = string.Join(", ", parts) + $" and {ranges.Count - 10} more ranges";
        }

        var word = total == 1 ? one : many;
        var verb = total == 1 ? "is" : "are";
        return total > 1 && ranges.Count > 1
            ? $"{word} {text} {verb} hidden ({total.ToString("N0", CultureInfo.InvariantCulture)} in all)"
            : $"{word} {text} {verb} hidden";
    }
}
