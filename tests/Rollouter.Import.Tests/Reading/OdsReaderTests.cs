using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Tests.Reading;

public sealed class OdsReaderTests : IDisposable
{
    private const string Styles =
        """
        <number:time-style style:name="N1" number:truncate-on-overflow="false"><number:hours/><number:text>:</number:text><number:minutes number:style="long"/><number:text>:</number:text><number:seconds number:style="long"/></number:time-style>
        <number:number-style style:name="N2"><number:number number:decimal-places="0" number:min-integer-digits="5"/></number:number-style>
        <style:style style:name="duration" style:family="table-cell" style:data-style-name="N1"/>
        <style:style style:name="zip" style:family="table-cell" style:data-style-name="N2"/>
        <style:style style:name="hiddenTable" style:family="table"><style:table-properties table:display="false"/></style:style>
        """;

    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void Ods_NumberStylesWithTextsAndEmbeddedTexts_ShowTheirZerosAndTexts()
    {
        // As LibreOffice writes "DE"000000, 00000-0000 (the "-" embedded 4 digits from the right), and 00000;-00000
        // (a style for negative values whose "-" is not shown on the positive ones).
        var path = files.Ods("codes.ods",
            """
            <table:table table:name="Clients">
              <table:table-row>
                <table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Asset</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Zip</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Plain</text:p></table:table-cell>
              </table:table-row>
              <table:table-row>
                <table:table-cell office:value-type="string"><text:p>PC-1</text:p></table:table-cell>
                <table:table-cell table:style-name="asset" office:value-type="float" office:value="4711"><text:p>DE004711</text:p></table:table-cell>
                <table:table-cell table:style-name="zip4" office:value-type="float" office:value="12345678"><text:p>01234-5678</text:p></table:table-cell>
                <table:table-cell table:style-name="signed" office:value-type="float" office:value="1234"><text:p>01234</text:p></table:table-cell>
              </table:table-row>
            </table:table>
            """,
            """
            <number:number-style style:name="N10"><number:text>DE</number:text><number:number number:decimal-places="0" number:min-integer-digits="6"/></number:number-style>
            <number:number-style style:name="N11"><number:number number:decimal-places="0" number:min-integer-digits="9"><number:embedded-text number:position="4">-</number:embedded-text></number:number></number:number-style>
            <number:number-style style:name="N12P0" style:volatile="true"><number:number number:decimal-places="0" number:min-integer-digits="5"/></number:number-style>
            <number:number-style style:name="N12"><number:text>-</number:text><number:number number:decimal-places="0" number:min-integer-digits="5"/><style:map style:condition="value()&gt;=0" style:apply-style-name="N12P0"/></number:number-style>
            <style:style style:name="asset" style:family="table-cell" style:data-style-name="N10"/>
            <style:style style:name="zip4" style:family="table-cell" style:data-style-name="N11"/>
            <style:style style:name="signed" style:family="table-cell" style:data-style-name="N12"/>
            """);

        using var file = files.Open(path);

        TestFiles.AssertCells(file.SampleRows[0], "PC-1", "DE004711", "01234-5678", "01234");
    }

    [Fact]
    public void Ods_SpaceBetweenFormattedRuns_IsKept_WhitespaceAroundAndBetweenParagraphsIsNot()
    {
        var path = files.Ods("runs.ods",
            """
            <table:table table:name="Clients">
              <table:table-row>
                <table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Model</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Notes</text:p></table:table-cell>
              </table:table-row>
              <table:table-row>
                <table:table-cell office:value-type="string"><text:p>PC-1</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p><text:span text:style-name="T1">Dell</text:span> <text:span text:style-name="T2">Latitude</text:span></text:p></table:table-cell>
                <table:table-cell office:value-type="string">
                  <text:p> <text:span>first</text:span>
                    <text:span>line</text:span> </text:p>
                  <text:p><text:span>second</text:span><text:span> </text:span><text:span>line</text:span></text:p>
                </table:table-cell>
              </table:table-row>
            </table:table>
            """);

        using var file = files.Open(path);

        TestFiles.AssertCells(file.SampleRows[0], "PC-1", "Dell Latitude", "first line\nsecond line");
    }

