using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Rollouter.Import.Importing.Reading.Csv;

/// <summary>A delimited text file: encoding and delimiter detected (or given), records streamed.</summary>
internal sealed class CsvSource(Func<Stream> openStream, Encoding encoding, int preambleLength, char delimiter, int maxCellLength) : SheetSource
{
    public static readonly char[] Delimiters = [',', ';', '\t', '|'];

    static CsvSource() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static WorkbookFile Open(Func<Stream> openStream, byte[] head, long length, string fileName, ParseOptions options, ReaderLimits limits)
    {
        var (name, encoding, preamble) = options.Encoding is null ? DetectEncoding(openStream, head) : ChosenEncoding(options.Encoding, head);
        if (options.Encoding is not null && name == "utf-8" && FindInvalidUtf8(openStream, preamble) is long offset)
        {
            throw new ImportFileException(FileProblemKind.InvalidEncoding,
                $"The file is not valid UTF-8: line {LineOf(openStream, offset).ToString("N0", CultureInfo.InvariantCulture)} holds bytes that UTF-8 cannot decode; choose another encoding (for example Windows-1252).");
        }

        char chosen;
        if (options.Delimiter is char d)
        {
            if (!Delimiters.Contains(d))
            {
                throw new ImportFileException(FileProblemKind.InvalidOption, "The delimiter must be a comma, a semicolon, a tab or a vertical bar (|).");
            }

            chosen = d;
        }
        else
        {
            var (sample, complete) = SampleText(openStream, encoding, preamble, length);
            chosen = DetectDelimiter(sample, complete);
        }

        var source = new CsvSource(openStream, encoding, preamble, chosen, limits.MaxCellLength);
        return new CsvFile(source, new SheetInfo(Path.GetFileNameWithoutExtension(fileName), false), name, chosen);
    }

    public override IEnumerable<RawRow> ReadRaw(int columnCap)
    {
        using var stream = openStream();
        stream.Position = preambleLength;
        using var text = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        var records = new CsvRecordReader(text, delimiter, maxCellLength);
        var row = new RawRow(columnCap);
        while (records.Read(row))
        {
            yield return row;
        }
    }

    /// <summary>BOM first; then UTF-16 by its zero bytes; then UTF-8 if every byte of the file is valid UTF-8; else Windows-1252.</summary>
    internal static (string Name, Encoding Encoding, int Preamble) DetectEncoding(Func<Stream> openStream, ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(FileSniffer.Utf8Bom))
        {
            return ("utf-8", Create("utf-8"), 3);
        }

        if (head.StartsWith(FileSniffer.Utf16LeBom))
        {
            return ("utf-16", Create("utf-16"), 2);
        }

        if (head.StartsWith(FileSniffer.Utf16BeBom))
        {
            return ("utf-16BE", Create("utf-16BE"), 2);
        }

        if (FileSniffer.Utf16ZeroSide(head) is bool little)
        {
            var name = little ? "utf-16" : "utf-16BE";
            return (name, Create(name), 0);
        }

