using System.IO.Compression;
using System.Text;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Tests.Reading;

public sealed class LimitTests : IDisposable
{
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    [Theory]
    [InlineData("clients.csv")]
    [InlineData("clients.xlsx")]
    [InlineData("clients.xls")]
    public void Open_EmptyFile_FailsAsEmpty(string name)
    {
        var problem = files.Problem(files.Write(name, []));

        Assert.Equal(FileProblemKind.Empty, problem.Kind);
        Assert.Contains("empty", problem.Message);
    }

    [Fact]
    public void Open_CsvWithOnlyBlankLines_FailsAsEmpty()
    {
        var problem = files.Problem(files.WriteText("clients.csv", "\r\n ,  ,\r\n\r\n", new UTF8Encoding(false), bom: false));

        Assert.Equal(FileProblemKind.Empty, problem.Kind);
    }

    [Fact]
    public void Open_HeaderWithoutRows_FailsAsNoDataRows()
    {
        var problem = files.Problem(files.WriteText("clients.csv", "Name,Model\r\n\r\n", new UTF8Encoding(false), bom: false));

        Assert.Equal(FileProblemKind.NoDataRows, problem.Kind);
        Assert.Contains("no rows below", problem.Message);
    }

    [Fact]
    public void Open_SixHundredColumns_FailsNamingTheCountAndTheLimit()
    {
        var header = string.Join(",", Enumerable.Range(1, 600).Select(i => $"Field {i}"));
        var row = string.Join(",", Enumerable.Range(1, 600).Select(i => $"{i}"));

        var problem = files.Problem(files.WriteText("wide.csv", header + "\n" + row + "\n", new UTF8Encoding(false), bom: false));

        Assert.Equal(FileProblemKind.TooManyColumns, problem.Kind);
        Assert.StartsWith("The file has 600 columns; at most 500 are supported. Delete the columns", problem.Message);
    }

