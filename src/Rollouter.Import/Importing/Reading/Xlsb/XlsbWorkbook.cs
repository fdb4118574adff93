using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Rollouter.Import.Importing.Reading.Xlsx;

namespace Rollouter.Import.Importing.Reading.Xlsb;

/// <summary>
/// Excel's binary workbook (.xlsb): the parts of an .xlsx, zipped the same way, written as BIFF12 records instead of
/// XML ([MS-XLSB]). Read like .xlsx: the package checked against zip bombs, each sheet scanned once when opened
/// (rows with values, hidden rows and columns, filters, merged cells), rows streamed. ExcelDataReader 3.6, the version
/// the package source serves, does not read .xlsb; this reader takes the records an importer needs.
/// </summary>
internal sealed class XlsbWorkbook : WorkbookFile
{
    private readonly Func<Stream> openStream;
    private readonly ReaderLimits limits;
    private readonly List<(string Name, bool Hidden, string Part)> sheets;
    private readonly XlsbSheetFacts[] facts;
    private readonly NumberFormat[] formats;
    private readonly bool date1904;
    private readonly XlsbSharedStrings strings;

    private XlsbWorkbook(Func<Stream> openStream, ReaderLimits limits, List<(string Name, bool Hidden, string Part)> sheets,
        XlsbSheetFacts[] facts, NumberFormat[] formats, bool date1904, XlsbSharedStrings strings)
    {
        this.openStream = openStream;
        this.limits = limits;
        this.sheets = sheets;
        this.facts = facts;
        this.formats = formats;
        this.date1904 = date1904;
        this.strings = strings;
        Sheets = [.. sheets.Select((s, i) => new SheetInfo(s.Name, s.Hidden, facts[i].RowsWithValues))];
    }

    public override SpreadsheetFormat Format => SpreadsheetFormat.Xlsb;

    public override IReadOnlyList<SheetInfo> Sheets { get; }

    public static XlsbWorkbook Open(Func<Stream> openStream, XlsxPackage package, string workbookPart, ReaderLimits limits)
    {
        package.CheckDeclaredSizes();
        var rels = package.Relationships(workbookPart);
        var sheets = new List<(string Name, bool Hidden, string Part)>();
        var date1904 = false;
        using (var records = new XlsbRecords(package.Open(workbookPart)))
        {
            while (records.Next())
            {
                switch (records.Type)
                {
                    case XlsbRecords.WorkbookProperties:
                        date1904 = (records.UInt32(0) & 1) != 0;
                        break;
                    case XlsbRecords.BundleSheet:
                        var state = records.UInt32(0);
                        var offset = 8;
                        var relationship = records.NullableString(ref offset);
                        var name = records.String(ref offset);
                        if (relationship is not null && rels.TryGetValue(relationship, out var rel) && rel.Type.EndsWith("/worksheet", StringComparison.Ordinal))
                        {
                            sheets.Add((name, state != 0, rel.Target));
                        }

                        break;
                }
            }
        }

        if (sheets.Count == 0)
        {
            throw new ImportFileException(FileProblemKind.Empty, "The workbook has no worksheets.");
        }

        var formats = rels.Values.FirstOrDefault(r => r.Type.EndsWith("/styles", StringComparison.Ordinal)).Target is { } stylesPart && package.Has(stylesPart)
            ? ReadStyles(package, stylesPart)
            : [];
        var stringsPart = rels.Values.FirstOrDefault(r => r.Type.EndsWith("/sharedStrings", StringComparison.Ordinal)).Target;
        var strings = new XlsbSharedStrings(openStream, limits, stringsPart is not null && package.Has(stringsPart) ? stringsPart : null);
        var facts = sheets.Select(s => package.Has(s.Part) ? XlsbSheetFacts.Scan(package.Open(s.Part)) : new XlsbSheetFacts()).ToArray();
        return new XlsbWorkbook(openStream, limits, sheets, facts, formats, date1904, strings);
    }

    public override IEnumerable<RawRow> Rows(int sheet, int columnCap) =>
        new XlsbSheetSource(openStream, limits, sheets[sheet].Part, strings, formats, date1904).ReadRaw(columnCap);

