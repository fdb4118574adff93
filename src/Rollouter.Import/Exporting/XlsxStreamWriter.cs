using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Exporting;

/// <summary>
/// Writes a one-sheet .xlsx row by row straight into a stream (also one that cannot seek, such as an HTTP response):
/// every cell an inline string, so nothing is kept in memory but the current row. Values that Excel would take for a
/// formula (<c>= + - @</c>) carry its quote prefix; control characters, which XML cannot hold, are written as Excel
/// writes them (<c>_x0001_</c>), and read back so.
/// </summary>
public sealed class XlsxStreamWriter : IAsyncDisposable
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const int HeaderStyle = 1;
    private const int QuotedStyle = 2;
    private const int MarkedStyle = 3;
    private const int MarkedQuotedStyle = 4;
    private const int WrappedStyle = 5;
    private const int HeaderQuotedStyle = 6;
    private const int CorrectedStyle = 7;
    private const int CorrectedQuotedStyle = 8;
    private const int TextStyle = 9;
    private const int MarkedTextStyle = 10;
    private const int CorrectedTextStyle = 11;

    /// <summary>
    /// The longest value a cell of a text column is written with the Text format: some Excel versions show a cell
    /// formatted as Text that holds more than 255 characters as "####" (the formula bar still shows the text), so a
    /// longer value keeps the General format. It is an inline string either way, read back as written (decision 0176).
    /// </summary>
    public const int MaxTextFormatLength = 255;

    /// <summary>A column's width where a text column has none given: Excel's default for Calibri 11.</summary>
    private const double DefaultColumnWidth = 9.140625;

    private static readonly XmlWriterSettings Settings = new()
    {
        Async = true,
        Encoding = new UTF8Encoding(false),
        // Line breaks inside values are written as character references, so a reader gets "\r\n" back exactly.
        NewLineHandling = NewLineHandling.Entitize,
        CloseOutput = false,
    };

    private readonly AsyncBufferedOutput _output;
    private readonly ZipArchive _zip;
    private readonly Stream _sheetStream;
    private readonly XmlWriter _sheet;
    private readonly List<string> _columnNames = [];
    private readonly int _textColumns;
    private int _row;
    private bool _finished;

    private XlsxStreamWriter(AsyncBufferedOutput output, ZipArchive zip, Stream sheetStream, XmlWriter sheet, int textColumns)
    {
        _textColumns = textColumns;
        _output = output;
        _zip = zip;
        _sheetStream = sheetStream;
        _sheet = sheet;
    }

    /// <summary>Starts the workbook: the package parts, then the sheet's opening, ready for rows.</summary>
    /// <param name="columnWidths">Widths (in characters) of the first columns; null or 0 leaves a column's default.</param>
    /// <param name="customProperties">The workbook's custom document properties (docProps/custom.xml, text values: Excel
    /// shows them under File, Info, Properties, and keeps them when the file is saved again); null writes none.</param>
    /// <param name="textColumns">How many of the first columns are text columns: formatted as Text (<c>@</c>) for the
    /// whole column (the column's style, so a row added below the data takes it too) and in each of their cells below
    /// the header, so that what a person types there stays as typed ("00124", "1-2", a 20-digit serial number) instead
    /// of being converted by Excel into a number or a date (decision 0176).</param>
    public static async Task<XlsxStreamWriter> CreateAsync(Stream output, string sheetName, CancellationToken cancellationToken,
        IReadOnlyList<double?>? columnWidths = null, IReadOnlyList<KeyValuePair<string, string>>? customProperties = null,
        int textColumns = 0)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(textColumns);
        var buffered = new AsyncBufferedOutput(output);
        var zip = await ZipArchive.CreateAsync(buffered, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken);
        var custom = customProperties is { Count: > 0 };
        var customType = custom
            ? """<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>"""
            : "";
        var customRelationship = custom
            ? """<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>"""
            : "";
        await PartAsync(zip, "[Content_Types].xml", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{customType}</Types>
            """, cancellationToken);
        await PartAsync(zip, "_rels/.rels", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>{customRelationship}</Relationships>
            """, cancellationToken);
        if (custom && customProperties is not null)
        {
            var properties = new System.Text.StringBuilder();
            var pid = 2;
            foreach (var (name, value) in customProperties)
            {
                properties.Append(CultureInfo.InvariantCulture,
                    $$"""<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="{{pid++}}" name="{{System.Security.SecurityElement.Escape(name)}}"><vt:lpwstr>{{System.Security.SecurityElement.Escape(value)}}</vt:lpwstr></property>""");
            }

            await PartAsync(zip, "docProps/custom.xml", $"""
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{properties}</Properties>
                """, cancellationToken);
        }

        await PartAsync(zip, "xl/workbook.xml", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="{Main}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{System.Security.SecurityElement.Escape(SheetName(sheetName))}" sheetId="1" r:id="rId1"/></sheets></workbook>
            """, cancellationToken);
        await PartAsync(zip, "xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>
            """, cancellationToken);
        // Styles: 0 normal, 1 bold (the header), 2 text with Excel's quote prefix (a value that looks like a formula),
        // 3 and 4 the same marked with a light red fill (a cell in error), 5 text wrapped in its cell, 6 bold with the
        // quote prefix (a header that looks like a formula), 7 and 8 as 0 and 2 with a light blue fill (a value corrected
        // in the browser), 9 the Text format (a cell of a text column), 10 and 11 as 3 and 7 with the Text format (a marked
        // or corrected cell of a text column: the error report's, decision 0185).
        await PartAsync(zip, "xl/styles.xml", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="{Main}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="4"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/><bgColor indexed="64"/></patternFill></fill><fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="12"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" quotePrefix="1"/><xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/><xf numFmtId="49" fontId="0" fillId="2" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1" quotePrefix="1"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment wrapText="1" vertical="top"/></xf><xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1" quotePrefix="1"/><xf numFmtId="0" fontId="0" fillId="3" borderId="0" xfId="0" applyFill="1"/><xf numFmtId="49" fontId="0" fillId="3" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1" quotePrefix="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="0" fillId="2" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1"/><xf numFmtId="49" fontId="0" fillId="3" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1"/></cellXfs></styleSheet>
            """, cancellationToken);

        var stream = await zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.Fastest).OpenAsync(cancellationToken);
        var sheet = XmlWriter.Create(stream, Settings);
        await sheet.WriteStartDocumentAsync(true);
        await sheet.WriteStartElementAsync(null, "worksheet", Main);
        // The header row stays in view while scrolling.
        await sheet.WriteRawAsync("<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>");
        var described = Math.Max(columnWidths?.Count ?? 0, textColumns);
        if (textColumns > 0 || columnWidths?.Any(w => w > 0) == true)
        {
            await sheet.WriteStartElementAsync(null, "cols", Main);
            for (var i = 0; i < described; i++)
            {
                var width = columnWidths is not null && i < columnWidths.Count && columnWidths[i] is > 0 and var given ? given : (double?)null;
                var text = i < textColumns;
                if (width is null && !text)
                {
                    continue;
                }

                var n = (i + 1).ToString(CultureInfo.InvariantCulture);
                await sheet.WriteStartElementAsync(null, "col", Main);
                await sheet.WriteAttributeStringAsync(null, "min", null, n);
                await sheet.WriteAttributeStringAsync(null, "max", null, n);
                await sheet.WriteAttributeStringAsync(null, "width", null, (width ?? DefaultColumnWidth).ToString(CultureInfo.InvariantCulture));
                if (text)
                {
                    await sheet.WriteAttributeStringAsync(null, "style", null, TextStyle.ToString(CultureInfo.InvariantCulture));
                }

                if (width is not null)
                {
                    await sheet.WriteAttributeStringAsync(null, "customWidth", null, "1");
                }

                await sheet.WriteEndElementAsync();
            }

            await sheet.WriteEndElementAsync();
        }

        await sheet.WriteStartElementAsync(null, "sheetData", Main);
        return new XlsxStreamWriter(buffered, zip, stream, sheet, textColumns);
    }

    /// <summary>The header row: bold; a header that looks like a formula carries the quote prefix as a value does.</summary>
    public Task WriteHeaderAsync(IReadOnlyList<string> headers) => WriteRowAsync(headers, HeaderStyle);

    /// <summary>One row; a null or empty value leaves its cell out.</summary>
    public Task WriteRowAsync(IReadOnlyList<string?> values) => WriteRowAsync(values, 0);

    /// <summary>One row whose cells <paramref name="look"/> marks (by column index) or wraps; empty cells left out.</summary>
    public Task WriteRowAsync(IReadOnlyList<string?> values, Func<int, CellLook> look) => WriteRowAsync(values, 0, look);

    private async Task WriteRowAsync(IReadOnlyList<string?> values, int style, Func<int, CellLook>? look = null)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _row++;
        var rowNumber = _row.ToString(CultureInfo.InvariantCulture);
        await _sheet.WriteStartElementAsync(null, "row", Main);
        await _sheet.WriteAttributeStringAsync(null, "r", null, rowNumber);
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            while (_columnNames.Count <= i)
            {
                _columnNames.Add(ColumnLetters.FromIndex(_columnNames.Count));
            }

            await _sheet.WriteStartElementAsync(null, "c", Main);
            await _sheet.WriteAttributeStringAsync(null, "r", null, _columnNames[i] + rowNumber);
            var cellStyle = style == HeaderStyle ? (LooksLikeFormula(value) ? HeaderQuotedStyle : HeaderStyle)
                : (look?.Invoke(i) ?? CellLook.Plain, LooksLikeFormula(value)) switch
            {
                (CellLook.Marked, true) => MarkedQuotedStyle,
                (CellLook.Marked, false) => IsText(i, value) ? MarkedTextStyle : MarkedStyle,
                (CellLook.Corrected, true) => CorrectedQuotedStyle,
                (CellLook.Corrected, false) => IsText(i, value) ? CorrectedTextStyle : CorrectedStyle,
                (_, true) => QuotedStyle,
                (CellLook.Wrapped, false) => WrappedStyle,
                _ => IsText(i, value) ? TextStyle : 0,
            };
            if (cellStyle != 0)
            {
                await _sheet.WriteAttributeStringAsync(null, "s", null, cellStyle.ToString(CultureInfo.InvariantCulture));
            }

            await _sheet.WriteAttributeStringAsync(null, "t", null, "inlineStr");
            await _sheet.WriteStartElementAsync(null, "is", Main);
            await _sheet.WriteStartElementAsync(null, "t", Main);
            await _sheet.WriteAttributeStringAsync("xml", "space", null, "preserve");
            await _sheet.WriteStringAsync(XmlSafe(EscapeLiteralEscapes(value)));
            await _sheet.WriteEndElementAsync();
            await _sheet.WriteEndElementAsync();
            await _sheet.WriteEndElementAsync();
        }

        await _sheet.WriteEndElementAsync();
    }

    /// <summary>Whether the cell is written with the Text format: in a text column, at most <see cref="MaxTextFormatLength"/> characters.</summary>
    private bool IsText(int column, string value) => column < _textColumns && value.Length <= MaxTextFormatLength;

    /// <summary>Ends the sheet and the package; without it, disposing leaves the archive incomplete.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        await _sheet.WriteEndElementAsync();
        await _sheet.WriteEndElementAsync();
        await _sheet.WriteEndDocumentAsync();
        await _sheet.FlushAsync();
        await _sheet.DisposeAsync();
        await _sheetStream.DisposeAsync();
        await _zip.DisposeAsync();
        await _output.DrainAsync(cancellationToken);
        await _output.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            _finished = true;
            _sheet.Dispose();
            await _sheetStream.DisposeAsync();
            await _zip.DisposeAsync();
            await _output.DisposeAsync();
        }
    }

    /// <summary>Whether Excel would take the text for a formula (or a DDE call) when typed into a cell.</summary>
    public static bool LooksLikeFormula(string? value) =>
        !string.IsNullOrEmpty(value) && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>
    /// A text that holds what a reader would take for an OOXML escape (<c>_xHHHH_</c>, as Excel writes a carriage
    /// return) with its "_" written <c>_x005F_</c>, as Excel does: "Part_x0031_" is read back as "Part_x0031_", not "Part1".
    /// </summary>
    internal static string EscapeLiteralEscapes(string value)
    {
        if (!value.Contains("_x", StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 7);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '_' && i + 6 < value.Length && value[i + 1] == 'x' && value[i + 6] == '_'
                && char.IsAsciiHexDigit(value[i + 2]) && char.IsAsciiHexDigit(value[i + 3]) && char.IsAsciiHexDigit(value[i + 4]) && char.IsAsciiHexDigit(value[i + 5]))
            {
                builder.Append("_x005F_");
                continue;
            }

            builder.Append(value[i]);
        }

        return builder.ToString();
    }

    /// <summary>
    /// A cell's text as XML 1.0 can carry it. A character that is not valid text (half a surrogate pair, U+FFFE) becomes
    /// U+FFFD, as the import reads it (decision 0044), so a report or export shows where something was lost and imports
    /// back so. The other characters XML cannot carry, control characters and U+FFFF, which are valid text, are written
    /// as Excel writes them in a cell, <c>_xHHHH_</c> (ECMA-376 ST_Xstring), and read back as themselves: an export or a
    /// fixed error report imports back with the text it was written from. The text must already have its literal
    /// escapes escaped (<see cref="EscapeLiteralEscapes"/>), so that an escape written here is never taken for text.
    /// </summary>
    internal static string XmlSafe(string value) => XmlSafe(value, escape: true);

    /// <param name="escape">Whether control characters and U+FFFF are written as <c>_xHHHH_</c> (a cell) or left out (a
    /// sheet's name, which is not read through escapes).</param>
    private static string XmlSafe(string value, bool escape)
    {
        var firstBad = -1;
        for (var i = 0; i < value.Length; i++)
        {
            if (!IsXmlChar(value, i, out var width))
            {
                firstBad = i;
                break;
            }

            i += width - 1;
        }

        if (firstBad < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 7);
        builder.Append(value, 0, firstBad);
        for (var i = firstBad; i < value.Length; i++)
        {
            if (IsXmlChar(value, i, out var width))
            {
                builder.Append(value, i, width);
                i += width - 1;
            }
            else if (char.IsSurrogate(value[i]) || value[i] == '\uFFFE')
            {
                builder.Append(Data.PlainText.ReplacementCharacter);
            }
            else if (escape)
            {
                builder.Append("_x").Append(((int)value[i]).ToString("X4", CultureInfo.InvariantCulture)).Append('_');
            }
        }

        return builder.ToString();
    }

    private static bool IsXmlChar(string value, int index, out int width)
    {
        width = 1;
        var c = value[index];
        if (char.IsHighSurrogate(c))
        {
            if (index + 1 < value.Length && char.IsLowSurrogate(value[index + 1]))
            {
                width = 2;
                return true;
            }

            return false;
        }

        return XmlConvert.IsXmlChar(c);
    }

    /// <summary>Excel's rules: at most 31 characters, none of <c>: \ / ? * [ ]</c>.</summary>
    private static string SheetName(string name)
    {
        var cleaned = new string([.. (name ?? "").Where(c => c is not (':' or '\\' or '/' or '?' or '*' or '[' or ']'))]).Trim('\'', ' ');
        if (cleaned.Length > 31)
        {
            cleaned = cleaned[..31];
        }

        return cleaned.Length == 0 ? "Clients" : XmlSafe(cleaned, escape: false);
    }

    private static async Task PartAsync(ZipArchive zip, string name, string content, CancellationToken cancellationToken)
    {
        await using var stream = await zip.CreateEntry(name, CompressionLevel.Fastest).OpenAsync(cancellationToken);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(content), cancellationToken);
    }
}

/// <summary>How <see cref="XlsxStreamWriter"/> shows a cell.</summary>
public enum CellLook
{
    Plain,
    /// <summary>A light red fill: the cell is in error.</summary>
    Marked,
    /// <summary>Text wrapped within the column's width.</summary>
    Wrapped,
    /// <summary>A light blue fill: the value was corrected in the browser, not in the file.</summary>
    Corrected,
}
