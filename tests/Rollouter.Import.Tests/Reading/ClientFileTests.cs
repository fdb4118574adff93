using System.Text;

namespace Rollouter.Import.Tests.Reading;

/// <summary>
/// The bench's file, as the tests' builder writes it, reads back as the rows it was made of: quotes, delimiters and
/// line breaks inside cells survive in every format, so a test's file and the bench's mean what they say.
/// </summary>
public sealed class ClientFileTests : IDisposable
{
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    [Theory]
    [InlineData("comma.csv")]
    [InlineData("semicolon.csv")]
    [InlineData("bench.xlsx")]
    public void BenchFile_ReadsBackAsTheRowsItWasMadeOf(string fileName)
    {
        var path = files.Path(fileName);
        var file = BenchData.File(8);
        switch (fileName)
        {
            case "comma.csv":
                file.WriteCsv(path, ',', "\r\n");
                break;
            case "semicolon.csv":
                file.WriteCsv(path, ';', "\n", TestFiles.Windows1252);
                break;
            default:
                file.WriteXlsx(path);
                break;
        }

        using var read = files.Open(path);

        Assert.Equal(BenchData.Headers, read.Columns.Select(c => c.Header));
        // The samples hold each kind of note: none, a comma, quotes, a line break.
        Assert.InRange(read.SampleRows.Count, 4, 8);
        foreach (var (row, i) in read.SampleRows.Select((r, i) => (r, i + 1)))
        {
            Assert.Equal(i + 1, row.RowNumber);
            Assert.Equal(BenchData.Row(i), row.Cells.Select(c => c ?? ""));
        }
    }

    [Fact]
    public void ToCsvBytes_WritesTheEncodingsPreamble_AndQuotesOnlyWhatNeedsIt()
    {
        var file = new ClientFile("Name", "Notes").Row("PC-1", "a;b").Row("PC-2", "says \"hi\"");

        Assert.Equal("Name;Notes\nPC-1;\"a;b\"\nPC-2;\"says \"\"hi\"\"\"\n", file.ToCsv(';'));
        Assert.Equal("Name,Notes\r\nPC-1,a;b\r\nPC-2,\"says \"\"hi\"\"\"\r\n", file.ToCsv(',', "\r\n"));
        Assert.Equal([0xEF, 0xBB, 0xBF, (byte)'N'], file.ToCsvBytes(encoding: new UTF8Encoding(true))[..4]);
        Assert.Equal((byte)'N', file.ToCsvBytes()[0]);
    }
}
