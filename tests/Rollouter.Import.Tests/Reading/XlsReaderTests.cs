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

    // Tokens as LibreOffice Calc 7.4 writes them: ="x"&"y"; =UPPER(A2); =IF(A3="";"";"ok") filled down (a shared
    // formula, tRefNV); =IF(A3="";"big";5); =LEN("ab"&A4); =1+1.
    private static readonly byte[] Concatenated = [0x17, 1, 0, (byte)'x', 0x17, 1, 0, (byte)'y', 0x08];
    private static readonly byte[] Upper = [0x44, 1, 0, 0, 0xC0, 0x41, 0x71, 0];
    private static readonly byte[] IfOk =
        [0x4C, 0, 0, 0xFC, 0xC0, 0x17, 0, 0, 0x0B, 0x19, 0x02, 7, 0, 0x17, 0, 0, 0x19, 0x08, 0x0C, 0, 0x17, 2, 0, (byte)'o', (byte)'k', 0x19, 0x08, 3, 0, 0x42, 3, 1, 0];
    private static readonly byte[] IfBigOrFive =
        [0x44, 2, 0, 0, 0xC0, 0x17, 0, 0, 0x0B, 0x19, 0x02, 10, 0, 0x17, 3, 0, (byte)'b', (byte)'i', (byte)'g', 0x19, 0x08, 7, 0, 0x1E, 5, 0, 0x19, 0x08, 3, 0, 0x42, 3, 1, 0];
    private static readonly byte[] Length = [0x17, 2, 0, (byte)'a', (byte)'b', 0x44, 3, 0, 0, 0xC0, 0x08, 0x41, 0x20, 0];
    private static readonly byte[] OnePlusOne = [0x1E, 1, 0, 0x1E, 1, 0, 0x03];

    [Fact]
    public void Xls_TextFormulasStoredAsNumbers_AreRowErrorsAndWarned_NotImportedAsZero()
    {
        // LibreOffice Calc saves the text result of a formula it did not recalculate (one it read from an .ods or
        // .fods with its value) as the number 0 in an .xls, without the STRING record that holds the text.
        object?[][] rows =
        [
            ["Name", "Description", "Check", "Size", "Count"],
            ["PC-1", new BiffWorkbook.Formula(0, Concatenated), new BiffWorkbook.Formula(0, IfOk, SharedFrom: 1, SharedTo: 3), new BiffWorkbook.Formula(0, IfBigOrFive), new BiffWorkbook.Formula(2, OnePlusOne)],
            ["PC-2", "plain", new BiffWorkbook.Formula(0, SharedFrom: 1), 5d, new BiffWorkbook.Formula(3, Length)],
            ["PC-3", new BiffWorkbook.Formula(0, Upper), new BiffWorkbook.Formula(0, SharedFrom: 1), 7d, 1d],
        ];
        var path = files.Write("calc.xls", BiffWorkbook.Create("Data", rows));

        using var file = files.Open(path);
        var read = file.ReadRows().ToList();

        TestFiles.AssertCells(read[0], "PC-1", "0", "0", "0", "2");
        Assert.Equal(
            [
                "cell B2 holds a formula that gives text, but the file stores the number 0 as its result (LibreOffice Calc saves a text formula so in an .xls when it did not recalculate it); save the file as .xlsx or .ods (in Excel or LibreOffice) and upload that",
                "cell C2 holds a formula that gives text, but the file stores the number 0 as its result (LibreOffice Calc saves a text formula so in an .xls when it did not recalculate it); save the file as .xlsx or .ods (in Excel or LibreOffice) and upload that",
            ],
            read[0].Issues.Select(i => i.Message));
        Assert.Equal([2], read[1].Issues.Select(i => i.ColumnIndex));
        Assert.Equal([1, 2], read[2].Issues.Select(i => i.ColumnIndex));
        Assert.Contains(file.Warnings, w => w.Message ==
            "Sheet \"Data\", columns B (rows 2 and 4) and C (rows 2–4): formulas that give text, but the .xls stores a number as each result (LibreOffice Calc saves 0 for a text formula it did not recalculate), so these cells are not imported and a row that imports one fails. Save the file as .xlsx or .ods (in Excel or LibreOffice) and upload that.");
        Assert.Contains(file.Warnings, w => w.Message ==
            "Sheet \"Data\", column D (row 2): formulas that can give text, but the .xls stores a number as their result, which may not be what the cells show: check these values in the sample rows, and if they are wrong, save the file as .xlsx or .ods (in Excel or LibreOffice) and upload that.");
        Assert.Equal(2, file.Warnings.Count(w => w.Message.Contains("formulas that", StringComparison.Ordinal)));
    }

    [Fact]
    public void Xls_FormulasGivingEmptyTextBelowTheTable_AreNotCountedAsRowsOfTheSheet()
    {
        // LibreOffice QA: a helper column =IF(A8="";"";"ok") filled down to row 299 listed the sheet as "299 rows".
        var rows = new List<object?[]> { new object?[] { "Name", "Department", "Check" } };
        rows.AddRange(Enumerable.Range(1, 3).Select(i => new object?[] { $"PC-{i}", "IT", "ok" }));
        rows.AddRange(Enumerable.Range(0, 50).Select(_ => new object?[] { null, null, new BiffWorkbook.EmptyTextFormula() }));
        var path = files.Write("filled-down.xls", BiffWorkbook.Create("Data", rows));

        using var file = files.Open(path);

        Assert.Equal([new SheetInfo("Data", false, 4)], file.Sheets);
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
