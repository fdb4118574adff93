using System.IO.Compression;
using System.Text;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Tests.Reading;

/// <summary>Files made in the tests, in a temporary folder deleted afterwards.</summary>
public sealed class TestFiles : IDisposable
{
    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    private readonly string folder = Directory.CreateTempSubdirectory("reading-tests-").FullName;

    static TestFiles() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static Encoding Windows1252 => Encoding.GetEncoding(1252);

    public static void AssertCells(SourceRow row, params string?[] expected) =>
        Assert.Equal((IEnumerable<string?>)expected, (IEnumerable<string?>)row.Cells);

    /// <summary>A text's UTF-16 code units as bytes, lone surrogates too (.NET's encoder writes U+FFFD for them).</summary>
    public static byte[] Utf16Units(string text, bool bigEndian) =>
        [.. text.SelectMany(c => bigEndian ? new[] { (byte)(c >> 8), (byte)c } : [(byte)c, (byte)(c >> 8)])];

    public string Path(string fileName) => System.IO.Path.Combine(folder, fileName);

    public string Write(string fileName, byte[] bytes)
    {
        var path = Path(fileName);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string WriteText(string fileName, string text, Encoding encoding, bool bom)
    {
        var body = encoding.GetBytes(text);
        return Write(fileName, bom ? [.. encoding.GetPreamble(), .. body] : body);
    }

    public SpreadsheetFile Open(string path, ParseOptions? options = null, ReaderLimits? limits = null)
    {
        var result = ImportFileReader.Open(path, System.IO.Path.GetFileName(path), options, limits);
        Assert.True(result.Succeeded, result.Problem?.Message);
        return result.File!;
    }

    public FileProblem Problem(string path, ParseOptions? options = null, ReaderLimits? limits = null, string? fileName = null)
    {
        var result = ImportFileReader.Open(path, fileName ?? System.IO.Path.GetFileName(path), options, limits);
        Assert.False(result.Succeeded, "The file opened, but a problem was expected.");
        result.File?.Dispose();
        return result.Problem!;
    }

    /// <summary>A zip with the given parts, stored as they are.</summary>
    public string Zip(string fileName, IReadOnlyDictionary<string, string> parts)
    {
        var path = Path(fileName);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, text) in parts)
        {
            using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
            writer.Write(text);
        }

        return path;
    }

    /// <summary>A minimal hand-made .xlsx: one sheet per given sheet XML body, optional shared strings and styles.</summary>
    public string RawXlsx(
        string fileName,
        string sheetData,
        string[]? sharedStrings = null,
        string? cellXfs = null,
        string? numFmts = null,
        bool date1904 = false,
        string beforeSheetData = "",
        string afterSheetData = "",
        string? sharedStringsXml = null,
        string workbookAfterSheets = "",
        string workbookRelationships = "",
        IReadOnlyDictionary<string, string>? moreParts = null)
    {
        var parts = new Dictionary<string, string>
        {
            ["[Content_Types].xml"] = """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>""",
            ["_rels/.rels"] = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>""",
            ["xl/workbook.xml"] = $"""<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{Main}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr{(date1904 ? " date1904=\"1\"" : "")}/><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets>{workbookAfterSheets}</workbook>""",
            ["xl/_rels/workbook.xml.rels"] = $"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>{workbookRelationships}</Relationships>""",
            ["xl/worksheets/sheet1.xml"] = $"""<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{Main}">{beforeSheetData}<sheetData>{sheetData}</sheetData>{afterSheetData}</worksheet>""",
            ["xl/sharedStrings.xml"] = sharedStringsXml ?? $"""<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{Main}">{string.Concat((sharedStrings ?? []).Select(s => $"<si><t>{System.Security.SecurityElement.Escape(s)}</t></si>"))}</sst>""",
            ["xl/styles.xml"] = $"""<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{Main}"><numFmts>{numFmts}</numFmts><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs><cellXfs>{cellXfs ?? "<xf numFmtId=\"0\"/>"}</cellXfs></styleSheet>""",
        };
        foreach (var (name, text) in moreParts ?? new Dictionary<string, string>())
        {
            parts[name] = text;
        }

        return Zip(fileName, parts);
    }

    /// <summary>A hand-made .ods: the given tables (<c>table:table</c> elements) and automatic styles in content.xml.</summary>
    public string Ods(string fileName, string tables, string automaticStyles = "", string afterTables = "", string mimeType = "application/vnd.oasis.opendocument.spreadsheet")
    {
        const string Namespaces = """xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" """;
        return Zip(fileName, new Dictionary<string, string>
        {
            ["mimetype"] = mimeType,
            ["META-INF/manifest.xml"] = """<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>""",
            ["content.xml"] = $"""<?xml version="1.0" encoding="UTF-8"?><office:document-content {Namespaces}><office:automatic-styles>{automaticStyles}</office:automatic-styles><office:body><office:spreadsheet>{tables}{afterTables}</office:spreadsheet></office:body></office:document-content>""",
        });
    }

    /// <summary>
    /// The same spreadsheet as <see cref="Ods"/> makes, as LibreOffice's flat XML (.fods): one XML document holding the
    /// styles and the body.
    /// </summary>
    public string Fods(string fileName, string tables, string automaticStyles = "", string afterTables = "", string mimeType = "application/vnd.oasis.opendocument.spreadsheet") =>
        WriteText(fileName, FodsText(tables, automaticStyles, afterTables, mimeType), new UTF8Encoding(false), bom: false);

    public static string FodsText(string tables, string automaticStyles = "", string afterTables = "", string mimeType = "application/vnd.oasis.opendocument.spreadsheet") =>
        $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <office:document {OdsNamespaces}office:version="1.3" office:mimetype="{mimeType}">
        <office:font-face-decls/><office:styles><style:default-style style:family="table-cell"/></office:styles>
        <office:automatic-styles>{automaticStyles}</office:automatic-styles>
        <office:master-styles><style:master-page style:name="Default"><style:header><text:p><text:sheet-name>???</text:sheet-name></text:p></style:header></style:master-page></office:master-styles>
        <office:body><office:spreadsheet>{tables}{afterTables}</office:spreadsheet></office:body>
        </office:document>
        """;

    private const string OdsNamespaces = """xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" """;

    public void Dispose()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
