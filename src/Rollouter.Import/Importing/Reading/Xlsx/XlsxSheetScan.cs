using System.Globalization;
using System.Text;

namespace Rollouter.Import.Importing.Reading.Xlsx;

/// <summary>
/// One fast pass over the bytes of a worksheet part that reads no cell values: hidden columns (before the rows),
/// hidden rows, rows that hold values, and the auto-filter, merged cells and tables (after the rows), for the warnings the
/// mapping step shows. A tag scanner rather than an XML parser: it looks only at the start tags it needs, so a
/// 100,000-row sheet takes a fraction of the time a full parse would. The streaming reader parses properly.
/// </summary>
internal sealed class XlsxSheetScan
{
    private const int MaxTagLength = 1 << 16;

    public List<(int First, int Last)> HiddenRows { get; } = [];

    public List<(int First, int Last)> HiddenColumns { get; } = [];

    public string? AutoFilter { get; private set; }

    public bool AutoFilterActive { get; private set; }

    public List<string> MergedRanges { get; } = [];

    public int RowsWithValues { get; private set; }

    /// <summary>The relationship ids of the sheet's tables (<c>&lt;tablePart r:id="…"/&gt;</c>, after the rows).</summary>
    public List<string> TableParts { get; } = [];

    public static XlsxSheetScan Run(XlsxPackage package, string part)
    {
        var scan = new XlsxSheetScan();
        using var stream = package.Open(part);
        var buffer = new byte[1 << 17];
        int start = 0, end = 0;
        var lastRow = 0;
        var rowHasValue = false;
        var inAutoFilter = false;

        // Inside a <v> whose text is still to be seen: an empty <v></v> (LibreOffice's "" from a formula filled down,
        // =IF(A8="";"";"ok")) is no value, so its row is not counted.
        var inValue = false;
        while (true)
        {
            var lt = buffer.AsSpan(start, end - start).IndexOf((byte)'<');
            if (inValue && (lt > 0 || (lt < 0 && end > start)))
            {
                rowHasValue = true;
                inValue = false;
            }

            int gt;
            if (lt < 0 || (gt = buffer.AsSpan(start + lt, end - start - lt).IndexOf((byte)'>')) < 0)
            {
                // Keep an unfinished tag, drop the text before it, and read on.
                var keep = lt < 0 ? 0 : end - start - lt;
                if (keep > MaxTagLength)
                {
                    throw new InvalidDataException("A tag of the worksheet is too long.");
                }

                buffer.AsSpan(end - keep, keep).CopyTo(buffer);
                start = 0;
                end = keep;
                var read = stream.Read(buffer, end, buffer.Length - end);
                if (read == 0)
                {
                    break;
                }

                end += read;
                continue;
            }

            var tag = buffer.AsSpan(start + lt + 1, gt - 1);
            start += lt + gt + 1;
            if (tag.Length == 0)
            {
                continue;
            }

            // Cells and their values are nearly all of a sheet's tags: settle the unprefixed ones without parsing.
            switch (tag[0])
            {
                case (byte)'c' when tag.Length == 1 || tag[1] is (byte)' ' or (byte)'/':
                    continue;
                case (byte)'v' when tag.Length == 1:
                    inValue = true;
                    continue;
                case (byte)'/' when tag.Length == 2 && tag[1] is (byte)'c' or (byte)'v' or (byte)'f' or (byte)'t':
                    inValue = false;
                    continue;
            }

            var closing = tag[0] == '/';
            var name = Name(closing ? tag[1..] : tag, out var attributes);
            if (closing)
            {
                inValue = false;
                if (name.SequenceEqual("row"u8) && rowHasValue)
                {
                    scan.RowsWithValues++;
                    rowHasValue = false;
                }
                else if (name.SequenceEqual("autoFilter"u8))
                {
                    inAutoFilter = false;
                }

                continue;
            }

            if (name.SequenceEqual("v"u8))
            {
                inValue = tag[^1] != '/';
            }
            else if (name.SequenceEqual("is"u8))
            {
                rowHasValue |= tag[^1] != '/';
            }
            else if (name.SequenceEqual("row"u8))
            {
                rowHasValue = false;
                var number = int.TryParse(Attribute(attributes, "r"u8), NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > lastRow ? r : lastRow + 1;
                lastRow = number;
                if (IsTrue(Attribute(attributes, "hidden"u8)))
                {
                    Extend(scan.HiddenRows, number, number);
                }

                // The row's cells matter only for whether it holds a value: when the whole row is in the buffer and
                // written plainly, as spreadsheet programs write it, look for a value and jump past it.
                if (tag[^1] != '/' && SkipRow(buffer.AsSpan(start, end - start)) is var (length, hasValue) && length > 0)
                {
                    start += length;
                    scan.RowsWithValues += hasValue ? 1 : 0;
                }
            }
            else if (name.SequenceEqual("col"u8))
            {
                if (IsTrue(Attribute(attributes, "hidden"u8))
                    && int.TryParse(Attribute(attributes, "min"u8), NumberStyles.None, CultureInfo.InvariantCulture, out var min)
                    && int.TryParse(Attribute(attributes, "max"u8), NumberStyles.None, CultureInfo.InvariantCulture, out var max)
                    && min >= 1 && max >= min)
                {
                    Extend(scan.HiddenColumns, min - 1, max - 1);
                }
            }
            else if (name.SequenceEqual("autoFilter"u8))
            {
                scan.AutoFilter = Text(Attribute(attributes, "ref"u8));
                inAutoFilter = tag[^1] != '/';
            }
            else if (name.SequenceEqual("filterColumn"u8))
            {
                scan.AutoFilterActive |= inAutoFilter;
            }
            else if (name.SequenceEqual("mergeCell"u8) && Text(Attribute(attributes, "ref"u8)) is { } range)
            {
                scan.MergedRanges.Add(range);
            }
            else if (name.SequenceEqual("tablePart"u8) && Text(Attribute(attributes, "id"u8)) is { } table)
            {
                scan.TableParts.Add(table);
            }
        }

        return scan;
    }

    /// <summary>
    /// The length of the rest of a row up to and including its <c>&lt;/row&gt;</c>, and whether it holds a value
    /// (<c>&lt;v&gt;</c> with text, or an inline <c>&lt;is&gt;</c>); length 0 when the tag-by-tag scan must decide: the end is not
    /// in the buffer, or the row has prefixed names, attributes on values or anything else with a colon.
    /// </summary>
    private static (int Length, bool HasValue) SkipRow(ReadOnlySpan<byte> rest)
    {
        var close = rest.IndexOf("</row>"u8);
        if (close < 0)
        {
            return (0, false);
        }

        var row = rest[..close];
        if (row.Contains((byte)':') || row.IndexOf("<v "u8) >= 0 || row.IndexOf("<is "u8) >= 0)
        {
            return (0, false);
        }

        return (close + "</row>"u8.Length, HasValue(row) || row.IndexOf("<is>"u8) >= 0);
    }

    /// <summary>Whether a row's cells hold a <c>&lt;v&gt;</c> with text: an empty <c>&lt;v&gt;&lt;/v&gt;</c> is none.</summary>
    private static bool HasValue(ReadOnlySpan<byte> row)
    {
        for (var at = row.IndexOf("<v>"u8); at >= 0; at = row.IndexOf("<v>"u8))
        {
            row = row[(at + "<v>"u8.Length)..];
            if (!row.StartsWith("</v>"u8))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The local name of a tag (any namespace prefix dropped) and the rest of it.</summary>
    private static ReadOnlySpan<byte> Name(ReadOnlySpan<byte> tag, out ReadOnlySpan<byte> attributes)
    {
        var stop = tag.IndexOfAny(" \t\r\n/"u8);
        var qualified = stop < 0 ? tag : tag[..stop];
        attributes = stop < 0 ? [] : tag[stop..];
        var colon = qualified.IndexOf((byte)':');
        return colon < 0 ? qualified : qualified[(colon + 1)..];
    }

    /// <summary>The raw value of an attribute (by local name) in the attribute text of a tag; empty when absent.</summary>
    private static ReadOnlySpan<byte> Attribute(ReadOnlySpan<byte> attributes, ReadOnlySpan<byte> name)
    {
        var rest = attributes;
        while (true)
        {
            var eq = rest.IndexOf((byte)'=');
            if (eq < 0 || eq + 1 >= rest.Length)
            {
                return [];
            }

            var key = rest[..eq].Trim(" \t\r\n"u8);
            var space = key.LastIndexOfAny(" \t\r\n"u8);
            key = space < 0 ? key : key[(space + 1)..];
            var colon = key.IndexOf((byte)':');
            key = colon < 0 ? key : key[(colon + 1)..];

            var valueStart = eq + 1;
            while (valueStart < rest.Length && rest[valueStart] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                valueStart++;
            }

            if (valueStart >= rest.Length || rest[valueStart] is not ((byte)'"' or (byte)'\''))
            {
                return [];
            }

            var quote = rest[valueStart];
            var close = rest[(valueStart + 1)..].IndexOf(quote);
            if (close < 0)
            {
                return [];
            }

            var value = rest.Slice(valueStart + 1, close);
            if (key.SequenceEqual(name))
            {
                return value;
            }

            rest = rest[(valueStart + close + 2)..];
        }
    }

    private static bool IsTrue(ReadOnlySpan<byte> value) => value.SequenceEqual("1"u8) || value.SequenceEqual("true"u8);

    private static string? Text(ReadOnlySpan<byte> value) => value.IsEmpty ? null : Encoding.UTF8.GetString(value);

    private static void Extend(List<(int First, int Last)> ranges, int first, int last)
    {
        if (ranges.Count > 0 && ranges[^1].Last + 1 >= first)
        {
            ranges[^1] = (ranges[^1].First, Math.Max(ranges[^1].Last, last));
        }
        else
        {
            ranges.Add((first, last));
        }
    }
}
