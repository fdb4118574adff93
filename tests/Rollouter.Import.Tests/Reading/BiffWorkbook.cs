using System.Text;

namespace Rollouter.Import.Tests.Reading;

/// <summary>
/// Writes a minimal Excel 97-2003 (.xls, BIFF8) workbook for the tests: one sheet of text and number cells, hidden
/// rows and merged cells, in an OLE compound file with one "Workbook" stream. No library writes .xls any more.
/// </summary>
public static class BiffWorkbook
{
    /// <param name="rows">Cells per row: string, double, or DateTime (stored as a serial with the date format 14); null = empty.</param>
    public static byte[] Create(string sheetName, IReadOnlyList<object?[]> rows, ISet<int>? hiddenRows = null, IReadOnlyList<(int Row1, int Row2, int Col1, int Col2)>? merges = null)
    {
        var sheet = new MemoryStream();
        Record(sheet, 0x0809, Bof(0x0010));
        var width = rows.Max(r => r.Length);
        Record(sheet, 0x0200, [.. U32(0), .. U32(rows.Count), .. U16(0), .. U16(width), .. U16(0)]);
        for (var r = 0; r < rows.Count; r++)
        {
            var flags = 0x0100u | (hiddenRows?.Contains(r) == true ? 0x20u : 0u);
            Record(sheet, 0x0208, [.. U16(r), .. U16(0), .. U16(rows[r].Length), .. U16(0x00FF), .. U16(0), .. U16(0), .. U32(flags)]);
        }

        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < rows[r].Length; c++)
            {
                switch (rows[r][c])
                {
                    case string s:
                        Record(sheet, 0x0204, [.. U16(r), .. U16(c), .. U16(0), .. U16(s.Length), 1, .. Encoding.Unicode.GetBytes(s)]);
                        break;
                    case double d:
                        Record(sheet, 0x0203, [.. U16(r), .. U16(c), .. U16(0), .. BitConverter.GetBytes(d)]);
                        break;
                    case DateTime dt:
                        Record(sheet, 0x0203, [.. U16(r), .. U16(c), .. U16(1), .. BitConverter.GetBytes(dt.ToOADate())]);
                        break;
                }
            }
        }

        if (merges is { Count: > 0 })
        {
            Record(sheet, 0x00E5, [.. U16(merges.Count), .. merges.SelectMany(m => (byte[])[.. U16(m.Row1), .. U16(m.Row2), .. U16(m.Col1), .. U16(m.Col2)])]);
        }

        Record(sheet, 0x000A, []);

        var globals = new MemoryStream();
        Record(globals, 0x0809, Bof(0x0005));
        Record(globals, 0x0042, U16(1200));
        Record(globals, 0x00E0, Xf(0));
        Record(globals, 0x00E0, Xf(14));
        var name = Encoding.Unicode.GetBytes(sheetName);
        var boundSheetRecordLength = 4 + 8 + name.Length;
        var sheetOffset = (int)globals.Length + boundSheetRecordLength + 4; // after this record and the EOF record
        Record(globals, 0x0085, [.. U32(sheetOffset), 0, 0, (byte)sheetName.Length, 1, .. name]);
        Record(globals, 0x000A, []);

        var stream = globals.ToArray().Concat(sheet.ToArray()).ToArray();
        return Compound(stream);
    }

    private static byte[] Bof(int type) => [.. U16(0x0600), .. U16(type), .. U16(0x0DBB), .. U16(0x07CC), .. U32(0), .. U32(0x06)];

    private static byte[] Xf(int format)
    {
        var xf = new byte[20];
        U16(format).CopyTo(xf, 2);
        return xf;
    }

    private static void Record(Stream stream, int type, byte[] data)
    {
        stream.Write(U16(type));
        stream.Write(U16(data.Length));
        stream.Write(data);
    }

    /// <summary>An OLE compound file (version 3, 512-byte sectors): FAT in sector 0, directory in 1, the stream from 2.</summary>
    private static byte[] Compound(byte[] workbook)
    {
        const uint Free = 0xFFFFFFFF, End = 0xFFFFFFFE, FatSector = 0xFFFFFFFD;
        var size = Math.Max(workbook.Length, 4096);
        var sectors = (size + 511) / 512;
        var file = new byte[512 * (3 + sectors)];
        byte[] header = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        header.CopyTo(file, 0);
        Put16(file, 24, 0x003E);
        Put16(file, 26, 0x0003);
        Put16(file, 28, 0xFFFE);
        Put16(file, 30, 9);
        Put16(file, 32, 6);
        Put32(file, 44, 1);
        Put32(file, 48, 1);
        Put32(file, 56, 4096);
        Put32(file, 60, End);
        Put32(file, 68, End);
        Put32(file, 76, 0);
        for (var i = 1; i < 109; i++)
        {
            Put32(file, 76 + (i * 4), Free);
        }

        var fat = 512;
        for (var i = 0; i < 128; i++)
        {
            Put32(file, fat + (i * 4), Free);
        }

        Put32(file, fat, FatSector);
        Put32(file, fat + 4, End);
        for (var s = 0; s < sectors; s++)
        {
            Put32(file, fat + ((2 + s) * 4), s == sectors - 1 ? End : (uint)(3 + s));
        }

        var directory = 1024;
        Entry(file, directory, "Root Entry", 5, child: 1, start: End, length: 0);
        Entry(file, directory + 128, "Workbook", 2, child: Free, start: 2, length: (uint)size);
        for (var e = 2; e < 4; e++)
        {
            Put32(file, directory + (e * 128) + 68, Free);
            Put32(file, directory + (e * 128) + 72, Free);
            Put32(file, directory + (e * 128) + 76, Free);
        }

        workbook.CopyTo(file, 1536);
        return file;
    }

    private static void Entry(byte[] file, int at, string name, byte type, uint child, uint start, uint length)
    {
        Encoding.Unicode.GetBytes(name).CopyTo(file, at);
        Put16(file, at + 64, (name.Length + 1) * 2);
        file[at + 66] = type;
        file[at + 67] = 1;
        Put32(file, at + 68, 0xFFFFFFFF);
        Put32(file, at + 72, 0xFFFFFFFF);
        Put32(file, at + 76, child);
        Put32(file, at + 116, start);
        Put32(file, at + 120, length);
    }

    private static byte[] U16(int value) => BitConverter.GetBytes((ushort)value);

    private static byte[] U32(long value) => BitConverter.GetBytes((uint)value);

    private static void Put16(byte[] file, int at, int value) => U16(value).CopyTo(file, at);

    private static void Put32(byte[] file, int at, uint value) => BitConverter.GetBytes(value).CopyTo(file, at);
}
