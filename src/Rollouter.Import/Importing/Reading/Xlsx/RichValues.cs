using System.Globalization;
using System.Xml;

namespace Rollouter.Import.Importing.Reading.Xlsx;

/// <summary>
/// What Excel 365 shows in a cell holding a rich value: a data type (Stocks, Geography, an organisation's own types) or
/// a picture placed in the cell. The sheet stores such a cell as the error <c>#VALUE!</c> with a value-metadata index
/// (<c>&lt;c t="e" vm="1"&gt;</c>), for programs that know no rich values. The text Excel shows is the rich value's
/// <c>_DisplayString</c>: <c>vm</c> (1-based) is a <c>valueMetadata</c> block of <c>xl/metadata.xml</c>, whose record
/// names the XLRICHVALUE metadata type and a block of its <c>futureMetadata</c>; that block's <c>xlrd:rvb i</c> is
/// the index of the rich value in <c>xl/richData/rdrichvalue.xml</c>, whose values follow the keys of its structure in
/// <c>rdrichvaluestructure.xml</c>. Anything missing or unreadable leaves the cell as a row error that says what to do.
/// </summary>
internal sealed class RichValues
{
    public static readonly RichValues None = new([]);

    /// <summary>Per value-metadata block (vm - 1): the display text (cut at the cell length limit) and its whole length, or a picture.</summary>
    private readonly Shown[] shown;

    private RichValues(Shown[] shown) => this.shown = shown;

    /// <summary>What a cell with value metadata <paramref name="vm"/> shows, when its rich value has a display text.</summary>
    public bool TryGetText(int vm, out string text)
    {
        text = vm >= 1 && vm <= shown.Length ? shown[vm - 1].Text ?? "" : "";
        return text.Length > 0;
    }

    /// <summary>The whole length of the display text, also beyond the cell length limit (for the row error).</summary>
    public int LengthOf(int vm) => vm >= 1 && vm <= shown.Length ? shown[vm - 1].Length : 0;

    /// <summary>Whether the cell's rich value is a picture (a structure of type <c>_localImage</c> or <c>_webimage</c>).</summary>
    public bool IsPicture(int vm) => vm >= 1 && vm <= shown.Length && shown[vm - 1].Picture;

    /// <summary>The workbook's rich values, or <see cref="None"/> when it holds none (or they cannot be read).</summary>
    public static RichValues Read(XlsxPackage package, Dictionary<string, (string Target, string Type)> workbookRels, ReaderLimits limits)
    {
        var metadataPart = Part(package, workbookRels, "/sheetMetadata", "xl/metadata.xml");
        var valuesPart = Part(package, workbookRels, "/rdRichValue", "xl/richData/rdrichvalue.xml");
        var structuresPart = Part(package, workbookRels, "/rdRichValueStructure", "xl/richData/rdrichvaluestructure.xml");
        if (metadataPart is null || valuesPart is null || structuresPart is null)
        {
            return None;
        }

        try
        {
            var valueBlocks = ReadMetadata(package, metadataPart);
            if (valueBlocks.Count == 0)
            {
                return None;
            }

            var structures = ReadStructures(package, structuresPart);
            var values = ReadValues(package, valuesPart, structures, [.. valueBlocks.Where(v => v >= 0)], limits);
            return new RichValues([.. valueBlocks.Select(b => values.GetValueOrDefault(b))]);
        }
        catch (Exception ex) when (ex is XmlException or InvalidDataException or FormatException or OverflowException)
        {
            return None;
        }
    }

    private static string? Part(XlsxPackage package, Dictionary<string, (string Target, string Type)> rels, string typeEnd, string usual)
    {
        var target = rels.Values.FirstOrDefault(r => r.Type.EndsWith(typeEnd, StringComparison.Ordinal)).Target;
        return target is not null && package.Has(target) ? target : package.Has(usual) ? usual : null;
    }