    [Fact]
    public void Ods_TypedValuesRepeatedCellsAndRows_ReadAsTheSpreadsheetShowsThem()
    {
        var path = files.Ods("clients.ods",
            """
            <table:table table:name="Clients">
              <table:table-column table:number-columns-repeated="16384"/>
              <table:table-row>
                <table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Count</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Installed</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Uptime</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Progress</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Zip</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Ok</text:p></table:table-cell>
                <table:table-cell table:number-columns-repeated="16377"/>
              </table:table-row>
              <table:table-row table:number-rows-repeated="2">
                <table:table-cell office:value-type="string"><text:p>PC<text:s text:c="2"/>1</text:p></table:table-cell>
                <table:table-cell office:value-type="float" office:value="0.30000000000000004"><text:p>0.3</text:p></table:table-cell>
                <table:table-cell office:value-type="date" office:date-value="2024-03-15T15:59:59.9996"><text:p>15.03.24</text:p></table:table-cell>
                <table:table-cell table:style-name="duration" office:value-type="time" office:time-value="PT36H00M00S"><text:p>36:00:00</text:p></table:table-cell>
                <table:table-cell office:value-type="percentage" office:value="0.5"><text:p>50%</text:p></table:table-cell>
                <table:table-cell table:style-name="zip" office:value-type="float" office:value="1234"><text:p>01234</text:p></table:table-cell>
                <table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell>
                <table:table-cell table:number-columns-repeated="16377"/>
              </table:table-row>
              <table:table-row table:number-rows-repeated="1048573"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>
            </table:table>
            """,
            Styles);

        using var file = files.Open(path);
        var rows = file.ReadRows().ToList();

        Assert.Equal(SpreadsheetFormat.Ods, file.Format);
        Assert.Equal(["Name", "Count", "Installed", "Uptime", "Progress", "Zip", "Ok"], file.Columns.Select(c => c.Header));
        Assert.Equal([2, 3], rows.Select(r => r.RowNumber));
        TestFiles.AssertCells(rows[1], "PC  1", "0.3", "2024-03-15T16:00:00", "36:00:00", "50%", "01234", "TRUE");
        Assert.Equal(2, file.CountRows());
        Assert.Equal(3, Assert.Single(file.Sheets).Rows);
    }

    [Fact]
    public void Ods_DatesAndDurations_ReadAsTheirDataStylesShowThem_AsASerialInTheSameExcelFormat()
    {
        // A date style without hours (DD.MM.YYYY) shows the date only, one with hours the date and time; a time style
        // that wraps at 24 hours (HH:MM:SS) the time of day, one that does not ([HH]:MM:SS, N1) the whole duration.
        var path = files.Ods("dates.ods",
            """
            <table:table table:name="Clients">
              <table:table-row>
                <table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>V1</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Stamp</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Clock</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Uptime</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Lap</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Elapsed</text:p></table:table-cell>
              </table:table-row>
              <table:table-row>
                <table:table-cell office:value-type="string"><text:p>PC-1</text:p></table:table-cell>
                <table:table-cell table:style-name="day" office:value-type="date" office:date-value="2026-12-31T18:00:00"><text:p>31.12.2026</text:p></table:table-cell>
                <table:table-cell table:style-name="stamp" office:value-type="date" office:date-value="2026-12-31T18:00:00"><text:p>31.12.2026 18:00</text:p></table:table-cell>
                <table:table-cell table:style-name="clock" office:value-type="date" office:date-value="2026-12-31T18:00:00"><text:p>18:00:00</text:p></table:table-cell>
                <table:table-cell table:style-name="duration" office:value-type="date" office:date-value="1899-12-31T12:00:00"><text:p>36:00:00</text:p></table:table-cell>
                <table:table-cell table:style-name="clock" office:value-type="time" office:time-value="PT36H00M00S"><text:p>12:00:00</text:p></table:table-cell>
                <table:table-cell table:style-name="duration" office:value-type="time" office:time-value="PT36H00M00S"><text:p>36:00:00</text:p></table:table-cell>
              </table:table-row>
            </table:table>
            """,
            Styles + """
            <number:date-style style:name="N36"><number:day number:style="long"/><number:text>.</number:text><number:month number:style="long"/><number:text>.</number:text><number:year number:style="long"/></number:date-style>
            <number:date-style style:name="N50"><number:day number:style="long"/><number:text>.</number:text><number:month number:style="long"/><number:text>.</number:text><number:year number:style="long"/><number:text> </number:text><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/></number:date-style>
            <number:time-style style:name="N40"><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/><number:text>:</number:text><number:seconds number:style="long"/></number:time-style>
            <style:style style:name="day" style:family="table-cell" style:data-style-name="N36"/>
            <style:style style:name="stamp" style:family="table-cell" style:data-style-name="N50"/>
            <style:style style:name="clock" style:family="table-cell" style:data-style-name="N40"/>
            """);

        using var file = files.Open(path);

        TestFiles.AssertCells(file.SampleRows[0], "PC-1", "2026-12-31", "2026-12-31T18:00:00", "18:00:00", "36:00:00", "12:00:00", "36:00:00");
    }

