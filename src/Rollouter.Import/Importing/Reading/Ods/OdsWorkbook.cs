using System.Globalization;
using System.Text;
using System.Xml;
using Rollouter.Import.Importing.Reading.Xlsx;

namespace Rollouter.Import.Importing.Reading.Ods;

/// <summary>
/// An OpenDocument spreadsheet (.ods, LibreOffice's own format): a zip of XML like .xlsx, read the same way, streamed
/// from <c>content.xml</c> with an <see cref="XmlReader"/>. Repeated rows and cells (<c>table:number-rows-repeated</c>,
/// <c>table:number-columns-repeated</c>, which a sheet ends with a million times over) are expanded only where they hold
/// something; hidden rows and columns come from <c>table:visibility</c>, hidden sheets from their table style, merged
/// cells from the spans, filters from the database ranges. Opening reads the content once for these facts.
/// A flat OpenDocument spreadsheet (.fods, LibreOffice's "Flat XML ODF Spreadsheet") is the same document as one XML
/// file: its styles and body are read from that file by the same code (<see cref="OdsContent"/>).
/// </summary>
internal static class Ns
{
    public const string Office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
    public const string Table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
    public const string Style = "urn:oasis:names:tc:opendocument:xmlns:style:1.0";
    public const string Number = "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0";
    public const string Text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
    public const string CalcExt = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0";
}

internal sealed class OdsWorkbook : WorkbookFile
{
    private const string MimeType = "application/vnd.oasis.opendocument.spreadsheet";

    private readonly OdsContent content;
    private readonly ReaderLimits limits;
    private readonly OdsStyles styles;
    private readonly List<OdsSheetFacts> facts;

    private OdsWorkbook(OdsContent content, ReaderLimits limits, OdsStyles styles, List<OdsSheetFacts> facts)
    {
        this.content = content;
        this.limits = limits;
        this.styles = styles;
        this.facts = facts;
        Sheets = [.. facts.Select(f => new SheetInfo(f.Name, f.Hidden, f.RowsWithValues))];
    }

    public override SpreadsheetFormat Format => SpreadsheetFormat.Ods;

    public override IReadOnlyList<SheetInfo> Sheets { get; }

    /// <summary>Whether the zip is an OpenDocument file (a spreadsheet or not: others are refused by name).</summary>
    public static bool IsOds(XlsxPackage package) => package.Has("content.xml") && (package.Has("mimetype") || package.Has("META-INF/manifest.xml"));

    public static OdsWorkbook Open(Func<Stream> openStream, XlsxPackage package, ReaderLimits limits)
    {
        if (package.Has("mimetype"))
        {
            using var reader = new StreamReader(package.Open("mimetype"), Encoding.ASCII);
            CheckMimeType(reader.ReadToEnd().Trim());
        }

        package.CheckDeclaredSizes();
        var styles = new OdsStyles();
        if (package.Has("styles.xml"))
        {
            using var xml = package.OpenXml("styles.xml");
            styles.Read(xml, untilBody: false);
        }

        List<OdsSheetFacts> facts;
        using (var xml = package.OpenXml("content.xml"))
        {
            styles.Read(xml, untilBody: true);
            facts = OdsSheetFacts.ReadAll(xml, styles, limits);
        }

        return Create(new OdsContent(openStream, limits, flat: false), limits, styles, facts);
    }

    /// <summary>
    /// A flat OpenDocument spreadsheet: one XML document (<c>office:document</c>) holding what an .ods keeps in
    /// <c>styles.xml</c> and <c>content.xml</c>, in that order (<c>office:styles</c>, <c>office:automatic-styles</c>,
    /// then <c>office:body</c>); streamed, without a DTD or external entities, bounded by the file's size.
    /// </summary>
    public static OdsWorkbook OpenFlat(Func<Stream> openStream, ReaderLimits limits)
    {
        var styles = new OdsStyles();
        List<OdsSheetFacts> facts;
        using (var xml = XmlReader.Create(openStream(), XlsxPackage.XmlSettings))
        {
            xml.MoveToContent();
            if (xml.LocalName != "document" || xml.NamespaceURI != Ns.Office)
            {
                throw new ImportFileException(FileProblemKind.WrongType,
                    $"The file holds XML but not an OpenDocument spreadsheet (its root element is \"{xml.Name}\"), so it cannot be read as a workbook.");
            }

            CheckMimeType(xml.GetAttribute("mimetype", Ns.Office) ?? MimeType);
            styles.Read(xml, untilBody: true);
            facts = OdsSheetFacts.ReadAll(xml, styles, limits);
        }

        return Create(new OdsContent(openStream, limits, flat: true), limits, styles, facts);
    }

