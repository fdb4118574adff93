using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Tests.Reading;

public sealed class XlsReaderTests : IDisposable
{
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void Xls_TextNumbersDatesHiddenRowsAndMerges_ReadLikeXlsx()
    {
        object?[][] rows =
        [
            ["Name", "Count", "Installed", "Room"],
            ["PC-1", 0.1 + 0.2, new DateTime(2024, 3, 15), "A"],
            ["PC-2", 12345678901234d, new DateTime(2023, 12, 1), null],
            ["PC-3", 3d, new DateTime(2022, 1, 2), "B"],
        ];
        var path = files.Write("clients.xls", BiffWorkbook.Create("Clients", rows, hiddenRows: new HashSet<int> { 2 }, merges: [(1, 2, 3, 3)]));

        using var file = files.Open(path);
        var all = files.Open(path, new ParseOptions(IncludeHiddenRows: true)).ReadRows().ToList();

        Assert.Equal(SpreadsheetFormat.Xls, file.Format);
        Assert.Equal("Clients", Assert.Single(file.Sheets).Name);
        Assert.Equal(["Name", "Count", "Installed", "Room"], file.Columns.Select(c => c.Header));
        TestFiles.AssertCells(file.SampleRows[0], "PC-1", "0.3", "2024-03-15", "A");
        Assert.Equal([2, 4], file.ReadRows().Select(r => r.RowNumber));
        Assert.Equal("12345678901234", all[1][1]);
        Assert.Contains(file.Warnings, w => w.Kind == FileWarningKind.HiddenRows && w.Message.StartsWith("Row 3 is hidden", StringComparison.Ordinal));
        Assert.Contains(file.Warnings, w => w.Kind == FileWarningKind.MergedCells && w.Message.Contains("D2:D3"));
    }

    [Fact]
    public void Xls_ZeroPaddedFormatsWithLiterals_KeepTheirZerosAndLiterals()
    {
        object?[][] rows =
        [
            ["Name", "Zip", "SSN", "Asset", "Code"],
            ["PC-1", new BiffWorkbook.Formatted(12345678, "00000-0000"), new BiffWorkbook.Formatted(12345678, "000-00-0000"),
                new BiffWorkbook.Formatted(4711, "\"DE\"000000"), new BiffWorkbook.Formatted(7, "000\\-000")],
        ];
        var path = files.Write("codes.xls", BiffWorkbook.Create("Clients", rows));

        using var file = files.Open(path);

        TestFiles.AssertCells(file.SampleRows[0], "PC-1", "01234-5678", "012-34-5678", "DE004711", "000-007");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Xls_ErrorCells_ConstantsAndFormulaResults_AreRowErrorsNamingTheCell_AsInXlsx(bool inTheMiniStream)
    {
        object?[][] rows =
        [
            ["Name", "Model", "Lookup", "Ratio"],
            ["PC-1", "T14", new BiffWorkbook.ErrorCell(0x2A), 1d],
            ["PC-2", "T14", "ok", new BiffWorkbook.ErrorCell(0x07, Formula: true)],
            [null, null, new BiffWorkbook.ErrorCell(0x17, Formula: true)],
        ];
        var path = files.Write("errors.xls", BiffWorkbook.Create("Clients", rows, small: inTheMiniStream));

        using var file = files.Open(path);
        var read = file.ReadRows().ToList();

        TestFiles.AssertCells(read[0], "PC-1", "T14", "#N/A", "1");
        Assert.Equal("cell C2 holds the Excel error #N/A", Assert.Single(read[0].Issues).Message);
        TestFiles.AssertCells(read[1], "PC-2", "T14", "ok", "#DIV/0!");
        Assert.Equal("cell D3 holds the Excel error #DIV/0!", Assert.Single(read[1].Issues).Message);
        Assert.Equal(4, read[2].RowNumber);
        Assert.Equal("cell C4 holds the Excel error #REF!", Assert.Single(read[2].Issues).Message);
        Assert.Equal(3, file.CountRows());
    }

    [Fact]
    public void Xls_NamedXlsx_ReadByContent()
    {
        var path = files.Write("clients.xlsx", BiffWorkbook.Create("S", [["Name"], ["PC-1"]]));

        using var file = files.Open(path);

        Assert.Equal(SpreadsheetFormat.Xls, file.Format);
        Assert.Equal("PC-1", file.SampleRows[0][0]);
    }

    [Theory]
    [InlineData("WORKBOOK")]
    [InlineData("BOOK")]
    [InlineData("Book")]
    public void Xls_WorkbookStreamNamedInOtherCapitals_IsReadAsAWorkbook(string streamName)
    {
        var path = files.Write("legacy.xls", BiffWorkbook.Create("S", [["Name"], ["PC-1"]], streamName: streamName));

        using var file = files.Open(path);

        Assert.Equal(SpreadsheetFormat.Xls, file.Format);
        Assert.Equal("PC-1", file.SampleRows[0][0]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Xls_ARecordRunningPastTheSheetsEnd_IsRefusedNamingTheLastWholeRow_NotCutSilently(bool inTheMiniStream)
    {
        // QA's file: the length of the LABEL record holding "XLS-19" (row 21) damaged from 21 to 3861 bytes.
        // ExcelDataReader skipped it and ended the sheet: 20 of 50 rows, no warning.
        object?[][] rows = [["Name", "Department"], .. Enumerable.Range(0, inTheMiniStream ? 5 : 50).Select(i => new object?[] { $"XLS-{i}", "IT" })];
        var damagedName = inTheMiniStream ? "XLS-3" : "XLS-19";
        var path = files.Write("damaged.xls", BiffWorkbook.WithLabelLengthDamaged(BiffWorkbook.Create("Clients", rows, small: inTheMiniStream), damagedName));

        using var file = files.Open(path);
        var counted = Assert.Throws<ImportFileException>(() => file.CountRows());
        var read = new List<SourceRow>();
        var streamed = Assert.Throws<ImportFileException>(() => read.AddRange(file.ReadRows()));

        var lastWhole = inTheMiniStream ? 4 : 20;
        Assert.Equal(FileProblemKind.Corrupt, counted.Problem.Kind);
        Assert.StartsWith($"The file is damaged after row {lastWhole} of sheet \"Clients\"", counted.Problem.Message);
        Assert.Contains("save it again there", counted.Problem.Message);
        Assert.Equal(counted.Problem.Message, streamed.Problem.Message);
        Assert.Equal(lastWhole, read[^1].RowNumber);
    }

    [Fact]
    public void Xls_WithoutDamage_ReadsEveryRow_WhateverTheRecordLengths()
    {
        object?[][] rows = [["Name", "Department"], .. Enumerable.Range(0, 50).Select(i => new object?[] { $"XLS-{i}", new string('x', i * 40) })];
        var path = files.Write("long.xls", BiffWorkbook.Create("Clients", rows));

        using var file = files.Open(path);

        Assert.Equal(50, file.CountRows());
        Assert.Equal(new string('x', 49 * 40), file.ReadRows().Last()[1]);
    }
}