    [Fact]
    public void Ods_HiddenRowsColumnsSheetsMergesAndFilter_WarnedLikeXlsx()
    {
        var path = files.Ods("hidden.ods",
            """
            <table:table table:name="Secret" table:style-name="hiddenTable"><table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>y</text:p></table:table-cell></table:table-row></table:table>
            <table:table table:name="Clients">
              <table:table-column/><table:table-column table:visibility="collapse"/>
              <table:table-row><table:table-cell office:value-type="string" table:number-columns-spanned="2"><text:p>Name</text:p></table:table-cell><table:covered-table-cell/></table:table-row>
              <table:table-row><table:table-cell office:value-type="string"><text:p>PC-1</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell></table:table-row>
              <table:table-row table:visibility="collapse" table:number-rows-repeated="2"><table:table-cell office:value-type="string"><text:p>PC-2</text:p></table:table-cell></table:table-row>
              <table:table-row table:visibility="filter"><table:table-cell office:value-type="string"><text:p>PC-5</text:p></table:table-cell></table:table-row>
              <table:table-row><table:table-cell office:value-type="string"><text:p>PC-6</text:p></table:table-cell></table:table-row>
            </table:table>
            """,
            Styles,
            afterTables: """<table:database-ranges><table:database-range table:name="__Anonymous_Sheet_DB__1" table:target-range-address="Clients.A1:Clients.B6" table:display-filter-buttons="true"><table:filter><table:filter-condition table:field-number="0" table:value="PC-1" table:operator="="/></table:filter></table:database-range></table:database-ranges>""");

        using var file = files.Open(path);
        using var including = files.Open(path, new ParseOptions(IncludeHiddenRows: true));

        Assert.Equal([new SheetInfo("Secret", true, 2), new SheetInfo("Clients", false, 6)], file.Sheets);
        Assert.Equal("Clients", file.Sheet);
        Assert.Equal([2, 6], file.ReadRows().Select(r => r.RowNumber));
        Assert.Equal([2, 3, 4, 5, 6], including.ReadRows().Select(r => r.RowNumber));
        Assert.Contains(file.Warnings, w => w.Kind == FileWarningKind.HiddenRows && w.Message.StartsWith("Rows 3–5 are hidden", StringComparison.Ordinal));
        Assert.Contains(file.Warnings, w => w.Kind == FileWarningKind.HiddenColumns && w.Message.StartsWith("Column B is hidden", StringComparison.Ordinal));
        Assert.Contains(file.Warnings, w => w.Kind == FileWarningKind.MergedCells && w.Message.Contains("A1:B1"));
        Assert.Contains(file.Warnings, w => w.Kind == FileWarningKind.AutoFilter && w.Message.Contains("A1:B6") && w.Message.Contains("active"));
    }