    private static void CheckMimeType(string mime)
    {
        if (!mime.StartsWith(MimeType, StringComparison.Ordinal))
        {
            throw new ImportFileException(FileProblemKind.WrongType,
                $"The file is an OpenDocument file but not a spreadsheet ({(mime.Contains("text", StringComparison.Ordinal) ? "a text document" : mime)}), so it cannot be read as a workbook.");
        }
    }

    private static OdsWorkbook Create(OdsContent content, ReaderLimits limits, OdsStyles styles, List<OdsSheetFacts> facts) =>
        facts.Count == 0
            ? throw new ImportFileException(FileProblemKind.Empty, "The spreadsheet has no sheets.")
            : new OdsWorkbook(content, limits, styles, facts);

    public override IEnumerable<RawRow> Rows(int sheet, int columnCap) => new OdsSheetSource(content, limits, styles, sheet).ReadRaw(columnCap);

    public override OpenedSheet Open(int sheet, ParseOptions options)
    {
        var f = facts[sheet];
        return new OpenedSheet(Format, Sheets, f.Name, options with { Sheet = f.Name, Delimiter = null, Encoding = null },
            new OdsSheetSource(content, limits, styles, sheet))
        {
            HiddenRows = f.HiddenRows,
            HiddenColumns = f.HiddenColumns,
            MergedRanges = f.MergedRanges,
            AutoFilterRange = f.AutoFilter,
            AutoFilterActive = f.AutoFilterActive,
            RowsWithValues = f.RowsWithValues,
        };
    }
}

/// <summary>
/// What the cells' styles say about their values: a time style that does not wrap at 24 hours shows a duration, a
/// number style with leading zeros a code such as a postcode. Also which table styles hide a sheet.
/// </summary>
internal sealed class OdsStyles
{
    private readonly Dictionary<string, string> cellDataStyles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NumberFormat> dataStyles = new(StringComparer.Ordinal);
    private readonly HashSet<string> hiddenTables = new(StringComparer.Ordinal);

    public bool HidesTable(string? style) => style is not null && hiddenTables.Contains(style);

    public NumberFormat FormatOf(string? cellStyle) =>
        cellStyle is not null && cellDataStyles.TryGetValue(cellStyle, out var data) && dataStyles.TryGetValue(data, out var format)
            ? format
            : NumberFormat.General;

