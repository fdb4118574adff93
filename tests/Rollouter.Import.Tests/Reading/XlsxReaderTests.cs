using ClosedXML.Excel;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Tests.Reading;

public sealed class XlsxReaderTests : IDisposable
{
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void FormulasGivingEmptyTextBelowTheTable_AreNotCountedAsRowsOfTheSheet()
    {
        // LibreOffice QA: a helper column =IF(A8="";"";"ok") filled down to row 299 listed the sheet as "299 rows"; Calc
        // writes each empty result as <v></v>. One row with an attribute on its value takes the tag-by-tag scan.
        var data = new System.Text.StringBuilder("""<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Check</t></is></c></row>""");
        for (var r = 2; r <= 4; r++)
        {
            data.Append(System.Globalization.CultureInfo.InvariantCulture, $"""<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>PC-{r}</t></is></c><c r="B{r}" t="str"><f>IF(A{r}="","","ok")</f><v>ok</v></c></row>""");
        }

        for (var r = 5; r <= 299; r++)
        {
            var value = r == 7 ? """<v xml:space="preserve"></v>""" : "<v></v>";
            data.Append(System.Globalization.CultureInfo.InvariantCulture, $"""<row r="{r}"><c r="A{r}" s="0"/><c r="B{r}" t="str"><f>IF(A{r}="","","ok")</f>{value}</c></row>""");
        }

        var path = files.RawXlsx("filled-down.xlsx", data.ToString());

        using var file = files.Open(path);

        Assert.Equal([new SheetInfo("Data", false, 4)], file.Sheets);
        Assert.Equal(3, file.CountRows());
    }

    [Fact]
    public void Xlsx_HiddenRows_ReportedAsRangesAndSkippedUnlessIncluded()
    {
        var path = Workbook(sheet =>
        {
            sheet.Cell(1, 1).Value = "Name";
            for (var r = 2; r <= 25; r++)
            {
                sheet.Cell(r, 1).Value = $"PC-{r}";
            }

            sheet.Rows(14, 20).Hide();
            sheet.Row(23).Hide();
        });

        using var skipping = files.Open(path);
        using var including = files.Open(path, new ParseOptions(IncludeHiddenRows: true));

        var warning = Assert.Single(skipping.Warnings);
        Assert.Equal(FileWarningKind.HiddenRows, warning.Kind);
        Assert.StartsWith("Rows 14–20 and 23 are hidden (8 in all)", warning.Message);
        Assert.Equal(24 - 8, skipping.ReadRows().Count());
        Assert.DoesNotContain(skipping.ReadRows(), r => r.RowNumber is >= 14 and <= 20 or 23);
        Assert.Equal(24, including.ReadRows().Count());
        Assert.Equal(24, including.CountRows());
        Assert.True(including.Options.IncludeHiddenRows);
    }

    [Fact]
    public void Xlsx_HiddenColumns_ReportedByLetter()
    {
        var path = Workbook(sheet =>
        {
            string[] headers = ["Name", "Status", "Secret", "Model", "Other"];
            for (var c = 0; c < headers.Length; c++)
            {
                sheet.Cell(1, c + 1).Value = headers[c];
                sheet.Cell(2, c + 1).Value = $"v{c}";
            }

            sheet.Columns(3, 4).Hide();
        });

        using var file = files.Open(path);

        var warning = Assert.Single(file.Warnings);
        Assert.Equal(FileWarningKind.HiddenColumns, warning.Kind);
        Assert.StartsWith("Columns C–D are hidden", warning.Message);
        Assert.Equal("v2", file.SampleRows[0][2]);
    }

    [Fact]
    public void Xlsx_OneHiddenRowAndOneHiddenColumn_AreNamedInTheSingular_SeveralInThePlural()
    {
        // Rows 2-8 with a name and a serial number; then some rows and columns hidden.
        string WithHidden(Action<IXLWorksheet> hide) => Workbook(sheet =>
        {
            string[] headers = ["Name", "Status", "Model", "Location", "Serial"];
            for (var c = 0; c < headers.Length; c++)
            {
                sheet.Cell(1, c + 1).Value = headers[c];
            }

            for (var r = 2; r <= 8; r++)
            {
                sheet.Cell(r, 1).Value = $"PC-{r}";
                sheet.Cell(r, 5).Value = $"SN-{r}";
            }

            hide(sheet);
        });
        var one = WithHidden(sheet =>
        {
            sheet.Row(7).Hide();
            sheet.Column(5).Hide();
        });
        var several = WithHidden(sheet =>
        {
            sheet.Rows(6, 7).Hide();
            sheet.Columns(4, 5).Hide();
        });

        using var skipping = files.Open(one);
        using var including = files.Open(one, new ParseOptions(IncludeHiddenRows: true));
        using var plural = files.Open(several);

        Assert.Equal(
            [(FileWarningKind.HiddenRows, "Row 7 is hidden; it is skipped unless you include hidden rows."),
             (FileWarningKind.HiddenColumns, "Column E is hidden; it is imported like the others.")],
            skipping.Warnings.Select(w => (w.Kind, w.Message)));
        Assert.Contains(including.Warnings, w => w.Message == "Row 7 is hidden; it is imported.");
        Assert.Equal(
            [(FileWarningKind.HiddenRows, "Rows 6–7 are hidden; they are skipped unless you include hidden rows."),
             (FileWarningKind.HiddenColumns, "Columns D–E are hidden; they are imported like the others.")],
            plural.Warnings.Select(w => (w.Kind, w.Message)));
    }