    [Fact]
    public void Ods_AsLibreOfficeWritesIt_EmptyCellsAndRowsRepeatedToTheSheetsEdge_ReadFineAndFast()
    {
        // LibreOffice ends a row with its empty cells repeated to column 16,384 (or 1,024) and a sheet with its empty
        // rows repeated to row 1,048,576: cheap, and no warning.
        var path = files.Ods("libreoffice.ods",
            """
            <table:table table:name="Clients">
              <table:table-column table:number-columns-repeated="2"/><table:table-column table:number-columns-repeated="16382"/>
              <table:table-row>
                <table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>Status</text:p></table:table-cell>
                <table:table-cell table:number-columns-repeated="16382"/>
              </table:table-row>
              <table:table-row>
                <table:table-cell office:value-type="string"><text:p>PC-1</text:p></table:table-cell>
                <table:table-cell office:value-type="string"><text:p>New</text:p></table:table-cell>
                <table:table-cell table:number-columns-repeated="1022"/>
              </table:table-row>
              <table:table-row table:number-rows-repeated="1048560"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>
              <table:table-row table:number-rows-repeated="14"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
            </table:table>
            """);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        using var file = files.Open(path);
        var rows = file.ReadRows().ToList();

        Assert.Equal(["Name", "Status"], file.Columns.Select(c => c.Header));
        TestFiles.AssertCells(Assert.Single(rows), "PC-1", "New");
        Assert.Equal(1, file.CountRows());
        Assert.Empty(file.Warnings);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{watch.Elapsed}");
    }

    [Fact]
    public void Ods_RepeatsAndSpansNearIntMaxValue_AreCutAtTheSheetsEdge_NeverOverflow()
    {
        const string Header = """<table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell></table:table-row>""";
        static string Cell(string text, string attributes = "") =>
            $"""<table:table-cell office:value-type="string" {attributes}><text:p>{text}</text:p></table:table-cell>""";

        // Cells repeated 2,147,483,647 times: the row reaches the sheet's last column, which is too wide to import (it
        // was "damaged" from an overflow).
        var wide = files.Ods("wide.ods", $"""
            <table:table table:name="S">{Header}<table:table-row>{Cell("OD-2")}{Cell("x", "table:number-columns-repeated=\"2147483647\"")}{Cell("y", "table:number-columns-repeated=\"2147483647\"")}{Cell("z")}</table:table-row></table:table>
            """);
        var tooWide = files.Problem(wide);
        Assert.Equal(FileProblemKind.TooManyColumns, tooWide.Kind);
        // The sheet's last column (XFD, the 16,384th), named with its row: the header is within the column limit.
        Assert.Contains("has a value in column XFD of row 2", tooWide.Message);

        // Columns repeated past the edge, hidden: the same.
        var columns = files.Ods("columns.ods", $"""
            <table:table table:name="S"><table:table-column table:number-columns-repeated="2147483647" table:visibility="collapse"/><table:table-column table:number-columns-repeated="2147483647"/>{Header}<table:table-row>{Cell("W1")}{Cell("v", "table:number-columns-repeated=\"2147483000\"")}</table:table-row></table:table>
            """);
        Assert.Contains("has a value in column XFD of row 2", files.Problem(columns).Message);

        // A merge of 2,147,483,647 × 2,147,483,647 cells: warned as far as the sheet goes (it was "A2:FXSHRXW-2147483648").
        var merged = files.Ods("merged.ods", $"""
            <table:table table:name="S">{Header}<table:table-row>{Cell("M", "table:number-columns-spanned=\"2147483647\" table:number-rows-spanned=\"2147483647\"")}</table:table-row></table:table>
            """);
        using (var file = files.Open(merged))
        {
            TestFiles.AssertCells(Assert.Single(file.ReadRows()), "M");
            Assert.Contains(file.Warnings, w => w.Kind == FileWarningKind.MergedCells && w.Message.StartsWith("Cells A2:XFD1048576 are merged", StringComparison.Ordinal));
        }

        // Rows repeated 2,147,483,647 times, twice: hidden and empty, read as far as the sheet goes; holding a value,
        // more rows than an import takes.
        var hidden = files.Ods("hidden.ods", $"""
            <table:table table:name="S">{Header}<table:table-row>{Cell("A1")}</table:table-row><table:table-row table:visibility="collapse" table:number-rows-repeated="2147483647"><table:table-cell/></table:table-row><table:table-row table:visibility="collapse" table:number-rows-repeated="2147483647"><table:table-cell/></table:table-row></table:table>
            """);
        using (var file = files.Open(hidden))
        {
            TestFiles.AssertCells(Assert.Single(file.ReadRows()), "A1");
            Assert.Contains(file.Warnings, w => w.Kind == FileWarningKind.HiddenRows && w.Message.StartsWith("Rows 3–1048576 are hidden", StringComparison.Ordinal));
        }

        var tall = files.Ods("tall.ods", $"""
            <table:table table:name="S">{Header}<table:table-row table:number-rows-repeated="2147483647">{Cell("R")}</table:table-row><table:table-row table:number-rows-repeated="2147483647">{Cell("R")}</table:table-row><table:table-row>{Cell("last")}</table:table-row></table:table>
            """);
        Assert.Equal(FileProblemKind.TooLarge, files.Problem(tall).Kind);
    }

