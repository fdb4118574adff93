using System.Globalization;
using System.Text;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Tests.Reading;

public sealed class CsvReaderTests : IDisposable
{
    private const string Umlauts = "Name;Standort\r\nPC-1;Büro Mönchengladbach €\r\nPC-2;Küche\r\n";
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void Csv_Windows1252WithUmlauts_DetectedAndDecoded()
    {
        using var file = files.Open(files.WriteText("clients.csv", Umlauts, TestFiles.Windows1252, bom: false));

        Assert.Equal("windows-1252", file.Options.Encoding);
        Assert.Equal(';', file.Options.Delimiter);
        Assert.Equal("Büro Mönchengladbach €", file.SampleRows[0][1]);
        Assert.Equal("Küche", file.SampleRows[1][1]);
    }

    [Theory]
    [InlineData("Name;Standort\r\nPC-1;Köln Süd\r\nPC-2;Düsseldorf, Straße 5\r\n", "Köln Süd")]
    [InlineData("Name,Site\r\nPC-1,Société Générale\r\nPC-2,Crèche\r\n", "Société Générale")]
    public void Csv_MacRoman_AsExcelForMacWritesCsv_DetectedAndDecoded(string text, string first)
    {
        // Read as Windows-1252 it was stored without a word as "Kšln S¸d", "SociŽtŽ GŽnŽrale".
        using var file = files.Open(files.WriteText("clients.csv", text, Encoding.GetEncoding(10000), bom: false));

        Assert.Equal("macintosh", file.Options.Encoding);
        Assert.Equal(first, file.SampleRows[0][1]);
    }