    [Fact]
    public void Xlsx_ActiveAutoFilter_ReportedWithItsRangeAndFilteredRowsHidden()
    {
        var path = Workbook(sheet =>
        {
            sheet.Cell(1, 1).Value = "Name";
            sheet.Cell(1, 2).Value = "Status";
            for (var r = 2; r <= 6; r++)
            {
                sheet.Cell(r, 1).Value = $"PC-{r}";
                sheet.Cell(r, 2).Value = r % 2 == 0 ? "New" : "Done";
            }

            sheet.Range("A1:B6").SetAutoFilter().Column(2).AddFilter("New");
        });

        using var file = files.Open(path);

        var filter = Assert.Single(file.Warnings, w => w.Kind == FileWarningKind.AutoFilter);
        Assert.Contains("A1:B6", filter.Message);
        Assert.Contains("filter is active", filter.Message);
        Assert.Contains(file.Warnings, w => w.Kind == FileWarningKind.HiddenRows && w.Message.Contains("Rows 3 and 5 are hidden"));
        Assert.All(file.ReadRows(), r => Assert.Equal("New", r[1]));
    }

    [Fact]
    public void Xlsx_MergedCells_ReportedAndValueInFirstCell()
    {
        var path = Workbook(sheet =>
        {
            sheet.Cell(1, 1).Value = "Name";
            sheet.Cell(1, 2).Value = "Location";
            sheet.Cell(1, 3).Value = "Model";
            sheet.Cell(2, 1).Value = "PC-1";
            sheet.Cell(2, 2).Value = "Hall";
            sheet.Range("B2:C2").Merge();
        });

        using var file = files.Open(path);

        var warning = Assert.Single(file.Warnings);
        Assert.Equal(FileWarningKind.MergedCells, warning.Kind);
        Assert.Contains("B2:C2", warning.Message);
        TestFiles.AssertCells(file.SampleRows[0], "PC-1", "Hall", null);
    }

    [Fact]
    public void Xlsx_SeveralSheets_ListedWithHiddenOnesAndFirstVisibleChosen()
    {
        var path = files.Path("sheets.xlsx");
        using (var workbook = new XLWorkbook())
        {
            var secret = workbook.AddWorksheet("Secret");
            secret.Cell(1, 1).Value = "Hidden header";
            secret.Cell(2, 1).Value = "x";
            secret.Hide();
            var clients = workbook.AddWorksheet("Clients");
            clients.Cell(1, 1).Value = "Name";
            clients.Cell(2, 1).Value = "PC-1";
            var rooms = workbook.AddWorksheet("Rooms");
            rooms.Cell(1, 1).Value = "Room";
            rooms.Cell(2, 1).Value = "R-1";
            workbook.SaveAs(path);
        }

        using var detected = files.Open(path);
        using var chosen = files.Open(path, new ParseOptions(Sheet: "Rooms"));

        Assert.Equal([new SheetInfo("Secret", true, 2), new SheetInfo("Clients", false, 2), new SheetInfo("Rooms", false, 2)], detected.Sheets);
        Assert.Equal("Clients", detected.Sheet);
        Assert.Equal("Clients", detected.Options.Sheet);
        Assert.Equal("Room", chosen.Columns[0].Header);
        Assert.Equal("R-1", chosen.SampleRows[0][0]);
        var problem = files.Problem(path, new ParseOptions(Sheet: "Missing"));
        Assert.Equal(FileProblemKind.InvalidOption, problem.Kind);
        Assert.Contains("\"Clients\"", problem.Message);
    }

