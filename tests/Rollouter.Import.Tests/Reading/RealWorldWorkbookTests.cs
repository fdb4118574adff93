using ClosedXML.Excel;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Tests.Reading;

/// <summary>
/// Workbooks as customers send them: cover sheets, titles above the header, columns that the first rows leave empty,
/// durations and percentages, rows that are all hidden. Each must open, offer every column that holds a value, and
/// read its values as Excel shows them.
/// </summary>
public sealed class RealWorldWorkbookTests : IDisposable
{
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void ValueBeyondTheHeaderOnRow500_IsOfferedAsColumnKAfterTheCountingPass_WithAWarning()
    {
        var path = Workbook(sheet =>
        {
            sheet.Cell(1, 1).Value = "Name";
            sheet.Cell(1, 2).Value = "Model";
            for (var r = 2; r <= 600; r++)
            {
                sheet.Cell(r, 1).Value = $"PC-{r}";
                sheet.Cell(r, 2).Value = "T14";
            }

            sheet.Cell(500, 11).Value = "late value";
            sheet.Cell(580, 11).Value = "later value";
        });

        ParseOptions stored;
        using (var uploaded = files.Open(path))
        {
            Assert.Equal(599, uploaded.CountRows());
            Assert.Equal(11, uploaded.Columns.Count);
            Assert.Equal("Column K", uploaded.Columns[10].Header);
            Assert.Contains(uploaded.Warnings, w => w.Kind == FileWarningKind.UnnamedColumns
                && w.Message.StartsWith("Column K has values from row 500 on but no header", StringComparison.Ordinal));
            stored = ParseOptions.FromJson(uploaded.Options.ToJson());
        }

        // The mapping step and the job open the kept file with the stored options: the column stays, so does the warning.
        using var reopened = files.Open(path, stored);
        Assert.Equal(11, reopened.Columns.Count);
        Assert.Contains(reopened.Warnings, w => w.Message.StartsWith("Column K has values from row 500 on", StringComparison.Ordinal));
        var rows = reopened.ReadRows().ToList();
        Assert.Equal("late value", rows.Single(r => r.RowNumber == 500)[10]);
        Assert.Equal("later value", rows.Single(r => r.RowNumber == 580)[10]);
    }

    [Fact]
    public void HeaderWithAnEmptyCellOverAColumnWithValues_ColumnOfferedByLetterWithTheWarning()
    {
        var path = files.WriteText("gap.csv", "Name,,Model\nPC-1,,T14\nPC-2,x,T14\n", new System.Text.UTF8Encoding(false), bom: false);

        using var file = files.Open(path);
        file.CountRows();

        Assert.Equal(["Name", "Column B", "Model"], file.Columns.Select(c => c.Header));
        Assert.Contains(file.Warnings, w => w.Message.StartsWith("Column B has values from row 3 on but no header", StringComparison.Ordinal));
    }

    [Fact]
    public void ValueBeyondTheColumnLimitFarBelow_RefusedNamingTheRowAndWhatToDo()
    {
        var path = files.WriteText("far.csv", "Name,Model\n" + string.Concat(Enumerable.Range(1, 50).Select(i => $"PC-{i},T14\n")) +
            "PC-51,T14" + new string(',', 30) + "x\n", new System.Text.UTF8Encoding(false), bom: false);
        using var file = files.Open(path, limits: new ReaderLimits { MaxColumns = 20 });

        var error = Assert.Throws<ImportFileException>(() => file.CountRows());

        Assert.Equal(FileProblemKind.TooManyColumns, error.Problem.Kind);
        Assert.Contains("column AF of row 52", error.Message);
        Assert.Contains("Delete what is beyond column T", error.Message);
    }

    [Fact]
    public void TitleMergedAcrossTheColumnsThenAnEmptyRow_HeaderIsRow3()
    {
        var path = Workbook(sheet =>
        {
            sheet.Cell(1, 1).Value = "Laptop inventory, Berlin office";
            sheet.Range(1, 1, 1, 4).Merge();
            Table(sheet, 3);
        });

        using var file = files.Open(path);

        Assert.Equal(3, file.HeaderRow);
        Assert.Equal(["Name", "Status", "Installed", "Count"], file.Columns.Select(c => c.Header));
        Assert.Equal("PC-4", file.SampleRows[0][0]);
        Assert.Contains(file.Warnings, w => w.Kind == FileWarningKind.RowsAboveHeader && w.Message.StartsWith("The header is row 3", StringComparison.Ordinal));
    }