    [Fact]
    public void Csv_Utf8WithByteOrderMark_AndAWindows1252Byte_IsRefusedNamingTheLine()
    {
        byte[] bytes = [.. Encoding.UTF8.GetPreamble(), .. Encoding.ASCII.GetBytes("Name;Location\r\nDS-1;Berlin\r\nDS-2;K"), 0xF6, .. Encoding.ASCII.GetBytes("ln\r\n")];

        var problem = files.Problem(files.Write("bom.csv", bytes));

        Assert.Equal(FileProblemKind.InvalidEncoding, problem.Kind);
        Assert.Equal("The file starts as UTF-8 (with a byte order mark), but line 3 holds bytes that UTF-8 cannot decode; save it again as UTF-8 (in Excel: File › Save As › CSV UTF-8) and upload it again.", problem.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Csv_Utf16WithAStrayByteAtTheEnd_IsRefusedNamingTheLine(bool byteOrderMark)
    {
        // A last byte without its partner (line 4, after the last line break): the file is cut or damaged. With a mark,
        // or known as UTF-16 by its zero bytes.
        var text = Encoding.Unicode.GetBytes("Name;Location\r\nDS-1;Berlin\r\nDS-2;Köln\r\n");
        byte[] bytes = byteOrderMark ? [0xFF, 0xFE, .. text, 0x41] : [.. text, 0x41];

        var problem = files.Problem(files.Write("utf16.csv", bytes));

        Assert.Equal(FileProblemKind.InvalidEncoding, problem.Kind);
        Assert.Equal(byteOrderMark
            ? "The file starts as UTF-16 (with a byte order mark), but line 4 holds bytes that UTF-16 cannot decode; save it again as UTF-8 (in Excel: File › Save As › CSV UTF-8) and upload it again."
            : "The file starts as UTF-16, but line 4 holds bytes that UTF-16 cannot decode; save it again as UTF-8 (in Excel: File › Save As › CSV UTF-8) and upload it again.",
            problem.Message);
    }

    [Theory]
    [InlineData("utf-16", true, null)]
    [InlineData("utf-16", false, null)]
    [InlineData("utf-16BE", true, null)]
    [InlineData("utf-16", true, "utf-16")]
    [InlineData("utf-16BE", false, "utf-16BE")]
    public void Csv_Utf16WithHalfASurrogatePair_ReadsItAsUFFFD_AndKeepsTheEmoji(string encoding, bool byteOrderMark, string? chosen)
    {
        // Excel's "Unicode Text" is UTF-16, where LEFT() cutting an emoji leaves its first half (decision 0044); built
        // here, not in attributes, since an attribute's string loses a lone surrogate on its way through metadata.
        // Its bytes unit by unit: .NET's encoder would write U+FFFD for the lone surrogates already.
        var bigEndian = encoding == "utf-16BE";
        var text = "Name;Location\r\nDS-1\uD83D;Berlin \uD83D\uDE00\r\nDS-2;\uDE00Köln\uD83D\r\n";
        byte[] bytes = [.. byteOrderMark ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : Array.Empty<byte>(), .. TestFiles.Utf16Units(text, bigEndian)];

        using var file = files.Open(files.Write("unicode.csv", bytes), chosen is null ? null : new ParseOptions { Encoding = chosen });

        Assert.Equal(encoding, file.Options.Encoding);
        TestFiles.AssertCells(file.SampleRows[0], "DS-1\uFFFD", "Berlin \uD83D\uDE00");
        TestFiles.AssertCells(file.SampleRows[1], "DS-2", "\uFFFDKöln\uFFFD");
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, null)]
    [InlineData(false, "utf-8")]
    public void Csv_Utf8WithAnEncodedHalfOfASurrogatePair_ReadsItAsUFFFD_AsUtf8(bool byteOrderMark, string? chosen)
    {
        // ED A0 BD is U+D83D written as if it were a character (Java's modified UTF-8, CESU-8, Python's surrogatepass):
        // not valid UTF-8, but half a surrogate pair, so U+FFFD (decision 0044), and the file is still UTF-8 (its "ö"
        // is not read as Windows-1252's "Ã¶"). Both halves of a pair written so are two: CESU-8's emoji reads as two U+FFFD.
        byte[] bytes =
        [
            .. byteOrderMark ? Encoding.UTF8.GetPreamble() : [],
            .. Encoding.UTF8.GetBytes("Name;Location\r\nDS-1"), 0xED, 0xA0, 0xBD, .. Encoding.UTF8.GetBytes(";Köln\r\nDS-2;x"),
            0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80, .. Encoding.UTF8.GetBytes("\r\nDS-3;"), 0xED, 0xBF, 0xBF,
        ];

        using var file = files.Open(files.Write("cesu.csv", bytes), chosen is null ? null : new ParseOptions { Encoding = chosen });

        Assert.Equal("utf-8", file.Options.Encoding);
        TestFiles.AssertCells(file.SampleRows[0], "DS-1\uFFFD", "Köln");
        TestFiles.AssertCells(file.SampleRows[1], "DS-2", "x\uFFFD\uFFFD");
        TestFiles.AssertCells(file.SampleRows[2], "DS-3", "\uFFFD");
    }

    [Fact]
    public void Csv_Utf8WithByteOrderMark_AndAByteUtf8CannotDecodeNextToAnEncodedSurrogate_IsStillRefusedNamingTheLine()
    {
        byte[] bytes = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("Name;Location\r\nDS-1"), 0xED, 0xA0, 0x80, .. Encoding.ASCII.GetBytes(";x\r\nDS-2;K"), 0xF6, .. Encoding.ASCII.GetBytes("ln\r\n")];

        var problem = files.Problem(files.Write("bom.csv", bytes));

        Assert.Equal(FileProblemKind.InvalidEncoding, problem.Kind);
        Assert.Equal("The file starts as UTF-8 (with a byte order mark), but line 3 holds bytes that UTF-8 cannot decode; save it again as UTF-8 (in Excel: File › Save As › CSV UTF-8) and upload it again.", problem.Message);
    }