    /// <summary>Per value-metadata block (vm - 1), the index of its rich value; -1 when it is not one.</summary>
    private static List<int> ReadMetadata(XlsxPackage package, string part)
    {
        var types = new List<string>();
        var richBlocks = new List<int>();
        var records = new List<(int Type, int Value)>();
        using var xml = package.OpenXml(part);
        string? section = null;
        var inBlock = false;
        var blockRecorded = false;
        while (xml.Read())
        {
            if (xml.NodeType == XmlNodeType.EndElement)
            {
                if (xml.LocalName is "futureMetadata" or "valueMetadata" or "cellMetadata")
                {
                    section = null;
                }
                else if (xml.LocalName == "bk" && inBlock)
                {
                    inBlock = false;
                    if (!blockRecorded)
                    {
                        // A block without what this reader looks for still takes its place in the list.
                        if (section == "future")
                        {
                            richBlocks.Add(-1);
                        }
                        else if (section == "value")
                        {
                            records.Add((-1, -1));
                        }
                    }
                }

                continue;
            }

            if (xml.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            switch (xml.LocalName)
            {
                case "metadataType":
                    types.Add(xml.GetAttribute("name") ?? "");
                    break;
                case "futureMetadata":
                    section = xml.GetAttribute("name") == "XLRICHVALUE" && !xml.IsEmptyElement ? "future" : "other";
                    break;
                case "valueMetadata":
                    section = xml.IsEmptyElement ? null : "value";
                    break;
                case "cellMetadata":
                    section = "other";
                    break;
                case "bk" when section is "future" or "value":
                    inBlock = !xml.IsEmptyElement;
                    blockRecorded = false;
                    if (!inBlock)
                    {
                        if (section == "future")
                        {
                            richBlocks.Add(-1);
                        }
                        else
                        {
                            records.Add((-1, -1));
                        }
                    }

                    break;
                case "rvb" when section == "future" && inBlock && !blockRecorded:
                    richBlocks.Add(Index(xml.GetAttribute("i")));
                    blockRecorded = true;
                    break;
                case "rc" when section == "value" && inBlock && !blockRecorded:
                    records.Add((Index(xml.GetAttribute("t")), Index(xml.GetAttribute("v"))));
                    blockRecorded = true;
                    break;
            }
        }

        // rc/@t names the metadata type, 1-based (some writers have been seen to count from 0); v is a block of that
        // type's futureMetadata.
        bool IsRich(int t) => (t >= 1 && t <= types.Count && types[t - 1] == "XLRICHVALUE") || (t >= 0 && t < types.Count && types[t] == "XLRICHVALUE");
        return [.. records.Select(r => IsRich(r.Type) && r.Value >= 0 && r.Value < richBlocks.Count ? richBlocks[r.Value] : -1)];
    }

    /// <summary>Per structure, the position of its <c>_DisplayString</c> key (-1 when it has none) and whether it is a picture.</summary>
    private static List<(int Display, bool Picture)> ReadStructures(XlsxPackage package, string part)
    {
        var structures = new List<(int Display, bool Picture)>();
        using var xml = package.OpenXml(part);
        var key = 0;
        while (xml.Read())
        {
            if (xml.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            if (xml.LocalName == "s")
            {
                var type = xml.GetAttribute("t") ?? "";
                structures.Add((-1, type.Equals("_localImage", StringComparison.OrdinalIgnoreCase) || type.Equals("_webimage", StringComparison.OrdinalIgnoreCase)));
                key = 0;
            }
            else if (xml.LocalName == "k" && structures.Count > 0)
            {
                if (xml.GetAttribute("n") == "_DisplayString" && structures[^1].Display < 0)
                {
                    structures[^1] = (key, structures[^1].Picture);
                }

                key++;
            }
        }

        return structures;
    }

    /// <summary>
    /// The display text (or picture flag) of each rich value in <paramref name="wanted"/>. The texts kept are bounded
    /// like the shared strings (<see cref="ReaderLimits.MaxSharedStringsBytes"/>, by the same estimate); beyond it the
    /// cells read as rich values without a text, a row error each.
    /// </summary>
    private static Dictionary<int, Shown> ReadValues(
        XlsxPackage package, string part, List<(int Display, bool Picture)> structures, HashSet<int> wanted, ReaderLimits limits)
    {
        var result = new Dictionary<int, Shown>();
        var text = new XlsxText(limits.MaxCellLength);
        long bytes = 0;
        using var xml = package.OpenXml(part);
        var index = -1;
        var display = -1;
        var position = 0;
        xml.Read();
        while (!xml.EOF)
        {
            if (xml.NodeType != XmlNodeType.Element)
            {
                xml.Read();
                continue;
            }

            if (xml.LocalName == "rv")
            {
                index++;
                position = 0;
                var s = Index(xml.GetAttribute("s"));
                display = -1;
                if (wanted.Contains(index) && s >= 0 && s < structures.Count)
                {
                    display = structures[s].Display;
                    result[index] = new Shown(null, 0, structures[s].Picture);
                }

                xml.Read();
                continue;
            }

            if (xml.LocalName == "v")
            {
                if (position++ == display && bytes <= limits.MaxSharedStringsBytes)
                {
                    var shown = text.ReadElement(xml, unescape: true);
                    bytes += (shown.Length * 2L) + SharedStrings.ItemOverheadBytes;
                    result[index] = new Shown(shown, text.Length, false);
                }
                else
                {
                    xml.Skip();
                }

                continue;
            }

            xml.Read();
        }

        return result;
    }

    private readonly record struct Shown(string? Text, int Length, bool Picture);

    private static int Index(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
}
