using System.Globalization;
using System.Text;
using ExcelDataReader;
using ExcelDataReader.Exceptions;

namespace Rollouter.Import.Importing.Reading.Xls;

/// <summary>
/// Workbooks read through ExcelDataReader, which streams them: legacy .xls (BIFF, also encrypted with Excel's default
/// password, which Excel opens without asking), and workbooks in an encrypted package. Hidden rows come from a zero
/// row height, hidden columns from a zero column width, merged cells from the sheet; ExcelDataReader 3.6 does not
/// expose auto-filters or error cells (an error cell reads as empty): a legacy .xls's error cells are found by a light
/// scan of its records (<see cref="BiffErrorCells"/>), which also finds a record running past its sheet's end: such a
/// sheet is read up to the damage, then refused. Opening reads every sheet once, for its rows with values and its
/// hidden rows.
/// </summary>
internal sealed class XlsWorkbook : WorkbookFile
{
    private readonly Func<Stream> openStream;
    private readonly SheetFacts[] facts;

    static XlsWorkbook() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private XlsWorkbook(Func<Stream> openStream, SpreadsheetFormat format, SheetFacts[] facts)
    {
        this.openStream = openStream;
        this.facts = facts;
        Format = format;
        Sheets = [.. facts.Select(f => new SheetInfo(f.Name, f.Hidden, f.RowsWithValues))];
    }

    public override SpreadsheetFormat Format { get; }

    public override IReadOnlyList<SheetInfo> Sheets { get; }

    public static XlsWorkbook Open(Func<Stream> openStream, SpreadsheetFormat format, ReaderLimits limits)
    {
        using var reader = CreateReader(openStream);
        Dictionary<string, BiffSheet>? scanned = null;
        if (format == SpreadsheetFormat.Xls)
        {
            using var stream = openStream();
            scanned = BiffErrorCells.Read(stream);
        }

        var facts = new List<SheetFacts>();
        do
        {
            facts.Add(ReadFacts(reader, limits, scanned?.GetValueOrDefault(reader.Name)));
        }
        while (reader.NextResult());

        return new XlsWorkbook(openStream, format, [.. facts]);
    }

    public override IEnumerable<RawRow> Rows(int sheet, int columnCap) => Source(sheet).ReadRaw(columnCap);

    public override OpenedSheet Open(int sheet, ParseOptions options)
    {
        var f = facts[sheet];
        return new OpenedSheet(Format, Sheets, f.Name, options with { Sheet = f.Name, Delimiter = null, Encoding = null },
            Source(sheet))
        {
            HiddenRows = f.HiddenRows,
            HiddenColumns = f.HiddenColumns,
            MergedRanges = f.MergedRanges,
            RowsWithValues = f.RowsWithValues,
            TextFormulas = [.. f.TextFormulas.OrderBy(t => t.Key).Select(t => new TextFormulaCell((int)(t.Key >> 16) + 1, (int)(t.Key & 0xFFFF), t.Value == FormulaResultType.Text))],
        };
    }

    private XlsSheetSource Source(int sheet) => new(openStream, sheet, facts[sheet].Name, facts[sheet].Errors, facts[sheet].DamagedAfterRow, facts[sheet].TextFormulas);

    private static SheetFacts ReadFacts(IExcelDataReader reader, ReaderLimits limits, BiffSheet? scanned)
    {
        var errors = scanned?.Errors ?? [];
        var errorRows = errors.Keys.Select(k => (int)(k >> 16)).ToHashSet();
        var hiddenRows = new List<(int First, int Last)>();
        var rowsWithValues = 0;
        var number = 0;
        while (reader.Read())
        {
            number++;
            if (reader.RowHeight == 0)
            {
                if (hiddenRows.Count > 0 && hiddenRows[^1].Last == number - 1)
                {
                    hiddenRows[^1] = (hiddenRows[^1].First, number);
                }
                else
                {
                    hiddenRows.Add((number, number));
                }
            }

            if (errorRows.Contains(number - 1))
            {
                rowsWithValues++;
                continue;
            }

            for (var c = 0; c < reader.FieldCount; c++)
            {
                // A formula's empty text ("" from =IF(A8="";"";"ok") filled down) is no value, as the rows read take it.
                if (reader.GetValue(c) is { } value && (value is not string text || !string.IsNullOrWhiteSpace(text)))
                {
                    rowsWithValues++;
                    break;
                }
            }
        }

        var hiddenColumns = new List<(int First, int Last)>();
        for (var c = 0; c < Math.Min(reader.FieldCount, limits.MaxColumns + 1); c++)
        {
            if (reader.GetColumnWidth(c) == 0)
            {
                if (hiddenColumns.Count > 0 && hiddenColumns[^1].Last == c - 1)
                {
                    hiddenColumns[^1] = (hiddenColumns[^1].First, c);
                }
                else
                {
                    hiddenColumns.Add((c, c));
                }
            }
        }

        var merged = (reader.MergeCells ?? [])
            .Select(m => $"{ColumnLetters.FromIndex(m.FromColumn)}{m.FromRow + 1}:{ColumnLetters.FromIndex(m.ToColumn)}{m.ToRow + 1}")
            .ToList();
        return new SheetFacts(reader.Name, reader.VisibleState is "hidden" or "veryhidden", rowsWithValues, hiddenRows, hiddenColumns, merged, errors,
            scanned?.DamagedAfterRow, scanned?.TextFormulas ?? []);
    }