    [Fact]
    public void OpenDocumentTextNamedOds_RefusedAsNotASpreadsheet()
    {
        var path = files.Ods("letter.ods", "", mimeType: "application/vnd.oasis.opendocument.text");

        var problem = files.Problem(path);

        Assert.Equal(FileProblemKind.WrongType, problem.Kind);
        Assert.Contains("not a spreadsheet", problem.Message);
    }

    // Flat OpenDocument spreadsheets (.fods, decision 0097 amended): the same document as one XML file, read by the
    // same code as an .ods.

    /// <summary>A sheet of every kind of value LibreOffice writes: repeated rows and cells, styles, a formula's error.</summary>
    private const string EveryKindOfValue =
        """
        <table:table table:name="Clients">
          <table:table-column table:number-columns-repeated="16384"/>
          <table:table-row>
            <table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell>
            <table:table-cell office:value-type="string"><text:p>Count</text:p></table:table-cell>
            <table:table-cell office:value-type="string"><text:p>Installed</text:p></table:table-cell>
            <table:table-cell office:value-type="string"><text:p>Uptime</text:p></table:table-cell>
            <table:table-cell office:value-type="string"><text:p>Progress</text:p></table:table-cell>
            <table:table-cell office:value-type="string"><text:p>Zip</text:p></table:table-cell>
            <table:table-cell office:value-type="string"><text:p>Ok</text:p></table:table-cell>
            <table:table-cell office:value-type="string"><text:p>Ratio</text:p></table:table-cell>
            <table:table-cell office:value-type="string"><text:p>Day</text:p></table:table-cell>
            <table:table-cell table:number-columns-repeated="16375"/>
          </table:table-row>
          <table:table-row table:number-rows-repeated="2">
            <table:table-cell office:value-type="string"><text:p>PC<text:s text:c="2"/>1 &amp; <text:span>co</text:span></text:p></table:table-cell>
            <table:table-cell office:value-type="float" office:value="0.30000000000000004"><text:p>0.3</text:p></table:table-cell>
            <table:table-cell office:value-type="date" office:date-value="2024-03-15T15:59:59.9996"><text:p>15.03.24</text:p></table:table-cell>
            <table:table-cell table:style-name="duration" office:value-type="time" office:time-value="PT36H00M00S"><text:p>36:00:00</text:p></table:table-cell>
            <table:table-cell office:value-type="percentage" office:value="0.5"><text:p>50%</text:p></table:table-cell>
            <table:table-cell table:style-name="zip" office:value-type="float" office:value="1234"><text:p>01234</text:p></table:table-cell>
            <table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell>
            <table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>
            <table:table-cell table:style-name="day" office:value-type="date" office:date-value="2026-12-31T18:00:00"><text:p>31.12.2026</text:p></table:table-cell>
            <table:table-cell table:number-columns-repeated="16375"/>
          </table:table-row>
          <table:table-row table:number-rows-repeated="1048573"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>
        </table:table>
        """;

    private const string DayStyle =
        """
        <number:date-style style:name="N36"><number:day number:style="long"/><number:text>.</number:text><number:month number:style="long"/><number:text>.</number:text><number:year number:style="long"/></number:date-style>
        <style:style style:name="day" style:family="table-cell" style:data-style-name="N36"/>
        """;

