using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using CsvHelper;

namespace Rollouter.Import.Importing.Reading.Csv;

/// <summary>A delimited text file: encoding and delimiter detected (or given), records streamed.</summary>
internal sealed class CsvSource(Func<Stream> openStream, Encoding encoding, int preambleLength, char delimiter, ReaderLimits limits) : SheetSource
{
    /// <summary>The delimiters detected (and named when a file read as one column looks separated by one of them, with <c>:</c>).</summary>
    public static readonly char[] Delimiters = [',', ';', '\t', '|'];

    /// <summary>What a file read as one column may be separated by instead: the detected ones and a colon.</summary>
    internal static readonly char[] LikelyDelimiters = [',', ';', '\t', '|', ':'];

    static CsvSource() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static WorkbookFile Open(Func<Stream> openStream, byte[] head, long length, string fileName, ParseOptions options, ReaderLimits limits)
    {
        var (name, encoding, preamble) = options.Encoding is null ? DetectEncoding(openStream, head) : ChosenEncoding(options.Encoding, head);
        if (name == "utf-8")
        {
            // Half a surrogate pair encoded as UTF-8 (ED A0 80) reads as U+FFFD, as in UTF-16 and .xlsx (decision 0044).
            openStream = EncodedSurrogatesReplaced.Wrap(openStream);
        }

        if (options.Encoding is not null && name == "utf-8" && FindInvalidUtf8(openStream, preamble) is long offset)
        {
            throw new ImportFileException(new FileProblem(FileProblemKind.InvalidEncoding,
                $"The file is not valid UTF-8: line {LineOf(openStream, offset).ToString("N0", CultureInfo.InvariantCulture)} holds bytes that UTF-8 cannot decode; choose another encoding (for example Windows-1252).") { Field = "encoding" });
        }

        // Detection takes UTF-8 by its byte order mark and UTF-16 by its mark or zero bytes without reading further:
        // a byte further down that the encoding cannot decode is named by its line, as under File settings.
        if (options.Encoding is null && InvalidLine(openStream, name, preamble) is long line)
        {
            var label = name == "utf-8" ? "UTF-8" : "UTF-16";
            throw new ImportFileException(FileProblemKind.InvalidEncoding,
                $"The file starts as {label}{(preamble > 0 ? " (with a byte order mark)" : "")}, but line {line.ToString("N0", CultureInfo.InvariantCulture)} holds bytes that {label} cannot decode; save it again as UTF-8 (in Excel: File › Save As › CSV UTF-8) and upload it again.");
        }

        char chosen;
        if (options.Delimiter is char d)
        {
            if (!ParseOptions.IsAllowedDelimiter(d))
            {
                throw new ImportFileException(new FileProblem(FileProblemKind.InvalidOption, ParseOptions.DelimiterRule) { Field = "delimiter" });
            }

            chosen = d;
        }
        else
        {
            chosen = DetectDelimiter(openStream, encoding, preamble, length);
        }

        // Mac Roman is a guess from the letters it decodes, and DOS code page 850 puts its accented letters at the same
        // bytes: the file is warned about while Mac Roman is what detection gives (also once stored with the import).
        var macRomanGuessed = name == "macintosh" && (options.Encoding is null || DetectEncoding(openStream, head).Name == "macintosh");
        var source = new CsvSource(openStream, encoding, preamble, chosen, limits);
        return new CsvFile(source, new SheetInfo(Path.GetFileNameWithoutExtension(fileName), false), name, chosen, macRomanGuessed);
    }