    [Fact]
    public void Csv_GuessedAsMacRoman_IsWarnedAbout_AlsoWhenOpenedWithTheStoredSettings_NotOnceAnotherEncodingIsChosen()
    {
        // QA: a DOS code page 850 file (old ERP exports) puts its umlauts where Mac Roman has other letters: "Kîln".
        var path = files.WriteText("erp.csv", "Name;Location\r\nDS-1;Köln\r\nDS-2;Düsseldorf\r\nDS-3;Bäckerei\r\n", Encoding.GetEncoding(850), bom: false);
        const string Warning = "The file was read as Mac Roman (as Excel for Mac saves CSV files), judging by its accented letters: check the special characters in the sample rows, or choose another encoding under File settings (such as DOS code page 850 or Windows-1252).";

        using var detected = files.Open(path);
        using var stored = files.Open(path, detected.Options);
        using var chosen = files.Open(path, detected.Options with { Encoding = "ibm850" });

        Assert.Equal("macintosh", detected.Options.Encoding);
        Assert.Equal("Kîln", detected.SampleRows[0][1]);
        Assert.Contains(Warning, detected.Warnings.Select(w => w.Message));
        Assert.Contains(Warning, stored.Warnings.Select(w => w.Message));
        Assert.Equal("Köln", chosen.SampleRows[0][1]);
        Assert.DoesNotContain(chosen.Warnings, w => w.Message.Contains("Mac Roman", StringComparison.Ordinal));
    }

    /// <summary>
    /// Excel's "CSV (Comma delimited)" writes Windows-1252 and a "?" for each letter it cannot hold (decision 0177): such
    /// a "?" inside or at the start of a word, or a word of only "?" (Greek, Chinese), is a lost letter; a "?" after a
    /// word, a single one standing alone and a web address's query are not.
    /// </summary>
    [Theory]
    [InlineData("Wroc?aw", true)]
    [InlineData("?ód?", true)]
    [InlineData("Ji?í Dvo?ák", true)]
    [InlineData("????? ???", true)]
    [InlineData("PC-?? 3", true)]
    [InlineData("Which one?", false)]
    [InlineData("Is it?? Yes", false)]
    [InlineData("? unknown", false)]
    [InlineData("https://intranet/asset?id=12", false)]
    [InlineData("Size 2?3", false)]
    public void LostLetterScan_FindsTheQuestionMarksThatStandForLetters(string text, bool lost) =>
        Assert.Equal(lost, LostLetterScan.HoldsLostLetter(text));

    [Fact]
    public void Csv_Windows1252WithQuestionMarksForLetters_IsWarnedAbout_AfterEveryRowWasRead_AndWithTheStoredSettings()
    {
        // Rows 2–7 are the sample and hold none; rows 8 and 10 hold what Excel wrote for "Wrocław" and "Łódź".
        var text = new StringBuilder("Name;Location\r\n");
        for (var i = 1; i <= 6; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"PC-{i};Köln?\r\n");
        }

        text.Append("PC-7;Wroc?aw\r\nPC-8;Bonn\r\nPC-9;?ód?\r\n");
        var path = files.WriteText("ansi.csv", text.ToString(), TestFiles.Windows1252, bom: false);
        const string Warning = "The file was read as Windows-1252, and 2 cells hold a \"?\" where a letter belongs (the first in row 8, column B: \"Wroc?aw\"). Excel's \"CSV (Comma delimited)\" writes a \"?\" for each letter that this encoding cannot hold (such as ł, ř, ő, Greek, Cyrillic or Chinese letters), so those letters are not in the file and cannot be read back. Save the sheet in Excel as \"CSV UTF-8 (Comma delimited)\" or as Excel Workbook (.xlsx) and upload that; if the question marks are meant, import the file as it is.";

        using var file = files.Open(path);
        Assert.DoesNotContain(file.Warnings, w => w.Message.Contains("where a letter belongs", StringComparison.Ordinal));
        file.CountRows();
        using var stored = files.Open(path, file.Options);
        using var utf8 = files.Open(files.WriteText("utf8.csv", text.ToString(), new UTF8Encoding(false), bom: false));
        utf8.CountRows();

