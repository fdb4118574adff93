using System.Globalization;
using System.IO.Compression;
using System.Xml;
using Rollouter.Import.Importing.Files;

namespace Rollouter.Import.Importing.Reading.Xlsx;

/// <summary>The zip container of an .xlsx/.xlsm workbook, checked against zip bombs before anything is inflated.</summary>
internal sealed class XlsxPackage : IDisposable
{
    public static readonly XmlReaderSettings XmlSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    private readonly Stream stream;
    private readonly ZipArchive zip;
    private readonly ReaderLimits limits;
    private readonly Dictionary<string, ZipArchiveEntry> entries = new(StringComparer.OrdinalIgnoreCase);

    public XlsxPackage(Stream stream, ReaderLimits limits)
    {
        this.stream = stream;
        this.limits = limits;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException ex)
        {
            stream.Dispose();
            throw new ImportFileException(FileProblemKind.Corrupt, "The workbook is damaged or incomplete: its zip structure cannot be read (was the upload cut off?).", ex);
        }

        foreach (var entry in zip.Entries)
        {
            entries.TryAdd(entry.FullName.Replace('\\', '/').TrimStart('/'), entry);
        }
    }

    public IEnumerable<string> PartNames => entries.Keys;

    /// <summary>Refuses the package by the sizes its directory declares, before inflating any part.</summary>
    public void CheckDeclaredSizes()
    {
        long total = 0;
        foreach (var (name, entry) in entries)
        {
            if (entry.IsEncrypted)
            {
                throw new ImportFileException(FileProblemKind.PasswordProtected, "The zip file is password-protected; it cannot be read as a workbook.");
            }

            total += entry.Length;
            if (entry.Length > limits.MaxEntryInflatedBytes)
            {
                throw PartTooLarge(name, entry.Length);
            }

            if (entry.Length > limits.RatioCheckMinBytes && entry.Length / Math.Max(1, entry.CompressedLength) > limits.MaxCompressionRatio)
            {
                throw RatioTooHigh(name, entry.Length / Math.Max(1, entry.CompressedLength));
            }
        }

        if (total > limits.MaxTotalInflatedBytes)
        {
            throw new ImportFileException(FileProblemKind.TooLarge,
                $"The workbook unpacks to {ByteSizes.Format(total)}; at most {ByteSizes.Format(limits.MaxTotalInflatedBytes)} are allowed.");
        }
    }

    public bool Has(string part) => entries.ContainsKey(part);

    /// <summary>
    /// Opens a part for reading, stopping it when it inflates beyond the limits (declared sizes can lie), and refusing
    /// it when the bytes read to its end do not have the CRC-32 the zip records for it (<see cref="CheckedPartStream"/>).
    /// </summary>
    public CheckedPartStream Open(string part)
    {
        if (!entries.TryGetValue(part, out var entry))
        {
            throw new ImportFileException(FileProblemKind.Corrupt, $"The workbook is damaged: its part \"{part}\" is missing.");
        }

        var limit = Math.Min(limits.MaxEntryInflatedBytes, Math.Max(limits.RatioCheckMinBytes, entry.CompressedLength * limits.MaxCompressionRatio));
        var inflated = new InflateLimitStream(entry.Open(), limit, () => limit == limits.MaxEntryInflatedBytes
            ? PartTooLarge(part, limit + 1)
            : RatioTooHigh(part, limits.MaxCompressionRatio + 1));
        return new CheckedPartStream(inflated, entry.Crc32, entry.Length, () => Damaged(part));
    }

    public XmlReader OpenXml(string part) => XmlReader.Create(Open(part), XmlSettings);

    /// <summary>An XML part and the stream under it, for a reader that stops before the part's end and then checks the rest.</summary>
    public (XmlReader Xml, CheckedPartStream Part) OpenXmlChecked(string part)
    {
        var stream = Open(part);
        return (XmlReader.Create(stream, XmlSettings), stream);
    }

    /// <summary>Relationships of a part: id → (target part path, type).</summary>
    public Dictionary<string, (string Target, string Type)> Relationships(string part)
    {
        var slash = part.LastIndexOf('/');
        var folder = slash < 0 ? "" : part[..(slash + 1)];
        var relsPart = folder + "_rels/" + part[(slash + 1)..] + ".rels";
        var result = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        if (!Has(relsPart))
        {
            return result;
        }

        using var xml = OpenXml(relsPart);
        while (xml.Read())
        {
            if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "Relationship" && xml.GetAttribute("TargetMode") != "External")
            {
                var id = xml.GetAttribute("Id");
                var target = xml.GetAttribute("Target");
                if (id is not null && target is not null)
                {
                    result[id] = (Resolve(folder, target), xml.GetAttribute("Type") ?? "");
                }
            }
        }

        return result;
    }

    public void Dispose()
    {
        zip.Dispose();
        stream.Dispose();
    }

    private static string Resolve(string folder, string target)
    {
        target = Uri.UnescapeDataString(target.Replace('\\', '/'));
        var path = target.StartsWith('/') ? target.TrimStart('/') : folder + target;
        var parts = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (segment is not ("." or ""))
            {
                parts.Add(segment);
            }
        }

        return string.Join('/', parts);
    }

    /// <summary>
    /// A part whose bytes are not the ones written (decision 0052): named, with what to do, as a damaged .xls is
    /// (decision 0047). An OpenDocument file is saved again in the program that made it.
    /// </summary>
    private ImportFileException Damaged(string part) => new(FileProblemKind.Corrupt,
        $"The file is damaged: its part \"{part}\" does not match the checksum the file records for it, so the values read from it may not be the ones that were saved. " +
        (IsOpenDocument
            ? "If LibreOffice or Excel opens it, save it again there and upload that copy."
            : "If Excel opens it, save it again there (File › Save As, Excel Workbook .xlsx) and upload that copy."));

    private bool IsOpenDocument => !entries.ContainsKey("[Content_Types].xml") && entries.ContainsKey("content.xml");

    private ImportFileException PartTooLarge(string part, long size) => new(FileProblemKind.TooLarge,
        $"The workbook unpacks to more than it can hold safely: its part \"{part}\" is {ByteSizes.Format(size)}; at most {ByteSizes.Format(limits.MaxEntryInflatedBytes)} per part are allowed.");

    private ImportFileException RatioTooHigh(string part, long ratio) => new(FileProblemKind.TooLarge,
        $"The workbook is compressed suspiciously strongly, as zip bombs are: its part \"{part}\" unpacks to {ratio.ToString("N0", CultureInfo.InvariantCulture)} times its size; at most {limits.MaxCompressionRatio.ToString("N0", CultureInfo.InvariantCulture)} times are allowed.");
}