    public override IEnumerable<RawRow> ReadRaw(int columnCap)
    {
        var file = openStream();
        file.Position = preambleLength;
        var utf16 = encoding.CodePage is 1200 or 1201;

        // Every byte passes the bounds of a cell, a record and its columns before CsvHelper buffers it (decision 0183).
        using var stream = new CsvBoundsStream(file, delimiter, utf16 ? 2 : 1, encoding.CodePage == 1201, limits);
        var unterminated = false;
        var hintSkipped = false;
        var maxCellLength = limits.MaxCellLength;
        var options = Options(delimiter, limits) with
        {
            OnMalformedRecord = record => unterminated |= record.Reason == CsvMalformedReason.UnterminatedQuote,
        };

        // UTF-8 (checked byte by byte when the file was opened) is parsed as it is; other encodings through a strict
        // decoder, so that bytes the encoding cannot decode stop the read instead of turning into replacement characters
        // (UTF-16's half of a surrogate pair aside: it reads as U+FFFD, decision 0044).
        using var reader = encoding is UTF8Encoding
            ? CsvReader.Create(stream, options)
            : CsvReader.Create(new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16), options);
        var row = new RawRow(columnCap);
        var number = 0;
        while (Read(reader, number, hintSkipped, limits))
        {
            number++;
            if (unterminated)
            {
                throw new ImportFileException(FileProblemKind.Corrupt,
                    $"Row {number} opens a quoted value whose closing quote is missing, so the rest of the file would be one cell; check the quotes in row {number}.");
            }

            var record = reader.Current;
            if (number == 1 && IsSeparatorHint(record.RawRecord))
            {
                // Excel's "sep=;" line names the delimiter and is not shown as a row: the header below it is row 1.
                number = 0;
                hintSkipped = true;
                continue;
            }

            row.Reset(number, false);
            for (var i = 0; i < record.FieldCount; i++)
            {
                var field = record[i];
                if (field.IsEmpty)
                {
                    continue;
                }

                if (i >= columnCap)
                {
                    // Past the cap only whether the cell holds more than blanks counts (the refusal names its column). No
                    // string is made: the reader pools strings per column, so a row of a million columns made a million
                    // pools (4 GB and most of a minute for a 10 MB file, before it was refused).
                    if (HoldsText(field.Span))
                    {
                        row.AddBeyondCap(i);
                    }

                    continue;
                }

                var text = field.ToString();
                row.Add(i, text.Length <= maxCellLength ? text : text[..maxCellLength], false, text.Length);
            }

            yield return row;
        }
    }

    /// <summary>
    /// CsvHelper's reader as this importer reads CSV: no header (the importer finds it), empty lines kept (a spreadsheet
    /// shows them as rows, so row numbers match), malformed quotes recovered as Excel does, and records bounded so that a
    /// quote that is never closed cannot make one record of a whole large file.
    /// </summary>
    private static CsvReaderOptions Options(char? separator, ReaderLimits limits) => new()
    {
        Separator = separator,
        HasHeader = false,
        Mode = CsvMode.Rfc4180,
        SkipEmptyLines = false,
        DetectSeparatorHint = false,
        AllowLineBreaksInQuotes = true,
        MalformedData = CsvMalformedDataHandling.Recover,
        MaxRecordSize = (int)Math.Min(int.MaxValue / 4, 2 * limits.MaxCsvRecordBytes),
        PoolStrings = true,
    };

    /// <summary>Whether the UTF-8 value holds more than white space, as <see cref="string.IsNullOrWhiteSpace"/> tells.</summary>
    internal static bool HoldsText(ReadOnlySpan<byte> utf8)
    {
        foreach (var b in utf8)
        {
            if (b >= 0x80)
            {
                return !string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(utf8));
            }

            if (!char.IsWhiteSpace((char)b))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSeparatorHint(ReadOnlySpan<byte> record) =>
        record.Length == 5 && record.StartsWith("sep="u8) && Delimiters.Contains((char)record[4]);

    private static bool Read(CsvReader reader, int number, bool hintSkipped, ReaderLimits limits)
    {
        try
        {
            return reader.Read();
        }
        catch (CsvBoundException ex)
        {
            throw Refusal(ex, hintSkipped, limits);
        }
        catch (CsvFormatException ex)
        {
            // CsvHelper's own bound, twice the record's: not reached while the bounds stream stops a record first.
            var row = number + 1;
            throw new ImportFileException(FileProblemKind.Corrupt,
                $"Row {row.ToString("N0", CultureInfo.InvariantCulture)} is longer than {Size(limits.MaxCsvRecordBytes)}, which no spreadsheet row is: probably a quoted value whose closing quote is missing; check the quotes in row {row.ToString("N0", CultureInfo.InvariantCulture)}.", ex);
        }
    }

    /// <summary>The refusal of a cell, a record or a record's columns past its bound (decision 0183).</summary>
    internal static ImportFileException Refusal(CsvBoundException bound, bool hintSkipped, ReaderLimits limits)
    {
        var row = (bound.Record - (hintSkipped || bound.SeparatorLine ? 1 : 0)).ToString("N0", CultureInfo.InvariantCulture);
        var column = ColumnLetters.FromIndex(bound.Column);
        var characters = limits.MaxCellLength.ToString("N0", CultureInfo.InvariantCulture);
        return bound.Bound switch
        {
            CsvBound.Cell when bound.Quoted => new ImportFileException(FileProblemKind.Corrupt,
                $"Row {row} opens a quoted value in column {column} that runs on for more than {Size(limits.MaxCsvCellBytes)} (a cell holds at most {characters} characters): probably its closing quote is missing; check the quotes in row {row}. Nothing was imported.", bound),
            CsvBound.Cell => new ImportFileException(FileProblemKind.TooLarge,
                $"Row {row} holds more than {Size(limits.MaxCsvCellBytes)} of text in column {column}; a cell holds at most {characters} characters. Shorten the value and upload the file again. Nothing was imported.", bound),
            CsvBound.Record => new ImportFileException(bound.Quoted ? FileProblemKind.Corrupt : FileProblemKind.TooLarge,
                $"Row {row} is longer than {Size(limits.MaxCsvRecordBytes)}, which no spreadsheet row is{(bound.Quoted ? ": probably a quoted value whose closing quote is missing; check the quotes in row " + row : "")}. Nothing was imported.", bound),
            _ => new ImportFileException(FileProblemKind.TooManyColumns,
                $"The file has more than {limits.MaxCsvRecordColumns.ToString("N0", CultureInfo.InvariantCulture)} columns in row {row}; at most {limits.MaxColumns.ToString("N0", CultureInfo.InvariantCulture)} are supported. Delete the columns that hold nothing to import, or copy the columns to import into a new sheet, and upload it again. Nothing was imported.", bound),
        };
    }

    /// <summary>A bound in bytes as a message names it: "16 MB", "128 KB", "300 bytes".</summary>
    private static string Size(long bytes) =>
        bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0 ? (bytes / 1024 / 1024).ToString("N0", CultureInfo.InvariantCulture) + " MB"
        : bytes >= 1024 && bytes % 1024 == 0 ? (bytes / 1024).ToString("N0", CultureInfo.InvariantCulture) + " KB"
        : bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes";

    /// <summary>
    /// BOM first; then UTF-16 by its zero bytes; then UTF-8 if every byte of the file is valid UTF-8; else Mac Roman
    /// when its accented letters show inside words (<see cref="LooksLikeMacRoman"/>), else Windows-1252.
    /// </summary>
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

        if (FindInvalidUtf8(EncodedSurrogatesReplaced.Wrap(openStream), 0) is null)
        {
            return ("utf-8", Create("utf-8"), 0);
        }

        var single = LooksLikeMacRoman(openStream) ? "macintosh" : "windows-1252";
        return (single, Create(single), 0);
    }

    /// <summary>How much of a file <see cref="LooksLikeMacRoman"/> reads.</summary>
    private const int MacRomanScanBytes = 4 << 20;

    /// <summary>
    /// Whether a file that is not UTF-8 was written by Excel for Mac ("Comma Separated Values" is Mac Roman there). Mac
    /// Roman puts the accented small letters (ä é ö ü …) at 0x80–0x9F, where Windows-1252 has punctuation and a few rare
    /// letters; Windows-1252 puts them at 0xC0–0xFF, where Mac Roman has punctuation. So it counts, in the first 4 MB,
    /// the bytes of each range that follow an ASCII letter (inside or at the end of a word), leaving out the bytes
    /// Windows-1252 writes after words (quotes, apostrophe, ellipsis, dashes, ™, ‹ ›): Mac Roman when the first
    /// count is clearly the larger. Windows-1252's own letters in that range (š ž œ ƒ, Š Ž Œ Ÿ: Slovenian, Croatian,
    /// Czech, French names) are Mac Roman's ö û ú É, ä é å ü, so they count for Mac Roman only where they cannot be
    /// Windows-1252's letter (decision 0051): a capital Š Ž Œ Ÿ after a small letter or before one ("MŸller" is
    /// Mac Roman's "Müller"); a small š ž œ ƒ never, since "Tomaž" and "Maša" read as Windows-1252 as well as "Tomaû"
    /// and "Maöa" do as Mac Roman. A file whose only such bytes are Windows-1252's letters is Windows-1252.
    /// </summary>
    internal static bool LooksLikeMacRoman(Func<Stream> openStream)
    {
        using var stream = openStream();
        var buffer = ArrayPool<byte>.Shared.Rent(MacRomanScanBytes);
        try
        {
            return LooksLikeMacRoman(buffer.AsSpan(0, stream.ReadAtLeast(buffer.AsSpan(0, MacRomanScanBytes), MacRomanScanBytes, throwOnEndOfStream: false)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool LooksLikeMacRoman(ReadOnlySpan<byte> buffer)
    {
        var length = buffer.Length;
        int mac = 0, windows = 0;
        for (var i = 1; i < length; i++)
        {
            var b = buffer[i];
            if (b < 0x80 || !char.IsAsciiLetter((char)buffer[i - 1]))
            {
                continue;
            }

            if (b <= 0x9F && b is not (0x85 or 0x8B or 0x91 or 0x92 or 0x93 or 0x94 or 0x96 or 0x97 or 0x99 or 0x9B)
                && !IsWindows1252Letter(buffer, i))
            {
                mac++;
            }
            else if (b >= 0xC0)
            {
                windows++;
            }
        }

        return mac > 0 && mac > 4 * windows;
    }

    /// <summary>
    /// Whether the byte at <paramref name="i"/>, after an ASCII letter, reads as a letter of a word in Windows-1252:
    /// a small š ž œ ƒ, or a capital Š Ž Œ Ÿ inside a word of capitals (after a capital, not before a small letter).
    /// </summary>
    private static bool IsWindows1252Letter(ReadOnlySpan<byte> buffer, int i) => buffer[i] switch
    {
        0x83 or 0x9A or 0x9C or 0x9E => true,
        0x8A or 0x8C or 0x8E or 0x9F => char.IsAsciiLetterUpper((char)buffer[i - 1])
                                        && (i + 1 >= buffer.Length || !char.IsAsciiLetterLower((char)buffer[i + 1])),
        _ => false,
    };

    private static (string Name, Encoding Encoding, int Preamble) ChosenEncoding(string requested, ReadOnlySpan<byte> head)
    {
        var name = requested.Trim().ToLowerInvariant().Replace("_", "-", StringComparison.Ordinal) switch
        {
            "utf-8" or "utf8" or "utf-8-bom" => "utf-8",
            "utf-16" or "utf16" or "utf-16le" or "unicode" => "utf-16",
            "utf-16be" or "unicodefffe" => "utf-16BE",
            "windows-1252" or "cp1252" or "1252" or "ansi" => "windows-1252",
            "iso-8859-1" or "latin1" or "latin-1" => "iso-8859-1",
            "macintosh" or "mac" or "macroman" or "mac-roman" or "x-mac-roman" => "macintosh",
            "ibm850" or "cp850" or "850" or "dos" => "ibm850",
            _ => throw new ImportFileException(new FileProblem(FileProblemKind.InvalidOption,
                $"The encoding \"{requested}\" is not supported; choose UTF-8, UTF-16, UTF-16BE, Windows-1252, macintosh (Mac Roman) or ibm850 (DOS).") { Field = "encoding" }),
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

    /// <summary>
    /// Strict decoders: bytes the encoding cannot decode are an error, never a silent replacement character. Half a
    /// surrogate pair is valid bytes for a text that is not valid: U+FFFD (decision 0044; UTF-8's encoded surrogates
    /// are replaced before, by <see cref="EncodedSurrogatesReplaced"/>).
    /// </summary>
    private static Encoding Create(string name) => name switch
    {
        "utf-8" => new UTF8Encoding(false, true),
        "utf-16" => Utf16DecoderFallback.Create(bigEndian: false),
        "utf-16BE" => Utf16DecoderFallback.Create(bigEndian: true),
        "iso-8859-1" => Encoding.Latin1,
        "macintosh" => Encoding.GetEncoding(10000),
        "ibm850" => Encoding.GetEncoding(850),
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

    /// <summary>
    /// The line (1-based) of the first bytes a detected UTF-8 (with its byte order mark) or UTF-16 file cannot decode;
    /// null when every byte is valid, or for other encodings (detected UTF-8 without a mark was checked whole, and the
    /// single-byte encodings decode every byte).
    /// </summary>
    private static long? InvalidLine(Func<Stream> openStream, string name, int preamble) => name switch
    {
        "utf-8" when preamble > 0 => FindInvalidUtf8(openStream, preamble) is long offset ? LineOf(openStream, offset) : null,
        "utf-16" or "utf-16BE" => FindInvalidUtf16(openStream, preamble, bigEndian: name == "utf-16BE"),
        _ => null,
    };

    /// <summary>
    /// The last line of a UTF-16 file whose last byte has no partner (an odd length: the file is cut or damaged); null
    /// when every byte has its partner. Half a surrogate pair is not refused: it reads as U+FFFD (decision 0044).
    /// </summary>
    internal static long? FindInvalidUtf16(Func<Stream> openStream, int skip, bool bigEndian)
    {
        using var stream = openStream();
        stream.Position = skip;
        var buffer = new byte[1 << 16];
        long line = 1;
        var carry = 0;
        int n;
        while ((n = stream.Read(buffer, carry, buffer.Length - carry)) > 0)
        {
            var total = carry + n;
            var even = total & ~1;
            for (var i = 0; i < even; i += 2)
            {
                var unit = bigEndian ? (buffer[i] << 8) | buffer[i + 1] : buffer[i] | (buffer[i + 1] << 8);
                if (unit == '\n')
                {
                    line++;
                }
            }

            carry = total - even;
            if (carry > 0)
            {
                buffer[0] = buffer[even];
            }
        }

        return carry > 0 ? line : null;
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

    /// <summary>
    /// CsvHelper's choice among , ; tab and | from the first records (a file of one column gets a comma). It looks at
    /// the first 64 KB as this reader decodes them, so that a problem further down is reported when the rows are read.
    /// </summary>
    private static char DetectDelimiter(Func<Stream> openStream, Encoding encoding, int preamble, long length)
    {
        using var stream = openStream();
        stream.Position = preamble;
        var bytes = new byte[(int)Math.Min(length - preamble, 64 * 1024)];
        stream.ReadExactly(bytes);
        var chars = new char[encoding.GetMaxCharCount(bytes.Length)];
        var count = encoding.GetDecoder().GetChars(bytes, 0, bytes.Length, chars, 0, flush: false);
        using var reader = CsvReader.FromText(new string(chars, 0, count), Options(null, ReaderLimits.Default) with { DetectSeparatorHint = true });
        try
        {
            return reader.Separator is char separator && Delimiters.Contains(separator) ? separator : ',';
        }
        catch (CsvFormatException)
        {
            return ',';
        }
    }
}

/// <summary>A CSV file as a workbook of one sheet, named after the file.</summary>
internal sealed class CsvFile(CsvSource source, SheetInfo sheet, string encoding, char delimiter, bool macRomanGuessed) : WorkbookFile
{
    public override SpreadsheetFormat Format => SpreadsheetFormat.Csv;

    public override IReadOnlyList<SheetInfo> Sheets { get; } = [sheet];

    public override IEnumerable<RawRow> Rows(int sheet, int columnCap) => source.ReadRaw(columnCap);

    public override OpenedSheet Open(int sheet, ParseOptions options) =>
        new(Format, Sheets, null, options with { Sheet = null, Encoding = encoding, Delimiter = delimiter }, source)
        {
            EncodingChosen = options.Encoding is not null,
            MacRomanGuessed = macRomanGuessed,
        };
}