    /// <summary>
    /// Security review: a 10 MB CSV of a million columns took the app 10–52 s and 4 GB of memory before it was refused
    /// (every column past the limit became a string, in a string pool of its own). Past the limit a cell is only looked at:
    /// here 26 MB are allocated where 348 MB were.
    /// </summary>
    [Fact]
    public void Open_CsvOfAHundredThousandColumns_IsRefused_WithoutAStringForEachColumn()
    {
        const int columns = 100_000;
        var header = string.Join(",", Enumerable.Range(1, columns).Select(i => $"c{i}"));
        var row = string.Join(",", Enumerable.Repeat("v", columns - 1).Append(" \u00A0"));
        var path = files.WriteText("wide.csv", header + "\n" + row + "\n", new UTF8Encoding(false), bom: false);
        var size = new FileInfo(path).Length;

        var before = GC.GetAllocatedBytesForCurrentThread();
        var problem = files.Problem(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Since decision 0183 a record of more than 16,384 columns (Excel's own number) is refused as it is read.
        Assert.Equal(FileProblemKind.TooManyColumns, problem.Kind);
        Assert.StartsWith("The file has more than 16,384 columns in row 1; at most 500 are supported.", problem.Message);
        Assert.True(allocated < 50 * size, $"{allocated:N0} bytes allocated to refuse a file of {size:N0} bytes");
    }

    /// <summary>A value past the limit counts as the values within do: blanks, also non-breaking ones, are no value.</summary>
    [Theory]
    [InlineData(" \t ", false)]
    [InlineData(" \u00A0\u2003", false)]
    [InlineData(" x ", true)]
    [InlineData("\u00A0é", true)]
    public void HoldsText_TellsBlanksAsTheLimitsOtherChecksDo(string value, bool expected) =>
        Assert.Equal(expected, Rollouter.Import.Importing.Reading.Csv.CsvSource.HoldsText(Encoding.UTF8.GetBytes(value)));

    /// <summary>
    /// QA: a CSV whose header is within the limit and one row of which has a stray value in column 600 was refused as
    /// "The file has 600 columns", without the row or the column; import-rules.md promises both.
    /// </summary>
    [Fact]
    public void Open_CsvWithAStrayValueBeyondTheColumnLimit_FailsNamingTheRowAndTheColumn()
    {
        var csv = "Name,B\nR1,b\nR2,b\nR3" + new string(',', 599) + "x\n";

        var problem = files.Problem(files.WriteText("stray.csv", csv, new UTF8Encoding(false), bom: false));

        Assert.Equal(FileProblemKind.TooManyColumns, problem.Kind);
        Assert.StartsWith("The file has a value in column WB of row 4; at most 500 columns (up to SF) are supported. " +
            "Delete what is beyond column SF", problem.Message);
    }

    [Fact]
    public void Open_XlsxWithAStrayValueBeyondTheColumnLimit_FailsNamingTheRowAndTheColumn()
    {
        static string Text(string cell, string text) => $"""<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>""";
        var path = files.RawXlsx("stray.xlsx",
            $"""<row r="1">{Text("A1", "Name")}{Text("B1", "B")}</row><row r="2">{Text("A2", "R1")}</row>""" +
            $"""<row r="3">{Text("A3", "R2")}{Text("WB3", "x")}</row>""");

        var problem = files.Problem(path);

        Assert.Equal(FileProblemKind.TooManyColumns, problem.Kind);
        Assert.StartsWith("Sheet \"Data\" has a value in column WB of row 3; at most 500 columns", problem.Message);
    }

    [Fact]
    public void Open_ColumnLimitRaised_ReadsSixHundredColumns()
    {
        var header = string.Join(",", Enumerable.Range(1, 600).Select(i => $"Field {i}"));
        var row = string.Join(",", Enumerable.Range(1, 600).Select(i => $"{i}"));

        using var file = files.Open(files.WriteText("wide.csv", header + "\n" + row + "\n", new UTF8Encoding(false), bom: false),
            limits: new ReaderLimits { MaxColumns = 1000 });

        Assert.Equal(600, file.Columns.Count);
        Assert.Equal("W", file.Columns[22].Letter);
        Assert.Equal("600", file.SampleRows[0][599]);
    }

    [Fact]
    public void ReadRows_CellOf40000Characters_IsARowIssueWithTheValueCut()
    {
        var huge = new string('x', 40_000);
        var path = files.WriteText("clients.csv", $"Name,Notes\nPC-1,\"{huge}\"\nPC-2,short\n", new UTF8Encoding(false), bom: false);

        using var file = files.Open(path);
        var rows = file.ReadRows().ToList();

        var issue = Assert.Single(rows[0].Issues);
        Assert.Equal(1, issue.ColumnIndex);
        Assert.Equal("cell B2 holds 40,000 characters; at most 32,767 are allowed", issue.Message);
        Assert.Equal(32_767, rows[0][1]!.Length);
        Assert.Empty(rows[1].Issues);
    }

    [Fact]
    public void ReadRows_XlsxCellsOf200MillionCharacters_AreRowIssuesAndTheirTextIsNeverHeld()
    {
        // One inline string and one shared string of 200 million characters each (400 MB as .NET strings), written
        // in chunks; the first begins with Excel's escaped carriage return, decoded in the kept part.
        const int Huge = 200_000_000;
        var path = StreamedXlsx("bigcells.xlsx",
            sheet =>
            {
                sheet.Write("""<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Notes</t></is></c></row>""");
                sheet.Write("""<row r="2"><c r="A2" t="inlineStr"><is><t>PC-1</t></is></c><c r="B2" t="inlineStr"><is><t>A_x000D_""");
                WriteRepeated(sheet, 'x', Huge - 2);
                sheet.Write("""</t></is></c></row>""");
                sheet.Write("""<row r="3"><c r="A3" t="inlineStr"><is><t>PC-2</t></is></c><c r="B3" t="s"><v>0</v></c></row>""");
                sheet.Write("""<row r="4"><c r="A4" t="inlineStr"><is><t>PC-3</t></is></c><c r="B4" t="s"><v>1</v></c></row>""");
            },
            strings =>
            {
                strings.Write("<si><t>");
                WriteRepeated(strings, 'y', Huge);
                strings.Write("</t></si><si><t>short</t></si>");
            });
        var (rows, allocated) = ReadCountingAllocations(path);

        Assert.True(allocated < 64L * 1024 * 1024, $"Reading allocated {allocated:N0} bytes.");
        Assert.Equal("cell B2 holds 200,000,000 characters; at most 32,767 are allowed", Assert.Single(rows[0].Issues).Message);
        Assert.Equal(32_767, rows[0][1]!.Length);
        Assert.StartsWith("A\rxxx", rows[0][1]);
        Assert.Equal("cell B3 holds 200,000,000 characters; at most 32,767 are allowed", Assert.Single(rows[1].Issues).Message);
        Assert.Equal(new string('y', 32_767), rows[1][1]);
        Assert.Empty(rows[2].Issues);
        Assert.Equal("short", rows[2][1]);
    }

    /// <summary>Reads every row of <paramref name="path"/> and counts them, as an upload does; what it allocated.</summary>
    private (List<SourceRow> Rows, long Allocated) ReadCountingAllocations(string path)
    {
        var limits = new ReaderLimits { MaxCompressionRatio = 1_000_000 };
        var before = GC.GetAllocatedBytesForCurrentThread();
        List<SourceRow> rows;
        using (var file = files.Open(path, limits: limits))
        {
            rows = [.. file.ReadRows()];
            file.CountRows();
        }

        return (rows, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ReadRows_OdsCellOf200MillionCharacters_IsARowIssueAndItsTextIsNeverHeld()
    {
        // One cell of 200 million characters (400 MB as a .NET string) in two paragraphs with a line break, a tab,
        // spans and whitespace between them, written in chunks; the kept part reads as the whole text would begin.
        const int Huge = 200_000_000;
        var path = StreamedOds("bigcell.ods", table =>
        {
            table.Write("""<table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Notes</text:p></table:table-cell></table:table-row>""");
            table.Write("""<table:table-row><table:table-cell office:value-type="string"><text:p>PC-1</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>A<text:s text:c="2"/><text:tab/></text:p><text:p><text:span>B</text:span> <text:span>""");
            WriteRepeated(table, 'x', Huge - 9);
            table.Write("""</text:span><text:line-break/>z</text:p></table:table-cell></table:table-row>""");
            table.Write("""<table:table-row><table:table-cell office:value-type="string"><text:p>PC-2</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>short</text:p></table:table-cell></table:table-row>""");
        });
        var (rows, allocated) = ReadCountingAllocations(path);

        Assert.True(allocated < 64L * 1024 * 1024, $"Reading allocated {allocated:N0} bytes.");
        Assert.Equal("cell B2 holds 200,000,000 characters; at most 32,767 are allowed", Assert.Single(rows[0].Issues).Message);
        Assert.Equal(32_767, rows[0][1]!.Length);
        Assert.StartsWith("A  \t\nB xxx", rows[0][1]);
        Assert.Empty(rows[1].Issues);
        Assert.Equal("short", rows[1][1]);
    }

    [Fact]
    public void ReadRows_OdsCellAskingForTwoBillionSpaces_IsARowIssueWithoutAllocatingThem()
    {
        var path = files.Ods("spaces.ods", """<table:table table:name="Data"><table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Notes</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>PC-1</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>a<text:s text:c="2000000000"/>b</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>PC-2</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>a<text:s text:c="3"/>b</text:p></table:table-cell></table:table-row></table:table>""");

        var before = GC.GetAllocatedBytesForCurrentThread();
        List<SourceRow> rows;
        using (var file = files.Open(path))
        {
            rows = [.. file.ReadRows()];
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 64L * 1024 * 1024, $"Reading allocated {allocated:N0} bytes.");
        Assert.Equal("cell B2 holds 2,000,000,002 characters; at most 32,767 are allowed", Assert.Single(rows[0].Issues).Message);
        Assert.Equal("a" + new string(' ', 32_766), rows[0][1]);
        Assert.Empty(rows[1].Issues);
        Assert.Equal("a   b", rows[1][1]);
    }

    [Fact]
    public void Open_XlsxSharedStringsBeyondTheirMemoryLimit_RefusedAsTooLarge()
    {
        var strings = Enumerable.Range(1, 20_000).Select(i => $"Client {i:D6}").ToArray();
        var rows = string.Concat(Enumerable.Range(0, strings.Length).Select(i => $"""<row r="{i + 2}"><c r="A{i + 2}" t="s"><v>{i}</v></c></row>"""));
        var path = files.RawXlsx("clients.xlsx", """<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row>""" + rows, strings);

        // 20,000 items of 13 characters take about 1.2 MB by the estimate (26 bytes of text and 32 of bookkeeping each).
        using (var file = files.Open(path, limits: new ReaderLimits { MaxSharedStringsBytes = 2 * 1024 * 1024 }))
        {
            Assert.Equal(strings.Length, file.CountRows());
        }

        using var limited = files.Open(path, limits: new ReaderLimits { MaxSharedStringsBytes = 1024 * 1024 });
        var refused = Assert.Throws<ImportFileException>(() => limited.CountRows());

        Assert.Equal(FileProblemKind.TooLarge, refused.Problem.Kind);
        Assert.StartsWith("The workbook holds more text than can be read safely: its shared strings (the text of its cells) take more than 1.0 MB to read; at most 1.0 MB are allowed.", refused.Message);
    }

    [Fact]
    public void ReadRows_XlsxEscapesAcrossChunksAndRuns_DecodedAsInTheWholeText()
    {
        // An escape astride the reader's 8,192-character chunks, one split between two runs of rich text, an
        // underscore before an escape ("_x_x0042_" is "_xB") and underscores that begin none.
        var text = new string('a', 8_190) + "_x0041_" + "_x_x0042_" + "my_file_x00";
        var path = files.RawXlsx("escapes.xlsx",
            $"""<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Notes</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>PC-1</t></is></c><c r="B2" t="inlineStr"><is><t>{text}</t></is></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>PC-2</t></is></c><c r="B3" t="inlineStr"><is><r><t>a_x00</t></r><r><t>43_b</t></r></is></c></row>""");

        using var file = files.Open(path);
        var rows = file.ReadRows().ToList();

        Assert.Equal(new string('a', 8_190) + "A_xBmy_file_x00", rows[0][1]);
        Assert.Equal("aC" + "b", rows[1][1]);
    }

    [Fact]
    public void ReadRows_MoreRowsThanTheLimit_ThrowsTooLargeAndCountRowsToo()
    {
        var text = "Name\n" + string.Join("\n", Enumerable.Range(1, 20).Select(i => $"PC-{i}"));
        using var file = files.Open(files.WriteText("clients.csv", text, new UTF8Encoding(false), bom: false), limits: new ReaderLimits { MaxRows = 10 });

        var read = Assert.Throws<ImportFileException>(() => file.ReadRows().ToList());
        var count = Assert.Throws<ImportFileException>(() => file.CountRows());

        Assert.Equal(FileProblemKind.TooLarge, read.Problem.Kind);
        Assert.Contains("more than 10 rows", read.Message);
        Assert.Equal(FileProblemKind.TooLarge, count.Problem.Kind);
    }

    [Fact]
    public void Open_FileLargerThanTheLimit_FailsAsTooLarge()
    {
        var path = files.WriteText("clients.csv", "Name\n" + new string('x', 5000), new UTF8Encoding(false), bom: false);

        var problem = files.Problem(path, limits: new ReaderLimits { MaxFileBytes = 1024 });

        Assert.Equal(FileProblemKind.TooLarge, problem.Kind);
        Assert.Contains("at most 1.0 KB", problem.Message);
    }

    [Fact]
    public void Open_PdfNamedXlsx_SaysItIsAPdf()
    {
        var problem = files.Problem(files.Write("clients.xlsx", Encoding.ASCII.GetBytes("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")));

        Assert.Equal(FileProblemKind.WrongType, problem.Kind);
        Assert.Contains("PDF document", problem.Message);
    }

    [Fact]
    public void Open_XlsxNamedCsv_SaysItIsAZipWorkbook()
    {
        var workbook = files.RawXlsx("real.xlsx", """<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row>""");
        var path = files.Write("clients.csv", File.ReadAllBytes(workbook));

        var problem = files.Problem(path);

        Assert.Equal(FileProblemKind.WrongType, problem.Kind);
        Assert.Contains(".xlsx", problem.Message);
        Assert.Contains("not a CSV file", problem.Message);
    }

    [Fact]
    public void Open_CsvTextNamedXlsx_SaysItIsText()
    {
        var problem = files.Problem(files.WriteText("clients.xlsx", "Name,Model\nPC-1,M1\n", new UTF8Encoding(false), bom: false));

        Assert.Equal(FileProblemKind.WrongType, problem.Kind);
        Assert.Contains("name it .csv", problem.Message);
    }

    [Theory]
    [InlineData("""<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head><body><table><tr><td>Name</td></tr><tr><td>PC-1</td></tr></table></body></html>""",
        "The file is named .xls but is a web page (HTML), as some web tools export a table, not a workbook: open it in Excel or LibreOffice, save it as Excel Workbook (.xlsx) or ODF Spreadsheet (.ods), then upload that copy.")]
    [InlineData("""<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><table><tr><td>Name</td></tr></table>""",
        "The file is named .xls but is a web page (HTML), as some web tools export a table, not a workbook: open it in Excel or LibreOffice, save it as Excel Workbook (.xlsx) or ODF Spreadsheet (.ods), then upload that copy.")]
    [InlineData("""
        <?xml version="1.0"?>
        <?mso-application progid="Excel.Sheet"?>
        <Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
         <Worksheet ss:Name="Sheet1"><Table><Row><Cell><Data ss:Type="String">Name</Data></Cell></Row></Table></Worksheet>
        </Workbook>
        """,
        "The file is named .xls but is an Excel 2003 XML spreadsheet, which cannot be read: open it in Excel or LibreOffice, save it as Excel Workbook (.xlsx) or ODF Spreadsheet (.ods), then upload that copy.")]
    [InlineData("Name\tModel\r\nPC-1\tM1\r\n", "The file is named .xls but holds plain text, not a workbook; if it is a CSV file, name it .csv.")]
    public void Open_WebPageOrXmlSpreadsheetNamedXls_SaysToSaveItAsXlsxInExcel(string content, string expected)
    {
        var problem = files.Problem(files.WriteText("export.xls", content, new UTF8Encoding(false), bom: false));

        Assert.Equal(FileProblemKind.WrongType, problem.Kind);
        Assert.Equal(expected, problem.Message);
    }

    [Theory]
    [InlineData(".xltx")]
    [InlineData(".xltm")]
    public void Open_ExcelTemplateAsLibreOfficeSavesIt_IsReadAsAWorkbook(string extension)
    {
        // LibreOffice QA: Calc saves "Excel 2007-365 Template" as .xltx, an .xlsx package; it was refused by its name.
        var bytes = new TestData.ClientFile("Name", "Department").Rows(3, i => [$"PC-{i}", "IT"]).ToXlsx();
        using var file = files.Open(files.Write("clients" + extension, bytes));

        Assert.Equal(SpreadsheetFormat.Xlsx, file.Format);
        Assert.Equal(3, file.CountRows());
    }

    [Fact]
    public void Open_OpenDocumentTemplate_IsReadAsOds()
    {
        var path = files.Ods("clients.ots",
            """
            <table:table table:name="Clients">
            <table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell></table:table-row>
            <table:table-row><table:table-cell office:value-type="string"><text:p>PC-1</text:p></table:table-cell></table:table-row>
            </table:table>
            """,
            mimeType: "application/vnd.oasis.opendocument.spreadsheet-template");

        using var file = files.Open(path);

        Assert.Equal(SpreadsheetFormat.Ods, file.Format);
        TestFiles.AssertCells(Assert.Single(file.ReadRows()), "PC-1");
    }

    [Fact]
    public void Open_WebPageNamedCsv_SaysToSaveItInExcel()
    {
        // It said only that the file "looks like a web page (HTML), not a CSV file", with no way forward.
        var problem = files.Problem(files.WriteText("export.csv", "<!DOCTYPE html><html><body><table><tr><td>Name</td></tr></table></body></html>",
            new UTF8Encoding(false), bom: false));

        Assert.Equal(FileProblemKind.WrongType, problem.Kind);
        Assert.Equal("The file is named .csv but is a web page (HTML), not a CSV file: if it holds a table, open it in Excel or LibreOffice, save it as Excel Workbook (.xlsx) or CSV UTF-8, then upload that copy.",
            problem.Message);
    }

    [Fact]
    public void Open_ZipThatIsNotAWorkbook_SaysZipArchive()
    {
        var problem = files.Problem(files.Zip("clients.xlsx", new Dictionary<string, string> { ["readme.txt"] = "hello" }));

        Assert.Equal(FileProblemKind.WrongType, problem.Kind);
        Assert.Contains("zip archive", problem.Message);
    }

    [Fact]
    public void Open_WordDocumentNamedXlsx_SaysWordDocument()
    {
        var problem = files.Problem(files.Zip("clients.xlsx", new Dictionary<string, string>
        {
            ["[Content_Types].xml"] = "<Types/>",
            ["word/document.xml"] = "<document/>",
        }));

        Assert.Equal(FileProblemKind.WrongType, problem.Kind);
        Assert.Contains("Word document", problem.Message);
    }

    [Fact]
    public void Open_UnsupportedExtension_FailsAsWrongType()
    {
        var problem = files.Problem(files.WriteText("clients.ods", "x", new UTF8Encoding(false), bom: false));

        Assert.Equal(FileProblemKind.WrongType, problem.Kind);
        Assert.Contains(".ods", problem.Message);
    }

    [Fact]
    public void Open_BinaryBytesNamedCsv_FailsAsWrongType()
    {
        var problem = files.Problem(files.Write("clients.csv", [0x00, 0x01, 0x02, 0x03, 0x00, 0xFF, 0x10, 0x00, 0x00, 0x00, 0x7F, 0x00]));

        Assert.Equal(FileProblemKind.WrongType, problem.Kind);
    }

    [Fact]
    public void Open_WorkbookEncryptedWithAPassword_SaysPasswordProtectedAndHowToRemoveIt()
    {
        var path = files.Write("clients.xlsx", OfficeEncryption.Encrypt(SmallXlsx(), "secret"));

        var problem = files.Problem(path);

        Assert.Equal(FileProblemKind.PasswordProtected, problem.Kind);
        Assert.Contains("remove the password", problem.Message);
    }

    [Fact]
    public void Open_WorkbookEncryptedWithExcelsDefaultPassword_IsReadAsExcelOpensIt()
    {
        var path = files.Write("protected.xlsx", OfficeEncryption.Encrypt(SmallXlsx(), OfficeEncryption.DefaultPassword));

        using var file = files.Open(path);

        Assert.Equal(["Name", "Model"], file.Columns.Select(c => c.Header));
        TestFiles.AssertCells(Assert.Single(file.ReadRows()), "PC-1", "T14");
    }

    private byte[] SmallXlsx() => File.ReadAllBytes(files.RawXlsx("plain.xlsx",
        """<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>""",
        sharedStrings: ["Name", "Model", "PC-1", "T14"]));

    [Fact]
    public void Open_DamagedOleFileNamedXls_FailsAsCorrupt()
    {
        var bytes = new byte[4096];
        new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }.CopyTo(bytes, 0);
        Encoding.Unicode.GetBytes("Workbook").CopyTo(bytes, 1024);

        var problem = files.Problem(files.Write("clients.xls", bytes));

        Assert.Equal(FileProblemKind.Corrupt, problem.Kind);
    }

    [Fact]
    public void Open_TruncatedXlsx_FailsAsCorrupt()
    {
        var workbook = File.ReadAllBytes(files.RawXlsx("full.xlsx",
            string.Concat(Enumerable.Range(1, 200).Select(i => $"""<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>PC-{i}</t></is></c></row>"""))));

        var problem = files.Problem(files.Write("clients.xlsx", workbook[..(workbook.Length / 2)]));

        Assert.Equal(FileProblemKind.Corrupt, problem.Kind);
        Assert.Contains("damaged or incomplete", problem.Message);
    }

    [Fact]
    public void Open_ZipBombByDeclaredRatio_RefusedBeforeInflating()
    {
        var path = ZipWithZeros("bomb.xlsx", 50 * 1024 * 1024);

        var problem = files.Problem(path);

        Assert.Equal(FileProblemKind.TooLarge, problem.Kind);
        Assert.Contains("zip bombs", problem.Message);
    }

    [Fact]
    public void Open_ZipPartLargerThanThePerPartLimit_Refused()
    {
        var path = ZipWithZeros("big.xlsx", 3 * 1024 * 1024);

        var problem = files.Problem(path, limits: new ReaderLimits { MaxEntryInflatedBytes = 1024 * 1024 });

        Assert.Equal(FileProblemKind.TooLarge, problem.Kind);
        Assert.Contains("at most 1.0 MB per part", problem.Message);
    }

    [Fact]
    public void Open_ZipLargerThanTheTotalLimit_Refused()
    {
        var path = ZipWithZeros("big.xlsx", 3 * 1024 * 1024);

        var problem = files.Problem(path, limits: new ReaderLimits { MaxTotalInflatedBytes = 2 * 1024 * 1024 });

        Assert.Equal(FileProblemKind.TooLarge, problem.Kind);
        Assert.Contains("unpacks to 3.0 MB", problem.Message);
    }

    [Fact]
    public void Open_ZipPartInflatingBeyondItsDeclaredSize_RefusedAsTooLargeOrDamaged()
    {
        // The sheet declares 100 bytes but inflates to 20 MB: .NET notices the lie (damaged), or the counting stream stops it.
        var sheet = "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" + new string(' ', 20 * 1024 * 1024) + "</sheetData></worksheet>";
        var path = files.RawXlsx("liar.xlsx", "");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            zip.GetEntry("xl/worksheets/sheet1.xml")!.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("xl/worksheets/sheet1.xml").Open());
            writer.Write(sheet);
        }

        PatchDeclaredSize(path, "xl/worksheets/sheet1.xml", 100);

        var problem = files.Problem(path, limits: new ReaderLimits { RatioCheckMinBytes = 1024 * 1024 });

        Assert.Contains(problem.Kind, new[] { FileProblemKind.TooLarge, FileProblemKind.Corrupt });
    }

    /// <summary>A hand-made .xlsx (as <see cref="TestFiles.RawXlsx"/>) whose sheet data and shared strings are
    /// written part by part, so that a test never holds them whole.</summary>
    private string StreamedXlsx(string fileName, Action<TextWriter> sheetData, Action<TextWriter> sharedStrings)
    {
        const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        var template = files.RawXlsx("template-" + fileName, "");
        var path = files.Path(fileName);
        using var source = ZipFile.OpenRead(template);
        using var target = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var entry in source.Entries)
        {
            using var writer = new StreamWriter(target.CreateEntry(entry.FullName, CompressionLevel.Fastest).Open(), new UTF8Encoding(false), 1 << 16);
            switch (entry.FullName)
            {
                case "xl/worksheets/sheet1.xml":
                    writer.Write($"""<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{Main}"><sheetData>""");
                    sheetData(writer);
                    writer.Write("</sheetData></worksheet>");
                    break;
                case "xl/sharedStrings.xml":
                    writer.Write($"""<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{Main}">""");
                    sharedStrings(writer);
                    writer.Write("</sst>");
                    break;
                default:
                    using (var reader = new StreamReader(entry.Open()))
                    {
                        writer.Write(reader.ReadToEnd());
                    }

                    break;
            }
        }

        return path;
    }

