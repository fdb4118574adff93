using System.Xml;

namespace Rollouter.Import.Importing.Reading.Xlsx;

/// <summary>Opens an .xlsx/.xlsm workbook: sheets, styles and shared strings, then a bounded scan of the chosen sheet.</summary>
internal static class XlsxWorkbook
{
    private const string RelationshipsNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string StrictRelationshipsNamespace = "http://purl.oclc.org/ooxml/officeDocument/relationships";

    public static OpenedSheet Open(Func<Stream> openStream, ParseOptions options, ReaderLimits limits)
    {
        using var package = new XlsxPackage(openStream(), limits);
        var workbookPart = package.Relationships("").Values.FirstOrDefault(r => r.Type.EndsWith("/officeDocument", StringComparison.Ordinal)).Target
            ?? "xl/workbook.xml";
        if (!package.Has(workbookPart))
        {
            throw new ImportFileException(FileProblemKind.WrongType, $"The file is {DescribeZip(package)}, not an Excel workbook.");
        }

        package.CheckDeclaredSizes();

        var rels = package.Relationships(workbookPart);
        var (sheets, date1904) = ReadWorkbook(package, workbookPart, rels);
        if (sheets.Count == 0)
        {
            throw new ImportFileException(FileProblemKind.Empty, "The workbook has no worksheets.");
        }

        var chosen = ChooseSheet(sheets, options.Sheet);
        var formats = rels.Values.FirstOrDefault(r => r.Type.EndsWith("/styles", StringComparison.Ordinal)).Target is { } stylesPart && package.Has(stylesPart)
            ? ReadStyles(package, stylesPart)
            : [];
        var stringsPart = rels.Values.FirstOrDefault(r => r.Type.EndsWith("/sharedStrings", StringComparison.Ordinal)).Target;
        var strings = new SharedStrings(openStream, limits, stringsPart is not null && package.Has(stringsPart) ? stringsPart : null);

        var scan = XlsxSheetScan.Run(package, chosen.Part);
        var source = new XlsxSheetSource(openStream, limits, chosen.Part, strings, formats, date1904);
        return new OpenedSheet(
            SpreadsheetFormat.Xlsx,
            sheets.Select(s => new SheetInfo(s.Name, s.Hidden)).ToList(),
            chosen.Name,
            options with { Sheet = chosen.Name, Delimiter = null, Encoding = null },
            source)
        {
            HiddenRows = scan.HiddenRows,
            HiddenColumns = scan.HiddenColumns,
            AutoFilterRange = scan.AutoFilter,
            AutoFilterActive = scan.AutoFilterActive,
            MergedRanges = scan.MergedRanges,
            RowsWithValues = scan.RowsWithValues,
        };
    }

    internal static (string Name, bool Hidden, string Part) ChooseSheet(List<(string Name, bool Hidden, string Part)> sheets, string? wanted)
    {
        if (wanted is null)
        {
            return sheets.FirstOrDefault(s => !s.Hidden) is { Name: not null } visible ? visible : sheets[0];
        }

        var match = sheets.FirstOrDefault(s => s.Name == wanted);
        if (match.Name is null)
        {
            match = sheets.FirstOrDefault(s => string.Equals(s.Name.Trim(), wanted.Trim(), StringComparison.OrdinalIgnoreCase));
        }

        return match.Name is not null
            ? match
            : throw new ImportFileException(FileProblemKind.InvalidOption,
                $"The workbook has no sheet named \"{wanted}\"; its sheets are {string.Join(", ", sheets.Select(s => $"\"{s.Name}\""))}.");
    }

    private static (List<(string Name, bool Hidden, string Part)>, bool Date1904) ReadWorkbook(
        XlsxPackage package, string workbookPart, Dictionary<string, (string Target, string Type)> rels)
    {
        var sheets = new List<(string, bool, string)>();
        var date1904 = false;
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

        return (sheets, date1904);
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
                case "numFmt" when int.TryParse(xml.GetAttribute("numFmtId"), out var id):
                    custom[id] = xml.GetAttribute("formatCode") ?? "";
                    break;
                case "cellXfs":
                    inCellXfs = !xml.IsEmptyElement;
                    break;
                case "xf" when inCellXfs:
                    var formatId = int.TryParse(xml.GetAttribute("numFmtId"), out var f) ? f : 0;
                    formats.Add(custom.TryGetValue(formatId, out var code) ? CellText.Classify(code) : CellText.BuiltIn(formatId));
                    break;
            }
        }

        return [.. formats];
    }

    private static string DescribeZip(XlsxPackage package)
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
