using System.Text;

namespace Rollouter.Import.Importing.Reading;

internal enum SniffedContent
{
    Text,
    Zip,
    Ole,
    Pdf,
    Image,
    OtherArchive,
    Html,
    Rtf,
    Binary,
}

/// <summary>What a text file holds (<see cref="FileSniffer.DescribeText"/>).</summary>
internal enum TextKind
{
    Plain,
    Html,
    SpreadsheetMl,
    Xml,

    /// <summary>A flat OpenDocument spreadsheet (.fods): the whole document as one XML file.</summary>
    FlatOds,
}

internal enum OleContent
{
    Workbook,
    EncryptedPackage,
    Other,
}

/// <summary>Tells what a file is from its first bytes, whatever it is named.</summary>
internal static class FileSniffer
{
    public static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    public static ReadOnlySpan<byte> Utf16LeBom => [0xFF, 0xFE];

    public static ReadOnlySpan<byte> Utf16BeBom => [0xFE, 0xFF];

    private static ReadOnlySpan<byte> OleSignature => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G'];

    private static ReadOnlySpan<byte> JpegSignature => [0xFF, 0xD8, 0xFF];

    private static ReadOnlySpan<byte> GzipSignature => [0x1F, 0x8B];

    private static ReadOnlySpan<byte> SevenZipSignature => [(byte)'7', (byte)'z', 0xBC, 0xAF];

    private static readonly byte[] EncryptedPackage = Encoding.Unicode.GetBytes("EncryptedPackage");
    private static readonly byte[] EncryptionInfo = Encoding.Unicode.GetBytes("EncryptionInfo");
    private static readonly byte[] WorkbookStream = Encoding.Unicode.GetBytes("Workbook");
    private static readonly byte[] BookStream = Encoding.Unicode.GetBytes("Book");

    /// <summary>How much of a file's start <see cref="Sniff"/> and <see cref="DescribeText"/> are given.</summary>
    public const int HeadLength = 8192;

    /// <summary>
    /// Whether the file starting with <paramref name="head"/> (its first <see cref="HeadLength"/> bytes) is a flat
    /// OpenDocument spreadsheet (.fods), whatever its name: the one check the reader and the failed rows report's mark use.
    /// </summary>
    public static bool IsFlatOds(ReadOnlySpan<byte> head) => Sniff(head) == SniffedContent.Text && DescribeText(head) == TextKind.FlatOds;