        Assert.Equal("windows-1252", file.Options.Encoding);
        Assert.Contains(Warning, file.Warnings.Select(w => w.Message));
        Assert.Contains(Warning, stored.Warnings.Select(w => w.Message));
        Assert.DoesNotContain(utf8.Warnings, w => w.Message.Contains("where a letter belongs", StringComparison.Ordinal));
    }

    [Fact]
    public void Csv_Windows1252OrUtf8_GetNoEncodingWarning()
    {
        using var windows = files.Open(files.WriteText("windows.csv", Umlauts, TestFiles.Windows1252, bom: false));
        using var utf8 = files.Open(files.WriteText("utf8.csv", Umlauts, new UTF8Encoding(false), bom: false));

        Assert.Empty(windows.Warnings);
        Assert.Empty(utf8.Warnings);
    }

    [Theory]
    [InlineData("Name;Notes\r\nPC-1;“Don’t move” – Windows™ Pro…\r\nPC-2;Küche\r\n")]
    [InlineData("Name;Notes\r\nPC-1;Vašek’s desk, “Müller”\r\nPC-2;Café, Straße, Élise\r\n")]
    public void Csv_Windows1252WithQuotesAndDashesAfterWords_IsNotTakenForMacRoman(string text)
    {
        using var file = files.Open(files.WriteText("clients.csv", text, TestFiles.Windows1252, bom: false));

        Assert.Equal("windows-1252", file.Options.Encoding);
        Assert.Equal(text.Split("\r\n")[1].Split(';')[1], file.SampleRows[0][1]);
    }

    [Theory]
    // QA: read as Mac Roman, "Tomaû Novak", "Maöa Kralj", "Joûe äef", "sïur" (Windows-1252's š ž œ Š are Mac Roman's
    // ö û ú ä); Slovenian, Croatian and French names hold no other accented letter.
    [InlineData("Name,Status,Department,Notes\r\nSI-1,New,IT,Tomaž Novak\r\nSI-2,New,IT,Maša Kralj\r\nSI-3,New,IT,Jože Šef\r\n", "Tomaž Novak")]
    [InlineData("Name;Notes\r\nFR-1;sœur Œuvre\r\nFR-2;ŒUVRE ŠKODA ŽIVKO\r\n", "sœur Œuvre")]
    [InlineData("Name;Notes\r\nHR-1;Ivo Žužek Vukšin\r\nHR-2;Živko Šimek\r\n", "Ivo Žužek Vukšin")]
    public void Csv_Windows1252WhoseOnlyAccentedLettersAreItsOwnInMacRomansRange_IsReadAsWindows1252(string text, string first)
    {
        using var file = files.Open(files.WriteText("clients.csv", text, TestFiles.Windows1252, bom: false));

        Assert.Equal("windows-1252", file.Options.Encoding);
        Assert.Equal(first, file.SampleRows[0].Cells[^1]);
        Assert.Empty(file.Warnings);
    }

    [Theory]
    // Mac Roman files whose ä é ü sit where Windows-1252 has Š Ž Ÿ: a capital after a small letter, or before one.
    [InlineData("Name;Standort\r\nPC-1;Grün\r\nPC-2;Müller Bäckerei\r\n", "Grün")]
    [InlineData("Name;Standort\r\nPC-1;Café\r\nPC-2;Émile\r\n", "Café")]
    public void Csv_MacRomanWithLettersInWindows1252sLetterBytes_IsStillMacRoman(string text, string first)
    {
        using var file = files.Open(files.WriteText("clients.csv", text, Encoding.GetEncoding(10000), bom: false));

        Assert.Equal("macintosh", file.Options.Encoding);
        Assert.Equal(first, file.SampleRows[0][1]);
    }

    [Theory]
    [InlineData("macintosh", 10000)]
    [InlineData("ibm850", 850)]
    public void Csv_MacRomanOrDosChosen_Decodes(string name, int codePage)
    {
        var path = files.WriteText("clients.csv", "Name;Standort\r\nPC-1;Büro Köln\r\n", Encoding.GetEncoding(codePage), bom: false);

        using var file = files.Open(path, new ParseOptions(HeaderRow: 1, Delimiter: ';', Encoding: name));

        Assert.Equal(name, file.Options.Encoding);
        Assert.Equal("Büro Köln", file.SampleRows[0][1]);
    }

    [Theory]
    [InlineData("utf-8", false)]
    [InlineData("utf-8", true)]
    [InlineData("utf-16", true)]
    [InlineData("utf-16BE", true)]
    public void Csv_UnicodeEncodings_DetectedAndDecoded(string encodingName, bool bom)
    {
        Encoding encoding = encodingName switch
        {
            "utf-16" => new UnicodeEncoding(false, true),
            "utf-16BE" => new UnicodeEncoding(true, true),
            _ => new UTF8Encoding(true),
        };

        using var file = files.Open(files.WriteText("clients.csv", Umlauts, encoding, bom));

        Assert.Equal(encodingName, file.Options.Encoding);
        Assert.Equal("Name", file.Columns[0].Header);
        Assert.Equal("Büro Mönchengladbach €", file.SampleRows[0][1]);
    }

    [Theory]
    [InlineData(',')]
    [InlineData(';')]
    [InlineData('\t')]
    [InlineData('|')]
    public void Csv_EachDelimiter_Detected(char delimiter)
    {
        var text = string.Join("\n", new[] { "Name,Status,Model", "PC-1,New,Model 1", "PC-2,Done,Model 2" }.Select(l => l.Replace(',', delimiter)));

        using var file = files.Open(files.WriteText("clients.csv", text, new UTF8Encoding(false), bom: false));

        Assert.Equal(delimiter, file.Options.Delimiter);
        Assert.Equal(["Name", "Status", "Model"], file.Columns.Select(c => c.Header));
        TestFiles.AssertCells(file.SampleRows[1], "PC-2", "Done", "Model 2");
    }

    /// <summary>
    /// A file separated by a character that is not detected is read as one column: a warning names the character when
    /// the header and every sample row hold it as often; a file of one column whose rows disagree, or whose header
    /// holds none, gets no warning. Any one character can be chosen.
    /// </summary>
    [Fact]
    public void Csv_ReadAsOneColumn_WarnsOfAConsistentDelimiter_WhichCanBeChosen()
    {
        var colon = files.WriteText("colon.csv", "Name:Department\nPC-1:IT\nPC-2:HR\n", new UTF8Encoding(false), bom: false);
        using (var file = files.Open(colon))
        {
            Assert.Equal(["Name:Department"], file.Columns.Select(c => c.Header));
            Assert.Equal("The file was read as one column, \"Name:Department\", but its rows look separated by \":\": choose Colon (:) as the delimiter under File settings.",
                Assert.Single(file.Warnings, w => w.Kind == FileWarningKind.ReadAsOneColumn).Message);
        }

        using (var chosen = files.Open(colon, new ParseOptions(Delimiter: ':')))
        {
            Assert.Equal(["Name", "Department"], chosen.Columns.Select(c => c.Header));
            Assert.DoesNotContain(chosen.Warnings, w => w.Kind == FileWarningKind.ReadAsOneColumn);
        }

        using var names = files.Open(files.WriteText("names.csv", "Name\nPC:1\nPC-2\n", new UTF8Encoding(false), bom: false));
        using var notes = files.Open(files.WriteText("notes.csv", "Name: notes\nPC-1: a\nPC-2: b: c\n", new UTF8Encoding(false), bom: false));
        Assert.DoesNotContain(names.Warnings, w => w.Kind == FileWarningKind.ReadAsOneColumn);
        Assert.DoesNotContain(notes.Warnings, w => w.Kind == FileWarningKind.ReadAsOneColumn);
    }

    [Fact]
    public void Csv_SemicolonsWithDecimalCommas_DetectsSemicolon()
    {
        var text = "Name;Preis;Gewicht\nPC-1;1,5;2,25\nPC-2;3,75;1\nPC-3;10;0,5\n";

        using var file = files.Open(files.WriteText("clients.csv", text, new UTF8Encoding(false), bom: false));

        Assert.Equal(';', file.Options.Delimiter);
        Assert.Equal("2,25", file.SampleRows[0][2]);
    }

    [Fact]
    public void Csv_QuotedFieldsWithDelimitersQuotesAndLineBreaks_ReadAsOneRecordNumberedByRecord()
    {
        var text = "Name,Notes,Model\r\nPC-1,\"a, b and \"\"c\"\"\",M1\r\nPC-2,\"line one\r\nline two\nline three\",M2\r\nPC-3,plain,M3\r\n";

        using var file = files.Open(files.WriteText("clients.csv", text, new UTF8Encoding(false), bom: false));
        var rows = file.ReadRows().ToList();

        Assert.Equal(',', file.Options.Delimiter);
        Assert.Equal("a, b and \"c\"", rows[0][1]);
        Assert.Equal("line one\r\nline two\nline three", rows[1][1]);
        Assert.Equal([2, 3, 4], rows.Select(r => r.RowNumber));
        Assert.Equal("M3", rows[2][2]);
    }

    [Fact]
    public void Csv_DelimiterAndEncodingOverridden_UsedInsteadOfDetected()
    {
        var text = "Name;Info\nPC-1;a,b\nPC-2;c,d\n";
        var path = files.WriteText("clients.csv", text, TestFiles.Windows1252, bom: false);

        using var file = files.Open(path, new ParseOptions(HeaderRow: 1, Delimiter: ',', Encoding: "windows-1252"));

        Assert.Equal(',', file.Options.Delimiter);
        Assert.Equal("windows-1252", file.Options.Encoding);
        Assert.Equal(["Name;Info", "Column B"], file.Columns.Select(c => c.Header));
        TestFiles.AssertCells(file.SampleRows[0], "PC-1;a", "b");
    }

    [Fact]
    public void Csv_ForcedUtf8OnWindows1252Bytes_FailsNamingTheLine()
    {
        var path = files.WriteText("clients.csv", Umlauts, TestFiles.Windows1252, bom: false);

        var problem = files.Problem(path, new ParseOptions(Encoding: "utf-8"));

        Assert.Equal(FileProblemKind.InvalidEncoding, problem.Kind);
        Assert.Contains("line 2", problem.Message);
    }

    [Fact]
    public void Csv_ForcedUnknownEncoding_FailsAsInvalidOption()
    {
        var path = files.WriteText("clients.csv", Umlauts, new UTF8Encoding(false), bom: false);

        var problem = files.Problem(path, new ParseOptions(Encoding: "klingon"));

        Assert.Equal(FileProblemKind.InvalidOption, problem.Kind);
        Assert.Contains("klingon", problem.Message);
    }

    [Fact]
    public void Csv_ForcedUtf16OnOddByteCount_StreamingFailsWithInvalidEncoding()
    {
        var text = "Name,Model\n" + string.Concat(Enumerable.Range(1, 10).Select(i => $"PC-{i},M{i}\n"));
        var bytes = new UnicodeEncoding(false, false).GetBytes(text);
        var path = files.Write("clients.csv", [.. bytes, 0xD8]);

        using var file = files.Open(path, new ParseOptions(Encoding: "utf-16"));
        var error = Assert.Throws<ImportFileException>(() => file.ReadRows().ToList());

        Assert.Equal(FileProblemKind.InvalidEncoding, error.Problem.Kind);
        Assert.Contains("not valid in the chosen encoding", error.Message);
    }

    [Fact]
    public void Csv_EmptyLinesAndLeadingBlankLines_SkippedButCounted()
    {
        var text = "\n\nName,Model\nPC-1,M1\n\n,\nPC-2,M2\n\n\n";

        using var file = files.Open(files.WriteText("clients.csv", text, new UTF8Encoding(false), bom: false));
        var rows = file.ReadRows().ToList();

        Assert.Equal(3, file.HeaderRow);
        Assert.Equal([4, 7], rows.Select(r => r.RowNumber));
        Assert.Equal(2, file.CountRows());
    }

    [Fact]
    public void Csv_BlankAndRepeatedHeaders_LabelledWithColumnLetter()
    {
        var text = "Name,,Name,name,Model,,\nPC-1,x,y,z,M1,,\n";

        using var file = files.Open(files.WriteText("clients.csv", text, new UTF8Encoding(false), bom: false));

        Assert.Equal(["Name", "Column B", "Name (C)", "name (D)", "Model"], file.Columns.Select(c => c.Header));
        Assert.Equal(["A", "B", "C", "D", "E"], file.Columns.Select(c => c.Letter));
        Assert.Equal(5, file.SampleRows[0].Cells.Length);
    }

    [Fact]
    public void Csv_HeaderRowOption_UsesThatRowAndReadsBelowIt()
    {
        var text = "Inventory export\nName,Model\nPC-1,M1\n";

        using var detected = files.Open(files.WriteText("a.csv", text, new UTF8Encoding(false), bom: false));
        using var chosen = files.Open(files.WriteText("b.csv", text, new UTF8Encoding(false), bom: false), new ParseOptions(HeaderRow: 1));

        Assert.Equal(2, detected.HeaderRow);
        Assert.Equal(["Name", "Model"], detected.Columns.Select(c => c.Header));
        Assert.Equal(["Inventory export", "Column B"], chosen.Columns.Select(c => c.Header));
        Assert.Equal([2, 3], chosen.ReadRows().Select(r => r.RowNumber));
    }

    [Fact]
    public void Csv_UnclosedQuoteLaterInFile_ReadRowsYieldsEarlierRowsThenThrowsImportFileException()
    {
        var lines = Enumerable.Range(1, 10).Select(i => $"PC-{i},M{i}").ToList();
        lines.Add("PC-11,\"never closed");
        lines.Add("PC-12,M12");
        var path = files.WriteText("clients.csv", "Name,Model\n" + string.Join("\n", lines), new UTF8Encoding(false), bom: false);
        using var file = files.Open(path);
        var seen = new List<int>();

        var error = Assert.Throws<ImportFileException>(() =>
        {
            foreach (var row in file.ReadRows())
            {
                seen.Add(row.RowNumber);
            }
        });

        Assert.Equal(FileProblemKind.Corrupt, error.Problem.Kind);
        Assert.Contains("Row 12", error.Message);
        Assert.Equal(Enumerable.Range(2, 10), seen);
    }

    [Fact]
    public void Csv_ReadRowsTwice_GivesTheSameRows()
    {
        var text = "Name,Model\nPC-1,M1\nPC-2,M2\n";
        using var file = files.Open(files.WriteText("clients.csv", text, new UTF8Encoding(false), bom: false));

        var first = file.ReadRows().Select(r => string.Join("|", r.Cells)).ToList();
        var second = file.ReadRows().Select(r => string.Join("|", r.Cells)).ToList();

        Assert.Equal(["PC-1|M1", "PC-2|M2"], first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Csv_ExcelSeparatorLine_SetsTheDelimiterAndIsNotARow()
    {
        var path = files.WriteText("excel.csv", "sep=;\nName;Model\nPC-1;M1,5\n", new UTF8Encoding(false), bom: false);

        using var file = files.Open(path);

        Assert.Equal(';', file.Options.Delimiter);
        Assert.Equal(1, file.HeaderRow);
        Assert.Equal(["Name", "Model"], file.Columns.Select(c => c.Header));
        var row = Assert.Single(file.ReadRows());
        Assert.Equal(2, row.RowNumber);
        TestFiles.AssertCells(row, "PC-1", "M1,5");
    }
}