    public override OpenedSheet Open(int sheet, ParseOptions options)
    {
        var (name, _, part) = sheets[sheet];
        var f = facts[sheet];
        return new OpenedSheet(Format, Sheets, name, options with { Sheet = name, Delimiter = null, Encoding = null },
            new XlsbSheetSource(openStream, limits, part, strings, formats, date1904))
        {
            HiddenRows = f.HiddenRows,
            HiddenColumns = f.HiddenColumns,
            MergedRanges = f.MergedRanges,
            AutoFilterRange = f.AutoFilter,
            AutoFilterActive = f.AutoFilterActive,
            RowsWithValues = f.RowsWithValues,
        };
    }

    private static NumberFormat[] ReadStyles(XlsxPackage package, string part)
    {
        var custom = new Dictionary<int, string>();
        var formats = new List<NumberFormat>();
        var inCellXfs = false;
        using var records = new XlsbRecords(package.Open(part));
        while (records.Next())
        {
            switch (records.Type)
            {
                case XlsbRecords.Format:
                    var offset = 2;
                    custom[records.UInt16(0)] = records.String(ref offset);
                    break;
                case XlsbRecords.BeginCellXfs:
                    inCellXfs = true;
                    break;
                case XlsbRecords.EndCellXfs:
                    inCellXfs = false;
                    break;
                case XlsbRecords.Xf when inCellXfs:
                    var id = records.UInt16(2);
                    formats.Add(custom.TryGetValue(id, out var code) ? CellText.Classify(code) : CellText.BuiltIn(id));
                    break;
            }
        }

        return [.. formats];
    }
}

/// <summary>BIFF12 records of one part: a type and a length, each written in 7-bit groups, then the payload.</summary>
internal sealed class XlsbRecords(Stream stream) : IDisposable
{
    public const int RowHeader = 0;
    public const int CellBlank = 1;
    public const int CellRk = 2;
    public const int CellError = 3;
    public const int CellBool = 4;
    public const int CellReal = 5;
    public const int CellString = 6;
    public const int CellSharedString = 7;
    public const int FormulaString = 8;
    public const int FormulaNumber = 9;
    public const int FormulaBool = 10;
    public const int FormulaError = 11;
    public const int SharedStringItem = 19;
    public const int Format = 44;
    public const int Xf = 47;
    public const int ColumnInfo = 60;
    public const int CellRichString = 62;
    public const int BeginSheetData = 145;
    public const int EndSheetData = 146;
    public const int WorkbookProperties = 153;
    public const int BundleSheet = 156;
    public const int BeginAutoFilter = 161;
    public const int BeginFilterColumn = 163;
    public const int MergeCell = 176;
    public const int BeginCellXfs = 617;
    public const int EndCellXfs = 618;

    /// <summary>A record longer than this is damage, not data (a cell holds at most 32,767 characters).</summary>
    private const int MaxRecordLength = 16 * 1024 * 1024;

    private readonly BufferedStream input = new(stream, 1 << 16);
    private byte[] payload = new byte[256];

    public int Type { get; private set; }

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Payload => payload.AsSpan(0, Length);

