using System.IO.Compression;
using System.Text;

namespace Rollouter.Import.Tests.Reading;

/// <summary>
/// Writes a minimal Excel binary workbook (.xlsb, BIFF12 records in a zip, [MS-XLSB]) for the tests: sheets of
/// shared-string, inline-string, number (real and RK), boolean and error cells, hidden rows and columns, merged cells,
/// and styles with number formats. No library at hand writes .xlsb.
/// </summary>
public static class XlsbFile
{
    /// <summary>A number written as an RK (a 30-bit integer).</summary>
    public readonly record struct Rk(int Value);

    /// <summary>A number with a custom number format code.</summary>
    public readonly record struct Formatted(double Value, string Code);

    /// <summary>An error cell (#N/A is 0x2A).</summary>
    public readonly record struct Error(byte Code);

    public sealed record Sheet(string Name, IReadOnlyList<object?[]> Rows, bool Hidden = false, ISet<int>? HiddenRows = null,
        (int First, int Last)? HiddenColumns = null, IReadOnlyList<(int Row1, int Row2, int Col1, int Col2)>? Merges = null);

    public static byte[] Create(params Sheet[] sheets)
    {
        var strings = new List<string>();
        var codes = new List<string>();
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            Text(zip, "_rels/.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>""");
            var rels = new StringBuilder("""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">""");
            var workbook = new MemoryStream();
            Record(workbook, 153, U32(0));
            for (var i = 0; i < sheets.Length; i++)
            {
                rels.Append($"""<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.bin"/>""");
                Record(workbook, 156, [.. U32(sheets[i].Hidden ? 1 : 0), .. U32(i + 1), .. WideString($"rId{i + 1}"), .. WideString(sheets[i].Name)]);
                Binary(zip, $"xl/worksheets/sheet{i + 1}.bin", Worksheet(sheets[i], strings, codes));
            }

            rels.Append("""<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.bin"/>""");
            rels.Append("""<Relationship Id="rIdY" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.bin"/></Relationships>""");
            Text(zip, "xl/_rels/workbook.bin.rels", rels.ToString());
            Binary(zip, "xl/workbook.bin", workbook.ToArray());

            var sst = new MemoryStream();
            foreach (var s in strings)
            {
                Record(sst, 19, [0, .. WideString(s)]);
            }

            Binary(zip, "xl/sharedStrings.bin", sst.ToArray());

            // Style 0 is General; style i + 1 uses custom format 164 + i.
            var styles = new MemoryStream();
            for (var i = 0; i < codes.Count; i++)
            {
                Record(styles, 44, [.. U16(164 + i), .. WideString(codes[i])]);
            }

            Record(styles, 626, U32(1));
            Record(styles, 47, Xf(0));
            Record(styles, 627, []);
            Record(styles, 617, U32(codes.Count + 1));
            Record(styles, 47, Xf(0));
            for (var i = 0; i < codes.Count; i++)
            {
                Record(styles, 47, Xf(164 + i));
            }

            Record(styles, 618, []);
            Binary(zip, "xl/styles.bin", styles.ToArray());
        }

        return output.ToArray();
    }

    private static byte[] Worksheet(Sheet sheet, List<string> strings, List<string> codes)
    {
        var part = new MemoryStream();
        if (sheet.HiddenColumns is { } hidden)
        {
            Record(part, 390, []);
            Record(part, 60, [.. U32(hidden.First), .. U32(hidden.Last), .. U32(2048), .. U32(0), .. U16(1)]);
            Record(part, 391, []);
        }

        Record(part, 145, []);
        for (var r = 0; r < sheet.Rows.Count; r++)
        {
            var flags = sheet.HiddenRows?.Contains(r) == true ? (byte)0x10 : (byte)0;
            Record(part, 0, [.. U32(r), .. U32(0), .. U16(300), 0, flags, 0, .. U32(0)]);
            for (var c = 0; c < sheet.Rows[r].Length; c++)
            {
                byte[] cell = [.. U32(c), .. U32(0)];
                switch (sheet.Rows[r][c])
                {
                    case string s when s.StartsWith('!'):
                        Record(part, 6, [.. cell, .. WideString(s[1..])]);
                        break;
                    case string s:
                        strings.Add(s);
                        Record(part, 7, [.. cell, .. U32(strings.Count - 1)]);
                        break;
                    case double d:
                        Record(part, 5, [.. cell, .. BitConverter.GetBytes(d)]);
                        break;
                    case Rk rk:
                        Record(part, 2, [.. cell, .. U32((rk.Value << 2) | 2)]);
                        break;
                    case bool b:
                        Record(part, 4, [.. cell, b ? (byte)1 : (byte)0]);
                        break;
                    case Error e:
                        Record(part, 3, [.. cell, e.Code]);
                        break;
                    case Formatted f:
                        var index = codes.IndexOf(f.Code);
                        if (index < 0)
                        {
                            codes.Add(f.Code);
                            index = codes.Count - 1;
                        }

                        Record(part, 5, [.. U32(c), .. U32(index + 1), .. BitConverter.GetBytes(f.Value)]);
                        break;
                }
            }
        }

        Record(part, 146, []);
        if (sheet.Merges is { Count: > 0 } merges)
        {
            Record(part, 177, U32(merges.Count));
            foreach (var (row1, row2, col1, col2) in merges)
            {
                Record(part, 176, [.. U32(row1), .. U32(row2), .. U32(col1), .. U32(col2)]);
            }

            Record(part, 178, []);
        }

        return part.ToArray();
    }

    private static byte[] Xf(int format) => [.. U16(0), .. U16(format), .. new byte[12]];

    private static void Record(Stream stream, int type, byte[] data)
    {
        if (type < 0x80)
        {
            stream.WriteByte((byte)type);
        }
        else
        {
            stream.WriteByte((byte)((type & 0x7F) | 0x80));
            stream.WriteByte((byte)(type >> 7));
        }

        var length = data.Length;
        do
        {
            var b = (byte)(length & 0x7F);
            length >>= 7;
            stream.WriteByte(length > 0 ? (byte)(b | 0x80) : b);
        }
        while (length > 0);
        stream.Write(data);
    }

    private static byte[] WideString(string text) => [.. U32(text.Length), .. Encoding.Unicode.GetBytes(text)];

    private static byte[] U16(int value) => BitConverter.GetBytes((ushort)value);

    private static byte[] U32(int value) => BitConverter.GetBytes(value);

    private static void Text(ZipArchive zip, string name, string text)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
        writer.Write(text);
    }

    private static void Binary(ZipArchive zip, string name, byte[] bytes)
    {
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(bytes);
    }
}
