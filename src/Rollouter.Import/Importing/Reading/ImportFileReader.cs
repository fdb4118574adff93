using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Reading.Csv;
using Rollouter.Import.Importing.Reading.Ods;
using Rollouter.Import.Importing.Reading.Xls;
using Rollouter.Import.Importing.Reading.Xlsb;
using Rollouter.Import.Importing.Reading.Xlsx;

namespace Rollouter.Import.Importing.Reading;

/// <summary>The outcome of opening an import file: either <see cref="File"/> or <see cref="Problem"/>.</summary>
public sealed record OpenResult(SpreadsheetFile? File, FileProblem? Problem)
{
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(File))]
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(false, nameof(Problem))]
    public bool Succeeded => File is not null;
}

/// <summary>
/// Opens .xlsx, .xlsm, .xls, .xlsb, .ods, .fods (and their templates: .xltx, .xltm, .xlt, .ots) and .csv files for the wizard and the job. The content decides how a file is
/// read, the extension only what the user meant: a workbook named .xls that is really .xlsx (or the other way round) is
/// read, any other mismatch is refused with a message saying what the file looks like.
/// </summary>
public static class ImportFileReader
{
    public const int DefaultSampleSize = 5;

    private static readonly string[] CsvExtensions = [".csv", ".txt", ".tsv"];

    /// <summary>
    /// Workbooks by name, the templates too: an Excel template (.xltx, .xltm, .xlt) is a workbook of its kind, an
    /// OpenDocument template (.ots) an .ods, a flat OpenDocument spreadsheet (.fods) one XML file; the content decides
    /// how each is read.
    /// </summary>
    private static readonly string[] WorkbookExtensions = [".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".fods", ".xltx", ".xltm", ".xlt", ".ots"];

    /// <summary>The file types the reader takes, as messages name them.</summary>
    public const string SupportedTypes = ".xlsx, .xlsm, .xls, .xlsb, .ods, .fods or .csv";

    /// <summary>Opens a file on disk. Never throws: problems come back as <see cref="OpenResult.Problem"/>.</summary>
    public static OpenResult Open(string path, string fileName, ParseOptions? options = null, ReaderLimits? limits = null, int sampleSize = DefaultSampleSize)
    {
        try
        {
            if (!System.IO.File.Exists(path))
            {
                return Fail(FileProblemKind.Corrupt, "The uploaded file could not be found.");
            }

            return Open(() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), fileName, options, limits, sampleSize);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new OpenResult(null, ToProblem(ex));
        }
    }

    /// <summary>
    /// Opens a seekable stream (a workbook in memory), read in place: it must stay open, unused by others, while the
    /// result is used. Nothing is copied: the data folder is the one place the app writes, and the app reads its files
    /// from there (<see cref="Open(string, string, ParseOptions?, ReaderLimits?, int)"/>). Never throws but for a
    /// stream that cannot seek.
    /// </summary>
    public static OpenResult Open(Stream stream, string fileName, ParseOptions? options = null, ReaderLimits? limits = null, int sampleSize = DefaultSampleSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("The stream must be seekable: the file is read more than once.", nameof(stream));
        }