        return FindInvalidUtf8(openStream, 0) is null
            ? ("utf-8", Create("utf-8"), 0)
            : ("windows-1252", Create("windows-1252"), 0);
    }

    private static (string Name, Encoding Encoding, int Preamble) ChosenEncoding(string requested, ReadOnlySpan<byte> head)
    {
        var name = requested.Trim().ToLowerInvariant().Replace("_", "-", StringComparison.Ordinal) switch
        {
            "utf-8" or "utf8" or "utf-8-bom" => "utf-8",
            "utf-16" or "utf16" or "utf-16le" or "unicode" => "utf-16",
            "utf-16be" or "unicodefffe" => "utf-16BE",
            "windows-1252" or "cp1252" or "1252" or "ansi" => "windows-1252",
            "iso-8859-1" or "latin1" or "latin-1" => "iso-8859-1",
            _ => throw new ImportFileException(FileProblemKind.InvalidOption,
                $"The encoding \"{requested}\" is not supported; choose UTF-8, UTF-16, UTF-16BE or Windows-1252."),
        };
        byte[] bom = name switch
        {
            "utf-8" => [0xEF, 0xBB, 0xBF],
            "utf-16" => [0xFF, 0xFE],
            "utf-16BE" => [0xFE, 0xFF],
            _ => [],
        };
        return (name, Create(name), bom.Length > 0 && head.StartsWith(bom) ? bom.Length : 0);
    }

    /// <summary>Strict decoders: bytes the encoding cannot decode are an error, never a silent replacement character.</summary>
    private static Encoding Create(string name) => name switch
    {
        "utf-8" => new UTF8Encoding(false, true),
        "utf-16" => new UnicodeEncoding(false, false, true),
        "utf-16BE" => new UnicodeEncoding(true, false, true),
        "iso-8859-1" => Encoding.Latin1,
        _ => Encoding.GetEncoding(1252),
    };

    /// <summary>The offset of the first byte that is not valid UTF-8, or null when the whole file is valid.</summary>
    internal static long? FindInvalidUtf8(Func<Stream> openStream, int skip)
    {
        using var stream = openStream();
        stream.Position = skip;
        var buffer = new byte[1 << 20];
        var carry = 0;
        long offset = skip;
        int n;
        while ((n = stream.Read(buffer, carry, buffer.Length - carry)) > 0)
        {
            var span = buffer.AsSpan(0, carry + n);
            var complete = CompleteLength(span);
            if (!Utf8.IsValid(span[..complete]))
            {
                var chars = new char[complete];
                Utf8.ToUtf16(span[..complete], chars, out var read, out _, replaceInvalidSequences: false);
                return offset + read;
            }

            carry = span.Length - complete;
            span[complete..].CopyTo(buffer);
            offset += complete;
        }

        return carry > 0 ? offset : null;
    }

    /// <summary>The length of <paramref name="span"/> without a multi-byte sequence cut off at its end.</summary>
    private static int CompleteLength(ReadOnlySpan<byte> span)
    {
        for (var back = 1; back <= Math.Min(4, span.Length); back++)
        {
            var b = span[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? span.Length - back : span.Length;
        }

        return span.Length;
    }

    private static long LineOf(Func<Stream> openStream, long offset)
    {
        using var stream = openStream();
        var buffer = new byte[1 << 16];
        long line = 1;
        long read = 0;
        while (read < offset)
        {
            var n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, offset - read));
            if (n == 0)
            {
                break;
            }

            line += buffer.AsSpan(0, n).Count((byte)'\n');
            read += n;
        }

        return line;
    }

    private static (string Text, bool Complete) SampleText(Func<Stream> openStream, Encoding encoding, int preamble, long length)
    {
        using var stream = openStream();
        stream.Position = preamble;
        var bytes = new byte[(int)Math.Min(length - preamble, 64 * 1024)];
        stream.ReadExactly(bytes);
        var decoder = encoding.GetDecoder();
        var chars = new char[encoding.GetMaxCharCount(bytes.Length)];
        var count = decoder.GetChars(bytes, 0, bytes.Length, chars, 0, flush: false);
        return (new string(chars, 0, count), bytes.Length == length - preamble);
    }

    /// <summary>
    /// The candidate that splits the first records into the same number (more than one) of fields most consistently;
    /// ties go to more fields, then to the order , ; tab |. Quotes are respected. A file with one column gets a comma.
    /// </summary>
    internal static char DetectDelimiter(string sample, bool complete = true)
    {
        var best = ',';
        var bestScore = (Consistency: 0.0, Fields: 0);
        foreach (var candidate in Delimiters)
        {
            var counts = CountFields(sample, candidate, 30, complete);
            if (counts.Count == 0)
            {
                continue;
            }

            var mode = counts.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First();
            if (mode.Key < 2)
            {
                continue;
            }

            var score = ((double)mode.Count() / counts.Count, mode.Key);
            if (score.Item1 > bestScore.Consistency || (score.Item1 == bestScore.Consistency && score.Key > bestScore.Fields))
            {
                best = candidate;
                bestScore = score;
            }
        }

        return best;
    }

    private static List<int> CountFields(string text, char delimiter, int maxRecords, bool complete)
    {
        var counts = new List<int>();
        var fields = 1;
        var inQuotes = false;
        var blank = true;
        for (var i = 0; i < text.Length && counts.Count < maxRecords; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }

                continue;
            }

            if (c == '"')
            {
                inQuotes = true;
                blank = false;
            }
            else if (c == delimiter)
            {
                fields++;
                blank = false;
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                if (!blank)
                {
                    counts.Add(fields);
                }

                fields = 1;
                blank = true;
            }
            else if (!char.IsWhiteSpace(c))
            {
                blank = false;
            }
        }

        // The last record counts only when the sample holds the whole file (no cut mid-record).
        if (!blank && !inQuotes && complete && counts.Count < maxRecords)
        {
            counts.Add(fields);
        }

        return counts;
    }
}

/// <summary>A CSV file as a workbook of one sheet, named after the file.</summary>
internal sealed class CsvFile(CsvSource source, SheetInfo sheet, string encoding, char delimiter) : WorkbookFile
{
    public override SpreadsheetFormat Format => SpreadsheetFormat.Csv;

    public override IReadOnlyList<SheetInfo> Sheets { get; } = [sheet];

    public override IEnumerable<RawRow> Rows(int sheet, int columnCap) => source.ReadRaw(columnCap);

    public override OpenedSheet Open(int sheet, ParseOptions options) =>
        new(Format, Sheets, null, options with { Sheet = null, Encoding = encoding, Delimiter = delimiter }, source);
}
