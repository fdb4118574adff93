using System.Globalization;
using System.Xml;

namespace Rollouter.Import.Importing.Reading.Xlsx;

/// <summary>
/// An .xlsx/.xlsm workbook (Transitional or Strict): sheets, styles and shared strings, and one fast scan of each
/// worksheet (rows with values, hidden rows and columns, filters, merged cells) when it is opened.
/// </summary>
internal sealed class XlsxWorkbook : WorkbookFile
{
    private const string RelationshipsNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string StrictRelationshipsNamespace = "http://purl.oclc.org/ooxml/officeDocument/relationships";

    /// <summary>Excel gives a table one totals row at most; more is not taken from a file.</summary>
    private const int MaxTotalsRows = 10;

    private readonly Func<Stream> openStream;
    private readonly ReaderLimits limits;
    private readonly List<(string Name, bool Hidden, string Part)> sheets;
    private readonly XlsxSheetScan[] scans;
    private readonly NumberFormat[] formats;
    private readonly bool date1904;
    private readonly bool recalculate;
    private readonly RichValues richValues;
    private SharedStrings? strings;

    private XlsxWorkbook(Func<Stream> openStream, ReaderLimits limits, List<(string Name, bool Hidden, string Part)> sheets,
        XlsxSheetScan[] scans, NumberFormat[] formats, bool date1904, bool recalculate, SharedStrings strings, RichValues richValues)
    {
        this.richValues = richValues;
        this.recalculate = recalculate;
        this.openStream = openStream;
        this.limits = limits;
        this.sheets = sheets;
        this.scans = scans;
        this.formats = formats;
        this.date1904 = date1904;
        this.strings = strings;
        Sheets = [.. sheets.Select((s, i) => new SheetInfo(s.Name, s.Hidden, scans[i].RowsWithValues))];
    }

    public override SpreadsheetFormat Format => SpreadsheetFormat.Xlsx;

    /// <summary>The shared strings, until <see cref="Open(int, ParseOptions)"/> hands them to the sheet it opens.</summary>
    private SharedStrings Strings => strings ??
        throw new InvalidOperationException("The workbook's shared strings went to the sheet opened from it: open the workbook again.");

    public override IReadOnlyList<SheetInfo> Sheets { get; }

    /// <summary>Opens the package: the zip checked against bombs, the workbook, styles, and every worksheet scanned.</summary>
    public static XlsxWorkbook Open(Func<Stream> openStream, XlsxPackage package, string workbookPart, ReaderLimits limits)
    {
        package.CheckDeclaredSizes();
        var rels = package.Relationships(workbookPart);
        var (sheets, date1904, recalculate) = ReadWorkbook(package, workbookPart, rels);
        if (sheets.Count == 0)
        {
            throw new ImportFileException(FileProblemKind.Empty, "The workbook has no worksheets.");
        }

        var formats = rels.Values.FirstOrDefault(r => r.Type.EndsWith("/styles", StringComparison.Ordinal)).Target is { } stylesPart && package.Has(stylesPart)
            ? ReadStyles(package, stylesPart)
            : [];
        var stringsPart = rels.Values.FirstOrDefault(r => r.Type.EndsWith("/sharedStrings", StringComparison.Ordinal)).Target;
        var strings = new SharedStrings(openStream, limits, stringsPart is not null && package.Has(stringsPart) ? stringsPart : null);
        var scans = sheets.Select(s => package.Has(s.Part) ? XlsxSheetScan.Run(package, s.Part) : new XlsxSheetScan()).ToArray();
        var richValues = RichValues.Read(package, rels, limits);
        return new XlsxWorkbook(openStream, limits, sheets, scans, formats, date1904, recalculate, strings, richValues);
    }

    public override IEnumerable<RawRow> Rows(int sheet, int columnCap) =>
        new XlsxSheetSource(openStream, limits, sheets[sheet].Part, Strings, formats, date1904, ownsSharedStrings: false, richValues: richValues).ReadRaw(columnCap);

    public override OpenedSheet Open(int sheet, ParseOptions options)
    {
        var (name, _, part) = sheets[sheet];
        var scan = scans[sheet];
        var notes = new FormulaNotes();
        var source = new XlsxSheetSource(openStream, limits, part, Strings, formats, date1904, notes: notes, recalculate: recalculate, richValues: richValues);
        strings = null;
        return new OpenedSheet(Format, Sheets, name, options with { Sheet = name, Delimiter = null, Encoding = null }, source)
        {
            Formulas = notes,
            HiddenRows = scan.HiddenRows,
            HiddenColumns = scan.HiddenColumns,
            AutoFilterRange = scan.AutoFilter,
            AutoFilterActive = scan.AutoFilterActive,
            MergedRanges = scan.MergedRanges,
            RowsWithValues = scan.RowsWithValues,
            TotalsRows = scan.TableParts.Count == 0 ? new Dictionary<int, string>() : ReadTotalsRows(part, scan.TableParts),
        };
    }

    public override void Dispose() => strings?.Dispose();