    /// <summary>
    /// A reader over the file. Without a password ExcelDataReader tries Excel's default one ("VelvetSweatshop"), as
    /// Excel does: a workbook that was only write-protected opens; one that asks for a password is refused.
    /// </summary>
    internal static IExcelDataReader CreateReader(Func<Stream> openStream)
    {
        var stream = openStream();
        try
        {
            return ExcelReaderFactory.CreateReader(stream, new ExcelReaderConfiguration { FallbackEncoding = Encoding.GetEncoding(1252) });
        }
        catch (InvalidPasswordException ex)
        {
            stream.Dispose();
            throw new ImportFileException(FileProblemKind.PasswordProtected,
                "The workbook is protected by a password; open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password, empty the box) and upload it again.", ex);
        }
        catch (Exception ex) when (ex is ExcelReaderException or InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            stream.Dispose();
            throw new ImportFileException(FileProblemKind.Corrupt,
                "The file is damaged: it cannot be read as an Excel workbook. If Excel opens it, save it again there (File › Save As, Excel Workbook .xlsx) and upload that copy.", ex);
        }
    }

    private sealed record SheetFacts(
        string Name, bool Hidden, int RowsWithValues, List<(int First, int Last)> HiddenRows, List<(int First, int Last)> HiddenColumns, List<string> MergedRanges,
        Dictionary<long, string> Errors, int? DamagedAfterRow, Dictionary<long, FormulaResultType> TextFormulas);

    /// <param name="errors">The sheet's error cells (<see cref="BiffErrorCells.Key"/>), which ExcelDataReader reads as empty.</param>
    /// <param name="damagedAfterRow">The whole rows above a record that runs past the sheet's end (<see cref="BiffSheet.DamagedAfterRow"/>).</param>
    /// <param name="textFormulas">
    /// Formulas that give text but whose stored result is a number (<see cref="BiffSheet.TextFormulas"/>): one that always
    /// gives text is a row error, as its number is not its result; one that may give text is read, and warned about.
    /// </param>
    private sealed class XlsSheetSource(Func<Stream> openStream, int index, string name, Dictionary<long, string> errors, int? damagedAfterRow,
        Dictionary<long, FormulaResultType> textFormulas) : SheetSource
    {
        public override IEnumerable<RawRow> ReadRaw(int columnCap)
        {
            using var reader = CreateReader(openStream);
            for (var i = 0; i < index; i++)
            {
                reader.NextResult();
            }

            var row = new RawRow(columnCap);
            var number = 0;
            while (reader.Read())
            {
                if (damagedAfterRow is { } whole && number >= whole)
                {
                    throw Damaged(whole);
                }

                row.Reset(++number, reader.RowHeight == 0);
                for (var c = 0; c < reader.FieldCount; c++)
                {
                    var text = reader.GetValue(c) switch
                    {
                        null => null,
                        string s => s,
                        bool b => b ? "TRUE" : "FALSE",
                        DateTime d => CellText.Format(d.ToOADate(), Classify(reader.GetNumberFormatString(c), date: true), false),
                        TimeSpan t => CellText.Format(t.TotalDays, Classify(reader.GetNumberFormatString(c), date: true), false),
                        double d => CellText.Format(d, Classify(reader.GetNumberFormatString(c), date: false), false),
                        IConvertible other => other.ToString(CultureInfo.InvariantCulture),
                        var other => other.ToString(),
                    };
                    if (text is not null)
                    {
                        if (textFormulas.Count > 0 && textFormulas.GetValueOrDefault(BiffErrorCells.Key(number - 1, c)) == FormulaResultType.Text)
                        {
                            row.Add(c, text, CellKind.TextFormulaResultMissing);
                        }
                        else
                        {
                            row.Add(c, text);
                        }
                    }
                    else if (errors.Count > 0 && errors.TryGetValue(BiffErrorCells.Key(number - 1, c), out var error))
                    {
                        row.Add(c, error, isError: true);
                    }
                }

                yield return row;
            }

            if (damagedAfterRow is { } damaged)
            {
                throw Damaged(damaged);
            }
        }

        /// <summary>
        /// ExcelDataReader skips a record whose length runs past the sheet's end and ends the sheet there: every row
        /// below it would be missing without a word.
        /// </summary>
        private ImportFileException Damaged(int after) => new(FileProblemKind.Corrupt, after > 0
            ? $"The file is damaged after row {after.ToString(CultureInfo.InvariantCulture)} of sheet \"{name}\": a record below it runs past the end of the sheet, so the rows below row {after.ToString(CultureInfo.InvariantCulture)} cannot be read. If Excel opens it, save it again there (File › Save As, Excel Workbook .xlsx) and upload that copy."
            : $"The file is damaged: a record of sheet \"{name}\" runs past the end of the sheet, so its rows cannot be read. If Excel opens it, save it again there (File › Save As, Excel Workbook .xlsx) and upload that copy.");

        /// <summary>
        /// The cell's format as this reader understands it. ExcelDataReader gives a date for any format it takes for
        /// one: a value it gave as a date is shown as a date even when the format code says nothing this reader knows.
        /// </summary>
        private static NumberFormat Classify(string? code, bool date)
        {
            var format = code is null ? NumberFormat.General : CellText.Classify(code);
            return date && format.Kind is NumberFormatKind.Number or NumberFormatKind.ZeroPadded or NumberFormatKind.Percent
                ? new NumberFormat(NumberFormatKind.Date)
                : format;
        }
    }
}