    [Fact]
    public void Xlsx_DatesDateTimesNumbersAndBooleans_ReadAsAPersonReadsThem()
    {
        var path = Workbook(sheet =>
        {
            string[] headers = ["Date", "DateTime", "Tenth", "Big", "Sum", "Bool", "Text"];
            for (var c = 0; c < headers.Length; c++)
            {
                sheet.Cell(1, c + 1).Value = headers[c];
            }

            sheet.Cell(2, 1).Value = new DateTime(2024, 3, 15);
            sheet.Cell(2, 2).Value = new DateTime(2024, 3, 15, 13, 45, 30);
            sheet.Cell(2, 2).Style.NumberFormat.Format = "dd.mm.yyyy hh:mm:ss";
            sheet.Cell(2, 3).Value = 0.1;
            sheet.Cell(2, 4).Value = 12345678901234d;
            sheet.Cell(2, 5).Value = 0.1 + 0.2;
            sheet.Cell(2, 6).Value = true;
            sheet.Cell(2, 7).SetValue("0042");
        });

        using var file = files.Open(path);

        TestFiles.AssertCells(file.SampleRows[0], "2024-03-15", "2024-03-15T13:45:30", "0.1", "12345678901234", "0.3", "TRUE", "0042");
    }

    [Fact]
    public void Xlsx_EmptyRowsInTheMiddleAndTrailingEmptyRowsAndColumns_Ignored()
    {
        var path = Workbook(sheet =>
        {
            sheet.Cell(3, 2).Value = "Name";
            sheet.Cell(3, 3).Value = "Model";
            sheet.Cell(4, 2).Value = "PC-1";
            sheet.Cell(7, 3).Value = "M2";
            sheet.Cell(20, 8).Style.Fill.BackgroundColor = XLColor.Red;
            sheet.Cell(21, 2).Value = "";
        });

        using var file = files.Open(path);
        var rows = file.ReadRows().ToList();

        Assert.Equal(3, file.HeaderRow);
        Assert.Equal(["Column A", "Name", "Model"], file.Columns.Select(c => c.Header));
        Assert.Equal([4, 7], rows.Select(r => r.RowNumber));
        TestFiles.AssertCells(rows[1], null, null, "M2");
    }

    [Fact]
    public void Xlsx_ErrorCellsFormulasInlineStringsAndBooleans_FromRawXml()
    {
        var path = files.RawXlsx("raw.xlsx",
            """
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>
            <row r="2"><c r="A2" t="inlineStr"><is><t>PC-1</t></is></c><c r="B2"><f>2*2</f><v>4</v></c><c r="C2" t="e"><f>VLOOKUP(A2,X:Y,2,0)</f><v>#N/A</v></c><c r="D2" t="str"><f>A2&amp;"x"</f><v>PC-1x</v></c></row>
            <row r="3"><c r="A3" t="inlineStr"><is><r><t>P</t></r><r><rPr><b/></rPr><t>C-2</t></r></is></c><c r="B3" t="b"><v>0</v></c><c r="C3" t="e"><v>#REF!</v></c></row>
            """,
            sharedStrings: ["Name", "Formula", "Lookup", "Joined"]);

        using var file = files.Open(path);
        var rows = file.ReadRows().ToList();

        TestFiles.AssertCells(rows[0], "PC-1", "4", "#N/A", "PC-1x");
        var issue = Assert.Single(rows[0].Issues);
        Assert.Equal(2, issue.ColumnIndex);
        Assert.Equal("cell C2 holds the Excel error #N/A", issue.Message);
        TestFiles.AssertCells(rows[1], "PC-2", "FALSE", "#REF!", null);
        Assert.Equal("cell C3 holds the Excel error #REF!", Assert.Single(rows[1].Issues).Message);
    }

    [Fact]
    public void Xlsx_RichSharedStringsWithPhoneticRuns_ConcatenateTheRunsOnly()
    {
        var path = files.RawXlsx("rich.xlsx",
            """<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>""",
            sharedStringsXml: """<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Name</t></si><si><r><t xml:space="preserve">Büro </t></r><r><rPr><i/></rPr><t>Nord</t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></si></sst>""");

        using var file = files.Open(path);

        Assert.Equal("Büro Nord", file.SampleRows[0][0]);
    }