    [Fact]
    public void CustomerAndDateLinesAboveTheHeader_HeaderFoundBelowThem()
    {
        var path = Workbook(sheet =>
        {
            sheet.Cell(1, 1).Value = "Customer:";
            sheet.Cell(1, 2).Value = "ACME Corp.";
            sheet.Cell(2, 1).Value = "Date:";
            sheet.Cell(2, 2).Value = new DateTime(2024, 5, 1);
            Table(sheet, 4);
        });

        using var file = files.Open(path);

        Assert.Equal(4, file.HeaderRow);
        Assert.Equal(20, file.CountRows());
    }

    [Fact]
    public void SingleColumnTableUnderATitle_HeaderBelowTheTitle()
    {
        var text = "Clients to import\n\nName\n" + string.Concat(Enumerable.Range(1, 10).Select(i => $"PC-{i}\n"));
        var path = files.WriteText("names.csv", text, new System.Text.UTF8Encoding(false), bom: false);

        using var file = files.Open(path);

        Assert.Equal(3, file.HeaderRow);
        Assert.Equal("Name", Assert.Single(file.Columns).Header);
    }

    [Fact]
    public void PlainHeaderInRow1_StaysTheHeader_AlsoWhenTheDataIsAllText()
    {
        var path = files.WriteText("plain.csv", "Name,Room,Department\nPC-1,Hall,IT\nPC-2,Lab,Sales\nPC-3,Lab,IT\n",
            new System.Text.UTF8Encoding(false), bom: false);

        using var file = files.Open(path);

        Assert.Equal(1, file.HeaderRow);
        Assert.DoesNotContain(file.Warnings, w => w.Kind == FileWarningKind.RowsAboveHeader);
    }

