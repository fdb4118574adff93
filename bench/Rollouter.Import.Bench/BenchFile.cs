using System.Globalization;
using System.IO.Compression;
using System.Security;
using System.Text;

namespace Rollouter.Import.Bench;

/// <summary>
/// Writes the benchmark's file: exactly the 12 columns of issue #3, streamed, so that a million rows need no memory.
/// The .xlsx is written as Excel writes it (shared strings), the worst case for readers that load it whole.
/// </summary>
public static class BenchFile
{
    public static readonly string[] Headers =
    [
        "Name", "Status", "Assignee", "Client User", "Description", "Client flag",
        "Location", "Model", "Software", "Serial", "Department", "Notes",
    ];

    private static readonly string[] Statuses = ["New", "Prepared", "Scheduled", "Done"];

    /// <param name="i">The row's number, from 1.</param>
    /// <param name="moved">The same client a week later: the next status and another room (an update of two fields).</param>
    public static string[] Row(int i, bool moved = false) =>
    [
        $"PC-{i:0000000}",
        Statuses[(moved ? i + 1 : i) % 4],
        $"tech{i % 20}@bench.test",
        $"user{i % 5000}@bench.test",
        $"Laptop for desk {i % 977}, floor {i % 9}",
        i % 50 == 0 ? "Check docking station" : "",
        moved ? $"Building {(char)('A' + (i + 1) % 6)}, room {(i + 7) % 400}" : $"Building {(char)('A' + i % 6)}, room {i % 400}",
        $"Model {i % 7}",
        (i % 3) switch
        {
            0 => $"App {i % 10}",
            1 => $"App {i % 10};App {(i + 3) % 10}",
            _ => $"App {i % 10};App {(i + 1) % 10};App {(i + 5) % 10}",
        },
        $"SN{i % 1_000_000_000:000000000}",
        $"Dept {i % 40}",
        (i % 4) switch
        {
            0 => "",
            1 => "Fragile, handle with care",
            2 => $"User says \"urgent\", call {i % 100}",
            _ => "Two lines:\nkeys at reception",
        },
    ];

    /// <param name="first">The number of the first row: files with other clients of the same rollout start further on.</param>
    public static void WriteCsv(string path, int rows, bool moved = false, int first = 1)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.Write(string.Join(',', Headers));
        writer.Write("\r\n");
        for (var i = first; i < first + rows; i++)
        {
            var row = Row(i, moved);
            for (var c = 0; c < row.Length; c++)
            {
                if (c > 0)
                {
                    writer.Write(',');
                }

                writer.Write(Quote(row[c]));
            }

            writer.Write("\r\n");
        }
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;

    public static void WriteXlsx(string path, int rows)
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

        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Entry(zip, "[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>
            """);
        Entry(zip, "_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """);
        Entry(zip, "xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Clients" sheetId="1" r:id="rId1"/></sheets></workbook>
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
            WriteRow(sheet, 1, Headers, Index);
            for (var i = 1; i <= rows; i++)
            {
                WriteRow(sheet, i + 1, Row(i), Index);
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

    private static void WriteRow(TextWriter sheet, int rowNumber, string[] cells, Func<string, int> index)
    {
        sheet.Write("<row r=\"");
        sheet.Write(rowNumber.ToString(CultureInfo.InvariantCulture));
        sheet.Write("\">");
        for (var c = 0; c < cells.Length; c++)
        {
            if (cells[c].Length == 0)
            {
                continue;
            }

            sheet.Write("<c r=\"");
            sheet.Write((char)('A' + c));
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
}
