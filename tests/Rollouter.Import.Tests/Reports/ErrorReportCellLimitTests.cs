using System.Text;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Reports;
using static Rollouter.Import.Tests.Reports.ReportTestData;

namespace Rollouter.Import.Tests.Reports;

/// <summary>
/// QA on wide files: a cell of the error report longer than Excel's 32,767 characters (a value the file held longer, a
/// row failing in many columns) was written as it was, and Excel called the report damaged. Such a cell is cut to
/// 32,767 characters with a marker at its end, and the row's "Import errors" say so.
/// </summary>
public sealed class ErrorReportCellLimitTests
{
    private static async IAsyncEnumerable<ImportRowError> Errors(IEnumerable<ImportRowError> errors)
    {
        foreach (var error in errors)
        {
            await Task.Yield();
            yield return error;
        }
    }

    [Fact]
    public async Task ACellLongerThanExcelHolds_IsCutTo32767Characters_WithAMarker_AndTheRowsErrorsSaySo()
    {
        var notes = new string('n', 40_000);
        var csv = $"Name,Notes\nPC-1,{notes}\nPC-2,short\n";
        var opened = ImportFileReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "long.csv");
        Assert.True(opened.Succeeded, opened.Problem?.Message);
        using var file = opened.File!;
        // Row 2 fails for its long cell; row 3 in 400 columns' worth of messages, 48,000 characters together.
        ImportRowError[] errors =
        [
            new() { Row = 2, Column = "B", Value = "n…", Message = "cell B2 holds 40,000 characters; at most 32,767 are allowed" },
            .. Enumerable.Range(0, 400).Select(i => new ImportRowError { Row = 3, Column = "A", Value = "PC-2", Message = new string('m', 110) }),
        ];
        using var output = new MemoryStream();

        await ErrorReport.WriteAsync(file, Errors(errors), output);

        using var workbook = Open(output.ToArray());
        var sheet = workbook.Worksheets.First();
        var cut = sheet.Cell("C2").GetString();
        Assert.Equal(32_767, cut.Length);
        Assert.EndsWith("[… cut here: Excel holds at most 32,767 characters in a cell]", cut, StringComparison.Ordinal);
        Assert.StartsWith("nnnn", cut, StringComparison.Ordinal);
        Assert.StartsWith("C: cut in this report to Excel's 32,767 characters a cell (marked at its end); the uploaded file holds the whole value. " +
                          "C (Notes): cell B2 holds 40,000 characters", sheet.Cell("D2").GetString(), StringComparison.Ordinal);
        var messages = sheet.Cell("D3").GetString();
        Assert.Equal(32_767, messages.Length);
        Assert.EndsWith("[… cut here: Excel holds at most 32,767 characters in a cell]", messages, StringComparison.Ordinal);
        Assert.All(sheet.CellsUsed(), c => Assert.True(c.GetString().Length <= 32_767, c.Address.ToString()));
    }
}
