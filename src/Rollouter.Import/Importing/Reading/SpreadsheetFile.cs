using System.Globalization;
using System.Text;
using System.Xml;
using Rollouter.Import.Data;

namespace Rollouter.Import.Importing.Reading;

/// <summary>
/// An opened import file: what the mapping step shows (sheets, detected options, columns, sample rows, warnings) and
/// the data rows for the job. Rows are streamed from the file on every call; nothing but the sample is held.
/// </summary>
public sealed class SpreadsheetFile : IDisposable
{
    private readonly SheetSource source;
    private readonly OpenedSheet opened;
    private readonly RowSnapshot header;
    private readonly int minimumWidth;
    private readonly IReadOnlyList<FileWarning> openingWarnings;

    // An error report's own columns (its Row and Import errors), null for another file: see OnlyReportColumns.
    private readonly bool[]? reportColumns;
    private int width;

    private SpreadsheetFile(OpenedSheet opened, string fileName, ReaderLimits limits, RowSnapshot header, int minimumWidth,
        IReadOnlyList<FileWarning> openingWarnings)
    {
        this.opened = opened;
        this.header = header;
        this.minimumWidth = minimumWidth;
        this.openingWarnings = openingWarnings;
        reportColumns = ReportColumns(header);
        source = opened.Source;
        FileName = fileName;
        Limits = limits;
        Format = opened.Format;
        Sheets = opened.Sheets;
        Sheet = opened.Sheet;
        HeaderRow = header.Number;
        Options = opened.Options with { HeaderRow = header.Number };
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
    public ParseOptions Options { get; private set; }

    /// <summary>
    /// Columns up to the last one with a header or a value in the sample, or (after <see cref="CountRows"/>, or when
    /// <see cref="ParseOptions.ColumnCount"/> was given) in any data row; a column without a header is "Column K".
    /// Labels are the headers as seen (<see cref="PlainText.AsSeen"/>, as the check reads a cell), and unique.
    /// </summary>
    public IReadOnlyList<SheetColumn> Columns { get; private set; } = [];

    /// <summary>The header row's cells exactly as the file holds them (null for an empty cell), one per column.</summary>
    public IReadOnlyList<string?> HeaderTexts { get; private set; } = [];

    public IReadOnlyList<FileWarning> Warnings { get; private set; } = [];

    /// <summary>The first data rows (as <see cref="ReadRows"/> gives them), for the mapping step.</summary>
    public IReadOnlyList<SourceRow> SampleRows { get; private set; } = [];

    /// <summary>
    /// Streams the data rows below the header: empty rows skipped, hidden rows skipped unless
    /// <see cref="ParseOptions.IncludeHiddenRows"/>, and in an error report a row holding nothing but the report's own
    /// columns (its note, see <see cref="OnlyReportColumns"/>). Throws only <see cref="ImportFileException"/> (damaged content
    /// found mid-stream, more rows than <see cref="ReaderLimits.MaxRows"/>, undecodable bytes), after yielding the
    /// rows before the problem: a caller that writes must therefore consume every row before writing.
    /// </summary>
    public IEnumerable<SourceRow> ReadRows()
    {
        var count = 0;
        foreach (var raw in Guarded(source.ReadRaw(width)))
        {
            if (raw.Number <= HeaderRow || !IsData(raw, Options.IncludeHiddenRows) || opened.TotalsRows.ContainsKey(raw.Number)
                || OnlyReportColumns(reportColumns, raw.MaxColumn, raw.Cells))
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

    /// <summary>
    /// Counts the rows <see cref="ReadRows"/> gives, streaming the file, and finds every column that holds a value in
    /// any of them: afterwards <see cref="Columns"/>, <see cref="HeaderTexts"/>, <see cref="Options"/> (its
    /// <see cref="ParseOptions.ColumnCount"/> and <see cref="ParseOptions.UnnamedColumns"/>, to be stored) and
    /// <see cref="Warnings"/> include the columns that only rows far below the header fill. Throws only
    /// <see cref="ImportFileException"/>.
    /// </summary>
    public int CountRows()
    {
        var count = 0;
        var include = Options.IncludeHiddenRows;
        var named = Named(header, Limits.MaxColumns + 1);
        var known = Math.Max(minimumWidth, header.MaxColumn + 1);

        // Columns without a header inside the known width whose first value is still to be found; while there are
        // none, a row narrower than the known width needs no look at its cells (nearly every row of nearly every file).
        var unnamed = new SortedDictionary<int, int>();
        var open = Enumerable.Range(0, known).Count(c => !named[c]);
        var scanLetters = opened.Format == SpreadsheetFormat.Csv && LostLetterScan.IsSingleByte(Options.Encoding);
        var lost = scanLetters ? LostLetterScan.Add(null, header.Number, header.Cells) : null;
        foreach (var raw in Guarded(source.ReadRaw(Limits.MaxColumns + 1)))
        {
            if (raw.Number <= HeaderRow || !IsData(raw, include) || opened.TotalsRows.ContainsKey(raw.Number)
                || OnlyReportColumns(reportColumns, raw.MaxColumn, raw.Cells))
            {
                continue;
            }

            if (scanLetters)
            {
                lost = LostLetterScan.Add(lost, raw.Number, raw.Cells);
            }

            if (++count > Limits.MaxRows)
            {
                throw TooManyRows(Limits);
            }

            if (raw.MaxColumn < known && open == 0)
            {
                continue;
            }

            if (raw.MaxColumn >= Limits.MaxColumns)
            {
                throw TooWide(raw.MaxColumn + 1, raw.Number);
            }

            if (raw.MaxColumn >= known)
            {
                open += Enumerable.Range(known, raw.MaxColumn + 1 - known).Count(c => !named[c]);
                known = raw.MaxColumn + 1;
            }

            foreach (var cell in raw.Cells)
            {
                if (!named[cell.Column] && !unnamed.ContainsKey(cell.Column) && (cell.IsError || !string.IsNullOrWhiteSpace(cell.Text)))
                {
                    unnamed[cell.Column] = raw.Number;
                    open--;
                }
            }
        }

        Options = Options with
        {
            ColumnCount = known,
            UnnamedColumns = [.. unnamed.Select(u => new UnnamedColumn(u.Key, u.Value))],
            LostLetters = lost,
        };
        Describe(known);
        return count;
    }

    public void Dispose() => source.Dispose();

    internal static SpreadsheetFile Create(OpenedSheet opened, string fileName, ReaderLimits limits, int sampleSize,
        IReadOnlyList<FileWarning>? openingWarnings = null)
    {
        var options = opened.Options;
        var include = options.IncludeHiddenRows;
        var where = opened.Sheet is null ? "The file" : $"Sheet \"{opened.Sheet}\"";
        RowSnapshot? header = null;
        var samples = new List<RowSnapshot>();
        var hiddenSkipped = 0;
        var aboveHeader = 0;
        var wanted = Math.Max(1, sampleSize);
        var readOn = true;
        Exception? windowProblem = null;

        using (var rows = Guarded(opened.Source.ReadRaw(limits.MaxColumns + 1), opened.EncodingChosen).GetEnumerator())
        {
            if (options.HeaderRow is int chosen)
            {
                while (header is null && rows.MoveNext())
                {
                    var raw = rows.Current;
                    if (raw.Number < chosen)
                    {
                        aboveHeader += raw.MaxColumn >= 0 ? 1 : 0;
                        continue;
                    }

                    if (raw.Number > chosen || raw.MaxColumn < 0)
                    {
                        throw new ImportFileException(new FileProblem(FileProblemKind.InvalidOption,
                            $"Row {chosen} is empty, so it cannot be the header row; choose the row that holds the column names.") { Field = "headerRow" });
                    }

                    header = RowSnapshot.Of(raw);
                }

                if (header is null)
                {
                    throw new ImportFileException(new FileProblem(FileProblemKind.InvalidOption,
                        $"{where} has no row {chosen}; choose the row that holds the column names.") { Field = "headerRow" });
                }
            }
            else
            {
                var window = HeaderDetection.Window(Take(rows), out windowProblem);

                // A window that ended early ended at the end of the rows or at a problem that streaming reports.
                readOn = window.Count == HeaderDetection.WindowRows;
                var index = HeaderDetection.FindHeader(window);
                if (index < 0)
                {
                    throw new ImportFileException(FileProblemKind.Empty, $"{where} holds no data: every row is empty.");
                }

                header = window[index];
                aboveHeader = index;
                foreach (var row in window.Skip(index + 1))
                {
                    if (samples.Count < wanted)
                    {
                        Keep(row);
                    }
                }
            }

            while (readOn && samples.Count < wanted && rows.MoveNext())
            {
                if (rows.Current.MaxColumn >= 0)
                {
                    Keep(RowSnapshot.Of(rows.Current));
                }
            }
        }

        if (samples.Count == 0 && windowProblem is not null)
        {
            // Damage right below the header: the rows cannot be read, which is not the same as there being none.
            throw windowProblem as ImportFileException ?? Translate(windowProblem, header.Number, opened.EncodingChosen);
        }

        if (samples.Count == 0 && hiddenSkipped == 0)
        {
            throw new ImportFileException(FileProblemKind.NoDataRows, $"{where} has a header (row {header.Number}) but no rows below it.");
        }

        var minimumWidth = samples.Count == 0 ? 0 : samples.Max(s => s.MaxColumn + 1);
        var columnCount = Math.Max(Math.Max(header.MaxColumn + 1, minimumWidth), options.ColumnCount ?? 0);
        if (columnCount > limits.MaxColumns)
        {
            // A header within the limit and a stray value beyond it in a row read so far: the row and the column are
            // named, as CountRows names one found further down.
            if (header.MaxColumn < limits.MaxColumns && samples.FirstOrDefault(s => s.MaxColumn >= limits.MaxColumns) is { } wide)
            {
                throw TooWide(where, limits, wide.MaxColumn + 1, wide.Number);
            }

            throw new ImportFileException(FileProblemKind.TooManyColumns,
                $"{where} has {columnCount.ToString("N0", CultureInfo.InvariantCulture)} columns; at most {limits.MaxColumns.ToString("N0", CultureInfo.InvariantCulture)} are supported. Delete the columns that hold nothing to import, or copy the columns to import into a new sheet, and upload it again.");
        }

        if (opened.RowsWithValues is int counted && counted - 1 > limits.MaxRows)
        {
            throw TooManyRows(limits);
        }

        var warnings = new List<FileWarning>(openingWarnings ?? []);
        if (aboveHeader > 0)
        {
            warnings.Add(new FileWarning(FileWarningKind.RowsAboveHeader,
                $"The header is row {header.Number}: the rows above it (a title or notes) are not imported; choose another header row under File settings if that is wrong."));
        }

        if (samples.Count == 0)
        {
            warnings.Add(new FileWarning(FileWarningKind.NoVisibleRows,
                $"Every row below the header (row {header.Number}) is hidden, so nothing would be imported: tick \"Include hidden rows\" under File settings to import them."));
        }

        if (opened.Format == SpreadsheetFormat.Csv && columnCount == 1 && OneColumnDelimiter(header, samples, options.Delimiter) is { } likely)
        {
            warnings.Add(new FileWarning(FileWarningKind.ReadAsOneColumn, OneColumnMessage(header, likely)));
        }

        if (opened.MacRomanGuessed)
        {
            warnings.Add(new FileWarning(FileWarningKind.EncodingGuessed,
                "The file was read as Mac Roman (as Excel for Mac saves CSV files), judging by its accented letters: check the special characters in the sample rows, or choose another encoding under File settings (such as DOS code page 850 or Windows-1252)."));
        }

        if (options.ColumnCount is null && LostLetterScan.IsSingleByte(opened.Format == SpreadsheetFormat.Csv ? options.Encoding : null))
        {
            // Until the counting pass has looked at every row, the header and the sample tell where letters were lost.
            var lost = LostLetterScan.Add(null, header.Number, header.Cells);
            foreach (var sample in samples)
            {
                lost = LostLetterScan.Add(lost, sample.Number, sample.Cells);
            }

            options = options with { LostLetters = lost };
        }

        if (options.UnnamedColumns is null)
        {
            // Until the counting pass has looked at every row, the sample tells which columns without a header hold values.
            var named = Named(header, columnCount);
            var found = new SortedDictionary<int, int>();
            foreach (var sample in samples)
            {
                foreach (var cell in sample.Cells)
                {
                    if (cell.Column < columnCount && !named[cell.Column] && !found.ContainsKey(cell.Column) && (cell.IsError || !string.IsNullOrWhiteSpace(cell.Text)))
                    {
                        found[cell.Column] = sample.Number;
                    }
                }
            }

            options = options with { UnnamedColumns = [.. found.Select(f => new UnnamedColumn(f.Key, f.Value))] };
        }

        var file = new SpreadsheetFile(opened with { Options = options }, fileName, limits, header, minimumWidth, warnings);
        file.Describe(columnCount);
        var sampleRow = new RawRow(columnCount);
        file.SampleRows = samples.Select(s =>
        {
            sampleRow.Reset(s.Number, false);
            foreach (var cell in s.Cells)
            {
                sampleRow.Add(cell.Column, cell.Text, cell.Kind, cell.Length);
            }

            return file.ToSourceRow(sampleRow);
        }).ToList();
        return file;

        void Keep(RowSnapshot row)
        {
            if (opened.TotalsRows.ContainsKey(row.Number)
                || (header is { } named && OnlyReportColumns(ReportColumns(named), row.MaxColumn, row.Cells)))
            {
                return;
            }

            if (row.Hidden && !include)
            {
                hiddenSkipped++;
            }
            else
            {
                samples.Add(row);
            }
        }
    }

    /// <summary>
    /// The delimiter a CSV file read as one column looks separated by instead: one of
    /// <see cref="Csv.CsvSource.LikelyDelimiters"/> (not the one it was read with) that the header holds and every sample
    /// row holds as often as the header does. Null when none does so consistently.
    /// </summary>
    private static char? OneColumnDelimiter(RowSnapshot header, List<RowSnapshot> samples, char? readWith)
    {
        var headerText = header.Cells.FirstOrDefault(c => c.Column == 0).Text;
        if (string.IsNullOrEmpty(headerText) || samples.Count == 0)
        {
            return null;
        }

        foreach (var candidate in Csv.CsvSource.LikelyDelimiters)
        {
            var count = headerText.AsSpan().Count(candidate);
            if (candidate == readWith || count == 0)
            {
                continue;
            }

            if (samples.All(s => s.Cells.FirstOrDefault(c => c.Column == 0).Text is not { Length: > 0 } text || text.AsSpan().Count(candidate) == count))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string OneColumnMessage(RowSnapshot header, char delimiter)
    {
        var headerText = header.Cells.FirstOrDefault(c => c.Column == 0).Text;
        var shown = Rules.ErrorText.Truncate(headerText, 60);
        var (named, choice) = delimiter switch
        {
            '\t' => ("tabs", "Tab"),
            ',' => ("\",\"", "Comma (,)"),
            ';' => ("\";\"", "Semicolon (;)"),
            '|' => ("\"|\"", "Pipe (|)"),
            ':' => ("\":\"", "Colon (:)"),
            var c => ($"\"{c}\"", $"\"{c}\""),
        };
        return $"The file was read as one column, \"{shown}\", but its rows look separated by {named}: choose {choice} as the delimiter under File settings.";
    }

    /// <summary>The rest of an enumerator, as an enumerable that leaves it open for reading on.</summary>
    private static IEnumerable<RawRow> Take(IEnumerator<RawRow> rows)
    {
        while (rows.MoveNext())
        {
            yield return rows.Current;
        }
    }

    /// <summary>Sets the columns, header texts and warnings for <paramref name="columnCount"/> columns.</summary>
    private void Describe(int columnCount)
    {
        width = columnCount;
        Columns = LabelColumns(header.Cells, columnCount);
        var headerTexts = new string?[columnCount];
        foreach (var cell in header.Cells)
        {
            if (cell.Column < columnCount)
            {
                headerTexts[cell.Column] = cell.Text;
            }
        }

        HeaderTexts = headerTexts;
        var warnings = new List<FileWarning>(openingWarnings);
        warnings.AddRange(DescribeWarnings(opened, HeaderRow, columnCount));
        if (Options.UnnamedColumns is { Count: > 0 } unnamed)
        {
            warnings.Add(new FileWarning(FileWarningKind.UnnamedColumns, DescribeUnnamed(unnamed)));
        }

        if (Options.LostLetters is { } lost && opened.Format == SpreadsheetFormat.Csv)
        {
            warnings.Add(new FileWarning(FileWarningKind.LettersLost, LostLetterScan.Message(Options.Encoding, lost)));
        }

        Warnings = warnings;
    }

    private static string DescribeUnnamed(IReadOnlyList<UnnamedColumn> unnamed)
    {
        string One(UnnamedColumn c) => $"{ColumnLetters.FromIndex(c.Index)} from row {c.FirstRow.ToString(CultureInfo.InvariantCulture)} on";
        if (unnamed.Count == 1)
        {
            var c = unnamed[0];
            return $"Column {ColumnLetters.FromIndex(c.Index)} has values from row {c.FirstRow.ToString(CultureInfo.InvariantCulture)} on but no header; it is offered as \"Column {ColumnLetters.FromIndex(c.Index)}\".";
        }

        var shown = unnamed.Take(10).Select(One).ToList();
        var more = unnamed.Count > 10 ? $" and {unnamed.Count - 10} more" : "";
        return $"Columns {string.Join(", ", shown)}{more} have values but no header; each is offered as \"Column\" and its letter.";
    }

    private static bool[] Named(RowSnapshot header, int columns)
    {
        var named = new bool[columns];
        foreach (var cell in header.Cells)
        {
            if (cell.Column < columns && !string.IsNullOrWhiteSpace(cell.Text))
            {
                named[cell.Column] = true;
            }
        }

        return named;
    }

    private ImportFileException TooWide(int columns, int row) =>
        TooWide(Sheet is null ? "The file" : $"Sheet \"{Sheet}\"", Limits, columns, row);

    private static ImportFileException TooWide(string where, ReaderLimits limits, int columns, int row) => new(FileProblemKind.TooManyColumns,
        $"{where} has a value in column {ColumnLetters.FromIndex(columns - 1)} of row {row.ToString(CultureInfo.InvariantCulture)}; at most {limits.MaxColumns.ToString("N0", CultureInfo.InvariantCulture)} columns (up to {ColumnLetters.FromIndex(limits.MaxColumns - 1)}) are supported. Delete what is beyond column {ColumnLetters.FromIndex(limits.MaxColumns - 1)}, or copy the columns to import into a new sheet, and upload it again.");

    internal static IReadOnlyList<SheetColumn> LabelColumns(IReadOnlyList<RawCell> header, int columnCount)
    {
        var texts = new string?[columnCount];
        foreach (var cell in header)
        {
            if (cell.Column < columnCount)
            {
                // As the check reads a mapped cell (decision 0041): a header shown, stored with the mapping and named by
                // a failed row holds no NUL (an .xlsx's _x0000_) or other character that does not show.
                texts[cell.Column] = PlainText.AsSeen(cell.Text).Trim();
            }
        }

        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var columns = new SheetColumn[columnCount];
        for (var i = 0; i < columnCount; i++)
        {
            var letter = ColumnLetters.FromIndex(i);
            var text = SheetColumn.Shorten(texts[i]);
            var label = string.IsNullOrEmpty(text) ? $"Column {letter}" : used.Contains(text) ? $"{text} ({letter})" : text;
            used.Add(label);
            columns[i] = new SheetColumn(i, letter, label);
        }

        return columns;
    }

    /// <summary>
    /// The columns of an error report that are not the file's (<see cref="Reports.ErrorReport.RowHeader"/> and
    /// <see cref="Reports.ErrorReport.ErrorsHeader"/>), recognised by their labels as the automatic mapping recognises
    /// them; null when the file is not an error report (it has no <see cref="Reports.ErrorReport.ErrorsHeader"/> column).
    /// </summary>
    private static bool[]? ReportColumns(RowSnapshot header)
    {
        var columns = LabelColumns(header.Cells, header.MaxColumn + 1);
        if (!columns.Any(c => c.Header == Reports.ErrorReport.ErrorsHeader))
        {
            return null;
        }

        var own = new bool[columns.Count];
        foreach (var column in columns)
        {
            own[column.Index] = column.Header is Reports.ErrorReport.ErrorsHeader or Reports.ErrorReport.RowHeader;
        }

        return own;
    }

    /// <summary>
    /// Whether a row of an error report holds nothing but the report's own columns (<paramref name="reportColumns"/>):
    /// the note a partial report starts with (decision 0054), or a row whose every cell of the file was cleared. It holds
    /// nothing of the file, so it is no data row: not counted, not checked, not sampled, and the rows an upload of the
    /// report counts are the rows its import checks.
    /// </summary>
    private static bool OnlyReportColumns(bool[]? reportColumns, int maxColumn, IEnumerable<RawCell> cells)
    {
        if (reportColumns is null || maxColumn >= reportColumns.Length)
        {
            return false;
        }

        foreach (var cell in cells)
        {
            if ((cell.IsError || !string.IsNullOrWhiteSpace(cell.Text)) && (cell.Column >= reportColumns.Length || !reportColumns[cell.Column]))
            {
                return false;
            }
        }

        return true;
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
                (issues ??= []).Add(new CellIssue(cell.Column, text, cell.Kind switch
                {
                    CellKind.Picture => $"cell {Reference(cell, raw)} holds a picture placed in the cell, which cannot be imported; delete the picture or type the value into the cell in Excel",
                    CellKind.RichValue => $"cell {Reference(cell, raw)} holds an Excel data type or a picture in the cell; convert it to text in Excel (Data Types › Convert to Text)",
                    CellKind.TextFormulaResultMissing => $"cell {Reference(cell, raw)} holds a formula that gives text, but the file stores the number {text} as its result (LibreOffice Calc saves a text formula so in an .xls when it did not recalculate it); save the file as .xlsx or .ods (in Excel or LibreOffice) and upload that",
                    _ => $"cell {Reference(cell, raw)} holds the Excel error {text}",
                }));
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
        $"The file has more than {limits.MaxRows.ToString("N0", CultureInfo.InvariantCulture)} rows; at most {limits.MaxRows.ToString("N0", CultureInfo.InvariantCulture)} can be imported at once: split it into several files and import them one after the other.");

    /// <summary>Turns anything a format reader throws while streaming into an <see cref="ImportFileException"/>.</summary>
    private IEnumerable<RawRow> Guarded(IEnumerable<RawRow> rows) => Guarded(rows, opened.EncodingChosen);

    private static IEnumerable<RawRow> Guarded(IEnumerable<RawRow> rows, bool encodingChosen = true)
    {
        IEnumerator<RawRow> enumerator;
        try
        {
            enumerator = rows.GetEnumerator();
        }
        catch (Exception ex) when (ex is not ImportFileException and not OutOfMemoryException)
        {
            throw Translate(ex, 0, encodingChosen);
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
                    throw Translate(ex, last, encodingChosen);
                }

                last = row.Number;
                yield return row;
            }
        }
    }

    internal static ImportFileException Translate(Exception ex, int lastRow, bool encodingChosen = true)
    {
        var after = lastRow > 0 ? $" after row {lastRow.ToString(CultureInfo.InvariantCulture)}" : "";
        return ex switch
        {
            // An encoding chosen under File settings is the setting to change; one the file starts with, the file.
            DecoderFallbackException => new ImportFileException(encodingChosen
                ? new FileProblem(FileProblemKind.InvalidEncoding, $"The file holds bytes{after} that are not valid in the chosen encoding; choose another encoding (for example Windows-1252).") { Field = "encoding" }
                : new FileProblem(FileProblemKind.InvalidEncoding, $"The file holds bytes{after} that are not valid in the encoding it starts with; save it again as UTF-8 (in Excel: File › Save As › CSV UTF-8) and upload it again."), ex),
            XmlException or InvalidDataException or EndOfStreamException or FormatException or IOException or ArgumentException
                or InvalidOperationException or IndexOutOfRangeException or NotSupportedException or ExcelDataReader.Exceptions.ExcelReaderException
                => new ImportFileException(FileProblemKind.Corrupt, $"The file is damaged or incomplete: it cannot be read{after}. If Excel or LibreOffice opens it, save it again there (File › Save As) and upload that copy.", ex),
            _ => new ImportFileException(FileProblemKind.Corrupt, $"The file cannot be read{after}: it is damaged or not a valid spreadsheet. If Excel or LibreOffice opens it, save it again there (File › Save As) and upload that copy.", ex),
        };
    }

    private static List<FileWarning> DescribeWarnings(OpenedSheet opened, int headerRow, int columnCount)
    {
        var warnings = new List<FileWarning>();
        var rows = opened.HiddenRows.Where(r => r.Last > headerRow).Select(r => (Math.Max(r.First, headerRow + 1), r.Last)).ToList();
        if (rows.Count > 0)
        {
            var total = rows.Sum(r => r.Item2 - r.Item1 + 1);
            var pronoun = total == 1 ? "it is" : "they are";
            var treatment = opened.Options.IncludeHiddenRows ? $"{pronoun} imported" : $"{pronoun} skipped unless you include hidden rows";
            warnings.Add(new FileWarning(FileWarningKind.HiddenRows,
                $"{Ranges(rows, "Row", "Rows", n => n.ToString(CultureInfo.InvariantCulture), total)}; {treatment}."));
        }

        var columns = opened.HiddenColumns.Where(c => c.First < columnCount).Select(c => (c.First, Math.Min(c.Last, columnCount - 1))).ToList();
        if (columns.Count > 0)
        {
            var total = columns.Sum(c => c.Item2 - c.Item1 + 1);
            warnings.Add(new FileWarning(FileWarningKind.HiddenColumns,
                $"{Ranges(columns, "Column", "Columns", ColumnLetters.FromIndex, total)}; {(total == 1 ? "it is" : "they are")} imported like the others."));
        }

        if (opened.AutoFilterRange is { } filter)
        {
            warnings.Add(new FileWarning(FileWarningKind.AutoFilter, opened.AutoFilterActive
                ? $"A filter is active on {filter}: rows it hides count as hidden rows."
                : $"The sheet has an auto-filter on {filter} (no rows are filtered out)."));
        }

        var uncalculated = opened.Formulas.UncalculatedColumns.Where(c => c < columnCount).ToList();
        if (uncalculated.Count > 0)
        {
            var letters = uncalculated.Take(10).Select(ColumnLetters.FromIndex).ToList();
            var named = letters.Count == 1 ? letters[0] : string.Join(", ", letters[..^1]) + " and " + letters[^1];
            var more = uncalculated.Count > 10 ? $" and {uncalculated.Count - 10} more" : "";
            warnings.Add(new FileWarning(FileWarningKind.UncalculatedFormulas, uncalculated.Count == 1
                ? $"Column {named} holds formulas that were never calculated (the file was not saved by Excel), so their values are missing or 0: open the file in Excel, save it, and upload it again."
                : $"Columns {named}{more} hold formulas that were never calculated (the file was not saved by Excel), so their values are missing or 0: open the file in Excel, save it, and upload it again."));
        }

        var textFormulas = opened.TextFormulas.Where(t => t.Row > headerRow && t.Column < columnCount).ToList();
        if (textFormulas.Any(t => t.Always))
        {
            warnings.Add(new FileWarning(FileWarningKind.TextFormulaResults,
                $"{Cells(opened.Sheet, textFormulas.Where(t => t.Always))}: formulas that give text, but the .xls stores a number as each result (LibreOffice Calc saves 0 for a text formula it did not recalculate), so these cells are not imported and a row that imports one fails. Save the file as .xlsx or .ods (in Excel or LibreOffice) and upload that."));
        }

        if (textFormulas.Any(t => !t.Always))
        {
            warnings.Add(new FileWarning(FileWarningKind.TextFormulaResults,
                $"{Cells(opened.Sheet, textFormulas.Where(t => !t.Always))}: formulas that can give text, but the .xls stores a number as their result, which may not be what the cells show: check these values in the sample rows, and if they are wrong, save the file as .xlsx or .ods (in Excel or LibreOffice) and upload that."));
        }

        foreach (var (row, table) in opened.TotalsRows.Where(t => t.Key > headerRow).OrderBy(t => t.Key).Take(10))
        {
            warnings.Add(new FileWarning(FileWarningKind.TotalsRow,
                $"Row {row.ToString(CultureInfo.InvariantCulture)} is the totals row of the table {table}: it was not imported."));
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

    /// <summary>"Sheet "Data", columns E (rows 3–7) and G (row 9)": formula cells by column, their rows as ranges.</summary>
    private static string Cells(string? sheet, IEnumerable<TextFormulaCell> cells)
    {
        static string Join(List<string> parts) => parts.Count == 1 ? parts[0] : string.Join(", ", parts[..^1]) + " and " + parts[^1];
        var columns = cells.GroupBy(c => c.Column).OrderBy(g => g.Key).ToList();
        var described = columns.Take(10).Select(column =>
        {
            var ranges = new List<(int First, int Last)>();
            foreach (var row in column.Select(c => c.Row).Order())
            {
                if (ranges.Count > 0 && ranges[^1].Last + 1 >= row)
                {
                    ranges[^1] = (ranges[^1].First, row);
                }
                else
                {
                    ranges.Add((row, row));
                }
            }

            var shown = ranges.Take(10).Select(r => r.First == r.Last
                ? r.First.ToString(CultureInfo.InvariantCulture)
                : $"{r.First.ToString(CultureInfo.InvariantCulture)}–{r.Last.ToString(CultureInfo.InvariantCulture)}").ToList();
            if (ranges.Count > 10)
            {
                shown.Add($"{(ranges.Count - 10).ToString(CultureInfo.InvariantCulture)} more ranges");
            }

            var word = ranges.Count == 1 && ranges[0].First == ranges[0].Last ? "row" : "rows";
            return $"{ColumnLetters.FromIndex(column.Key)} ({word} {Join(shown)})";
        }).ToList();
        if (columns.Count > 10)
        {
            described.Add($"{(columns.Count - 10).ToString(CultureInfo.InvariantCulture)} more columns");
        }

        var word = columns.Count == 1 ? "column" : "columns";
        return sheet is null ? $"{char.ToUpperInvariant(word[0])}{word[1..]} {Join(described)}" : $"Sheet \"{sheet}\", {word} {Join(described)}";
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