    /// <summary>
    /// The totals rows of the sheet's tables (ListObjects): a table's <c>ref</c> covers its header, data and
    /// <c>totalsRowCount</c> totals rows at the bottom (ECMA-376 Part 1, 18.5.1.2; <c>totalsRowShown</c> says only
    /// whether one was ever shown). A table part that is missing or unreadable names no row.
    /// </summary>
    private Dictionary<int, string> ReadTotalsRows(string sheetPart, List<string> tableIds)
    {
        var rows = new Dictionary<int, string>();
        using var package = new XlsxPackage(openStream(), limits);
        var rels = package.Relationships(sheetPart);
        foreach (var id in tableIds)
        {
            if (!rels.TryGetValue(id, out var rel) || !rel.Type.EndsWith("/table", StringComparison.Ordinal) || !package.Has(rel.Target))
            {
                continue;
            }

            try
            {
                var (xml, stream) = package.OpenXmlChecked(rel.Target);
                using var disposeXml = xml;
                if (xml.MoveToContent() != XmlNodeType.Element || xml.LocalName != "table")
                {
                    continue;
                }

                var name = xml.GetAttribute("displayName") ?? xml.GetAttribute("name") ?? id;
                var last = LastRow(xml.GetAttribute("ref"));
                stream.ReadToEnd();
                if (int.TryParse(xml.GetAttribute("totalsRowCount"), NumberStyles.None, CultureInfo.InvariantCulture, out var totals) && totals is > 0 and <= MaxTotalsRows && last > totals)
                {
                    for (var row = last - totals + 1; row <= last; row++)
                    {
                        rows.TryAdd(row, name);
                    }
                }
            }
            catch (XmlException)
            {
                // A damaged table part: its rows are read as any others.
            }
        }

        return rows;

        // "A1:D10" → 10; 0 when the reference cannot be read.
        static int LastRow(string? reference)
        {
            var cell = reference?[(reference.IndexOf(':', StringComparison.Ordinal) + 1)..].TrimStart('$') ?? "";
            var digits = cell.AsSpan().TrimStart("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz$");
            return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var row) ? row : 0;
        }
    }

    /// <returns>The sheets, the date system, and whether the workbook asks to be recalculated when opened
    /// (<c>&lt;calcPr fullCalcOnLoad="1"/&gt;</c>, as XlsxWriter and openpyxl write it).</returns>
    private static (List<(string Name, bool Hidden, string Part)>, bool Date1904, bool Recalculate) ReadWorkbook(
        XlsxPackage package, string workbookPart, Dictionary<string, (string Target, string Type)> rels)
    {
        var sheets = new List<(string, bool, string)>();
        var date1904 = false;
        var recalculate = false;
        using var xml = package.OpenXml(workbookPart);
        while (xml.Read())
        {
            if (xml.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            if (xml.LocalName == "workbookPr")
            {
                date1904 = xml.GetAttribute("date1904") is "1" or "true";
            }
            else if (xml.LocalName == "calcPr")
            {
                recalculate = xml.GetAttribute("fullCalcOnLoad") is "1" or "true";
            }
            else if (xml.LocalName == "sheet")
            {
                var name = xml.GetAttribute("name") ?? "";
                var id = xml.GetAttribute("id", RelationshipsNamespace) ?? xml.GetAttribute("id", StrictRelationshipsNamespace);
                if (id is not null && rels.TryGetValue(id, out var rel) && rel.Type.EndsWith("/worksheet", StringComparison.Ordinal))
                {
                    sheets.Add((name, xml.GetAttribute("state") is "hidden" or "veryHidden", rel.Target));
                }
            }
        }

        return (sheets, date1904, recalculate);
    }

    private static NumberFormat[] ReadStyles(XlsxPackage package, string part)
    {
        var custom = new Dictionary<int, string>();
        var formats = new List<NumberFormat>();
        using var xml = package.OpenXml(part);
        var inCellXfs = false;
        while (xml.Read())
        {
            if (xml.NodeType == XmlNodeType.EndElement && xml.LocalName == "cellXfs")
            {
                inCellXfs = false;
            }

            if (xml.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            switch (xml.LocalName)
            {
                case "numFmt" when int.TryParse(xml.GetAttribute("numFmtId"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id):
                    custom[id] = xml.GetAttribute("formatCode") ?? "";
                    break;
                case "cellXfs":
                    inCellXfs = !xml.IsEmptyElement;
                    break;
                case "xf" when inCellXfs:
                    var formatId = int.TryParse(xml.GetAttribute("numFmtId"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var f) ? f : 0;
                    formats.Add(custom.TryGetValue(formatId, out var code) ? CellText.Classify(code) : CellText.BuiltIn(formatId));
                    break;
            }
        }

        return [.. formats];
    }

    internal static string DescribeZip(XlsxPackage package)
    {
        var parts = package.PartNames.ToList();
        if (parts.Any(p => p.StartsWith("word/", StringComparison.OrdinalIgnoreCase)))
        {
            return "a Word document";
        }

        if (parts.Any(p => p.StartsWith("ppt/", StringComparison.OrdinalIgnoreCase)))
        {
            return "a PowerPoint presentation";
        }

        return parts.Contains("content.xml", StringComparer.OrdinalIgnoreCase)
            ? "an OpenDocument file (such as .ods; save it as .xlsx in your spreadsheet program)"
            : "a zip archive";
    }
}