    private const string HiddenAndMerged =
        """
        <table:table table:name="Secret" table:style-name="hiddenTable"><table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>y</text:p></table:table-cell></table:table-row></table:table>
        <table:table table:name="Clients">
          <table:table-column/><table:table-column table:visibility="collapse"/>
          <table:table-row><table:table-cell office:value-type="string" table:number-columns-spanned="2"><text:p>Name</text:p></table:table-cell><table:covered-table-cell/></table:table-row>
          <table:table-row><table:table-cell office:value-type="string"><text:p>PC-1</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell></table:table-row>
          <table:table-row table:visibility="collapse" table:number-rows-repeated="2"><table:table-cell office:value-type="string"><text:p>PC-2</text:p></table:table-cell></table:table-row>
          <table:table-row table:visibility="filter"><table:table-cell office:value-type="string"><text:p>PC-5</text:p></table:table-cell></table:table-row>
          <table:table-row><table:table-cell office:value-type="string"><text:p>PC-6</text:p></table:table-cell></table:table-row>
        </table:table>
        <table:table table:name="Notes"><table:table-row><table:table-cell office:value-type="string"><text:p>Note</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>n1</text:p></table:table-cell></table:table-row></table:table>
        """;

    private const string Filter =
        """<table:database-ranges><table:database-range table:name="__Anonymous_Sheet_DB__1" table:target-range-address="Clients.A1:Clients.B6" table:display-filter-buttons="true"><table:filter><table:filter-condition table:field-number="0" table:value="PC-1" table:operator="="/></table:filter></table:database-range></table:database-ranges>""";

    /// <summary>What a reader makes of a file: its format, sheets, sheet read, columns, rows, count and warnings.</summary>
    private static string Read(SpreadsheetFile file, bool includeHidden = false) => string.Join("\n",
        [
            file.Format.ToString(),
            string.Join(" | ", file.Sheets.Select(s => $"{s.Name} hidden={s.Hidden} rows={s.Rows}")),
            file.Sheet,
            string.Join(" | ", file.Columns.Select(c => c.Header)),
            .. file.ReadRows().Select(r => $"{r.RowNumber}: {string.Join(" | ", r.Cells)}"),
            $"count {file.CountRows()}",
            .. file.Warnings.Select(w => $"{w.Kind}: {w.Message}"),
        ]);

    [Fact]
    public void Fods_TheSameSheetAsAnOds_ReadsTheSameValues_ColumnsSheetsAndCount()
    {
        var ods = files.Ods("clients.ods", EveryKindOfValue, Styles + DayStyle);
        var fods = files.Fods("clients.fods", EveryKindOfValue, Styles + DayStyle);

        using var fromOds = files.Open(ods);
        using var fromFods = files.Open(fods);
        var read = Read(fromFods);

        Assert.Equal(Read(fromOds), read);
        Assert.Equal(SpreadsheetFormat.Ods, fromFods.Format);
        var rows = fromFods.ReadRows().ToList();
        Assert.Equal([2, 3], rows.Select(r => r.RowNumber));
        TestFiles.AssertCells(rows[1], "PC  1 & co", "0.3", "2024-03-15T16:00:00", "36:00:00", "50%", "01234", "TRUE", "#DIV/0!", "2026-12-31");
        Assert.Equal(3, Assert.Single(fromFods.Sheets).Rows);
    }

    [Fact]
    public void Fods_HiddenSheetsRowsColumnsMergesAndFilter_AreReadAndWarnedAsInAnOds()
    {
        var ods = files.Ods("hidden.ods", HiddenAndMerged, Styles, afterTables: Filter);
        var fods = files.Fods("hidden.fods", HiddenAndMerged, Styles, afterTables: Filter);

        using var fromOds = files.Open(ods);
        using var fromFods = files.Open(fods);
        using var notes = files.Open(fods, new ParseOptions(Sheet: "Notes"));
        using var including = files.Open(fods, new ParseOptions(IncludeHiddenRows: true));

        Assert.Equal(Read(fromOds), Read(fromFods));
        Assert.Equal([new SheetInfo("Secret", true, 2), new SheetInfo("Clients", false, 6), new SheetInfo("Notes", false, 2)], fromFods.Sheets);
        Assert.Equal("Clients", fromFods.Sheet);
        Assert.Equal([2, 6], fromFods.ReadRows().Select(r => r.RowNumber));
        Assert.Equal([2, 3, 4, 5, 6], including.ReadRows().Select(r => r.RowNumber));
        Assert.Contains(fromFods.Warnings, w => w.Kind == FileWarningKind.HiddenRows && w.Message.StartsWith("Rows 3–5 are hidden", StringComparison.Ordinal));
        Assert.Contains(fromFods.Warnings, w => w.Kind == FileWarningKind.HiddenColumns && w.Message.StartsWith("Column B is hidden", StringComparison.Ordinal));
        Assert.Contains(fromFods.Warnings, w => w.Kind == FileWarningKind.MergedCells && w.Message.Contains("A1:B1"));
        Assert.Contains(fromFods.Warnings, w => w.Kind == FileWarningKind.AutoFilter && w.Message.Contains("A1:B6") && w.Message.Contains("active"));
        Assert.Equal("Notes", notes.Sheet);
        Assert.Equal(["Note"], notes.Columns.Select(c => c.Header));
    }

