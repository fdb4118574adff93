using System.Globalization;
using System.Text;
using ExcelDataReader;
using ExcelDataReader.Exceptions;
using Rollouter.Import.Importing.Reading.Xlsx;

namespace Rollouter.Import.Importing.Reading.Xls;

/// <summary>
/// Legacy .xls workbooks through ExcelDataReader (which streams them). Hidden rows come from a zero row height,
/// hidden columns from a zero column width, merged cells from the sheet; ExcelDataReader 3.6 does not expose
/// auto-filters or error cells (an error cell reads as empty).
/// </summary>
internal static class XlsWorkbook
{
    static XlsWorkbook() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static OpenedSheet Open(Func<Stream> openStream, ParseOptions options, ReaderLimits limits)
    {
        using var reader = CreateReader(openStream);
        var sheets = new List<(string Name, bool Hidden, string Part)>();
        do
        {
            sheets.Add((reader.Name, reader.VisibleState is "hidden" or "veryhidden", sheets.Count.ToString(CultureInfo.InvariantCulture)));
        }
        while (reader.NextResult());

        var chosen = XlsxWorkbook.ChooseSheet(sheets, options.Sheet);
        var index = int.Parse(chosen.Part, CultureInfo.InvariantCulture);
        reader.Reset();
        for (var i = 0; i < index; i++)
        {
            reader.NextResult();
        }

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

            for (var c = 0; c < reader.FieldCount; c++)
            {
                if (reader.GetValue(c) is not null)
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

        return new OpenedSheet(
            SpreadsheetFormat.Xls,
            sheets.Select(s => new SheetInfo(s.Name, s.Hidden)).ToList(),
            chosen.Name,
            options with { Sheet = chosen.Name, Delimiter = null, Encoding = null },
            new XlsSheetSource(openStream, index))
        {
            HiddenRows = hiddenRows,
            HiddenColumns = hiddenColumns,
            MergedRanges = merged,
            RowsWithValues = rowsWithValues,
        };
    }

    internal static IExcelDataReader CreateReader(Func<Stream> openStream)
    {
        var stream = openStream();
        try
        {
            return ExcelReaderFactory.CreateBinaryReader(stream, new ExcelReaderConfiguration { FallbackEncoding = Encoding.GetEncoding(1252) });
        }
        catch (InvalidPasswordException ex)
        {
            stream.Dispose();
            throw new ImportFileException(FileProblemKind.PasswordProtected,
                "The workbook is password-protected; remove the password in Excel (File › Info › Protect Workbook) and upload it again.", ex);
        }
        catch (Exception ex) when (ex is ExcelReaderException or InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            stream.Dispose();
            throw new ImportFileException(FileProblemKind.Corrupt, "The file is damaged or not an Excel workbook: it cannot be read as .xls.", ex);
        }
    }

    private sealed class XlsSheetSource(Func<Stream> openStream, int index) : SheetSource
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
                row.Reset(++number, reader.RowHeight == 0);
                for (var c = 0; c < reader.FieldCount; c++)
                {
                    var text = reader.GetValue(c) switch
                    {
                        null => null,
                        string s => s,
                        bool b => b ? "TRUE" : "FALSE",
                        DateTime d => FormatDate(d, reader.GetNumberFormatString(c)),
                        double d => CellText.Format(d, Classify(reader.GetNumberFormatString(c)), false),
                        IConvertible other => other.ToString(CultureInfo.InvariantCulture),
                        var other => other.ToString(),
                    };
                    if (text is not null)
                    {
                        row.Add(c, text);
                    }
                }

                yield return row;
            }
        }

        private static NumberFormat Classify(string? code) => code is null ? NumberFormat.General : CellText.Classify(code);

        private static string FormatDate(DateTime value, string? code) => Classify(code).Kind switch
        {
            NumberFormatKind.Time => value.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
            NumberFormatKind.DateTime => CellText.Date(value, true),
            _ => CellText.Date(value, value.TimeOfDay != TimeSpan.Zero),
        };
    }
}