    [Fact]
    public void Xlsx_OoxmlEscapes_DecodedInSharedRichInlineFormulaAndHeaderTexts_LikeARealLineBreak()
    {
        // Excel writes a carriage return as _x000D_ (the XML itself would turn "\r\n" into "\n"), XlsxWriter a control
        // character so, and a literal "_x" that looks like an escape as _x005F_x.
        var path = files.RawXlsx("escapes.xlsx",
            """
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>
            <row r="2"><c r="A2" t="s"><v>5</v></c><c r="B2" t="s"><v>6</v></c><c r="C2" t="s"><v>7</v></c><c r="D2" t="inlineStr"><is><t>inline_x000D_
            break</t></is></c><c r="E2" t="str"><f>A2&amp;"x"</f><v>Tab_x0009_here</v></c></row>
            <row r="3"><c r="A3" t="inlineStr"><is><t>PC_x005f_x0032_</t></is></c><c r="B3" t="s"><v>8</v></c><c r="C3" t="inlineStr"><is><t>_x_x00_x00ZZ_ and _X000D_</t></is></c></row>
            """,
            sharedStringsXml: """
            <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Name</t></si><si><t>Notes_x000D_
            (desk)</t></si><si><t>Owner</t></si><si><t>Inline</t></si><si><t>Formula</t></si>
            <si><t>Part_x005F_x0031_</t></si><si><t>Dock on desk 3_x000D_
            monitor left</t></si><si><r><t>Müller_x000D_</t></r><r><rPr><b/></rPr><t xml:space="preserve">
            IT</t></r></si><si><t>real
            break</t></si></sst>
            """);

        using var file = files.Open(path);
        var rows = file.ReadRows().ToList();

        Assert.Equal("Notes\r\n(desk)", file.Columns[1].Header);
        TestFiles.AssertCells(rows[0], "Part_x0031_", "Dock on desk 3\r\nmonitor left", "Müller\r\nIT", "inline\r\nbreak", "Tab\there");
        TestFiles.AssertCells(rows[1], "PC_x0032_", "real\nbreak", "_x_x00_x00ZZ_ and _X000D_", null, null);
    }

    [Fact]
    public void Xlsx_WrittenByClosedXml_AsTheImportTemplateIs_KeepsLineBreaksAndTextsThatLookLikeEscapes()
    {
        var path = Workbook(sheet =>
        {
            sheet.Cell(1, 1).Value = "Name_x0031_";
            sheet.Cell(2, 1).Value = "Part_x0031_";
            sheet.Cell(3, 1).Value = "Dock on desk 3\r\nmonitor left";
        });

        using var file = files.Open(path);

        Assert.Equal("Name_x0031_", file.Columns[0].Header);
        // ClosedXML escapes "_x" as Excel does, but writes "\r\n" as it is, which XML reads as "\n": a line break all the same.
        Assert.Equal(["Part_x0031_", "Dock on desk 3\nmonitor left"], file.ReadRows().Select(r => r[0]));
    }

    [Fact]
    public void Xlsx_FormulasNeverCalculated_WarnedByColumn_CachedOnesAreNot()
    {
        // openpyxl writes a formula without a cached value; Excel's formula in D has one.
        const string Header = """<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Label</t></is></c><c r="C1" t="inlineStr"><is><t>Total</t></is></c><c r="D1" t="inlineStr"><is><t>Excel</t></is></c></row>""";
        var openpyxl = files.RawXlsx("openpyxl.xlsx", Header +
            """
            <row r="2"><c r="A2" t="inlineStr"><is><t>PC-1</t></is></c><c r="B2"><f>A2&amp;"-x"</f></c><c r="C2" t="str"><f>UPPER(A2)</f></c><c r="D2"><f>1+1</f><v>2</v></c></row>
            <row r="3"><c r="A3" t="inlineStr"><is><t>PC-2</t></is></c><c r="B3"><f t="shared" ref="B3:B3" si="0">A3&amp;"-x"</f></c><c r="D3"><f>1+1</f><v>2</v></c></row>
            """,
            workbookAfterSheets: """<calcPr calcId="191029"/>""");

        // XlsxWriter writes 0 as every formula's value and asks Excel to calculate them when the file is opened.
        var xlsxWriter = files.RawXlsx("xlsxwriter.xlsx", Header +
            """<row r="2"><c r="A2" t="inlineStr"><is><t>PC-1</t></is></c><c r="C2"><f>1+1</f><v>0</v></c></row>""",
            workbookAfterSheets: """<calcPr calcId="124519" fullCalcOnLoad="1"/>""");
        var noFormulas = files.RawXlsx("plain.xlsx", Header +
            """<row r="2"><c r="A2" t="inlineStr"><is><t>PC-1</t></is></c><c r="C2"><v>2</v></c></row>""",
            workbookAfterSheets: """<calcPr calcId="124519" fullCalcOnLoad="1"/>""");

        using var first = files.Open(openpyxl);
        using var second = files.Open(xlsxWriter);
        using var third = files.Open(noFormulas);

        Assert.Equal(
            "Columns B and C hold formulas that were never calculated (the file was not saved by Excel), so their values are missing or 0: open the file in Excel, save it, and upload it again.",
            Assert.Single(first.Warnings).Message);
        TestFiles.AssertCells(first.SampleRows[0], "PC-1", null, null, "2");
        Assert.StartsWith("Column C holds formulas that were never calculated", Assert.Single(second.Warnings).Message);
        Assert.Empty(third.Warnings);
    }

