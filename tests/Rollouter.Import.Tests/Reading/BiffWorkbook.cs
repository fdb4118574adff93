using System.Text;

namespace Rollouter.Import.Tests.Reading;

/// <summary>
/// Writes a minimal Excel 97-2003 (.xls, BIFF8) workbook for the tests: one sheet of text and number cells, hidden
/// rows and merged cells, in an OLE compound file with one "Workbook" stream (or another name, as some writers use). No library writes .xls any more.
/// </summary>
public static class BiffWorkbook
{
    /// <summary>A serial date-time stored with the built-in date-time format 22 ("m/d/yy h:mm").</summary>
    public readonly record struct Stamp(double Serial);

    /// <summary>A number stored with a custom number format (a FORMAT record from 164 on, and an XF for it).</summary>
    public readonly record struct Formatted(double Value, string Code);

    /// <summary>An error cell: a constant (BOOLERR record, #N/A typed in) or a formula =NA() whose cached result it is.</summary>
    /// <param name="Code">The BIFF error code: 0x2A #N/A, 0x07 #DIV/0!, 0x17 #REF! …</param>
    public readonly record struct ErrorCell(byte Code, bool Formula = false);

    /// <summary>
    /// A formula cell whose stored result is the number <paramref name="Result"/>: its parsed tokens (rgce), written as
    /// they stand, or, for a cell of a shared formula (<paramref name="SharedFrom"/>, the row of the group's first cell,
    /// 0-based), the token tExp pointing to it; the group's first cell writes the SHRFMLA record with the tokens, for its
    /// rows down to <paramref name="SharedTo"/>, as LibreOffice Calc writes a formula filled down.
    /// </summary>
    public readonly record struct Formula(double Result, byte[]? Tokens = null, int? SharedFrom = null, int SharedTo = 0);

    /// <summary>A formula whose stored result is the empty text (type 3), as Calc writes =IF(A8="";"";"ok") filled down past the rows.</summary>
    public readonly record struct EmptyTextFormula;

    /// <param name="rows">Cells per row: string, double, DateTime (stored as a serial with the date format 14),
    /// <see cref="Stamp"/>, <see cref="Formatted"/> or <see cref="ErrorCell"/>; null = empty.</param>
    /// <param name="small">Whether the workbook stream is kept in the compound file's mini stream (under 4,096 bytes).</param>
    public static byte[] Create(string sheetName, IReadOnlyList<object?[]> rows, ISet<int>? hiddenRows = null,
        IReadOnlyList<(int Row1, int Row2, int Col1, int Col2)>? merges = null, string streamName = "Workbook",
        bool small = false)
    {
        var codes = rows.SelectMany(r => r).OfType<Formatted>().Select(f => f.Code).Distinct().ToList();
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
                    case Stamp stamp:
                        Record(sheet, 0x0203, [.. U16(r), .. U16(c), .. U16(2), .. BitConverter.GetBytes(stamp.Serial)]);
                        break;
                    case ErrorCell { Formula: false } error:
                        Record(sheet, 0x0205, [.. U16(r), .. U16(c), .. U16(0), error.Code, 1]);
                        break;
                    case ErrorCell error:
                        // The cached result (type 2, an error, marked by 0xFFFF), no flags, then =NA(): ptgFunc 10.
                        Record(sheet, 0x0006, [.. U16(r), .. U16(c), .. U16(0), 2, 0, error.Code, 0, 0, 0, 0xFF, 0xFF, .. U16(0), .. U32(0), .. U16(3), 0x21, 0x0A, 0x00]);
                        break;
                    case Formula formula:
                    {
                        var shared = formula.SharedFrom is not null;
                        byte[] tokens = shared ? [0x01, .. U16(formula.SharedFrom ?? 0), .. U16(c)] : formula.Tokens ?? [];
                        Record(sheet, 0x0006, [.. U16(r), .. U16(c), .. U16(0), .. BitConverter.GetBytes(formula.Result), .. U16(shared ? 0x0008 : 0), .. U32(0), .. U16(tokens.Length), .. tokens]);
                        if (shared && formula.SharedFrom == r && formula.Tokens is { } rgce)
                        {
                            Record(sheet, 0x04BC, [.. U16(r), .. U16(formula.SharedTo), (byte)c, (byte)c, 0, (byte)(formula.SharedTo - r + 1), .. U16(rgce.Length), .. rgce]);
                        }

                        break;
                    }

                    case EmptyTextFormula:
                        Record(sheet, 0x0006, [.. U16(r), .. U16(c), .. U16(0), 3, 0, 0, 0, 0, 0, 0xFF, 0xFF, .. U16(0), .. U32(0), .. U16(3), 0x17, 0, 0]);
                        break;
                    case Formatted formatted:
                        Record(sheet, 0x0203, [.. U16(r), .. U16(c), .. U16(3 + codes.IndexOf(formatted.Code)), .. BitConverter.GetBytes(formatted.Value)]);
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
        for (var i = 0; i < codes.Count; i++)
        {
            Record(globals, 0x041E, [.. U16(164 + i), .. U16(codes[i].Length), 1, .. Encoding.Unicode.GetBytes(codes[i])]);
        }

        Record(globals, 0x00E0, Xf(0));
        Record(globals, 0x00E0, Xf(14));
        Record(globals, 0x00E0, Xf(22));
        for (var i = 0; i < codes.Count; i++)
        {
            Record(globals, 0x00E0, Xf(164 + i));
        }

        var name = Encoding.Unicode.GetBytes(sheetName);
        var boundSheetRecordLength = 4 + 8 + name.Length;
        var sheetOffset = (int)globals.Length + boundSheetRecordLength + 4; // after this record and the EOF record
        Record(globals, 0x0085, [.. U32(sheetOffset), 0, 0, (byte)sheetName.Length, 1, .. name]);
        Record(globals, 0x000A, []);

        var stream = globals.ToArray().Concat(sheet.ToArray()).ToArray();
        return small ? CompoundFile.CreateSmall(streamName, stream) : CompoundFile.Create((streamName, stream));
    }

    /// <summary>
    /// Damages the length of the LABEL record holding <paramref name="text"/>: its high byte set to 0x0F (21 bytes
    /// become 3,861), so the record runs past the end of the sheet, as in a QA file with one damaged byte.
    /// </summary>
    public static byte[] WithLabelLengthDamaged(byte[] workbook, string text)
    {
        var at = workbook.AsSpan().IndexOf(Encoding.Unicode.GetBytes(text));
        if (at < 0)
        {
            throw new ArgumentException($"No text \"{text}\" in the workbook.", nameof(text));
        }

        // LABEL: type (2), length (2), then row, column, XF, character count (2 each) and a flag byte before the text.
        var lengthHigh = at - 9 - 1;
        if (workbook[lengthHigh - 1] != 9 + (text.Length * 2) || workbook[lengthHigh] != 0)
        {
            throw new ArgumentException($"\"{text}\" is not the whole text of a LABEL record.", nameof(text));
        }

        var damaged = workbook.ToArray();
        damaged[lengthHigh] = 0x0F;
        return damaged;
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

    private static byte[] U16(int value) => BitConverter.GetBytes((ushort)value);

    private static byte[] U32(long value) => BitConverter.GetBytes((uint)value);
}
