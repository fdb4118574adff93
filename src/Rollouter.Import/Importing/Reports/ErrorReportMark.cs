using System.Globalization;
using System.IO.Compression;
using System.Xml;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Importing.Reports;

/// <summary>
/// What an error report says of itself: the import whose failed rows it holds, and that import's rollout. Written by
/// <see cref="ErrorReport.WriteAsync"/> as two custom document properties of the workbook (docProps/custom.xml: Excel
/// shows them under File, Info, Properties and keeps them when the file is saved again; LibreOffice too), read back when
/// a file is uploaded (decision 0101). It only says what the file is: whether the uploader may change that import is
/// decided by the import itself (same rollout and inventory as the upload, a status that allows corrections), never by
/// the file.
/// </summary>
public sealed record ErrorReportMark(int ImportId, int RolloutId)
{
    /// <summary>The custom property holding the import's id.</summary>
    public const string ImportProperty = "Rollouter failed rows report of import";

    /// <summary>The custom property holding the import's rollout's id.</summary>
    public const string RolloutProperty = "Rollouter rollout";

    /// <summary>The custom properties part is read only up to this size: it holds two short values.</summary>
    private const int MaxPartLength = 64 * 1024;

    /// <summary>The properties <see cref="ErrorReport.WriteAsync"/> writes into the workbook.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToProperties() =>
    [
        new(ImportProperty, ImportId.ToString(CultureInfo.InvariantCulture)),
        new(RolloutProperty, RolloutId.ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>
    /// The mark of the workbook at <paramref name="path"/>; null when it is no workbook (a CSV, a file that is no zip), has
    /// no custom properties, or not both of this app's (a report written before 2026-12-06, or another workbook).
    /// </summary>
    public static ErrorReportMark? Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            // Only a zip (an .xlsx, an .ods) or a flat OpenDocument (.fods) can hold the mark: a CSV is not opened as either.
            // The file's start is told by the reader's own checks (FileSniffer), so that a file the reader imports as a
            // flat .fods is the one whose mark is read.
            byte[] head;
            using (var file = File.OpenRead(path))
            {
                head = new byte[(int)Math.Min(file.Length, FileSniffer.HeadLength)];
                file.ReadExactly(head);
            }

            if (FileSniffer.Sniff(head) == SniffedContent.Zip)
            {
                using var zip = ZipFile.OpenRead(path);
                // Excel keeps the properties in docProps/custom.xml; LibreOffice, saving the report as .ods, in meta.xml.
                if (zip.GetEntry("docProps/custom.xml") is { Length: <= MaxPartLength } custom)
                {
                    using var stream = custom.Open();
                    return ReadProperties(stream, "property");
                }

                if (zip.GetEntry("meta.xml") is { Length: <= MaxPartLength } meta)
                {
                    using var stream = meta.Open();
                    return ReadProperties(stream, "user-defined");
                }

                return null;
            }

            // A flat .fods (LibreOffice's "Flat XML ODF Spreadsheet") holds its office:meta before its body.
            if (FileSniffer.IsFlatOds(head))
            {
                using var stream = File.OpenRead(path);
                return ReadProperties(stream, "user-defined", stopAt: "body");
            }

            return null;
        }
        catch (Exception e) when (e is InvalidDataException or XmlException or IOException or NotSupportedException
                                      or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The mark among the properties of <paramref name="stream"/>: the elements named <paramref name="element"/> (Excel's
    /// <c>property</c>, OpenDocument's <c>meta:user-defined</c>) whose <c>name</c> attribute is one of the two, until an
    /// element named <paramref name="stopAt"/> (a flat document's body, not read).
    /// </summary>
    private static ErrorReportMark? ReadProperties(Stream stream, string element, string? stopAt = null)
    {
        using var reader = XmlReader.Create(stream, new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = stopAt is null ? MaxPartLength * 4 : 0,
        });
        int? importId = null;
        int? rolloutId = null;
        var elements = 0;
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            // A flat document's properties come first: its body, and anything past a few thousand elements, is not read.
            if (stopAt is not null && (reader.LocalName == stopAt || ++elements > 10_000))
            {
                break;
            }

            if (reader.LocalName != element)
            {
                continue;
            }

            var name = reader.GetAttribute("name") ?? AttributeByLocalName(reader, "name");
            if (name is not (ImportProperty or RolloutProperty))
            {
                continue;
            }

            var text = new System.Text.StringBuilder();
            using (var value = reader.ReadSubtree())
            {
                while (value.Read() && text.Length < 32)
                {
                    if (value.NodeType == XmlNodeType.Text)
                    {
                        text.Append(value.Value);
                    }
                }
            }

            if (int.TryParse(text.ToString().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                if (name == ImportProperty)
                {
                    importId = id;
                }
                else
                {
                    rolloutId = id;
                }
            }
        }

        return importId is { } import && rolloutId is { } rollout ? new ErrorReportMark(import, rollout) : null;
    }

    /// <summary>An attribute by its local name in any namespace (OpenDocument's <c>meta:name</c>).</summary>
    private static string? AttributeByLocalName(XmlReader reader, string localName)
    {
        if (!reader.MoveToFirstAttribute())
        {
            return null;
        }

        try
        {
            do
            {
                if (reader.LocalName == localName)
                {
                    return reader.Value;
                }
            }
            while (reader.MoveToNextAttribute());
            return null;
        }
        finally
        {
            reader.MoveToElement();
        }
    }

    /// <summary>
    /// Whether a file with these headers looks like an error report of this app: it has the report's own
    /// <see cref="ErrorReport.RowHeader"/> and <see cref="ErrorReport.ErrorsHeader"/> columns (as the automatic mapping
    /// recognises them). A report written before the mark, or one saved again as CSV, is known only this way.
    /// </summary>
    public static bool LooksLikeReport(IEnumerable<string?> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var list = headers.ToList();
        return list.Contains(ErrorReport.ErrorsHeader) && list.Contains(ErrorReport.RowHeader);
    }
}