    [Fact]
    public void Xlsx_TableTotalsRow_NotImportedAndWarned()
    {
        // A hand-made table A1:B4 with one totals row (row 4: "Total" and a SUBTOTAL count), as Excel writes it.
        var sheet = """
            <row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Model</t></is></c></row>
            <row r="2"><c r="A2" t="inlineStr"><is><t>PC-1</t></is></c><c r="B2" t="inlineStr"><is><t>T14</t></is></c></row>
            <row r="3"><c r="A3" t="inlineStr"><is><t>PC-2</t></is></c><c r="B3" t="inlineStr"><is><t>T16</t></is></c></row>
            <row r="4"><c r="A4" t="str"><f>"Total"</f><v>Total</v></c><c r="B4"><f>SUBTOTAL(103,[Model])</f><v>2</v></c></row>
            """;
        var withTotals = TableXlsx("totals.xlsx", sheet, """totalsRowCount="1" totalsRowShown="1" ref="A1:B4" """);

        // totalsRowShown alone says only that a totals row was shown once: the table ends at its last data row.
        var shownOnce = TableXlsx("shown.xlsx", sheet, """totalsRowShown="1" ref="A1:B3" """);

        using var file = files.Open(withTotals);
        using var other = files.Open(shownOnce);

        Assert.Equal("Row 4 is the totals row of the table Clients: it was not imported.", Assert.Single(file.Warnings).Message);
        Assert.Equal(FileWarningKind.TotalsRow, file.Warnings[0].Kind);
        Assert.Equal(["PC-1", "PC-2"], file.ReadRows().Select(r => r[0]));
        Assert.Equal(2, file.CountRows());
        Assert.Equal(2, file.SampleRows.Count);
        Assert.Empty(other.Warnings);
        Assert.Equal(3, other.ReadRows().Count());
    }

    [Fact]
    public void Xlsx_TableTotalsRowMadeByClosedXml_NotImported()
    {
        var path = Workbook(sheet =>
        {
            sheet.Cell(1, 1).Value = "Name";
            sheet.Cell(1, 2).Value = "Serial";
            for (var r = 2; r <= 6; r++)
            {
                sheet.Cell(r, 1).Value = $"PC-{r}";
                sheet.Cell(r, 2).Value = $"SN{r}";
            }

            var table = sheet.Range(1, 1, 6, 2).CreateTable("Inventory");
            table.ShowTotalsRow = true;
            table.Field(0).TotalsRowLabel = "Total";
            table.Field(1).TotalsRowFunction = XLTotalsRowFunction.Count;
        });

        using var file = files.Open(path);

        Assert.Contains(file.Warnings, w => w.Message == "Row 7 is the totals row of the table Inventory: it was not imported.");
        Assert.Equal(["PC-2", "PC-3", "PC-4", "PC-5", "PC-6"], file.ReadRows().Select(r => r[0]));
    }

    [Fact]
    public void Xlsx_Date1904SystemAndCustomFormats_ConvertedToIsoDates()
    {
        var path = files.RawXlsx("dates.xlsx",
            """
            <row r="1"><c r="A1" t="inlineStr"><is><t>Built-in</t></is></c><c r="B1" t="inlineStr"><is><t>German</t></is></c><c r="C1" t="inlineStr"><is><t>Stamp</t></is></c><c r="D1" t="inlineStr"><is><t>Time</t></is></c><c r="E1" t="inlineStr"><is><t>Days</t></is></c><c r="F1" t="inlineStr"><is><t>Zip</t></is></c></row>
            <row r="2"><c r="A2" s="1"><v>0</v></c><c r="B2" s="2"><v>43905</v></c><c r="C2" s="3"><v>43905.5</v></c><c r="D2" s="4"><v>0.75</v></c><c r="E2" s="5"><v>12.5</v></c><c r="F2" s="6"><v>1234</v></c></row>
            """,
            numFmts: """<numFmt numFmtId="164" formatCode="dd\.mm\.yyyy"/><numFmt numFmtId="165" formatCode="[$-407]yyyy-mm-dd hh:mm"/><numFmt numFmtId="166" formatCode="0.0 &quot;days&quot;"/><numFmt numFmtId="167" formatCode="00000"/>""",
            cellXfs: """<xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="21"/><xf numFmtId="166"/><xf numFmtId="167"/>""",
            date1904: true);

        using var file = files.Open(path);

        // 1904 system: serial 0 is 1 January 1904; 43905 is 1462 days later than in the 1900 system (2020-03-15).
        TestFiles.AssertCells(file.SampleRows[0], "1904-01-01", "2024-03-16", "2024-03-16T12:00:00", "18:00:00", "12.5", "01234");
    }

