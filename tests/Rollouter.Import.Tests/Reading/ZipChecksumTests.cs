using System.IO.Compression;
using System.Text;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.TestData;

namespace Rollouter.Import.Tests.Reading;

/// <summary>
/// A zip-based workbook one of whose parts does not have the CRC-32 its zip records is refused (decision 0052), as a
/// damaged .xls is (decision 0047): .NET's ZipArchive reads such a part without a word, so a byte changed in a stored
/// part, or in a deflated one that still inflates, was imported as other text.
/// </summary>
public sealed class ZipChecksumTests : IDisposable
{
    private const string ExcelAdvice = "If Excel opens it, save it again there (File › Save As, Excel Workbook .xlsx) and upload that copy.";

    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void ZipArchive_ReadsAStoredPartWithAByteChanged_WithoutAWord()
    {
        // Why the readers compare the CRC themselves: .NET 10's ZipArchive does not, for a stored part.
        var damaged = DamagedZip.StoredPartChanged(Clients(50).ToXlsx(), "xl/sharedStrings.xml", "PC-017", "PC-01X");

        using var zip = new ZipArchive(new MemoryStream(damaged), ZipArchiveMode.Read);
        using var reader = new StreamReader(zip.GetEntry("xl/sharedStrings.xml")!.Open());

        Assert.Contains("PC-01X", reader.ReadToEnd());
    }

    [Fact]
    public void Xlsx_StoredSharedStringsWithAByteChanged_AreRefusedNamingThePart_AtUploadAndInTheRun()
    {
        // 2,000 rows: opening the file (sheet, header, the mapping step's first rows) reads the first strings only.
        var path = files.Write("clients.xlsx", DamagedZip.StoredPartChanged(Clients(2000).ToXlsx(), "xl/sharedStrings.xml", "PC-017", "PC-01X"));

        // The upload: counting every row reaches the part's end.
        Assert.Equal(Damaged("xl/sharedStrings.xml"), UploadProblem(path).Message);

        // The run reads every row before it writes one: it ends in the same refusal, never with "PC-01X" written.
        using var file = files.Open(path);
        var refused = Assert.Throws<ImportFileException>(() => file.ReadRows().ToList());
        Assert.Equal(FileProblemKind.Corrupt, refused.Problem.Kind);
        Assert.Equal(Damaged("xl/sharedStrings.xml"), refused.Problem.Message);
    }

    [Fact]
    public void Xlsx_DeflatedSharedStringsThatStillInflateToOtherText_AreRefused()
    {
        var path = files.Write("clients.xlsx", DamagedZip.DeflatedPartChanged(Clients(50).ToXlsx(), "xl/sharedStrings.xml", "PC-017", "PC-01X"));

        Assert.Equal(Damaged("xl/sharedStrings.xml"), UploadProblem(path).Message);
    }

    [Fact]
    public void Xlsx_StoredSheetWithAByteChanged_IsRefusedWhenTheFileIsOpened()
    {
        // Row 19's shared string index 20 ("PC-017") read as 21 ("PC-018"): a duplicate name from one byte.
        var path = files.Write("clients.xlsx", DamagedZip.StoredPartChanged(Clients(50).ToXlsx(), "xl/worksheets/sheet1.xml", "<v>20</v>", "<v>21</v>"));

        var problem = files.Problem(path);

        Assert.Equal(FileProblemKind.Corrupt, problem.Kind);
        Assert.Equal(Damaged("xl/worksheets/sheet1.xml"), problem.Message);
    }

    [Fact]
    public void Xlsx_StoredPartsUndamaged_ReadAsEver()
    {
        var path = files.Write("clients.xlsx", DamagedZip.StoredPartChanged(
            DamagedZip.StoredPartChanged(Clients(50).ToXlsx(), "xl/sharedStrings.xml", "PC-017", "PC-017"), "xl/worksheets/sheet1.xml", "<v>20</v>", "<v>20</v>"));

        using var file = files.Open(path);

        Assert.Equal(50, file.CountRows());
        Assert.Equal("PC-017", file.ReadRows().ElementAt(17).Cells[0]);
    }

    [Fact]
    public void Xlsb_StoredSheetWithAByteChanged_IsRefused()
    {
        object?[][] rows = [["Name", "Department"], .. Enumerable.Range(0, 50).Select(i => new object?[] { $"!PC-{i:D3}", "IT" })];
        var xlsb = XlsbFile.Create(new XlsbFile.Sheet("Clients", rows));
        var path = files.Write("clients.xlsb", DamagedZip.StoredPartChanged(xlsb, "xl/worksheets/sheet1.bin", "PC-017", "PC-01X", Encoding.Unicode));

        var problem = files.Problem(path);

        Assert.Equal(FileProblemKind.Corrupt, problem.Kind);
        Assert.Equal(Damaged("xl/worksheets/sheet1.bin"), problem.Message);
    }

    [Fact]
    public void Ods_DeflatedContentThatStillInflatesToOtherText_IsRefused_WithLibreOfficesAdvice()
    {
        var cells = string.Concat(Enumerable.Range(0, 50).Select(i =>
            $"""<table:table-row><table:table-cell office:value-type="string"><text:p>PC-{i:D3}</text:p></table:table-cell></table:table-row>"""));
        var ods = File.ReadAllBytes(files.Ods("template.ods",
            $"""<table:table table:name="Clients"><table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell></table:table-row>{cells}</table:table>"""));
        var path = files.Write("clients.ods", DamagedZip.DeflatedPartChanged(ods, "content.xml", "PC-017", "PC-01X"));

        var problem = files.Problem(path);

        Assert.Equal(FileProblemKind.Corrupt, problem.Kind);
        Assert.Equal(
            "The file is damaged: its part \"content.xml\" does not match the checksum the file records for it, so the values read from it may not be the ones that were saved. " +
            "If LibreOffice or Excel opens it, save it again there and upload that copy.",
            problem.Message);
    }

    private static ClientFile Clients(int count) =>
        new ClientFile("Name", "Department").Rows(count, i => [$"PC-{i:D3}", "IT"], first: 0);

    private static string Damaged(string part) =>
        $"The file is damaged: its part \"{part}\" does not match the checksum the file records for it, so the values read from it may not be the ones that were saved. {ExcelAdvice}";

    /// <summary>What the upload does with a file: open it (the mapping step's first rows), then count every row.</summary>
    private FileProblem UploadProblem(string path)
    {
        var opened = ImportFileReader.Open(path, Path.GetFileName(path));
        if (!opened.Succeeded)
        {
            return opened.Problem!;
        }

        using var file = opened.File!;
        return Assert.Throws<ImportFileException>(() => file.CountRows()).Problem;
    }
}