    /// <summary>Moves to the next record; false at the end of the part.</summary>
    public bool Next()
    {
        var first = input.ReadByte();
        if (first < 0)
        {
            return false;
        }

        var type = first & 0x7F;
        if ((first & 0x80) != 0)
        {
            type |= (ReadByte() & 0x7F) << 7;
        }

        var length = 0;
        for (var shift = 0; shift < 28; shift += 7)
        {
            var b = ReadByte();
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        if (length > MaxRecordLength)
        {
            throw new InvalidDataException("A record of the workbook is too long.");
        }

        if (payload.Length < length)
        {
            payload = new byte[Math.Max(length, payload.Length * 2)];
        }

        input.ReadExactly(payload, 0, length);
        Type = type;
        Length = length;
        return true;
    }

    public uint UInt32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(Payload[offset..]);

    public ushort UInt16(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(Payload[offset..]);

    public double Double(int offset) => BinaryPrimitives.ReadDoubleLittleEndian(Payload[offset..]);

    /// <summary>An XLWideString (a character count, then UTF-16), moving <paramref name="offset"/> past it.</summary>
    public string String(ref int offset)
    {
        var count = (int)UInt32(offset);
        if (count < 0 || offset + 4 + (count * 2L) > Length)
        {
            throw new InvalidDataException("A text of the workbook runs past its record.");
        }

        var text = Encoding.Unicode.GetString(Payload.Slice(offset + 4, count * 2));
        offset += 4 + (count * 2);
        return text;
    }

    /// <summary>An XLNullableWideString: null when its count is 0xFFFFFFFF.</summary>
    public string? NullableString(ref int offset)
    {
        if (UInt32(offset) == uint.MaxValue)
        {
            offset += 4;
            return null;
        }

        return String(ref offset);
    }

    public void Dispose() => input.Dispose();

    private int ReadByte()
    {
        var b = input.ReadByte();
        return b >= 0 ? b : throw new EndOfStreamException("The workbook ends inside a record.");
    }
}

/// <summary>The workbook's shared strings, read in full the first time a cell asks for one.</summary>
internal sealed class XlsbSharedStrings(Func<Stream> openStream, ReaderLimits limits, string? part)
{
    private List<string>? items;

    public bool TryGet(int index, out string text)
    {
        items ??= Load();
        text = (uint)index < (uint)items.Count ? items[index] : "";
        return (uint)index < (uint)items.Count;
    }

    private List<string> Load()
    {
        var list = new List<string>();
        if (part is null)
        {
            return list;
        }

        using var package = new XlsxPackage(openStream(), limits);
        using var records = new XlsbRecords(package.Open(part));
        while (records.Next())
        {
            if (records.Type == XlsbRecords.SharedStringItem)
            {
                // A RichStr: one byte of flags, then the text (runs and phonetics after it are left out).
                var offset = 1;
                list.Add(records.String(ref offset));
            }
        }

        return list;
    }
}

/// <summary>One sheet's facts from the opening scan.</summary>
internal sealed class XlsbSheetFacts
{
    public int RowsWithValues { get; private set; }

    public List<(int First, int Last)> HiddenRows { get; } = [];

    public List<(int First, int Last)> HiddenColumns { get; } = [];

    public List<string> MergedRanges { get; } = [];

    public string? AutoFilter { get; private set; }

    public bool AutoFilterActive { get; private set; }

    public static XlsbSheetFacts Scan(Stream part)
    {
        var facts = new XlsbSheetFacts();
        using var records = new XlsbRecords(part);
        var rowHasValue = false;
        while (records.Next())
        {
            switch (records.Type)
            {
                case XlsbRecords.RowHeader:
                    facts.RowsWithValues += rowHasValue ? 1 : 0;
                    rowHasValue = false;
                    if (records.Length > 11 && (records.Payload[11] & 0x10) != 0)
                    {
                        var row = (int)records.UInt32(0) + 1;
                        Extend(facts.HiddenRows, row, row);
                    }

                    break;
                case >= XlsbRecords.CellRk and <= XlsbRecords.FormulaError or XlsbRecords.CellRichString:
                    rowHasValue = true;
                    break;
                case XlsbRecords.EndSheetData:
                    facts.RowsWithValues += rowHasValue ? 1 : 0;
                    rowHasValue = false;
                    break;
                case XlsbRecords.ColumnInfo when (records.UInt16(16) & 1) != 0:
                    Extend(facts.HiddenColumns, (int)records.UInt32(0), (int)records.UInt32(4));
                    break;
                case XlsbRecords.MergeCell when facts.MergedRanges.Count < 1000:
                    facts.MergedRanges.Add(Range(records, 0));
                    break;
                case XlsbRecords.BeginAutoFilter:
                    facts.AutoFilter = Range(records, 0);
                    break;
                case XlsbRecords.BeginFilterColumn:
                    facts.AutoFilterActive = true;
                    break;
            }
        }

        return facts;
    }

    /// <summary>An RfX (first row, last row, first column, last column) as "A1:D10".</summary>
    private static string Range(XlsbRecords records, int offset) =>
        $"{ColumnLetters.FromIndex((int)records.UInt32(offset + 8))}{records.UInt32(offset) + 1}:{ColumnLetters.FromIndex((int)records.UInt32(offset + 12))}{records.UInt32(offset + 4) + 1}";

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

/// <summary>Streams the rows of one .xlsb worksheet.</summary>
internal sealed class XlsbSheetSource(
    Func<Stream> openStream, ReaderLimits limits, string part, XlsbSharedStrings strings, NumberFormat[] formats, bool date1904) : SheetSource
{
    private static readonly Dictionary<byte, string> Errors = new()
    {
        [0x00] = "#NULL!", [0x07] = "#DIV/0!", [0x0F] = "#VALUE!", [0x17] = "#REF!", [0x1D] = "#NAME?", [0x24] = "#NUM!", [0x2A] = "#N/A",
        [0x2B] = "#GETTING_DATA",
    };

    public override IEnumerable<RawRow> ReadRaw(int columnCap)
    {
        using var package = new XlsxPackage(openStream(), limits);
        var stream = package.Open(part);
        using var records = new XlsbRecords(stream);
        var row = new RawRow(columnCap);
        var inRow = false;
        var lastRow = 0;
        while (records.Next())
        {
            switch (records.Type)
            {
                case XlsbRecords.RowHeader:
                    if (inRow)
                    {
                        yield return row;
                    }

                    var number = (int)records.UInt32(0) + 1;
                    number = number > lastRow ? number : lastRow + 1;
                    lastRow = number;
                    row.Reset(number, records.Length > 11 && (records.Payload[11] & 0x10) != 0);
                    inRow = true;
                    break;
                case XlsbRecords.EndSheetData:
                    if (inRow)
                    {
                        yield return row;
                    }

                    // The part's checksum is compared at its end (decision 0052); the shared strings were read whole.
                    stream.ReadToEnd();
                    yield break;
                case >= XlsbRecords.CellRk and <= XlsbRecords.FormulaError or XlsbRecords.CellRichString when inRow:
                    AddCell(records, row);
                    break;
            }
        }

        if (inRow)
        {
            yield return row;
        }
    }

    private void AddCell(XlsbRecords records, RawRow row)
    {
        var column = (int)records.UInt32(0);
        var style = (int)(records.UInt32(4) & 0xFFFFFF);
        var format = (uint)style < (uint)formats.Length ? formats[style] : NumberFormat.General;
        var offset = 8;
        switch (records.Type)
        {
            case XlsbRecords.CellRk:
                row.Add(column, CellText.Format(Rk(records.UInt32(8)), format, date1904));
                break;
            case XlsbRecords.CellReal or XlsbRecords.FormulaNumber:
                row.Add(column, CellText.Format(records.Double(8), format, date1904));
                break;
            case XlsbRecords.CellString or XlsbRecords.FormulaString:
                row.Add(column, records.String(ref offset));
                break;
            case XlsbRecords.CellRichString:
                offset = 9;
                row.Add(column, records.String(ref offset));
                break;
            case XlsbRecords.CellSharedString:
                if (strings.TryGet((int)records.UInt32(8), out var shared))
                {
                    row.Add(column, shared);
                }

                break;
            case XlsbRecords.CellBool or XlsbRecords.FormulaBool:
                row.Add(column, records.Payload[8] != 0 ? "TRUE" : "FALSE");
                break;
            case XlsbRecords.CellError or XlsbRecords.FormulaError:
                row.Add(column, Errors.GetValueOrDefault(records.Payload[8], "#VALUE!"), isError: true);
                break;
        }
    }

    /// <summary>An RkNumber: a 30-bit integer or the high bits of a double, possibly times 100.</summary>
    private static double Rk(uint rk)
    {
        double value = (rk & 2) != 0
            ? (int)rk >> 2
            : BitConverter.Int64BitsToDouble((long)(rk & 0xFFFFFFFC) << 32);
        return (rk & 1) != 0 ? value / 100 : value;
    }
}