    public static SniffedContent Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8))
        {
            return SniffedContent.Zip;
        }

        if (head.StartsWith(OleSignature))
        {
            return SniffedContent.Ole;
        }

        if (head.StartsWith("%PDF"u8))
        {
            return SniffedContent.Pdf;
        }

        if (head.StartsWith(PngSignature) || head.StartsWith(JpegSignature) || head.StartsWith("GIF8"u8))
        {
            return SniffedContent.Image;
        }

        if (head.StartsWith("Rar!"u8) || head.StartsWith(GzipSignature) || head.StartsWith(SevenZipSignature))
        {
            return SniffedContent.OtherArchive;
        }

        if (head.StartsWith("{\\rtf"u8))
        {
            return SniffedContent.Rtf;
        }

        if (HasUtf16Bom(head) || LooksLikeUtf16(head))
        {
            return SniffedContent.Text;
        }

        if (head.IndexOf((byte)0) >= 0)
        {
            return SniffedContent.Binary;
        }

        var start = head.StartsWith(FileSniffer.Utf8Bom) ? head[3..] : head;
        var text = Encoding.Latin1.GetString(start[..Math.Min(start.Length, 512)]).TrimStart().ToLowerInvariant();
        return text.StartsWith("<!doctype html", StringComparison.Ordinal) || text.StartsWith("<html", StringComparison.Ordinal)
            ? SniffedContent.Html
            : SniffedContent.Text;
    }

    public static string Describe(SniffedContent content) => content switch
    {
        SniffedContent.Pdf => "a PDF document",
        SniffedContent.Image => "an image",
        SniffedContent.OtherArchive => "a compressed archive (RAR, gzip or 7-Zip)",
        SniffedContent.Html => "a web page (HTML)",
        SniffedContent.Rtf => "a Rich Text document",
        SniffedContent.Zip => "a zip archive",
        SniffedContent.Ole => "an Office document",
        SniffedContent.Text => "text",
        _ => "a binary file of an unknown kind",
    };

    /// <summary>
    /// What a text file holds, by its start: an Excel 2003 XML spreadsheet (SpreadsheetML: its processing instruction
    /// or namespace), an HTML page (a table exported by a web tool), other XML, or plain text. UTF-8 or ANSI only; a
    /// UTF-16 text is taken for plain text.
    /// </summary>
    public static TextKind DescribeText(ReadOnlySpan<byte> head)
    {
        var start = head.StartsWith(FileSniffer.Utf8Bom) ? head[3..] : head;
        var text = Encoding.Latin1.GetString(start[..Math.Min(start.Length, 2048)]).TrimStart();
        if (!text.StartsWith('<'))
        {
            return TextKind.Plain;
        }

        // LibreOffice's root tag lists its namespaces before the mime type, so the whole head is looked at.
        var whole = Encoding.Latin1.GetString(start);
        if (whole.Contains("<office:document ", StringComparison.Ordinal) && whole.Contains("application/vnd.oasis.opendocument.spreadsheet", StringComparison.Ordinal))
        {
            return TextKind.FlatOds;
        }

        if (text.Contains("progid=\"Excel.Sheet\"", StringComparison.OrdinalIgnoreCase)
            || text.Contains("urn:schemas-microsoft-com:office:spreadsheet", StringComparison.OrdinalIgnoreCase) && !text.Contains("<html", StringComparison.OrdinalIgnoreCase))
        {
            return TextKind.SpreadsheetMl;
        }

        return text.Contains("<html", StringComparison.OrdinalIgnoreCase) || text.Contains("<table", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase)
            ? TextKind.Html
            : TextKind.Xml;
    }

    public static bool HasUtf16Bom(ReadOnlySpan<byte> head) => head.StartsWith(FileSniffer.Utf16LeBom) || head.StartsWith(FileSniffer.Utf16BeBom);

    /// <summary>UTF-16 without a byte order mark: most ASCII characters leave a zero byte at every other position.</summary>
    public static bool LooksLikeUtf16(ReadOnlySpan<byte> head) => Utf16ZeroSide(head) is not null;

    /// <summary>True = little endian (zeros at odd offsets), false = big endian, null = not UTF-16.</summary>
    public static bool? Utf16ZeroSide(ReadOnlySpan<byte> head)
    {
        var n = Math.Min(head.Length, 1024) & ~1;
        if (n < 4)
        {
            return null;
        }

        int evenZeros = 0, oddZeros = 0;
        for (var i = 0; i < n; i += 2)
        {
            if (head[i] == 0)
            {
                evenZeros++;
            }

            if (head[i + 1] == 0)
            {
                oddZeros++;
            }
        }

        var pairs = n / 2;
        if (oddZeros > pairs * 0.6 && evenZeros < pairs * 0.1)
        {
            return true;
        }

        return evenZeros > pairs * 0.6 && oddZeros < pairs * 0.1 ? false : null;
    }

    /// <summary>Whether <paramref name="span"/> holds <paramref name="name"/> (UTF-16, ASCII letters) in any case.</summary>
    private static bool ContainsIgnoringCase(ReadOnlySpan<byte> span, byte[] name)
    {
        var first = name[0];
        var rest = span;
        while (true)
        {
            var at = rest.IndexOfAny(ToUpper(first), ToLower(first));
            if (at < 0 || at + name.Length > rest.Length)
            {
                return false;
            }

            var match = true;
            for (var i = 0; i < name.Length && match; i++)
            {
                match = ToLower(rest[at + i]) == ToLower(name[i]);
            }

            if (match)
            {
                return true;
            }

            rest = rest[(at + 1)..];
        }

        static byte ToLower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;

        static byte ToUpper(byte b) => b is >= (byte)'a' and <= (byte)'z' ? (byte)(b & ~0x20) : b;
    }

    /// <summary>
    /// Looks for the stream names of an OLE compound file: an encrypted .xlsx is an OLE file holding EncryptionInfo
    /// and EncryptedPackage streams; an .xls holds a Workbook (or Book) stream. Scans the directory names wherever they are.
    /// </summary>
    public static OleContent ClassifyOle(Stream stream)
    {
        var buffer = new byte[1 << 20];
        var carry = 0;
        var workbook = false;
        int n;
        while ((n = stream.Read(buffer, carry, buffer.Length - carry)) > 0)
        {
            var span = buffer.AsSpan(0, carry + n);
            if (span.IndexOf(EncryptedPackage) >= 0 || span.IndexOf(EncryptionInfo) >= 0)
            {
                return OleContent.EncryptedPackage;
            }

            // Stream names compare without case, as Excel compares them: some writers name the stream WORKBOOK or BOOK.
            workbook |= ContainsIgnoringCase(span, WorkbookStream) || ContainsIgnoringCase(span, BookStream);
            carry = Math.Min(64, span.Length);
            span[^carry..].CopyTo(buffer);
        }

        return workbook ? OleContent.Workbook : OleContent.Other;
    }
}