    /// <summary>Reads style definitions; in content.xml it stops at the body, leaving the reader there.</summary>
    public void Read(XmlReader xml, bool untilBody)
    {
        string? style = null;
        string? family = null;
        string? dataStyle = null;
        var dataKind = NumberFormatKind.Number;
        var zeros = 0;
        var wraps = true;
        var clock = false;

        // A number style's integer code with its texts ("DE" before the number, "-" embedded in it), as an Excel code.
        var code = new StringBuilder();
        var literals = false;
        var conditional = false;
        var inText = false;
        var numberAt = -1;
        var embedded = new List<(int Position, string Text)>();
        while (xml.Read())
        {
            if (inText && xml.NodeType is XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace)
            {
                code.Append(xml.Value.Replace("\"", "", StringComparison.Ordinal));
                continue;
            }

            if (xml.NodeType == XmlNodeType.EndElement)
            {
                if (inText && xml.LocalName is "text" or "embedded-text")
                {
                    inText = false;
                    if (xml.LocalName == "embedded-text")
                    {
                        // Kept aside: it is placed among the number's digits when the style ends.
                        embedded[^1] = (embedded[^1].Position, code.ToString(numberAt, code.Length - numberAt));
                        code.Length = numberAt;
                    }
                    else
                    {
                        code.Append('"');
                    }

                    continue;
                }

                if (dataStyle is not null && xml.LocalName is "time-style" or "number-style" or "percentage-style" or "date-style")
                {
                    var integer = dataKind == NumberFormatKind.ZeroPadded && zeros > 1 && literals && !conditional && numberAt >= 0
                        ? code.Insert(numberAt, Placeholders(zeros, embedded)).ToString()
                        : null;
                    dataStyles[dataStyle] = dataKind switch
                    {
                        NumberFormatKind.Elapsed when !wraps => new NumberFormat(NumberFormatKind.Elapsed, Code: "[h]:mm:ss"),
                        NumberFormatKind.Elapsed => new NumberFormat(NumberFormatKind.Time),
                        NumberFormatKind.ZeroPadded when zeros > 1 => new NumberFormat(NumberFormatKind.ZeroPadded, zeros, integer),
                        NumberFormatKind.Percent => new NumberFormat(NumberFormatKind.Percent),
                        NumberFormatKind.Date => new NumberFormat(clock ? NumberFormatKind.DateTime : NumberFormatKind.Date),
                        _ => NumberFormat.General,
                    };
                    dataStyle = null;
                }

                continue;
            }

            if (xml.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            if (untilBody && xml.LocalName == "body")
            {
                return;
            }

            switch (xml.LocalName)
            {
                case "style":
                    style = xml.GetAttribute("name", Ns.Style);
                    family = xml.GetAttribute("family", Ns.Style);
                    if (style is not null && family == "table-cell" && xml.GetAttribute("data-style-name", Ns.Style) is { } data)
                    {
                        cellDataStyles[style] = data;
                    }

                    break;
                case "table-properties" when family == "table" && style is not null && xml.GetAttribute("display", Ns.Table) == "false":
                    hiddenTables.Add(style);
                    break;
                case "time-style" or "number-style" or "percentage-style" or "date-style":
                    dataStyle = xml.GetAttribute("name", Ns.Style);
                    dataKind = xml.LocalName switch
                    {
                        "time-style" => NumberFormatKind.Elapsed,
                        "percentage-style" => NumberFormatKind.Percent,
                        "number-style" => NumberFormatKind.ZeroPadded,
                        _ => NumberFormatKind.Date,
                    };
                    wraps = xml.GetAttribute("truncate-on-overflow", Ns.Number) != "false";
                    zeros = 0;
                    clock = false;
                    code.Clear();
                    literals = conditional = inText = false;
                    numberAt = -1;
                    embedded.Clear();
                    if (xml.IsEmptyElement && dataStyle is not null)
                    {
                        dataStyles[dataStyle] = NumberFormat.General;
                        dataStyle = null;
                    }

                    break;
                case "number" when dataStyle is not null && dataKind == NumberFormatKind.ZeroPadded:
                    var decimals = xml.GetAttribute("decimal-places", Ns.Number);
                    zeros = decimals is null or "0" && xml.GetAttribute("grouping", Ns.Number) is null or "false"
                        && int.TryParse(xml.GetAttribute("min-integer-digits", Ns.Number), NumberStyles.Integer, CultureInfo.InvariantCulture, out var digits) ? digits : 0;
                    numberAt = code.Length;
                    break;
                case "text" when dataStyle is not null && dataKind == NumberFormatKind.ZeroPadded && !xml.IsEmptyElement:
                    code.Append('"');
                    literals = inText = true;
                    break;
                case "embedded-text" when dataStyle is not null && dataKind == NumberFormatKind.ZeroPadded && numberAt >= 0 && !xml.IsEmptyElement:
                    _ = int.TryParse(xml.GetAttribute("position", Ns.Number), NumberStyles.Integer, CultureInfo.InvariantCulture, out var position);
                    embedded.Add((position, ""));
                    literals = inText = true;
                    break;
                case "hours" or "minutes" or "seconds" or "am-pm" when dataStyle is not null && dataKind == NumberFormatKind.Date:
                    // A date style that shows the time of day too.
                    clock = true;
                    break;
                case "map" when dataStyle is not null:
                    // Another style for some values (negative ones): the texts of this one are not those of every value.
                    conditional = true;
                    break;
            }
        }
    }

    /// <summary>
    /// The number's digit placeholders as an Excel code: <paramref name="zeros"/> zeros, texts embedded at their
    /// position (digits to their right, ODF 16.29.4): 9 zeros with "-" at 4 are "00000\"-\"0000".
    /// </summary>
    private static string Placeholders(int zeros, List<(int Position, string Text)> embedded)
    {
        var total = Math.Max(zeros, embedded.Count == 0 ? 0 : embedded.Max(e => e.Position));
        var builder = new StringBuilder();
        for (var k = total; k >= 0; k--)
        {
            foreach (var (position, text) in embedded)
            {
                if (position == k && text.Length > 0)
                {
                    builder.Append('"').Append(text.Replace("\"", "", StringComparison.Ordinal)).Append('"');
                }
            }

            if (k > 0)
            {
                builder.Append(k <= zeros ? '0' : '#');
            }
        }

        return builder.ToString();
    }
}

/// <summary>One sheet's facts from the opening pass.</summary>
internal sealed class OdsSheetFacts(string name, bool hidden)
{
    public string Name { get; } = name;

