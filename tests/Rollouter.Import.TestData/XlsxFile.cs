using System.Globalization;
using System.IO.Compression;
using System.Security;
using System.Text;

namespace Rollouter.Import.TestData;

/// <summary>
/// Streams one sheet to an .xlsx as Excel writes it (every text in shared strings): the worst case for readers that
/// load the file whole, and what the bench has always measured.
/// </summary>
internal static class XlsxFile
{
    public static void Write(string path, string sheetName, IReadOnlyList<string> headers, IEnumerable<string[]> rows)
    {
        using var output = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        Write(output, sheetName, headers, rows);
    }

    public static void Write(Stream output, string sheetName, IReadOnlyList<string> headers, IEnumerable<string[]> rows)
    {
        var strings = new Dictionary<string, int>();
        var order = new List<string>();
        int Index(string s)
        {
            if (!strings.TryGetValue(s, out var index))
            {
                index = strings.Count;
                strings[s] = index;
                order.Add(s);
            }

            return index;
        }

        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        Entry(zip, "[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>
            """);
        Entry(zip, "_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """);
        Entry(zip, "xl/workbook.xml", $$"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{{SecurityElement.Escape(sheetName)}}" sheetId="1" r:id="rId1"/></sheets></workbook>
            """);
        Entry(zip, "xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>
            """);
        Entry(zip, "xl/styles.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>
            """);

        using (var sheet = new StreamWriter(zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.Fastest).Open(),
                   new UTF8Encoding(false), 1 << 16))
        {
            sheet.Write("""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>""");
            WriteRow(sheet, 1, headers, Index);
            var rowNumber = 1;
            foreach (var row in rows)
            {
                WriteRow(sheet, ++rowNumber, row, Index);
            }

            sheet.Write("</sheetData></worksheet>");
        }

        using var shared = new StreamWriter(zip.CreateEntry("xl/sharedStrings.xml", CompressionLevel.Fastest).Open(),
            new UTF8Encoding(false), 1 << 16);
        shared.Write($"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{order.Count}" uniqueCount="{order.Count}">""");
        foreach (var s in order)
        {
            shared.Write("<si><t xml:space=\"preserve\">");
            shared.Write(SecurityElement.Escape(s));
            shared.Write("</t></si>");
        }

        shared.Write("</sst>");
    }

    private static void WriteRow(TextWriter sheet, int rowNumber, IReadOnlyList<string> cells, Func<string, int> index)
    {
        sheet.Write("<row r=\"");
        sheet.Write(rowNumber.ToString(CultureInfo.InvariantCulture));
        sheet.Write("\">");
        for (var c = 0; c < cells.Count; c++)
        {
            if (cells[c].Length == 0)
            {
                continue;
            }

            sheet.Write("<c r=\"");
            sheet.Write(ColumnLetter(c));
            sheet.Write(rowNumber.ToString(CultureInfo.InvariantCulture));
            sheet.Write("\" t=\"s\"><v>");
            sheet.Write(index(cells[c]).ToString(CultureInfo.InvariantCulture));
            sheet.Write("</v></c>");
        }

        sheet.Write("</row>");
    }

    private static void Entry(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
        writer.Write(content);
    }

    private static string ColumnLetter(int index)
    {
        var letter = "";
        for (var i = index + 1; i > 0; i = (i - 1) / 26)
        {
            letter = (char)('A' + ((i - 1) % 26)) + letter;
        }

        return letter;
    }
}