    [Theory]
    [InlineData("Read me")]
    [InlineData("Instructions")]
    public void CoverSheetFirst_TheSheetWithTheTableIsRead(string cover)
    {
        var path = files.Path($"cover-{Guid.NewGuid():N}.xlsx");
        using (var workbook = new XLWorkbook())
        {
            var readMe = workbook.AddWorksheet(cover);
            readMe.Cell(1, 1).Value = "How to fill in this file";
            readMe.Cell(2, 1).Value = "One row per laptop.";
            readMe.Cell(3, 1).Value = "Name and Department are required.";
            Table(workbook.AddWorksheet("Clients"), 1);
            workbook.SaveAs(path);
        }

        using var file = files.Open(path);

        Assert.Equal("Clients", file.Sheet);
        Assert.Equal([new SheetInfo(cover, false, 3), new SheetInfo("Clients", false, 21)], file.Sheets);
        Assert.Contains(file.Warnings, w => w.Kind == FileWarningKind.SheetChosen
            && w.Message.StartsWith($"Sheet \"Clients\" is read: the sheet before it, \"{cover}\", holds no table", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Export Summary")]
    [InlineData("Exportübersicht")]
    public void NumbersExportSummaryFirst_TheTableBehindItIsRead_AndTheWarningSaysWhatTheSummaryIs(string summaryName)
    {
        // Apple Numbers puts this sheet first when it exports to Excel; the name is translated, its table is not.
        var path = files.Path($"numbers-{Guid.NewGuid():N}.xlsx");
        using (var workbook = new XLWorkbook())
        {
            var summary = workbook.AddWorksheet(summaryName);
            summary.Cell(1, 1).Value = "This document was exported from Numbers. Each table was converted to an Excel worksheet. All other objects on each Numbers sheet were placed on separate worksheets. Please be aware that formula calculations may differ in Excel.";
            summary.Range(1, 1, 1, 3).Merge();
            summary.Cell(3, 1).Value = "Numbers Sheet Name";
            summary.Cell(3, 2).Value = "Numbers Table Name";
            summary.Cell(3, 3).Value = "Excel Worksheet Name";
            summary.Cell(4, 1).Value = "Sheet 1";
            summary.Cell(4, 2).Value = "Table 1";
            summary.Cell(4, 3).Value = "Sheet 1 - Table 1";
            Table(workbook.AddWorksheet("Sheet 1 - Table 1"), 1);
            workbook.SaveAs(path);
        }

        using var file = files.Open(path);

        Assert.Equal("Sheet 1 - Table 1", file.Sheet);
        Assert.Equal(1, file.HeaderRow);
        Assert.Equal(["Name", "Status", "Installed", "Count"], file.Columns.Select(c => c.Header));
        var warning = Assert.Single(file.Warnings, w => w.Kind == FileWarningKind.SheetChosen);
        Assert.Equal($"Sheet \"Sheet 1 - Table 1\" is read: the sheet before it, \"{summaryName}\", is the summary Apple Numbers adds when it exports a document, not a table to import. Choose another sheet under File settings if that is wrong.",
            warning.Message);
    }

    [Fact]
    public void EmptyAndHeaderOnlyAndTitleOnlySheetsFirst_TheSheetWithRowsIsRead()
    {
        var path = files.Path("sheets.xlsx");
        using (var workbook = new XLWorkbook())
        {
            workbook.AddWorksheet("Empty");
            workbook.AddWorksheet("Template").Cell(1, 1).Value = "Name";
            workbook.AddWorksheet("Logo").Cell(2, 2).Value = "ACME Corp.";
            Table(workbook.AddWorksheet("Export"), 1);
            workbook.SaveAs(path);
        }

        using var file = files.Open(path);

        Assert.Equal("Export", file.Sheet);
        Assert.Equal([0, 1, 1, 21], file.Sheets.Select(s => s.Rows ?? -1));
    }

    [Fact]
    public void TheTemplateNotFilledIn_IsRefusedAsAHeaderWithoutRows_NotItsHelpSheetImported()
    {
        // LibreOffice QA: the app's own template, uploaded as downloaded, imported its "Help" sheet (13 rows).
        var inventory = new Rollouter.Import.Importing.Mapping.InventoryDefinition
        {
            InventoryId = 1,
            InventoryName = "Laptops",
            RolloutId = 1,
            WorkflowName = "Standard",
            Statuses = [new Rollouter.Import.Data.Entities.WorkflowStatus { Id = 1, Name = "New" }],
            CustomFields = [new Rollouter.Import.Data.Entities.CustomField { Id = 1, Name = "Serial number", Type = Rollouter.Import.Data.Entities.CustomFieldType.Input }],
        };
        using var template = new MemoryStream();
        Rollouter.Import.Importing.Reports.ImportTemplate.Write(inventory, template);
        var path = files.Write("template.xlsx", template.ToArray());

        var problem = files.Problem(path);

        Assert.Equal(FileProblemKind.NoDataRows, problem.Kind);
        Assert.Equal("Sheet \"Clients\" has a header (row 1) but no rows below it.", problem.Message);
    }

    [Theory]
    [InlineData("Help")]
    [InlineData("Read me")]
    public void AHeaderWithoutRowsBehindACoverSheetWithATable_IsRefused_NotTheCoverSheetImported(string cover)
    {
        var path = files.Path($"header-only-{Guid.NewGuid():N}.xlsx");
        using (var workbook = new XLWorkbook())
        {
            var help = workbook.AddWorksheet(cover);
            help.Cell(1, 1).Value = "Column";
            help.Cell(1, 2).Value = "What it takes";
            help.Cell(2, 1).Value = "Name";
            help.Cell(2, 2).Value = "Required, unique in the rollout";
            help.Cell(3, 1).Value = "Status";
            help.Cell(3, 2).Value = "One of the workflow's statuses";
            var clients = workbook.AddWorksheet("Clients");
            clients.Cell(1, 1).Value = "Name";
            clients.Cell(1, 2).Value = "Status";
            workbook.SaveAs(path);
        }

        var problem = files.Problem(path);

        Assert.Equal("Sheet \"Clients\" has a header (row 1) but no rows below it.", problem.Message);
    }

    [Fact]
    public void FirstSheetIsAOneColumnList_ItIsStillRead()
    {
        var path = files.Path("lists.xlsx");
        using (var workbook = new XLWorkbook())
        {
            var names = workbook.AddWorksheet("Names");
            names.Cell(1, 1).Value = "Name";
            names.Cell(2, 1).Value = "PC-1";
            names.Cell(3, 1).Value = "PC-2";
            Table(workbook.AddWorksheet("Rooms"), 1);
            workbook.SaveAs(path);
        }

        using var file = files.Open(path);

        Assert.Equal("Names", file.Sheet);
        Assert.DoesNotContain(file.Warnings, w => w.Kind == FileWarningKind.SheetChosen);
    }

    [Fact]
    public void EveryRowBelowTheHeaderHidden_OpensWithAWarningThatSaysHowToImportThem()
    {
        var path = Workbook(sheet =>
        {
            Table(sheet, 1);
            sheet.Rows(2, 21).Hide();
        });

        using var file = files.Open(path);
        using var including = files.Open(path, new ParseOptions(IncludeHiddenRows: true));

        Assert.Equal(0, file.CountRows());
        Assert.Empty(file.SampleRows);
        Assert.Equal(["Name", "Status", "Installed", "Count"], file.Columns.Select(c => c.Header));
        Assert.Contains(file.Warnings, w => w.Kind == FileWarningKind.NoVisibleRows && w.Message.Contains("tick \"Include hidden rows\" under File settings"));
        Assert.Equal(20, including.CountRows());
    }

    [Fact]
    public void HeaderWithoutRowsInEverySheet_IsRefusedAsNothingToImport()
    {
        var path = Workbook(sheet => sheet.Cell(1, 1).Value = "Name");

        var problem = files.Problem(path);

        Assert.Equal(FileProblemKind.NoDataRows, problem.Kind);
    }

    [Fact]
    public void DurationsAndPercentages_ReadAsExcelShowsThem()
    {
        var path = files.RawXlsx("durations.xlsx",
            """
            <row r="1"><c r="A1" t="inlineStr"><is><t>Uptime</t></is></c><c r="B1" t="inlineStr"><is><t>Setup</t></is></c><c r="C1" t="inlineStr"><is><t>Progress</t></is></c><c r="D1" t="inlineStr"><is><t>Share</t></is></c><c r="E1" t="inlineStr"><is><t>Clock</t></is></c><c r="F1" t="inlineStr"><is><t>Lap</t></is></c></row>
            <row r="2"><c r="A2" s="1"><v>1.5</v></c><c r="B2" s="2"><v>1.5</v></c><c r="C2" s="3"><v>0.5</v></c><c r="D2" s="4"><v>0.125</v></c><c r="E2" s="5"><v>1.5</v></c><c r="F2" s="6"><v>0.0000578703703703704</v></c></row>
            """,
            numFmts: """<numFmt numFmtId="164" formatCode="[h]:mm:ss"/><numFmt numFmtId="165" formatCode="[mm]:ss"/><numFmt numFmtId="166" formatCode="0.0%"/><numFmt numFmtId="167" formatCode="[ss].00"/>""",
            cellXfs: """<xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="9"/><xf numFmtId="166"/><xf numFmtId="21"/><xf numFmtId="167"/>""");

        using var file = files.Open(path);

        TestFiles.AssertCells(file.SampleRows[0], "36:00:00", "2160:00", "50%", "12.5%", "12:00:00", "05.00");
    }

    [Fact]
    public void BuiltInTimeFormats_WithoutACode_ReadAsTheirCodes()
    {
        // ECMA-376 Part 1, 18.8.30: 45 is "mm:ss", 46 is "[h]:mm:ss" (elapsed), 47 is "mmss.0"; Excel stores none of
        // their codes in the workbook.
        var path = files.RawXlsx("builtin-elapsed.xlsx",
            """
            <row r="1"><c r="A1" t="inlineStr"><is><t>Uptime</t></is></c><c r="B1" t="inlineStr"><is><t>Lap</t></is></c><c r="C1" t="inlineStr"><is><t>Clock</t></is></c></row>
            <row r="2"><c r="A2" s="1"><v>1.5</v></c><c r="B2" s="2"><v>1.5</v></c><c r="C2" s="3"><v>1.5</v></c></row>
            """,
            cellXfs: """<xf numFmtId="0"/><xf numFmtId="46"/><xf numFmtId="45"/><xf numFmtId="47"/>""");

        using var file = files.Open(path);

        TestFiles.AssertCells(file.SampleRows[0], "36:00:00", "12:00:00", "12:00:00");
    }

    [Fact]
    public void DateTimeJustBeforeTheFullSecond_RoundsAlikeInXlsxStrictXlsxAndXls()
    {
        // 2024-03-15 15:59:59.9996: Excel shows 16:00:00.
        var serial = new DateTime(2024, 3, 15, 15, 59, 59, 999).AddTicks(6000).ToOADate();
        var xlsx = files.RawXlsx("stamp.xlsx",
            $"""
            <row r="1"><c r="A1" t="inlineStr"><is><t>Stamp</t></is></c></row>
            <row r="2"><c r="A2" s="1"><v>{serial.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}</v></c></row>
            """,
            cellXfs: """<xf numFmtId="0"/><xf numFmtId="22"/>""");
        var strict = files.RawXlsx("strict.xlsx",
            """
            <row r="1"><c r="A1" t="inlineStr"><is><t>Stamp</t></is></c></row>
            <row r="2"><c r="A2" s="1" t="d"><v>2024-03-15T15:59:59.9996</v></c></row>
            """,
            cellXfs: """<xf numFmtId="0"/><xf numFmtId="22"/>""");
        var xls = files.Write("stamp.xls", BiffWorkbook.Create("S", [["Stamp"], [new BiffWorkbook.Stamp(serial)]]));

        foreach (var path in new[] { xlsx, strict, xls })
        {
            using var file = files.Open(path);
            Assert.Equal("2024-03-15T16:00:00", file.SampleRows[0][0]);
        }
    }

    [Fact]
    public void IsoDateTimeCells_ReadAsTheSerialInTheSameFormat_DateOnlyDateTimeTimeAndElapsed()
    {
        // Strict .xlsx (and openpyxl's iso_dates) store t="d" ISO values. Columns: dd.mm.yyyy, built-in 22 (date and
        // time), built-in 21 (time of day), [h]:mm:ss, built-in 46 ([h]:mm:ss without its code), General.
        const string Header = """
            <row r="1"><c r="A1" t="inlineStr"><is><t>V1</t></is></c><c r="B1" t="inlineStr"><is><t>Stamp</t></is></c><c r="C1" t="inlineStr"><is><t>Clock</t></is></c><c r="D1" t="inlineStr"><is><t>Uptime</t></is></c><c r="E1" t="inlineStr"><is><t>Setup</t></is></c><c r="F1" t="inlineStr"><is><t>Plain</t></is></c></row>
            """;
        const string NumFmts = """<numFmt numFmtId="164" formatCode="dd\.mm\.yyyy"/><numFmt numFmtId="165" formatCode="[h]:mm:ss"/>""";
        const string CellXfs = """<xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="22"/><xf numFmtId="21"/><xf numFmtId="165"/><xf numFmtId="46"/>""";
        var serials = files.RawXlsx("serials.xlsx", Header + """
            <row r="2"><c r="A2" s="1"><v>46387.75</v></c><c r="B2" s="2"><v>46387.75</v></c><c r="C2" s="3"><v>46387.75</v></c><c r="D2" s="4"><v>1.5</v></c><c r="E2" s="5"><v>1.5</v></c></row>
            """, numFmts: NumFmts, cellXfs: CellXfs);
        var iso = files.RawXlsx("iso.xlsx", Header + """
            <row r="2"><c r="A2" s="1" t="d"><v>2026-12-31T18:00:00</v></c><c r="B2" s="2" t="d"><v>2026-12-31T18:00:00</v></c><c r="C2" s="3" t="d"><v>2026-12-31T18:00:00</v></c><c r="D2" s="4" t="d"><v>1900-01-01T12:00:00</v></c><c r="E2" s="5" t="d"><v>1900-01-01T12:00:00</v></c><c r="F2" t="d"><v>2026-12-31T18:00:00</v></c></row>
            """, numFmts: NumFmts, cellXfs: CellXfs);

        using var fromSerials = files.Open(serials);
        using var fromIso = files.Open(iso);

        TestFiles.AssertCells(fromIso.SampleRows[0], "2026-12-31", "2026-12-31T18:00:00", "18:00:00", "36:00:00", "36:00:00", "2026-12-31T18:00:00");
        Assert.Equal(fromSerials.SampleRows[0].Cells.Take(5), fromIso.SampleRows[0].Cells.Take(5));
    }

    /// <summary>A four-column table with its header in <paramref name="headerRow"/> and 20 rows below.</summary>
    private static void Table(IXLWorksheet sheet, int headerRow)
    {
        string[] headers = ["Name", "Status", "Installed", "Count"];
        for (var c = 0; c < headers.Length; c++)
        {
            sheet.Cell(headerRow, c + 1).Value = headers[c];
        }

        for (var i = 1; i <= 20; i++)
        {
            var r = headerRow + i;
            sheet.Cell(r, 1).Value = $"PC-{r}";
            sheet.Cell(r, 2).Value = i % 2 == 0 ? "New" : "Done";
            sheet.Cell(r, 3).Value = new DateTime(2024, 1, i);
            sheet.Cell(r, 4).Value = i;
        }
    }

    [Fact]
    public void ZeroPaddedFormatsWithLiterals_ShowTheirZerosAndLiterals_AsExcelDoes()
    {
        // Excel's Zip Code + 4 and Social Security Number formats, a quoted prefix, an escaped "-", a phone number.
        var path = files.RawXlsx("codes.xlsx",
            """
            <row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Zip</t></is></c><c r="C1" t="inlineStr"><is><t>SSN</t></is></c><c r="D1" t="inlineStr"><is><t>Asset</t></is></c><c r="E1" t="inlineStr"><is><t>Code</t></is></c><c r="F1" t="inlineStr"><is><t>Phone</t></is></c><c r="G1" t="inlineStr"><is><t>Other</t></is></c></row>
            <row r="2"><c r="A2" t="inlineStr"><is><t>PC-1</t></is></c><c r="B2" s="1"><v>12345678</v></c><c r="C2" s="2"><v>12345678</v></c><c r="D2" s="3"><v>4711</v></c><c r="E2" s="4"><v>7</v></c><c r="F2" s="5"><v>305551234</v></c><c r="G2" s="6"><v>12.5</v></c></row>
            <row r="3"><c r="A3" t="inlineStr"><is><t>PC-2</t></is></c><c r="B3" s="1"><v>945012345</v></c><c r="C3" s="2"><v>1</v></c><c r="D3" s="3"><v>12345678</v></c><c r="E3" s="4"><v>1234567</v></c><c r="F3" s="5"><v>1.5</v></c><c r="G3" s="7"><v>-42</v></c></row>
            """,
            numFmts: """<numFmt numFmtId="164" formatCode="00000\-0000"/><numFmt numFmtId="165" formatCode="000-00-0000"/><numFmt numFmtId="166" formatCode="&quot;DE&quot;000000"/><numFmt numFmtId="167" formatCode="000\-000"/><numFmt numFmtId="168" formatCode="(000) ###-0000"/><numFmt numFmtId="169" formatCode="0.00&quot; kg&quot;"/><numFmt numFmtId="170" formatCode="00000-0000;[Red]-0"/>""",
            cellXfs: """<xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="167"/><xf numFmtId="168"/><xf numFmtId="169"/><xf numFmtId="170"/>""");

        using var file = files.Open(path);
        var rows = file.ReadRows().ToList();

        // Decimals and several sections keep today's reading (the number as it is).
        TestFiles.AssertCells(rows[0], "PC-1", "01234-5678", "012-34-5678", "DE004711", "000-007", "(030) 555-1234", "12.5");
        TestFiles.AssertCells(rows[1], "PC-2", "94501-2345", "000-00-0001", "DE12345678", "1234-567", "1.5", "-42");
    }

    private string Workbook(Action<IXLWorksheet> fill)
    {
        var path = files.Path($"book-{Guid.NewGuid():N}.xlsx");
        using var workbook = new XLWorkbook();
        fill(workbook.AddWorksheet("Clients"));
        workbook.SaveAs(path);
        return path;
    }
}