    [Fact]
    public void Xlsx_1900SystemDates_MatchExcelsCalendar()
    {
        var path = files.RawXlsx("dates1900.xlsx",
            """
            <row r="1"><c r="A1" t="inlineStr"><is><t>D</t></is></c></row>
            <row r="2"><c r="A2" s="1"><v>1</v></c></row>
            <row r="3"><c r="A3" s="1"><v>61</v></c></row>
            <row r="4"><c r="A4" s="1"><v>45366</v></c></row>
            """,
            cellXfs: """<xf numFmtId="0"/><xf numFmtId="14"/>""");

        using var file = files.Open(path);

        Assert.Equal(["1900-01-01", "1900-03-01", "2024-03-15"], file.ReadRows().Select(r => r[0]));
    }

    [Fact]
    public void Xlsx_MissingCellReferencesAndNamespacePrefixes_StillRead()
    {
        var path = files.Zip("prefixed.xlsx", new Dictionary<string, string>
        {
            ["_rels/.rels"] = """<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/xl/workbook.xml"/></Relationships>""",
            ["xl/workbook.xml"] = """<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:sheets><x:sheet name="S" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>""",
            ["xl/_rels/workbook.xml.rels"] = """<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet1.xml"/></Relationships>""",
            ["xl/worksheets/sheet1.xml"] = """<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>Name</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>Count</x:t></x:is></x:c></x:row><x:row hidden="1"><x:c t="inlineStr"><x:is><x:t>PC-1</x:t></x:is></x:c><x:c><x:v>1.5E-7</x:v></x:c></x:row><x:row><x:c t="inlineStr"><x:is><x:t>PC-2</x:t></x:is></x:c><x:c><x:v>1E+20</x:v></x:c></x:row></x:sheetData></x:worksheet>""",
        });

        using var file = files.Open(path, new ParseOptions(IncludeHiddenRows: true));
        var rows = file.ReadRows().ToList();

        Assert.Equal(["Name", "Count"], file.Columns.Select(c => c.Header));
        TestFiles.AssertCells(rows[0], "PC-1", "0.00000015");
        TestFiles.AssertCells(rows[1], "PC-2", "100000000000000000000");
        Assert.Equal([2, 3], rows.Select(r => r.RowNumber));
        Assert.StartsWith("Row 2 is hidden", Assert.Single(file.Warnings).Message);
    }

    [Fact]
    public void SheetScan_CountsRowsWithValues_AndFindsHiddenRowsAndMergedCells_InRowsOfEveryShape()
    {
        // Plain rows are settled by a jump to their end; a formula's colon, a row longer than the scan's buffer and
        // prefixed tags go tag by tag. Both ways must agree: rows 1, 3, 4 and 6 to 9 hold values, 2 and 5 do not.
        var wide = string.Concat(Enumerable.Range(0, 5).Select(i =>
            $"""<c r="{(char)('A' + i)}6" t="inlineStr"><is><t>{new string('x', 30_000)}</t></is></c>"""));
        var sheetData = """<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row>""" +
            """<row r="2"><c r="A2" s="1"/></row>""" +
            """<row r="3" hidden="1"><c r="A3"><f>SUM(B1:B2)</f><v>3</v></c></row>""" +
            """<row r="4"><c r="A4" t="inlineStr"><is><t>PC-4</t></is></c></row>""" +
            """<row r="5"><c r="A5"><v/></c></row>""" +
            $"""<row r="6">{wide}</row>""" +
            """<row r="7" hidden="1"><c r="A7"><v>7</v></c></row>""" +
            """<x:row r="8" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:c r="A8"><x:v>8</x:v></x:c></x:row>""" +
            """<row r="9"><c r="A9"><x:v xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">9</x:v></c></row>""";
        var path = files.RawXlsx("shapes.xlsx", sheetData,
            afterSheetData: """<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>""");

        using var stream = File.OpenRead(path);
        using var package = new Rollouter.Import.Importing.Reading.Xlsx.XlsxPackage(stream, ReaderLimits.Default);
        var scan = Rollouter.Import.Importing.Reading.Xlsx.XlsxSheetScan.Run(package, "xl/worksheets/sheet1.xml");

        Assert.Equal(7, scan.RowsWithValues);
        Assert.Equal([(3, 3), (7, 7)], scan.HiddenRows);
        Assert.Equal(["A1:B1"], scan.MergedRanges);
    }

