using System.Globalization;
using System.Xml;

namespace Rollouter.Import.Importing.Reading.Xlsx;

/// <summary>
/// One pass over a worksheet part that reads no cell values: hidden columns (before the rows), hidden rows, rows that
/// hold values, and the auto-filter and merged cells (after the rows), for the warnings the mapping step shows.
/// </summary>
internal sealed class XlsxSheetScan
{
    public List<(int First, int Last)> HiddenRows { get; } = [];

    public List<(int First, int Last)> HiddenColumns { get; } = [];

    public string? AutoFilter { get; private set; }

    public bool AutoFilterActive { get; private set; }

    public List<string> MergedRanges { get; } = [];

    public int RowsWithValues { get; private set; }

    public static XlsxSheetScan Run(XlsxPackage package, string part)
    {
        var scan = new XlsxSheetScan();
        using var xml = package.OpenXml(part);
        var names = new XlsxSheetSource.Names(xml.NameTable);
        var col = xml.NameTable.Add("col");
        var autoFilter = xml.NameTable.Add("autoFilter");
        var filterColumn = xml.NameTable.Add("filterColumn");
        var mergeCell = xml.NameTable.Add("mergeCell");
        var lastRow = 0;
        while (xml.Read())
        {
            if (xml.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            var name = xml.LocalName;
            if (ReferenceEquals(name, names.Row))
            {
                var number = int.TryParse(xml.GetAttribute("r"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > lastRow ? r : lastRow + 1;
                lastRow = number;
                if (xml.GetAttribute("hidden") is "1" or "true")
                {
                    Extend(scan.HiddenRows, number, number);
                }

                if (!xml.IsEmptyElement && HasValue(xml, names))
                {
                    scan.RowsWithValues++;
                }
            }
            else if (ReferenceEquals(name, col))
            {
                if (xml.GetAttribute("hidden") is "1" or "true"
                    && int.TryParse(xml.GetAttribute("min"), CultureInfo.InvariantCulture, out var min)
                    && int.TryParse(xml.GetAttribute("max"), CultureInfo.InvariantCulture, out var max) && min >= 1 && max >= min)
                {
                    Extend(scan.HiddenColumns, min - 1, max - 1);
                }
            }
            else if (ReferenceEquals(name, autoFilter))
            {
                scan.AutoFilter = xml.GetAttribute("ref");
                if (!xml.IsEmptyElement)
                {
                    var depth = xml.Depth;
                    while (xml.Read() && xml.Depth > depth)
                    {
                        scan.AutoFilterActive |= xml.NodeType == XmlNodeType.Element && ReferenceEquals(xml.LocalName, filterColumn);
                    }
                }
            }
            else if (ReferenceEquals(name, mergeCell) && xml.GetAttribute("ref") is { } range)
            {
                scan.MergedRanges.Add(range);
            }
        }

        return scan;
    }

    private static bool HasValue(XmlReader xml, XlsxSheetSource.Names names)
    {
        var depth = xml.Depth;
        var found = false;
        while (xml.Read() && xml.Depth > depth)
        {
            if (!found && xml.NodeType == XmlNodeType.Element && (ReferenceEquals(xml.LocalName, names.V) || ReferenceEquals(xml.LocalName, names.Is)))
            {
                found = true;
            }
        }

        return found;
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
