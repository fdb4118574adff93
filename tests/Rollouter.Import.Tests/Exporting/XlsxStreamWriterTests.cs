using System.IO.Compression;
using Rollouter.Import.Exporting;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Tests.Exporting;

/// <summary>The export's own .xlsx writer, read back by the importer's reader.</summary>
public sealed class XlsxStreamWriterTests
{
    private static async Task<byte[]> WriteAsync(IReadOnlyList<string> headers, params string?[][] rows)
    {
        using var output = new MemoryStream();
        await using (var writer = await XlsxStreamWriter.CreateAsync(output, "Clients", CancellationToken.None))
        {
            await writer.WriteHeaderAsync(headers);
            foreach (var row in rows)
            {
                await writer.WriteRowAsync(row);
            }

            await writer.FinishAsync(CancellationToken.None);
        }

        return output.ToArray();
    }

    [Fact]
    public async Task Values_ComeBackExactly_ThroughTheImportReader_LineBreaksSpacesAndFormulaLookalikesIncluded()
    {
        string?[] values = ["LT-1", "two\r\nlines\nand more", "  padded  ", "=SUM(A1:A2)", "+49 30 123", "-5", "@home", "00123", "1.5E3", "Grüße 😀"];
        var xlsx = await WriteAsync([.. values.Select((_, i) => $"H{i}")], values);

        var opened = ImportFileReader.Open(new MemoryStream(xlsx), "export.xlsx");

        using var file = opened.File ?? throw new InvalidOperationException(opened.Problem!.Message);
        Assert.Equal(values.Select((_, i) => $"H{i}"), file.Columns.Select(c => c.Header));
        var row = Assert.Single(file.ReadRows());
        Assert.Equal(values, Enumerable.Range(0, values.Length).Select(i => row[i]));
    }

    [Fact]
    public async Task TextsThatLookLikeOoxmlEscapes_AreEscapedAsExcelDoes_AndComeBackExactly()
    {
        // The reader decodes _xHHHH_ (Excel's carriage return _x000D_): a value that holds such text literally is written
        // with its "_" as _x005F_, so the export imports back unchanged.
        string?[] values = ["Part_x0031_", "Part_x005F_x0031_", "a_x000D_\r\nb", "_x_x00_x0041", "Dock on desk 3\r\nmonitor left"];
        var xlsx = await WriteAsync([.. values.Select((_, i) => $"H_x004{i}_")], values);

        var opened = ImportFileReader.Open(new MemoryStream(xlsx), "export.xlsx");

        using var file = opened.File ?? throw new InvalidOperationException(opened.Problem!.Message);
        Assert.Equal(values.Select((_, i) => $"H_x004{i}_"), file.Columns.Select(c => c.Header));
        var row = Assert.Single(file.ReadRows());
        Assert.Equal(values, Enumerable.Range(0, values.Length).Select(i => row[i]));
    }

    [Fact]
    public async Task HalfASurrogatePairAndUFFFE_AreWrittenAsU_FFFD_InCellsHeadersAndTheSheetName_AndSurrogatePairsStay()
    {
        // Built here, not in attributes: an attribute's string loses a lone surrogate on its way through metadata.
        string[] headers = ["Name", "Notes\uD83D"];
        string?[] values = ["LT-1\uFFFE", "cut \uD83D, \uDE00 and \uD83D\uDE00"];
        using var output = new MemoryStream();
        await using (var writer = await XlsxStreamWriter.CreateAsync(output, "Sheet \uD800", CancellationToken.None))
        {
            await writer.WriteHeaderAsync(headers);
            await writer.WriteRowAsync(values);
            await writer.FinishAsync(CancellationToken.None);
        }

        var opened = ImportFileReader.Open(new MemoryStream(output.ToArray()), "export.xlsx");

        using var file = opened.File ?? throw new InvalidOperationException(opened.Problem?.Message);
        Assert.Equal("Sheet \uFFFD", Assert.Single(file.Sheets).Name);
        Assert.Equal(["Name", "Notes\uFFFD"], file.Columns.Select(c => c.Header));
        var row = Assert.Single(file.ReadRows());
        Assert.Equal(new string?[] { "LT-1\uFFFD", "cut \uFFFD, \uFFFD and \uD83D\uDE00" }, new[] { row[0], row[1] });
    }

