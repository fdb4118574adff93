using System.Globalization;
using System.Xml;

namespace Rollouter.Import.Importing.Reading.Xlsx;

/// <summary>
/// Streams the rows of one worksheet part with an <see cref="XmlReader"/>; only shared strings and styles are held.
/// The shared strings are the workbook's, disposed with this source when it <paramref name="ownsSharedStrings"/>.
/// Formulas never calculated (no cached value, or any when the workbook asks to <paramref name="recalculate"/>) are
/// noted by column in <paramref name="notes"/> as the rows are read. A cell holding an Excel 365 rich value (a data type,
/// a picture in the cell) reads as the text Excel shows for it (<paramref name="richValues"/>).
/// </summary>
internal sealed class XlsxSheetSource(
    Func<Stream> openStream, ReaderLimits limits, string part, SharedStrings sharedStrings, NumberFormat[] formats, bool date1904,
    bool ownsSharedStrings = true, FormulaNotes? notes = null, bool recalculate = false, RichValues? richValues = null) : SheetSource
{
    public override IEnumerable<RawRow> ReadRaw(int columnCap)
    {
        using var package = new XlsxPackage(openStream(), limits);
        var (xml, stream) = package.OpenXmlChecked(part);
        using var disposeXml = xml;
        var names = new Names(xml.NameTable);
        var text = new XlsxText(limits.MaxCellLength);
        var row = new RawRow(columnCap);

        while (xml.Read())
        {
            if (xml.NodeType == XmlNodeType.Element && ReferenceEquals(xml.LocalName, names.SheetData))
            {
                break;
            }
        }

        if (xml.EOF || xml.IsEmptyElement)
        {
            yield break;
        }

        var lastRow = 0;
        while (xml.Read())
        {
            if (xml.NodeType == XmlNodeType.EndElement && ReferenceEquals(xml.LocalName, names.SheetData))
            {
                // Every row is read: the rest of the sheet's part and the shared strings are read to their ends, so
                // that a part whose checksum does not match refuses the file before a row is written.
                stream.ReadToEnd();
                sharedStrings.ReadToEnd();
                yield break;
            }

            if (xml.NodeType != XmlNodeType.Element || !ReferenceEquals(xml.LocalName, names.Row))
            {
                continue;
            }

            var number = 0;
            var hidden = false;
            while (xml.MoveToNextAttribute())
            {
                var name = xml.LocalName;
                if (ReferenceEquals(name, names.R))
                {
                    _ = int.TryParse(xml.Value, NumberStyles.None, CultureInfo.InvariantCulture, out number);
                }
                else if (ReferenceEquals(name, names.Hidden))
                {
                    hidden = xml.Value is "1" or "true";
                }
            }

            xml.MoveToElement();
            number = number > lastRow ? number : lastRow + 1;
            lastRow = number;
            row.Reset(number, hidden);
            if (!xml.IsEmptyElement)
            {
                ReadCells(xml, names, row, text);
            }

            yield return row;
        }

        throw new XmlException("The worksheet ends before its rows do.");
    }

    public override void Dispose()
    {
        if (ownsSharedStrings)
        {
            sharedStrings.Dispose();
        }
    }

    private void ReadCells(XmlReader xml, Names names, RawRow row, XlsxText text)
    {
        var lastColumn = -1;
        while (xml.Read())
        {
            if (xml.NodeType == XmlNodeType.EndElement && ReferenceEquals(xml.LocalName, names.Row))
            {
                return;
            }

            if (xml.NodeType != XmlNodeType.Element || !ReferenceEquals(xml.LocalName, names.C))
            {
                continue;
            }

            var column = -1;
            string? type = null;
            var style = 0;
            var vm = 0;
            while (xml.MoveToNextAttribute())
            {
                var name = xml.LocalName;
                if (ReferenceEquals(name, names.R))
                {
                    column = ColumnLetters.ToIndex(xml.Value);
                }
                else if (ReferenceEquals(name, names.T))
                {
                    type = xml.Value;
                }
                else if (ReferenceEquals(name, names.S))
                {
                    _ = int.TryParse(xml.Value, NumberStyles.None, CultureInfo.InvariantCulture, out style);
                }
                else if (ReferenceEquals(name, names.Vm))
                {
                    _ = int.TryParse(xml.Value, NumberStyles.None, CultureInfo.InvariantCulture, out vm);
                }
            }

            xml.MoveToElement();
            column = column > lastColumn ? column : lastColumn + 1;
            lastColumn = column;
            if (xml.IsEmptyElement)
            {
                continue;
            }

            string? value = null;
            string? inline = null;
            int valueLength = 0, inlineLength = 0;
            var formula = false;
            var depth = xml.Depth;
            xml.Read();
            while (xml.Depth > depth)
            {
                if (xml.NodeType == XmlNodeType.Element)
                {
                    if (ReferenceEquals(xml.LocalName, names.V))
                    {
                        // Only a formula's text result is escaped text; numbers, indexes and booleans are not.
                        value = text.ReadElement(xml, unescape: type == "str");
                        valueLength = text.Length;
                        continue;
                    }

                    if (ReferenceEquals(xml.LocalName, names.Is))
                    {
                        inline = text.ReadStringItem(xml);
                        inlineLength = text.Length;
                        continue;
                    }

                    formula |= ReferenceEquals(xml.LocalName, names.F);
                    xml.Skip();
                    continue;
                }

                if (!xml.Read())
                {
                    throw new XmlException("The worksheet ends inside a cell.");
                }
            }

            if (formula && (recalculate || (value is null && inline is null)))
            {
                notes?.UncalculatedColumns.Add(column);
            }

            if (value is null && inline is null)
            {
                continue;
            }

            switch (type)
            {
                case "s":
                    // Excel opens a cell whose index is empty or points past the shared strings as an empty cell.
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && sharedStrings.TryGet(index, out var shared, out var sharedLength))
                    {
                        row.Add(column, shared, length: sharedLength);
                    }

                    break;
                case "inlineStr":
                    row.Add(column, inline ?? value ?? "", length: inline is null ? valueLength : inlineLength);
                    break;
                case "str":
                    // A formula's text result, unescaped as it was read.
                    row.Add(column, value ?? inline ?? "", length: value is null ? inlineLength : valueLength);
                    break;
                case "b":
                    row.Add(column, value is "1" or "true" ? "TRUE" : "FALSE");
                    break;
                case "e" when vm > 0:
                    // An Excel 365 data type or picture in the cell: #VALUE! for programs without rich values.
                    var rich = richValues ?? RichValues.None;
                    if (rich.TryGetText(vm, out var shown))
                    {
                        row.Add(column, shown, length: rich.LengthOf(vm));
                    }
                    else
                    {
                        row.Add(column, value ?? "#VALUE!", rich.IsPicture(vm) ? CellKind.Picture : CellKind.RichValue);
                    }

                    break;
                case "e":
                    row.Add(column, value ?? "#VALUE!", isError: true);
                    break;
                case "d":
                    row.Add(column, IsoDate(value ?? "", Format(style)));
                    break;
                default:
                    if (value is null)
                    {
                        row.Add(column, inline ?? "", length: inlineLength);
                    }
                    else if (valueLength <= value.Length && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    {
                        row.Add(column, CellText.Format(number, Format(style), date1904));
                    }
                    else
                    {
                        // Not a number, or cut short by the cell length limit (a row error then, not a number).
                        row.Add(column, value, length: valueLength);
                    }

                    break;
            }
        }

        throw new XmlException("The worksheet ends inside a row.");
    }

    private NumberFormat Format(int style) => (uint)style < (uint)formats.Length ? formats[style] : NumberFormat.General;

    /// <summary>An ISO date-time cell (<c>t="d"</c>, as Strict Open XML stores dates) as its format shows it, as the serial would be.</summary>
    private string IsoDate(string value, NumberFormat format) =>
        DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var date)
            ? CellText.IsoDate(date, format, date1904 ? DateSystem.Excel1904 : DateSystem.Excel1900)
            : value;

    /// <summary>Element and attribute names atomized in the reader's name table, compared by reference.</summary>
    internal sealed class Names(XmlNameTable table)
    {
        public string SheetData { get; } = table.Add("sheetData");

        public string Row { get; } = table.Add("row");

        public string C { get; } = table.Add("c");

        public string V { get; } = table.Add("v");

        public string Is { get; } = table.Add("is");

        public string F { get; } = table.Add("f");

        public string R { get; } = table.Add("r");

        public string T { get; } = table.Add("t");

        public string S { get; } = table.Add("s");

        public string Hidden { get; } = table.Add("hidden");

        public string Vm { get; } = table.Add("vm");
    }
}