        try
        {
            return Open(() => { stream.Seek(0, SeekOrigin.Begin); return new NonClosingStream(stream); }, fileName, options, limits, sampleSize);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new OpenResult(null, ToProblem(ex));
        }
    }

    private static OpenResult Open(Func<Stream> openStream, string fileName, ParseOptions? options, ReaderLimits? limits, int sampleSize)
    {
        options ??= ParseOptions.Detect;
        limits ??= ReaderLimits.Default;
        WorkbookFile? workbook = null;
        OpenedSheet? opened = null;
        try
        {
            var extension = Path.GetExtension(fileName).ToLowerInvariant();
            long length;
            byte[] head;
            using (var stream = openStream())
            {
                length = stream.Length;
                if (length == 0)
                {
                    return Fail(FileProblemKind.Empty, "The file is empty (0 bytes).");
                }

                if (length > limits.MaxFileBytes)
                {
                    return new OpenResult(null, FileTooLarge(length, limits));
                }

                head = new byte[(int)Math.Min(length, FileSniffer.HeadLength)];
                stream.ReadExactly(head);
            }

            var content = FileSniffer.Sniff(head);
            var expectsWorkbook = WorkbookExtensions.Contains(extension);
            // LibreOffice's flat XML spreadsheet, whatever its name (.fods, or saved as .ods or .xml): read by the .ods
            // reader from one XML file instead of a zip's content.xml and styles.xml (decision 0097, amended).
            var flat = FileSniffer.IsFlatOds(head);
            if (!flat && !expectsWorkbook && !CsvExtensions.Contains(extension))
            {
                return Fail(FileProblemKind.WrongType,
                    $"Files of type \"{(extension.Length == 0 ? "(none)" : extension)}\" cannot be imported; use {SupportedTypes}.");
            }

            var named = expectsWorkbook ? "a workbook" : "a CSV file";
            if (!flat && content is SniffedContent.Text or SniffedContent.Html && expectsWorkbook)
            {
                // Web tools export an HTML table or an Excel 2003 XML spreadsheet named .xls, which Excel opens (with a
                // warning): saving it there as .xlsx is the way forward. Plain text may be a CSV file under a wrong name.
                return Fail(FileProblemKind.WrongType, (content, FileSniffer.DescribeText(head)) switch
                {
                    (SniffedContent.Html, _) or (_, TextKind.Html) =>
                        $"The file is named {extension} but is a web page (HTML), as some web tools export a table, not a workbook: open it in Excel or LibreOffice, save it as Excel Workbook (.xlsx) or ODF Spreadsheet (.ods), then upload that copy.",
                    (_, TextKind.SpreadsheetMl) =>
                        $"The file is named {extension} but is an Excel 2003 XML spreadsheet, which cannot be read: open it in Excel or LibreOffice, save it as Excel Workbook (.xlsx) or ODF Spreadsheet (.ods), then upload that copy.",
                    (_, TextKind.Xml) =>
                        $"The file is named {extension} but holds XML, not a workbook: if Excel or LibreOffice opens it, save it there as Excel Workbook (.xlsx) or ODF Spreadsheet (.ods), then upload that copy.",
                    _ => $"The file is named {extension} but holds plain text, not a workbook; if it is a CSV file, name it .csv.",
                });
            }

            if (content is SniffedContent.Html && !expectsWorkbook)
            {
                // A web page saved or exported under a .csv name: Excel opens its table, and saves it as a real file.
                return Fail(FileProblemKind.WrongType,
                    $"The file is named {extension} but is a web page (HTML), not a CSV file: if it holds a table, open it in Excel or LibreOffice, save it as Excel Workbook (.xlsx) or CSV UTF-8, then upload that copy.");
            }

            if (content is SniffedContent.Zip or SniffedContent.Ole && !expectsWorkbook)
            {
                return Fail(FileProblemKind.WrongType, $"The file is named {extension} but is {(content == SniffedContent.Zip ? "a zip archive such as an .xlsx workbook" : "an Office document such as an .xls workbook")}, not a CSV file; upload it with its real extension.");
            }

            switch (content)
            {
                case SniffedContent.Zip:
                    workbook = OpenZip(openStream, limits);
                    break;
                case SniffedContent.Ole:
                    using (var stream = openStream())
                    {
                        var ole = FileSniffer.ClassifyOle(stream);
                        if (ole == OleContent.Other)
                        {
                            return Fail(FileProblemKind.WrongType, $"The file is an Office document but not an Excel workbook (perhaps a Word or PowerPoint file), so it cannot be read as {named}.");
                        }

                        // An encrypted package is an .xlsx inside: ExcelDataReader opens it with Excel's default
                        // password, as Excel opens a workbook that was only protected against changes.
                        workbook = XlsWorkbook.Open(openStream, ole == OleContent.EncryptedPackage ? SpreadsheetFormat.Xlsx : SpreadsheetFormat.Xls, limits);
                    }

                    break;
                case SniffedContent.Text when flat:
                    workbook = OdsWorkbook.OpenFlat(openStream, limits);
                    break;
                case SniffedContent.Text:
                    workbook = CsvSource.Open(openStream, head, length, fileName, options, limits);
                    break;
                default:
                    return Fail(FileProblemKind.WrongType, $"The file is named {extension} but looks like {FileSniffer.Describe(content)}, not {named}.");
            }

            var (sheet, warnings) = SheetChoice.Choose(workbook, options, limits);
            opened = workbook.Open(sheet, options);
            var file = SpreadsheetFile.Create(opened, fileName, limits, sampleSize, warnings);
            opened = null;
            return new OpenResult(file, null);
        }
        catch (ImportFileException ex)
        {
            return new OpenResult(null, ex.Problem);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new OpenResult(null, ToProblem(ex, options));
        }
        finally
        {
            opened?.Source.Dispose();
            workbook?.Dispose();
        }
    }

    /// <summary>A zip-based workbook: .xlsx/.xlsm (Transitional or Strict), .xlsb or .ods, by what the zip holds.</summary>
    private static WorkbookFile OpenZip(Func<Stream> openStream, ReaderLimits limits)
    {
        using var package = new XlsxPackage(openStream(), limits);
        var workbookPart = package.Relationships("").Values.FirstOrDefault(r => r.Type.EndsWith("/officeDocument", StringComparison.Ordinal)).Target
            ?? "xl/workbook.xml";
        if (package.Has(workbookPart))
        {
            return workbookPart.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)
                ? XlsbWorkbook.Open(openStream, package, workbookPart, limits)
                : XlsxWorkbook.Open(openStream, package, workbookPart, limits);
        }

        if (OdsWorkbook.IsOds(package))
        {
            return OdsWorkbook.Open(openStream, package, limits);
        }

        throw new ImportFileException(FileProblemKind.WrongType, $"The file is {XlsxWorkbook.DescribeZip(package)}, not a workbook.");
    }

    private static FileProblem ToProblem(Exception ex, ParseOptions? options = null) =>
        ex is ImportFileException ife ? ife.Problem : SpreadsheetFile.Translate(ex, 0, encodingChosen: options?.Encoding is not null).Problem;

    private static OpenResult Fail(FileProblemKind kind, string message) => new(null, new FileProblem(kind, message));

    private static FileProblem FileTooLarge(long length, ReaderLimits limits) => new(FileProblemKind.TooLarge,
        $"The file is {ByteSizes.Format(length)}; at most {ByteSizes.Format(limits.MaxFileBytes)} can be imported.");

}