    [Fact]
    public async Task EmptyCellsAreLeftOut_ControlCharactersEscapedAsExcelDoes_AndFormulaLookalikesCarryTheQuotePrefixStyle()
    {
        var xlsx = await WriteAsync(["A", "B", "C", "D"], ["x", null, "bell\u0007here", "=1+1"], ["", "y", null, null]);

        using var zip = new ZipArchive(new MemoryStream(xlsx));
        var sheet = await new StreamReader(zip.GetEntry("xl/worksheets/sheet1.xml")!.Open()).ReadToEndAsync();
        Assert.Contains("<c r=\"C2\" t=\"inlineStr\"><is><t xml:space=\"preserve\">bell_x0007_here</t></is></c>", sheet);
        Assert.Contains("<c r=\"D2\" s=\"2\" t=\"inlineStr\">", sheet);
        Assert.DoesNotContain("r=\"B2\"", sheet);
        Assert.Contains("<row r=\"3\"><c r=\"B3\"", sheet);
        var styles = await new StreamReader(zip.GetEntry("xl/styles.xml")!.Open()).ReadToEndAsync();
        Assert.Contains("quotePrefix=\"1\"", styles);
        var opened = ImportFileReader.Open(new MemoryStream(xlsx), "export.xlsx");
        using var file = opened.File!;
        Assert.Equal(2, file.CountRows());
    }

    [Fact]
    public async Task ControlCharactersAndUFFFF_WhichXmlCannotCarry_AreWrittenAsExcelsEscapes_AndComeBackExactly()
    {
        // Built here, not in attributes: U+FFFF does not survive an attribute's string. Every control character XML
        // cannot carry, next to the texts that look like escapes.
        var controls = new string([.. Enumerable.Range(0, 32).Select(c => (char)c).Where(c => c is not ('\t' or '\n' or '\r'))]);
        string?[] values = ["a\u0001b", "end\uFFFF", "_x0041_", "\u0001_x0041_\uFFFF", controls, "_x005F_x0001_", "\u0001_x0001_"];
        var xlsx = await WriteAsync([.. values.Select((_, i) => $"H{i}\u0002")], values);

        using (var zip = new ZipArchive(new MemoryStream(xlsx)))
        {
            var sheet = await new StreamReader(zip.GetEntry("xl/worksheets/sheet1.xml")!.Open()).ReadToEndAsync();
            Assert.Contains(">a_x0001_b<", sheet);
            Assert.Contains(">end_xFFFF_<", sheet);
            Assert.Contains(">_x005F_x0041_<", sheet);
            Assert.Contains(">_x0001__x005F_x0041__xFFFF_<", sheet);
        }

        var opened = ImportFileReader.Open(new MemoryStream(xlsx), "export.xlsx");

        using var file = opened.File ?? throw new InvalidOperationException(opened.Problem?.Message);
        Assert.Equal(values.Select((_, i) => $"H{i}\u0002"), file.Columns.Select(c => c.Header));
        var row = Assert.Single(file.ReadRows());
        Assert.Equal(values, Enumerable.Range(0, values.Length).Select(i => row[i]));
    }

    [Fact]
    public async Task HeadersThatLookLikeFormulas_AreBoldWithTheQuotePrefix_AndReadBackExactly()
    {
        string[] headers = ["Name", "=Cost", "+Extra", "-Rebate", "@Owner", "\tTabbed", "\rReturned"];
        var xlsx = await WriteAsync(headers, ["PC-1", "1", "2", "3", "4", "5", "6"]);

        using var workbook = new ClosedXML.Excel.XLWorkbook(new MemoryStream(xlsx));
        var row = workbook.Worksheet(1).Row(1);
        Assert.False(row.Cell(1).Style.IncludeQuotePrefix);
        Assert.True(row.Cell(1).Style.Font.Bold);
        for (var column = 2; column <= headers.Length; column++)
        {
            Assert.True(row.Cell(column).Style.IncludeQuotePrefix, headers[column - 1]);
            Assert.True(row.Cell(column).Style.Font.Bold, headers[column - 1]);
            Assert.False(row.Cell(column).HasFormula, headers[column - 1]);
        }

        var opened = ImportFileReader.Open(new MemoryStream(xlsx), "export.xlsx");
        using var file = opened.File ?? throw new InvalidOperationException(opened.Problem!.Message);
        // The reader trims headers (a leading tab or return included), as for any file.
        Assert.Equal(headers.Select(h => h.Trim()), file.Columns.Select(c => c.Header));
    }

    [Fact]
    public async Task PercentageImportedAsShown_ExportedAndImportedAgain_StaysTheSameValue()
    {
        // A cell holding 0.125 in a "0%" format imports as "12.5%"; the export writes that text; importing it gives it back.
        using var files = new Reading.TestFiles();
        var original = files.RawXlsx("percent.xlsx",
            """<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Share</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>PC-1</t></is></c><c r="B2" s="1"><v>0.125</v></c></row>""",
            cellXfs: """<xf numFmtId="0"/><xf numFmtId="9"/>""");
        using var imported = files.Open(original);
        var value = Assert.Single(imported.ReadRows())[1];

        var exported = await WriteAsync(["Name", "Share"], ["PC-1", value]);
        using var reimported = ImportFileReader.Open(new MemoryStream(exported), "export.xlsx").File!;

        Assert.Equal("12.5%", value);
        Assert.Equal(value, Assert.Single(reimported.ReadRows())[1]);
    }
}