    [Fact]
    public void Fods_RowsRepeatedPastTheImportsBound_AreRefusedAsInAnOds_EmptyOnesToTheSheetsEdgeAreNot()
    {
        const string Header = """<table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell></table:table-row>""";
        const string Cell = """<table:table-cell office:value-type="string"><text:p>R</text:p></table:table-cell>""";
        var tall = $"""<table:table table:name="S">{Header}<table:table-row table:number-rows-repeated="2147483647">{Cell}</table:table-row><table:table-row table:number-rows-repeated="2147483647">{Cell}</table:table-row><table:table-row>{Cell}</table:table-row></table:table>""";
        var edge = $"""<table:table table:name="S">{Header}<table:table-row>{Cell}</table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>""";

        var fromOds = files.Problem(files.Ods("tall.ods", tall));
        var fromFods = files.Problem(files.Fods("tall.fods", tall));
        using var edgeFile = files.Open(files.Fods("edge.fods", edge));

        Assert.Equal(FileProblemKind.TooLarge, fromFods.Kind);
        Assert.Equal((fromOds.Kind, fromOds.Message), (fromFods.Kind, fromFods.Message));
        TestFiles.AssertCells(Assert.Single(edgeFile.ReadRows()), "R");
        Assert.Empty(edgeFile.Warnings);
    }

    [Theory]
    [InlineData("clients.fods")]
    [InlineData("clients.ods")]
    [InlineData("clients.xml")]
    [InlineData("clients.xlsx")]
    [InlineData("clients.csv")]
    [InlineData("clients")]
    public void Fods_IsRecognisedByItsContent_WhateverItsName(string fileName)
    {
        var path = files.Fods(fileName, """<table:table table:name="Clients"><table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>PC-1</text:p></table:table-cell></table:table-row></table:table>""");

        using var file = files.Open(path);

        Assert.Equal(SpreadsheetFormat.Ods, file.Format);
        TestFiles.AssertCells(Assert.Single(file.ReadRows()), "PC-1");
    }

    [Fact]
    public void Fods_OfATextDocument_OrWithADtd_IsRefused_AndReadsNoEntity()
    {
        // A flat text document (.fodt) is not taken for a spreadsheet (its mime type is not one): refused as other XML.
        var text = files.Fods("letter.fods", "", mimeType: "application/vnd.oasis.opendocument.text");
        var secret = files.WriteText("secret.txt", "TOP-SECRET", new System.Text.UTF8Encoding(false), bom: false);
        var withDtd = files.WriteText("entity.fods", TestFiles.FodsText(
                """<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p>&secret;</text:p></table:table-cell></table:table-row></table:table>""")
            .Replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE office:document [<!ENTITY secret SYSTEM \"{new Uri(secret).AbsoluteUri}\">]>", StringComparison.Ordinal),
            new System.Text.UTF8Encoding(false), bom: false);

        var notASpreadsheet = files.Problem(text);
        var dtd = files.Problem(withDtd);

        Assert.Equal(FileProblemKind.WrongType, notASpreadsheet.Kind);
        Assert.StartsWith("The file is named .fods but holds XML, not a workbook", notASpreadsheet.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("TOP-SECRET", dtd.Message);
    }
}
