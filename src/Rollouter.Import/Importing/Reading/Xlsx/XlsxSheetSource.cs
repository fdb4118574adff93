using System.Globalization;
using System.Text;
using System.Xml;

namespace Rollouter.Import.Importing.Reading.Xlsx;

/// <summary>
/// Streams the rows of one worksheet part with an <see cref="XmlReader"/>; only shared strings and styles are held.
/// The shared strings are the workbook's, disposed with this source when it <paramref name="ownsSharedStrings"/>.
/// Formulas never calculated (no cached value, or any when the workbook asks to <paramref name="recalculate"/>) are
/// noted by column in <paramref name="notes"/> as the rows are read.
/// </summary>
internal sealed class XlsxSheetSource(
    Func<Stream> openStream, ReaderLimits limits, string part, SharedStrings sharedStrings, NumberFormat[] formats, bool date1904,
    bool ownsSharedStrings = true, FormulaNotes? notes = null, bool recalculate = false) : SheetSource
{
    public override IEnumerable<RawRow> ReadRaw(int columnCap)
    {
        using var package = new XlsxPackage(openStream(), limits);
        using var xml = package.OpenXml(part);
        var names = new Names(xml.NameTable);
        var builder = new StringBuilder();
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
                ReadCells(xml, names, row, builder);
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

    /// <summary>Reads the text of a shared string item or inline string (plain or rich text; phonetic runs left out).</summary>
    internal static string ReadStringItem(XmlReader xml, StringBuilder builder)
    {
        if (xml.IsEmptyElement)
        {
            xml.Read();
            return "";
        }

        var depth = xml.Depth;
        builder.Clear();
        string? single = null;
        var parts = 0;
        xml.Read();
        while (xml.Depth > depth)
        {
            if (xml.NodeType == XmlNodeType.Element)
            {
                if (xml.LocalName == "t")
                {
                    var text = ReadText(xml);
                    if (parts++ == 0)
                    {
                        single = text;
                    }
                    else
                    {
                        if (parts == 2)
                        {
                            builder.Append(single);
                        }

                        builder.Append(text);
                    }

                    continue;
                }

                if (xml.LocalName == "rPh")
                {
                    xml.Skip();
                    continue;
                }
            }

            if (!xml.Read())
            {
                throw new XmlException("The text of a cell is cut off.");
            }
        }

        xml.Read();
        return Unescape(parts <= 1 ? single ?? "" : builder.ToString());
    }

    /// <summary>
    /// The text with its OOXML escapes decoded (ECMA-376 Part 1, 22.9.2.19 ST_Xstring): <c>_xHHHH_</c> is the UTF-16
    /// code unit HHHH. Excel writes a carriage return in a cell as <c>_x000D_</c> (so "\r\n" arrives as
    /// <c>_x000D_</c> and a line feed), XlsxWriter and others write control characters so, and a literal "_x" that
    /// could be taken for an escape is written <c>_x005F_x</c>. Text without "_x", almost every cell, is returned as it is.
    /// </summary>
    internal static string Unescape(string text)
    {
        var at = text.IndexOf("_x", StringComparison.Ordinal);
        if (at < 0)
        {
            return text;
        }

        StringBuilder? builder = null;
        var copied = 0;
        while (at >= 0 && at + 7 <= text.Length)
        {
            if (text[at + 6] == '_' && IsHex(text[at + 2]) && IsHex(text[at + 3]) && IsHex(text[at + 4]) && IsHex(text[at + 5]))
            {
                builder ??= new StringBuilder(text.Length);
                builder.Append(text, copied, at - copied);
                builder.Append((char)int.Parse(text.AsSpan(at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                copied = at + 7;
                at = text.IndexOf("_x", copied, StringComparison.Ordinal);
            }
            else
            {
                at = text.IndexOf("_x", at + 1, StringComparison.Ordinal);
            }
        }

        return builder is null ? text : builder.Append(text, copied, text.Length - copied).ToString();

        static bool IsHex(char c) => char.IsAsciiHexDigit(c);
    }

    /// <summary>
    /// The text of a simple element (&lt;v&gt;, &lt;t&gt;), leaving the reader after its end tag; the common single text
    /// node is taken directly, anything else goes through the general (slower) content reader.
    /// </summary>
    private static string ReadText(XmlReader xml)
    {
        if (xml.IsEmptyElement)
        {
            xml.Read();
            return "";
        }

        xml.Read();
        if (xml.NodeType == XmlNodeType.EndElement)
        {
            xml.Read();
            return "";
        }

        if (xml.NodeType is XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace)
        {
            var value = xml.Value;
            xml.Read();
            if (xml.NodeType == XmlNodeType.EndElement)
            {
                xml.Read();
                return value;
            }

            var builder = new StringBuilder(value);
            while (xml.NodeType != XmlNodeType.EndElement)
            {
                if (xml.NodeType is XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace or XmlNodeType.CDATA)
                {
                    builder.Append(xml.Value);
                }

                if (!xml.Read())
                {
                    throw new XmlException("The worksheet ends inside a value.");
                }
            }

            xml.Read();
            return builder.ToString();
        }

        return xml.ReadContentAsString() is var rest && xml.NodeType == XmlNodeType.EndElement ? Finish(xml, rest) : rest;

        static string Finish(XmlReader xml, string text)
        {
            xml.Read();
            return text;
        }
    }

    private void ReadCells(XmlReader xml, Names names, RawRow row, StringBuilder builder)
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
            var formula = false;
            var depth = xml.Depth;
            xml.Read();
            while (xml.Depth > depth)
            {
                if (xml.NodeType == XmlNodeType.Element)
                {
                    if (ReferenceEquals(xml.LocalName, names.V))
                    {
                        value = ReadText(xml);
                        continue;
                    }

                    if (ReferenceEquals(xml.LocalName, names.Is))
                    {
                        inline = ReadStringItem(xml, builder);
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
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && sharedStrings.TryGet(index, out var shared))
                    {
                        row.Add(column, shared);
                    }

                    break;
                case "inlineStr":
                    row.Add(column, inline ?? value ?? "");
                    break;
                case "str":
                    // A formula's text result, escaped as any other text (an inline string is unescaped already).
                    row.Add(column, value is null ? inline ?? "" : Unescape(value));
                    break;
                case "b":
                    row.Add(column, value is "1" or "true" ? "TRUE" : "FALSE");
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
                        row.Add(column, inline ?? "");
                    }
                    else if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    {
                        row.Add(column, CellText.Format(number, Format(style), date1904));
                    }
                    else
                    {
                        row.Add(column, value);
                    }

                    break;
            }
        }

        throw new XmlException("The worksheet ends inside a row.");
    }

    private NumberFormat Format(int style) => (uint)style < (uint)formats.Length ? formats[style] : NumberFormat.General;

    private static string IsoDate(string value, NumberFormat format)
    {
        if (!DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var date))
        {
            return value;
        }

        date = CellText.RoundToSecond(date);
        return format.Kind == NumberFormatKind.Time
            ? date.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
            : CellText.Date(date, date.TimeOfDay != TimeSpan.Zero || format.Kind == NumberFormatKind.DateTime);
    }

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
    }
}