    /// <summary>A hand-made .ods (as <see cref="TestFiles.Ods"/>) with one table "Data" whose rows are written part
    /// by part, so that a test never holds them whole.</summary>
    private string StreamedOds(string fileName, Action<TextWriter> rows)
    {
        const string Marker = "<!--rows-->";
        var template = files.Ods("template-" + fileName, $"""<table:table table:name="Data">{Marker}</table:table>""");
        var path = files.Path(fileName);
        using var source = ZipFile.OpenRead(template);
        using var target = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var entry in source.Entries)
        {
            string text;
            using (var reader = new StreamReader(entry.Open()))
            {
                text = reader.ReadToEnd();
            }

            var level = entry.FullName == "mimetype" ? CompressionLevel.NoCompression : CompressionLevel.Fastest;
            using var writer = new StreamWriter(target.CreateEntry(entry.FullName, level).Open(), new UTF8Encoding(false), 1 << 16);
            var at = entry.FullName == "content.xml" ? text.IndexOf(Marker, StringComparison.Ordinal) : -1;
            if (at < 0)
            {
                writer.Write(text);
                continue;
            }

            writer.Write(text.AsSpan(0, at));
            rows(writer);
            writer.Write(text.AsSpan(at + Marker.Length));
        }

        return path;
    }

    private static void WriteRepeated(TextWriter writer, char c, int count)
    {
        var chunk = new string(c, 1 << 16);
        for (var left = count; left > 0; left -= chunk.Length)
        {
            writer.Write(chunk.AsSpan(0, Math.Min(left, chunk.Length)));
        }
    }

    private string ZipWithZeros(string name, int size)
    {
        var path = files.RawXlsx(name, """<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>PC-1</t></is></c></row>""");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        using var stream = zip.CreateEntry("xl/media/padding.bin", CompressionLevel.SmallestSize).Open();
        stream.Write(new byte[size]);
        return path;
    }

    /// <summary>Overwrites the uncompressed size that the zip's local header and central directory declare for a part.</summary>
    private static void PatchDeclaredSize(string path, string entryName, uint size)
    {
        var bytes = File.ReadAllBytes(path);
        var name = Encoding.ASCII.GetBytes(entryName);
        for (var i = 0; i + 4 < bytes.Length; i++)
        {
            if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 3 && bytes[i + 3] == 4
                && bytes.AsSpan(i + 30, name.Length).SequenceEqual(name))
            {
                BitConverter.GetBytes(size).CopyTo(bytes, i + 22);
            }

            if (bytes[i] == 'P' && bytes[i + 1] == 'K' && bytes[i + 2] == 1 && bytes[i + 3] == 2
                && i + 46 + name.Length <= bytes.Length && bytes.AsSpan(i + 46, name.Length).SequenceEqual(name))
            {
                BitConverter.GetBytes(size).CopyTo(bytes, i + 24);
            }
        }

        File.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// Security review (decision 0183): CsvHelper has no bound on a field's length. A CSV of one 60 MB cell cost the app
    /// 775 MB before the cell was cut to 32,767 characters and its row failed. A cell past 128 KB, more than 32,767
    /// characters take in any encoding, now refuses the file when the reader reaches it, having read little more.
    /// </summary>
    [Fact]
    public void Open_CsvCellFarPastTheLongestValue_IsRefusedNamingItsRowAndColumn_AfterReadingLittleOfIt()
    {
        var path = files.WriteText("long.csv", "Name,Notes\nA1,short\nA2," + new string('x', 8 * 1024 * 1024) + "\n", new UTF8Encoding(false), bom: false);
        var size = new FileInfo(path).Length;

        var before = GC.GetAllocatedBytesForCurrentThread();
        var problem = ReadProblem(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(FileProblemKind.TooLarge, problem.Kind);
        Assert.Equal("Row 3 holds more than 128 KB of text in column B; a cell holds at most 32,767 characters. " +
            "Shorten the value and upload the file again. Nothing was imported.", problem.Message);
        Assert.True(allocated < size / 2, $"{allocated:N0} bytes allocated to refuse a file of {size:N0} bytes");
    }

    /// <summary>A quote never closed: the value runs on over lines; it is refused at the cell's bound, not at the end of the file.</summary>
    [Fact]
    public void Open_CsvQuoteNeverClosed_IsRefusedAtTheCellsBound_NamingTheRowWhereItOpens()
    {
        var body = string.Concat(Enumerable.Repeat("more text, and more\n", 800_000));
        var path = files.WriteText("open.csv", "sep=,\nName,Notes\n\"A\nB\",x\nA2,\"" + body, new UTF8Encoding(false), bom: false);
        var size = new FileInfo(path).Length;

        var before = GC.GetAllocatedBytesForCurrentThread();
        var problem = ReadProblem(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Excel's sep= line is not a row, and a quoted line break does not end one: the value opens in row 3.
        Assert.Equal(FileProblemKind.Corrupt, problem.Kind);
        Assert.Equal("Row 3 opens a quoted value in column B that runs on for more than 128 KB (a cell holds at most 32,767 " +
            "characters): probably its closing quote is missing; check the quotes in row 3. Nothing was imported.", problem.Message);
        Assert.True(allocated < size / 4, $"{allocated:N0} bytes allocated to refuse a file of {size:N0} bytes");
    }

    /// <summary>
    /// The longest cells a spreadsheet holds are not refused: 32,767 characters of three UTF-8 bytes each (CJK), of
    /// UTF-16, or with doubled quotes; they read whole.
    /// </summary>
    [Theory]
    [InlineData("utf-8", '\u6F22')]
    [InlineData("utf-16", 'é')]
    [InlineData("utf-8", '"')]
    public void Open_CsvCellOfTheMostCharactersAllowed_ReadsWhole(string encoding, char letter)
    {
        var value = new string(letter, 32_767);
        var cell = letter == '"' ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
        var text = "Name,Notes\nA1," + cell + "\n";
        var path = files.WriteText("max.csv", text, encoding == "utf-8" ? new UTF8Encoding(false) : Encoding.Unicode, bom: encoding != "utf-8");

        using var file = files.Open(path);

        Assert.Equal(value, file.SampleRows[0][1]);
    }

    /// <summary>A record's bound counts every cell of it (here lowered to 10,000 bytes); the file is refused naming the row.</summary>
    [Fact]
    public void Open_CsvRecordPastItsBound_IsRefusedNamingTheRow()
    {
        var row = "A2," + string.Join(",", Enumerable.Repeat(new string('r', 200), 60));
        var path = files.WriteText("record.csv", "Name,Notes\nA1,x\n" + row + "\nA3,y\n", new UTF8Encoding(false), bom: false);

        var problem = ReadProblem(path, new ReaderLimits { MaxCsvRecordBytes = 10_000 });

        Assert.Equal(FileProblemKind.TooLarge, problem.Kind);
        Assert.Equal("Row 3 is longer than 10,000 bytes, which no spreadsheet row is. Nothing was imported.", problem.Message);
    }

    /// <summary>
    /// A record of more delimiters than Excel has columns is refused as it is read, even when the cells past the column
    /// limit are empty: a 62 MB record of 31 million columns cost 920 MB before CsvHelper handed over its first field.
    /// </summary>
    [Fact]
    public void Open_CsvRecordOfMoreColumnsThanExcelHas_IsRefused_EvenWhenTheyAreEmpty()
    {
        var path = files.WriteText("commas.csv", "Name,Notes\nA1" + new string(',', 20_000) + "\n", new UTF8Encoding(false), bom: false);

        var problem = files.Problem(path);

        Assert.Equal(FileProblemKind.TooManyColumns, problem.Kind);
        Assert.StartsWith("The file has more than 16,384 columns in row 2; at most 500 are supported.", problem.Message);
    }

    /// <summary>
    /// Excel's <c>sep=</c> line is not a row, also when the bound breaks in the first bytes read, before the reader has
    /// handed over that line (review: the refusal named row 3 for the second line below it).
    /// </summary>
    [Fact]
    public void Open_CsvWithASeparatorLine_AndTooManyColumnsRightBelowIt_NamesTheRowBelowTheSeparatorLine()
    {
        var path = files.WriteText("sep.csv", "sep=;\nName;Notes\nA1" + new string(';', 20_000) + "\n", new UTF8Encoding(false), bom: false);

        var problem = ReadProblem(path);

        Assert.StartsWith("The file has more than 16,384 columns in row 2;", problem.Message);
    }

    /// <summary>A UTF-16 cell is bounded by its bytes too (two a character), and its row and column named.</summary>
    [Fact]
    public void Open_Utf16CsvCellFarPastTheLongestValue_IsRefused()
    {
        var path = files.WriteText("long16.csv", "Name,Notes\r\nA1,b\r\nA2,c\r\n" + new string(',', 3) + new string('x', 70_000) + "\r\n", Encoding.Unicode, bom: true);

        var problem = ReadProblem(path);

        Assert.Equal("Row 4 holds more than 128 KB of text in column D; a cell holds at most 32,767 characters. " +
            "Shorten the value and upload the file again. Nothing was imported.", problem.Message);
    }

    /// <summary>
    /// The file's problem, found when it is opened (the header and the first rows) or else when its rows are counted, as
    /// an upload does: a bound is checked as the bytes are read, a buffer ahead of the rows the reader hands over.
    /// </summary>
    private FileProblem ReadProblem(string path, ReaderLimits? limits = null)
    {
        var result = ImportFileReader.Open(path, Path.GetFileName(path), null, limits);
        if (!result.Succeeded)
        {
            return result.Problem!;
        }

        using var file = result.File!;
        return Assert.Throws<ImportFileException>(() => file.CountRows()).Problem;
    }

    /// <summary>A cell far down, past the rows the upload reads, stops the rows' stream when it is reached.</summary>
    [Fact]
    public void ReadRows_CsvCellFarPastTheLongestValue_FarDown_StopsTheStreamNamingIt()
    {
        var rows = string.Concat(Enumerable.Range(1, 3000).Select(i => $"R{i},v\n"));
        var path = files.WriteText("down.csv", "Name,Notes\n" + rows + "R3001,\"" + new string('q', 300_000) + "\"\n", new UTF8Encoding(false), bom: false);
        using var file = files.Open(path);

        var problem = Assert.Throws<ImportFileException>(() => file.ReadRows().Count()).Problem;

        Assert.StartsWith("Row 3,002 opens a quoted value in column B that runs on for more than 128 KB", problem.Message);
    }
}