    public bool Hidden { get; } = hidden;

    public int RowsWithValues { get; set; }

    public List<(int First, int Last)> HiddenRows { get; } = [];

    public List<(int First, int Last)> HiddenColumns { get; } = [];

    public List<string> MergedRanges { get; } = [];

    public string? AutoFilter { get; set; }

    public bool AutoFilterActive { get; set; }

    /// <summary>Every sheet's facts, reading the body of content.xml once.</summary>
    public static List<OdsSheetFacts> ReadAll(XmlReader xml, OdsStyles styles, ReaderLimits limits)
    {
        var sheets = new List<OdsSheetFacts>();
        var text = new OdsText(limits.MaxCellLength);
        while (xml.Read())
        {
            if (xml.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            if (xml.LocalName == "table" && xml.NamespaceURI == Ns.Table)
            {
                var sheet = new OdsSheetFacts(xml.GetAttribute("name", Ns.Table) ?? $"Sheet{sheets.Count + 1}", styles.HidesTable(xml.GetAttribute("style-name", Ns.Table)));
                sheets.Add(sheet);
                if (xml.IsEmptyElement)
                {
                    continue;
                }

                var row = new RawRow(0);
                var columns = 0;
                foreach (var item in OdsSheetSource.ReadTable(xml, styles, row, text, limits, facts: true))
                {
                    switch (item)
                    {
                        case OdsSheetSource.Item.Column column:
                            if (column.Hidden && columns <= limits.MaxColumns)
                            {
                                Extend(sheet.HiddenColumns, columns, Math.Min(columns + column.Repeat - 1, limits.MaxColumns));
                            }

                            columns += column.Repeat;
                            break;
                        case OdsSheetSource.Item.Row r:
                            if (r.Hidden)
                            {
                                Extend(sheet.HiddenRows, r.First, r.First + r.Repeat - 1);
                            }

                            if (r.HasValue)
                            {
                                sheet.RowsWithValues += r.Repeat;
                            }

                            break;
                        case OdsSheetSource.Item.Merge merge:
                            if (sheet.MergedRanges.Count < 1000)
                            {
                                sheet.MergedRanges.Add(merge.Range);
                            }

                            break;
                    }
                }
            }
            else if (xml.LocalName == "database-range")
            {
                var target = xml.GetAttribute("target-range-address", Ns.Table);
                var buttons = xml.GetAttribute("display-filter-buttons", Ns.Table) == "true";
                var active = !xml.IsEmptyElement && HasFilter(xml);
                if (target is not null && (buttons || active) && Range(target) is var (sheetName, range))
                {
                    var sheet = sheets.FirstOrDefault(s => s.Name == sheetName) ?? sheets.FirstOrDefault();
                    if (sheet is not null)
                    {
                        sheet.AutoFilter = range;
                        sheet.AutoFilterActive = active;
                    }
                }
            }
        }

        return sheets;
    }

    private static bool HasFilter(XmlReader xml)
    {
        using var subtree = xml.ReadSubtree();
        while (subtree.Read())
        {
            if (subtree.NodeType == XmlNodeType.Element && subtree.LocalName is "filter-condition")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"Sheet1.A1:Sheet1.D10" (or "'My sheet'.A1:.D10") as the sheet's name and "A1:D10".</summary>
    private static (string Sheet, string Range)? Range(string address)
    {
        var parts = address.Split(':');
        string Cell(string part) => part[(part.LastIndexOf('.') + 1)..].Replace("$", "", StringComparison.Ordinal);
        var first = parts[0];
        var dot = first.LastIndexOf('.');
        if (dot < 0)
        {
            return null;
        }

        var sheet = first[..dot].Trim('$').Trim('\'');
        return (sheet, parts.Length == 2 ? $"{Cell(first)}:{Cell(parts[1])}" : Cell(first));
    }

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

/// <summary>
/// Where the sheets' XML is read from on each read of the rows: <c>content.xml</c> in the zip of an .ods (its checksum
/// compared once read, decision 0052), or the whole file of a flat .fods.
/// </summary>
internal sealed class OdsContent(Func<Stream> openStream, ReaderLimits limits, bool flat)
{
    public Reader Open()
    {
        if (flat)
        {
            return new Reader(XmlReader.Create(openStream(), XlsxPackage.XmlSettings), null, null);
        }

        var package = new XlsxPackage(openStream(), limits);
        try
        {
            var (xml, part) = package.OpenXmlChecked("content.xml");
            return new Reader(xml, part, package);
        }
        catch
        {
            package.Dispose();
            throw;
        }
    }

    /// <summary>The XML of the sheets, and what holds it open.</summary>
    internal sealed class Reader(XmlReader xml, CheckedPartStream? part, IDisposable? package) : IDisposable
    {
        public XmlReader Xml { get; } = xml;

        /// <summary>Reads the rest of a zip's part, so that its checksum is compared, also when the sheet read is not the last.</summary>
        public void Finish() => part?.ReadToEnd();

        public void Dispose()
        {
            Xml.Dispose();
            package?.Dispose();
        }
    }
}

/// <summary>Streams the rows of one sheet of an .ods (or flat .fods) file.</summary>
internal sealed class OdsSheetSource(OdsContent content, ReaderLimits limits, OdsStyles styles, int index) : SheetSource
{

    /// <summary>Rows repeated more often than this with the same values are a mistake, not data; they end the sheet.</summary>
    private const int MaxRepeatedRows = 1_100_000;

    /// <summary>
    /// A sheet's columns and rows, in LibreOffice as in Excel: a repeat or a span past them is cut at the sheet's edge (as
    /// they open such a file), so no count near int.MaxValue reaches the arithmetic.
    /// </summary>
    internal const int SheetColumns = 16_384;

    internal const int SheetRows = 1_048_576;

    public override IEnumerable<RawRow> ReadRaw(int columnCap)
    {
        using var opened = content.Open();
        var xml = opened.Xml;
        var seen = -1;
        var more = xml.Read();
        while (more)
        {
            if (xml.NodeType != XmlNodeType.Element || xml.LocalName != "table" || xml.NamespaceURI != Ns.Table)
            {
                more = xml.Read();
                continue;
            }

            if (++seen < index)
            {
                xml.Skip();
                more = !xml.EOF;
                continue;
            }

            if (xml.IsEmptyElement)
            {
                yield break;
            }

            var row = new RawRow(columnCap);
            var text = new OdsText(limits.MaxCellLength);
            foreach (var item in ReadTable(xml, styles, row, text, limits, facts: false))
            {
                if (item is Item.Row)
                {
                    yield return row;
                }
            }

            // The part's checksum is compared at its end (decision 0052), also when the sheet read is not the last.
            opened.Finish();
            yield break;
        }
    }

    /// <summary>What reading a table gives: its columns, and each row (filled into the shared <see cref="RawRow"/>).</summary>
    internal abstract record Item
    {
        public sealed record Column(int Repeat, bool Hidden) : Item;

        public sealed record Row(int First, int Repeat, bool Hidden, bool HasValue) : Item;

        public sealed record Merge(string Range) : Item;
    }

    /// <summary>
    /// Reads a <c>table:table</c> element from its start to its end. Each row is filled into <paramref name="row"/> and
    /// yielded once per repetition that holds something (an empty repeated row only moves the row number on); with
    /// <paramref name="facts"/> a repeated row is yielded once with its count, and cell values are not formatted.
    /// </summary>
    internal static IEnumerable<Item> ReadTable(XmlReader xml, OdsStyles styles, RawRow row, OdsText builder, ReaderLimits limits, bool facts)
    {
        var depth = xml.Depth;
        var number = 1;
        var columnCount = 0;
        var columnStyles = new List<string?>();
        var cells = new List<(int Column, string Text, bool IsError, int Length, int Repeat)>();
        while (xml.Read() && xml.Depth > depth)
        {
            if (xml.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            switch (xml.LocalName)
            {
                case "table-column":
                    var repeat = Math.Min(Repeat(xml, "number-columns-repeated", Ns.Table), SheetColumns - columnCount);
                    if (repeat <= 0)
                    {
                        break;
                    }

                    columnCount += repeat;
                    var columnStyle = xml.GetAttribute("default-cell-style-name", Ns.Table);
                    for (var i = 0; i < repeat && columnStyles.Count <= limits.MaxColumns; i++)
                    {
                        columnStyles.Add(columnStyle);
                    }

                    yield return new Item.Column(repeat, xml.GetAttribute("visibility", Ns.Table) is "collapse" or "filter");
                    break;
                case "table-row":
                    var rows = Math.Min(Repeat(xml, "number-rows-repeated", Ns.Table), SheetRows + 1 - number);
                    var hidden = xml.GetAttribute("visibility", Ns.Table) is "collapse" or "filter";
                    cells.Clear();
                    var merges = xml.IsEmptyElement ? [] : ReadCells(xml, styles, columnStyles, cells, builder, number, facts);
                    if (rows <= 0)
                    {
                        // Past the sheet's last row: nothing a spreadsheet would show.
                        break;
                    }

                    foreach (var merge in merges)
                    {
                        yield return new Item.Merge(merge);
                    }

                    if (facts)
                    {
                        yield return new Item.Row(number, rows, hidden, cells.Count > 0);
                    }
                    else if (cells.Count > 0)
                    {
                        for (var r = 0; r < Math.Min(rows, MaxRepeatedRows); r++)
                        {
                            row.Reset(number + r, hidden);
                            foreach (var (column, text, isError, length, cellRepeat) in cells)
                            {
                                for (var c = 0; c < cellRepeat && column + c < row.ColumnCap; c++)
                                {
                                    row.Add(column + c, text, isError, length);
                                }

                                if (cellRepeat > 1)
                                {
                                    row.Add(column + cellRepeat - 1, text, isError, length);
                                }
                            }

                            yield return new Item.Row(number + r, 1, hidden, true);
                        }
                    }

                    number += rows;
                    break;
            }
        }
    }

    /// <summary>The cells of a row with something in them; returns the merged ranges that start in it.</summary>
    private static List<string> ReadCells(XmlReader xml, OdsStyles styles, List<string?> columnStyles,
        List<(int Column, string Text, bool IsError, int Length, int Repeat)> cells, OdsText builder, int number, bool facts)
    {
        var merges = new List<string>();
        var depth = xml.Depth;
        var column = 0;
        var more = xml.Read();
        for (; more && xml.Depth > depth; more = xml.Read())
        {
            if (xml.NodeType != XmlNodeType.Element || xml.Depth != depth + 1)
            {
                continue;
            }

            var repeat = Math.Min(Repeat(xml, "number-columns-repeated", Ns.Table), SheetColumns - column);
            if (repeat <= 0)
            {
                // Past the sheet's last column: nothing a spreadsheet would show.
                SkipToEnd(xml);
                continue;
            }

            if (xml.LocalName == "table-cell")
            {
                var across = Math.Min(Repeat(xml, "number-columns-spanned", Ns.Table), SheetColumns - column);
                var down = Math.Min(Repeat(xml, "number-rows-spanned", Ns.Table), SheetRows + 1 - number);
                if (across > 1 || down > 1)
                {
                    merges.Add($"{ColumnLetters.FromIndex(column)}{number}:{ColumnLetters.FromIndex(column + across - 1)}{number + down - 1}");
                }

                var (text, isError, length) = ReadCell(xml, styles, column < columnStyles.Count ? columnStyles[column] : null, builder, facts);
                if (text is not null)
                {
                    cells.Add((column, text, isError, length, repeat));
                }
            }
            else
            {
                // A covered cell (under a merge) holds nothing to read: move to its end tag.
                SkipToEnd(xml);
            }

            column += repeat;
        }

        return merges;
    }

    /// <summary>Moves the reader from an element's start to its end tag (an empty element: stays).</summary>
    private static void SkipToEnd(XmlReader xml)
    {
        if (xml.IsEmptyElement)
        {
            return;
        }

        var inner = xml.Depth;
        while (xml.Read() && xml.Depth > inner)
        {
        }
    }

    /// <summary>
    /// The text of a cell as a person reads it, and its length (of the paragraphs' text, which is kept only up to the
    /// cell length limit; -1: the text's own); the reader is left on its last node.
    /// </summary>
    private static (string? Text, bool IsError, int Length) ReadCell(XmlReader xml, OdsStyles styles, string? columnStyle, OdsText builder, bool facts)
    {
        var type = xml.GetAttribute("value-type", Ns.Office);
        var error = xml.GetAttribute("value-type", Ns.CalcExt) == "error";
        string? value = type switch
        {
            "float" or "currency" or "percentage" => xml.GetAttribute("value", Ns.Office),
            "date" => xml.GetAttribute("date-value", Ns.Office),
            "time" => xml.GetAttribute("time-value", Ns.Office),
            "boolean" => xml.GetAttribute("boolean-value", Ns.Office),
            "string" => xml.GetAttribute("string-value", Ns.Office),
            _ => null,
        };
        var style = xml.GetAttribute("style-name", Ns.Table) ?? columnStyle;
        var paragraphs = xml.IsEmptyElement ? null : ReadParagraphs(xml, builder);
        var length = paragraphs is null ? 0 : (int)Math.Min(builder.Length, int.MaxValue);
        if (facts)
        {
            return (value is not null || length > 0 ? "x" : null, false, -1);
        }

        if (error)
        {
            return length > 0 ? (paragraphs, true, length) : ("#VALUE!", true, -1);
        }

        var (text, isError) = type switch
        {
            "float" or "currency" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) =>
                (CellText.Format(number, styles.FormatOf(style) is { Kind: NumberFormatKind.ZeroPadded } padded ? padded : NumberFormat.General, false), false),
            "percentage" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var share) =>
                (CellText.Format(share, new NumberFormat(NumberFormatKind.Percent), false), false),
            "date" when value is not null && DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var date) =>
                (CellText.IsoDate(date, styles.FormatOf(style), DateSystem.OpenDocument), false),
            "time" when value is not null && TryDuration(value, out var duration) => (Duration(duration, styles.FormatOf(style)), false),
            "boolean" => (value is "true" or "1" ? "TRUE" : "FALSE", false),
            "string" when value is not null => (value, false),
            _ => (length > 0 ? paragraphs : value, false),
        };
        return (text, isError, ReferenceEquals(text, paragraphs) ? length : -1);
    }

    /// <summary>
    /// A time value (<c>office:time-value</c>, a duration such as PT36H) as its style shows it, as the serial number
    /// 1.5 shows in the same format: a time style that does not wrap at 24 hours (<c>[HH]:MM:SS</c>) the whole duration
    /// ("36:00:00"), one that wraps the time of day ("12:00:00"); without a time style, the whole duration from a day
    /// on and the time of day below it.
    /// </summary>
    private static string Duration(TimeSpan duration, NumberFormat format) => format.Kind switch
    {
        NumberFormatKind.Elapsed => CellText.Format(duration.TotalDays, format, false),
        NumberFormatKind.Time => CellText.Format(duration.TotalDays - Math.Floor(duration.TotalDays), format, false),
        _ => CellText.Format(duration.TotalDays, duration.TotalDays >= 1
            ? new NumberFormat(NumberFormatKind.Elapsed, Code: CellText.ElapsedHoursCode)
            : new NumberFormat(NumberFormatKind.Time), false),
    };

    /// <summary>
    /// The text of the cell's paragraphs (joined by line breaks), with spaces, tabs and line breaks expanded, as far as
    /// <paramref name="builder"/> keeps it (its <see cref="OdsText.Length"/> is the whole text's).
    /// </summary>
    private static string ReadParagraphs(XmlReader xml, OdsText builder)
    {
        builder.Clear();
        var depth = xml.Depth;
        var paragraphs = 0;

        // Whitespace between the elements of a paragraph ("<text:span>Dell</text:span> <text:span>Latitude</text:span>")
        // is one space (ODF 6.1.2), written before what follows it; at the paragraph's start or end, and between
        // paragraphs, it is nothing.
        var paragraphDepth = -1;
        var paragraphStart = 0L;
        var space = false;
        while (xml.Read() && xml.Depth > depth)
        {
            if (space && xml.NodeType is XmlNodeType.Element or XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace
                && !(xml.NodeType == XmlNodeType.Element && xml.LocalName is "annotation" or "note"))
            {
                space = false;
                if (builder.Length > paragraphStart)
                {
                    builder.Append(' ');
                }
            }

            switch (xml.NodeType)
            {
                case XmlNodeType.EndElement when xml.Depth == paragraphDepth:
                    paragraphDepth = -1;
                    space = false;
                    break;
                case XmlNodeType.Whitespace when paragraphDepth >= 0:
                    space = true;
                    break;
                case XmlNodeType.Element:
                    switch (xml.LocalName)
                    {
                        case "p" or "h":
                            if (paragraphs++ > 0)
                            {
                                builder.Append('\n');
                            }

                            paragraphDepth = xml.IsEmptyElement ? -1 : xml.Depth;
                            paragraphStart = builder.Length;
                            break;
                        case "s":
                            // Counted in full, kept only up to the cell length limit: c="2000000000" costs nothing.
                            builder.Append(' ', Repeat(xml, "c", Ns.Text));
                            break;
                        case "tab":
                            builder.Append('\t');
                            break;
                        case "line-break":
                            builder.Append('\n');
                            break;
                        case "annotation" or "note" when !xml.IsEmptyElement:
                            // A comment is not the cell's value: read past its end tag.
                            var inner = xml.Depth;
                            while (xml.Read() && xml.Depth > inner)
                            {
                            }

                            break;
                    }

                    break;
                case XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.CDATA:
                    builder.AppendValue(xml);
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>An ISO 8601 duration as OpenDocument writes times ("PT36H00M00S", "PT12H30M15.5S", "-PT1H").</summary>
    private static bool TryDuration(string value, out TimeSpan duration)
    {
        try
        {
            duration = XmlConvert.ToTimeSpan(value);
            return true;
        }
        catch (FormatException)
        {
            duration = default;
            return false;
        }
        catch (OverflowException)
        {
            duration = default;
            return false;
        }
    }

    private static int Repeat(XmlReader xml, string attribute, string ns) =>
        int.TryParse(xml.GetAttribute(attribute, ns), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 1 ? n : 1;
}
