using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Tests.Reading;

public sealed class XlsbReaderTests : IDisposable
{
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void Xlsb_CellsOfEveryKindHiddenRowsColumnsAndMerges_ReadLikeXlsx()
    {
        var path = files.Write("clients.xlsb", XlsbFile.Create(
            new XlsbFile.Sheet("Read me", [["How to fill in this file"]]),
            new XlsbFile.Sheet("Clients",
            [
                ["Name", "Count", "Small", "Installed", "Uptime", "Ok", "Lookup", "Note"],
                ["PC-1", 0.1 + 0.2, new XlsbFile.Rk(42), new XlsbFile.Formatted(45366.5, "dd.mm.yyyy hh:mm"), new XlsbFile.Formatted(1.5, "[h]:mm:ss"), true, new XlsbFile.Error(0x2A), "!inline"],
                ["PC-2", 12345678901234d],
                ["PC-3", 3d],
            ],
            HiddenRows: new HashSet<int> { 2 },
            HiddenColumns: (7, 7),
            Merges: [(0, 0, 6, 7)])));

        using var file = files.Open(path);
        var rows = file.ReadRows().ToList();

        Assert.Equal(SpreadsheetFormat.Xlsb, file.Format);
        Assert.Equal("Clients", file.Sheet);
        Assert.Equal([new SheetInfo("Read me", false, 1), new SheetInfo("Clients", false, 4)], file.Sheets);
        Assert.Equal(["Name", "Count", "Small", "Installed", "Uptime", "Ok", "Lookup", "Note"], file.Columns.Select(c => c.Header));
        TestFiles.AssertCells(rows[0], "PC-1", "0.3", "42", "2024-03-15T12:00:00", "36:00:00", "TRUE", "#N/A", "inline");
        Assert.Equal("cell G2 holds the Excel error #N/A", Assert.Single(rows[0].Issues).Message);
        Assert.Equal([2, 4], rows.Select(r => r.RowNumber));
        Assert.Contains(file.Warnings, w => w.Kind == FileWarningKind.HiddenRows && w.Message.StartsWith("Row 3 is hidden", StringComparison.Ordinal));
        Assert.Contains(file.Warnings, w => w.Kind == FileWarningKind.HiddenColumns && w.Message.StartsWith("Column H is hidden", StringComparison.Ordinal));
        Assert.Contains(file.Warnings, w => w.Kind == FileWarningKind.MergedCells && w.Message.Contains("G1:H1"));
        Assert.Equal(2, file.CountRows());
    }

    [Fact]
    public void Xlsb_TextThatLooksLikeAnOoxmlEscape_ReadsAsItStands()
    {
        // An .xlsb stores text as UTF-16 (XLWideString, [MS-XLSB] 2.5.169), control characters included: the _xHHHH_
        // escapes are XML's (an .xlsx's ST_Xstring), and Excel writes none here, so a literal "_x0041_" stays.
        var control = "bell\u0001";
        var path = files.Write("escapes.xlsb", XlsbFile.Create(new XlsbFile.Sheet("Clients",
        [
            ["Name", "Note", "Inline"],
            ["PC-1", "_x0041_ and _x000D_", "!_x005F_x0041_"],
            ["PC-2", control, "!" + control],
        ])));

        using var file = files.Open(path);
        var rows = file.ReadRows().ToList();

        TestFiles.AssertCells(rows[0], "PC-1", "_x0041_ and _x000D_", "_x005F_x0041_");
        TestFiles.AssertCells(rows[1], "PC-2", control, control);
    }
}