    [Fact]
    public void Xlsx_SharedStringCellWithEmptyInvalidOrMissingIndex_ReadsAsAnEmptyCell()
    {
        // Excel opens these cells as empty ones; the file is not damaged.
        var path = files.RawXlsx("odd-strings.xlsx",
            """
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>
            <row r="2"><c r="A2" t="s"><v/></c><c r="B2" t="s"><v>1</v></c></row>
            <row r="3"><c r="A3" t="s"><v>x</v></c><c r="B3" t="s"><v>99</v></c></row>
            <row r="4"><c r="A4" t="s"><v>2</v></c><c r="B4" t="s"><v></v></c></row>
            """,
            sharedStrings: ["Name", "Model", "PC-4"]);

        using var file = files.Open(path);
        var rows = file.ReadRows().ToList();

        Assert.Equal(2, file.CountRows());
        TestFiles.AssertCells(rows[0], null, "Model");
        TestFiles.AssertCells(rows[1], "PC-4", null);
        Assert.Equal([2, 4], rows.Select(r => r.RowNumber));
    }

    [Fact]
    public void Xlsx_FileNamedXlsButHoldingXlsx_ReadByContent()
    {
        var path = Workbook(sheet =>
        {
            sheet.Cell(1, 1).Value = "Name";
            sheet.Cell(2, 1).Value = "PC-1";
        });
        var renamed = files.Write("clients.xls", File.ReadAllBytes(path));

        using var file = files.Open(renamed);

        Assert.Equal(SpreadsheetFormat.Xlsx, file.Format);
        Assert.Equal("PC-1", file.SampleRows[0][0]);
    }

