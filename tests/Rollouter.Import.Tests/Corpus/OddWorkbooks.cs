using System.IO.Compression;
using System.Text;
using ClosedXML.Excel;
using Rollouter.Import.Tests.Reading;

namespace Rollouter.Import.Tests.Corpus;

/// <summary>
/// A corpus of odd but real-world workbooks, made in the tests: each as a customer would send it, with the clients it
/// holds. Every file has a Name and a Department column (Department is required in the demo's Laptops) and names
/// made unique by <paramref name="prefix"/>.
/// </summary>
public sealed record OddWorkbook(string Case, string FileName, byte[] Content, int Clients, string[] ExpectedWarnings)
{
    /// <summary>A header to map by hand to a field ("Column K" → Location), and the value one client then gets.</summary>
    public (string Header, string Field, string Client, string Value)? Extra { get; init; }

    /// <summary>A field the automatic mapping fills, and the value one client gets.</summary>
    public (string Field, string Client, string Value)? Expected { get; init; }

    /// <summary>Every row is hidden: the import is created empty and File settings ("include hidden rows") fix it.</summary>
    public bool HiddenRowsOnly { get; init; }

    public override string ToString() => Case;
}

public static class OddWorkbooks
{
    public static IEnumerable<OddWorkbook> All(string prefix)
    {
        string Name(int i) => $"{prefix}-{i}";

        yield return new OddWorkbook("cover sheet before the data", "cover.xlsx", Xlsx(book =>
        {
            var cover = book.AddWorksheet("Read me");
            cover.Cell(1, 1).Value = "Laptop inventory of ACME Corp.";
            cover.Cell(3, 1).Value = "Fill in one row per laptop on the sheet Clients.";
            Table(book.AddWorksheet("Clients"), 1, 3, Name);
        }), 3, ["Sheet \"Clients\" is read"]);

        yield return new OddWorkbook("title and empty row above the header", "title.xlsx", Xlsx(book =>
        {
            var sheet = book.AddWorksheet("Export");
            sheet.Cell(1, 1).Value = "Laptops, Berlin office";
            sheet.Range(1, 1, 1, 3).Merge();
            Table(sheet, 3, 4, Name);
        }), 4, ["The header is row 3"]);

        yield return new OddWorkbook("a value beyond the header on row 500", "wide.xlsx", Xlsx(book =>
        {
            var sheet = book.AddWorksheet("Clients");
            Table(sheet, 1, 499, Name);
            sheet.Cell(500, 11).Value = "Room 500";
        }), 499, ["Column K has values from row 500 on but no header"])
        {
            Extra = ("Column K", "Location", Name(500), "Room 500"),
        };

        yield return new OddWorkbook("a duration in an elapsed-time format", "duration.xlsx", Xlsx(book =>
        {
            var sheet = book.AddWorksheet("Clients");
            Table(sheet, 1, 2, Name);
            sheet.Cell(1, 4).Value = "Notes";
            sheet.Cell(2, 4).Value = 1.5;
            sheet.Cell(2, 4).Style.NumberFormat.Format = "[h]:mm:ss";
        }), 2, [])
        {
            Expected = ("Notes", Name(2), "36:00:00"),
        };

        yield return new OddWorkbook("a .xls whose stream is named WORKBOOK", "legacy.xls",
            BiffWorkbook.Create("Clients", [["Name", "Department"], [Name(2), "IT"], [Name(3), "HR"]], streamName: "WORKBOOK"), 2, []);

        yield return new OddWorkbook("shared-string cells with an empty index", "strings.xlsx", Zip(new Dictionary<string, string>
        {
            ["_rels/.rels"] = """<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>""",
            ["xl/workbook.xml"] = """<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Clients" sheetId="1" r:id="rId1"/></sheets></workbook>""",
            ["xl/_rels/workbook.xml.rels"] = """<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>""",
            ["xl/sharedStrings.xml"] = $"""<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Name</t></si><si><t>Department</t></si><si><t>{Name(2)}</t></si><si><t>IT</t></si><si><t>Notes</t></si></sst>""",
            ["xl/worksheets/sheet1.xml"] = """<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>4</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c><c r="C2" t="s"><v/></c></row></sheetData></worksheet>""",
        }), 1, []);

        yield return new OddWorkbook("an Excel binary workbook (.xlsb)", "binary.xlsb", XlsbFile.Create(
            new XlsbFile.Sheet("Clients", [["Name", "Department", "Notes"], [Name(2), "Sales", new XlsbFile.Formatted(0.5, "0%")], [Name(3), "IT"]])), 2, [])
        {
            Expected = ("Notes", Name(2), "50%"),
        };

        yield return new OddWorkbook("a LibreOffice spreadsheet (.ods)", "office.ods", Ods(
            $"""
            <table:table table:name="Clients">
              <table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Department</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1022"/></table:table-row>
              <table:table-row><table:table-cell office:value-type="string"><text:p>{Name(2)}</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Finance</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1022"/></table:table-row>
              <table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
            </table:table>
            """), 1, []);

        yield return new OddWorkbook("encrypted with Excel's default password", "protected.xlsx",
            OfficeEncryption.Encrypt(Xlsx(book => Table(book.AddWorksheet("Clients"), 1, 2, Name)), OfficeEncryption.DefaultPassword), 2, []);

        yield return new OddWorkbook("every row hidden", "hidden.xlsx", Xlsx(book =>
        {
            var sheet = book.AddWorksheet("Clients");
            Table(sheet, 1, 3, Name);
            sheet.Rows(2, 4).Hide();
        }), 3, ["Every row below the header (row 1) is hidden"])
        {
            HiddenRowsOnly = true,
        };
    }

    /// <summary>Name and Department in row <paramref name="headerRow"/>, then <paramref name="rows"/> clients named by their row.</summary>
    private static void Table(IXLWorksheet sheet, int headerRow, int rows, Func<int, string> name)
    {
        string[] departments = ["IT", "HR", "Sales", "Finance", "Operations"];
        sheet.Cell(headerRow, 1).Value = "Name";
        sheet.Cell(headerRow, 2).Value = "Department";
        for (var i = 1; i <= rows; i++)
        {
            var row = headerRow + i;
            sheet.Cell(row, 1).Value = name(row);
            sheet.Cell(row, 2).Value = departments[i % departments.Length];
        }
    }

    private static byte[] Xlsx(Action<XLWorkbook> fill)
    {
        using var workbook = new XLWorkbook();
        fill(workbook);
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    private static byte[] Zip(Dictionary<string, string> parts)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in parts)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
                writer.Write(text);
            }
        }

        return stream.ToArray();
    }

    private static byte[] Ods(string tables)
    {
        using var files = new TestFiles();
        return File.ReadAllBytes(files.Ods("corpus.ods", tables));
    }
}