    [Fact]
    public void Xlsx_ManyRows_StreamedInOrderAndCounted()
    {
        var path = Workbook(sheet =>
        {
            sheet.Cell(1, 1).Value = "Name";
            sheet.Cell(1, 2).Value = "Index";
            for (var r = 2; r <= 3001; r++)
            {
                sheet.Cell(r, 1).Value = $"PC-{r}";
                sheet.Cell(r, 2).Value = r;
            }
        });

        using var file = files.Open(path);
        var rows = file.ReadRows().ToList();

        Assert.Equal(3000, rows.Count);
        Assert.Equal(3000, file.CountRows());
        Assert.Equal(5, file.SampleRows.Count);
        Assert.All(rows, r => Assert.Equal(r.RowNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), r[1]));
    }

    /// <summary>A hand-made .xlsx whose sheet holds one table "Clients" with the given attributes.</summary>
    private string TableXlsx(string fileName, string sheetData, string tableAttributes)
    {
        var path = files.RawXlsx(fileName, sheetData, afterSheetData: """<tableParts count="1"><tablePart xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"/></tableParts>""");
        using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update);
        Add("xl/worksheets/_rels/sheet1.xml.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/table" Target="../tables/table1.xml"/></Relationships>""");
        Add("xl/tables/table1.xml", $"""<?xml version="1.0" encoding="UTF-8"?><table xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="1" name="Table1" displayName="Clients" {tableAttributes}><autoFilter ref="A1:B3"/><tableColumns count="2"><tableColumn id="1" name="Name" totalsRowLabel="Total"/><tableColumn id="2" name="Model" totalsRowFunction="count"/></tableColumns></table>""");
        return path;

        void Add(string name, string text)
        {
            using var writer = new StreamWriter(zip.CreateEntry(name).Open());
            writer.Write(text);
        }
    }

    private string Workbook(Action<IXLWorksheet> fill)
    {
        var path = files.Path($"book-{Guid.NewGuid():N}.xlsx");
        using var workbook = new XLWorkbook();
        fill(workbook.AddWorksheet("Clients"));
        workbook.SaveAs(path);
        return path;
    }

    private const string RichDataSheet =
        """
        <row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Country</t></is></c><c r="C1" t="inlineStr"><is><t>Lookup</t></is></c></row>
        <row r="2"><c r="A2" t="inlineStr"><is><t>PC-1</t></is></c><c r="B2" t="e" vm="1"><v>#VALUE!</v></c><c r="C2" t="e"><v>#N/A</v></c></row>
        <row r="3"><c r="A3" t="inlineStr"><is><t>PC-2</t></is></c><c r="B3" t="e" vm="2"><v>#VALUE!</v></c></row>
        <row r="4"><c r="A4" t="inlineStr"><is><t>PC-3</t></is></c><c r="B4" t="e" vm="3"><v>#VALUE!</v></c></row>
        <row r="5"><c r="A5" t="inlineStr"><is><t>PC-4</t></is></c><c r="B5" t="e" vm="7"><v>#VALUE!</v></c></row>
        """;

    [Fact]
    public void Excel365DataTypesAndPicturesInCells_ReadAsExcelShowsThem_APictureOrAnUnknownOneIsARowErrorSayingWhatToDo()
    {
        // Excel 365 stores a data type (Geography here) or a picture placed in a cell as #VALUE! with value metadata:
        // vm → metadata.xml's valueMetadata → futureMetadata XLRICHVALUE → rich value → its _DisplayString.
        const string Rich = "http://schemas.microsoft.com/office/spreadsheetml/2017/richdata";
        static string Block(int i) => $$"""<bk><extLst><ext uri="{3e2802c4-a4d2-4d8b-9148-e3be6c30e623}"><xlrd:rvb i="{{i}}"/></ext></extLst></bk>""";
        var path = files.RawXlsx("datatypes.xlsx", RichDataSheet,
            workbookRelationships: """
                <Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata" Target="metadata.xml"/>
                <Relationship Id="rId5" Type="http://schemas.microsoft.com/office/2017/06/relationships/rdRichValue" Target="richData/rdrichvalue.xml"/>
                <Relationship Id="rId6" Type="http://schemas.microsoft.com/office/2017/06/relationships/rdRichValueStructure" Target="richData/rdrichvaluestructure.xml"/>
                """,
            moreParts: new Dictionary<string, string>
            {
                ["xl/metadata.xml"] = $"""
                    <?xml version="1.0" encoding="UTF-8"?><metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:xlrd="{Rich}">
                    <metadataTypes count="1"><metadataType name="XLRICHVALUE" minSupportedVersion="120000" copy="1" pasteAll="1" pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" clearComments="1" assign="1" coerce="1"/></metadataTypes>
                    <futureMetadata name="XLRICHVALUE" count="3">{Block(0)}{Block(1)}{Block(2)}</futureMetadata>
                    <valueMetadata count="3"><bk><rc t="1" v="0"/></bk><bk><rc t="1" v="1"/></bk><bk><rc t="1" v="2"/></bk></valueMetadata></metadata>
                    """.Trim(),
                ["xl/richData/rdrichvaluestructure.xml"] = $"""
                    <?xml version="1.0" encoding="UTF-8"?><rvStructures xmlns="{Rich}" count="2">
                    <s t="_linkedentity2"><k n="%EntityServiceId"/><k n="_DisplayString" t="s"/><k n="%EntityId" t="s"/><k n="%EntityCulture" t="s"/></s>
                    <s t="_localImage"><k n="_rvRel:LocalImageIdentifier" t="i"/><k n="CalcOrigin" t="i"/></s></rvStructures>
                    """.Trim(),
                ["xl/richData/rdrichvalue.xml"] = $"""
                    <?xml version="1.0" encoding="UTF-8"?><rvData xmlns="{Rich}" count="3">
                    <rv s="0"><v>268435456</v><v>Germany</v><v>fd7b8dfb-e2b7-4f8f-8b9c-000000000001</v><v>en-US</v></rv>
                    <rv s="1"><v>0</v><v>5</v></rv>
                    <rv s="0"><v>268435456</v><v>Côte d'Ivoire</v><v>fd7b8dfb-e2b7-4f8f-8b9c-000000000002</v><v>en-US</v></rv></rvData>
                    """.Trim(),
            });

        using var file = files.Open(path);
        var rows = file.ReadRows().ToList();

        TestFiles.AssertCells(rows[0], "PC-1", "Germany", "#N/A");
        Assert.Equal("cell C2 holds the Excel error #N/A", Assert.Single(rows[0].Issues).Message);
        Assert.Equal("cell B3 holds a picture placed in the cell, which cannot be imported; delete the picture or type the value into the cell in Excel",
            Assert.Single(rows[1].Issues).Message);
        TestFiles.AssertCells(rows[2], "PC-3", "Côte d'Ivoire", null);
        Assert.Empty(rows[2].Issues);
        Assert.Equal("cell B5 holds an Excel data type or a picture in the cell; convert it to text in Excel (Data Types › Convert to Text)",
            Assert.Single(rows[3].Issues).Message);
        Assert.Equal("Germany", file.SampleRows[0][1]);
    }

    [Fact]
    public void Excel365DataTypeWithoutItsRichDataParts_IsARowErrorSayingToConvertItToText()
    {
        var path = files.RawXlsx("datatypes-bare.xlsx", RichDataSheet);

        using var file = files.Open(path);
        var rows = file.ReadRows().ToList();

        Assert.Equal("cell B2 holds an Excel data type or a picture in the cell; convert it to text in Excel (Data Types › Convert to Text)",
            rows[0].Issues[0].Message);
        Assert.Equal("cell C2 holds the Excel error #N/A", rows[0].Issues[1].Message);
    }
}
