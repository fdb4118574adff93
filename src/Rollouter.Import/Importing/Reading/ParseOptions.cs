namespace Rollouter.Import.Importing.Reading;

/// <summary>
/// How to read an uploaded file; stored as JSON on the import. A null property means "detect it". After opening,
/// <see cref="SpreadsheetFile.Options"/> holds the same record with every detected value filled in, so storing that
/// record makes the background job read the file exactly as the wizard showed it.
/// </summary>
/// <param name="Sheet">Worksheet name (workbooks only); null = the first visible sheet that holds a table (a header
/// with rows below it), so that cover sheets, empty and header-only sheets are passed over.</param>
/// <param name="HeaderRow">Row number of the header as the spreadsheet shows it (1-based); null = detected among the
/// first rows, below titles, logos and "Customer: …" lines (see <see cref="HeaderDetection"/>).</param>
/// <param name="Delimiter">CSV only: <c>,</c> <c>;</c> tab and <c>|</c> are detected, any other character but a quote
/// or a line break can be chosen (<see cref="IsAllowedDelimiter"/>); null = detect.</param>
/// <param name="Encoding">CSV only: "utf-8", "utf-16" (little endian), "utf-16BE", "windows-1252", "macintosh" (Mac Roman) or "ibm850" (DOS); null = detect.</param>
/// <param name="IncludeHiddenRows">Whether rows hidden in the workbook (also rows hidden by a filter) are imported.</param>
/// <param name="ColumnCount">Found, never chosen: the columns up to the widest data row, as the counting pass
/// (<see cref="SpreadsheetFile.CountRows"/>) found them; null before it ran. Stored so that the mapping step and the
/// job offer and read the columns that only rows far below the header fill.</param>
/// <param name="UnnamedColumns">Found with <paramref name="ColumnCount"/>: each column that holds values but has no
/// header, with the first row that fills it (for the warning "Column K has values from row 37 on but no header").</param>
/// <param name="LostLetters">Found with <paramref name="ColumnCount"/> in a CSV read in a single-byte encoding: the cells
/// holding a "?" where a letter belongs, as Excel writes the letters the encoding cannot hold (decision 0177); null when
/// none was found.</param>
public sealed record ParseOptions(
    string? Sheet = null,
    int? HeaderRow = null,
    char? Delimiter = null,
    string? Encoding = null,
    bool IncludeHiddenRows = false,
    int? ColumnCount = null,
    IReadOnlyList<UnnamedColumn>? UnnamedColumns = null,
    LostLetters? LostLetters = null)
{
    public static readonly ParseOptions Detect = new();

    public const string DelimiterRule =
        "The delimiter must be one character: a tab (\"tab\"), or a plain ASCII letter, digit, space or punctuation mark other than a quote, such as : or ~.";

    /// <summary>
    /// A tab or any printable ASCII character but the quote can be chosen as the delimiter (files from other tools use
    /// ":" or "~"): what the CSV parser can split on. "§" or a letter with an accent would be taken and then fail
    /// to read the file at all.
    /// </summary>
    public static bool IsAllowedDelimiter(char delimiter) => delimiter == '\t' || (delimiter is >= ' ' and <= '~' && delimiter != '"');

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, Json);

    /// <summary>The options stored on an import; null or empty means "detect everything".</summary>
    public static ParseOptions FromJson(string? json) =>
        string.IsNullOrWhiteSpace(json) ? Detect : System.Text.Json.JsonSerializer.Deserialize<ParseOptions>(json, Json) ?? Detect;
}

/// <summary>A column that holds values but has no header: its zero-based index and the first row that fills it.</summary>
public sealed record UnnamedColumn(int Index, int FirstRow);

/// <summary>Bounds that keep any uploaded file from exhausting the server. Every limit gives a clear message when hit.</summary>
public sealed record ReaderLimits
{
    public static readonly ReaderLimits Default = new();

    public long MaxFileBytes { get; init; } = 200L * 1024 * 1024;

    /// <summary>Data rows (the header not counted).</summary>
    public int MaxRows { get; init; } = 1_000_000;

    /// <summary>The columns a file may have (<see cref="MaxColumns"/>'s default, which the app does not change).</summary>
    public const int DefaultMaxColumns = 500;

    public int MaxColumns { get; init; } = DefaultMaxColumns;

    /// <summary>Characters in one cell (Excel's own limit is 32,767). Longer cells are a row error, not a file error.</summary>
    public int MaxCellLength { get; init; } = 32_767;

    /// <summary>
    /// Bytes of one CSV cell: 128 KB, more than any cell of <see cref="MaxCellLength"/> characters takes in any encoding
    /// (3 bytes a character in UTF-8 at most). A longer cell refuses the file as soon as it is read (decision 0183).
    /// </summary>
    public long MaxCsvCellBytes { get; init; } = 128 * 1024;

    /// <summary>
    /// Bytes of one CSV record (a row; a quoted line break does not end it): 16 MB, which holds 500 columns of 32,767
    /// characters of Latin text. A longer record refuses the file as soon as it is read (decision 0183).
    /// </summary>
    public long MaxCsvRecordBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>
    /// Columns of one CSV record, counted by its delimiters, also the empty ones: 16,384, Excel's own number of columns.
    /// A wider record refuses the file as soon as it is read (decision 0183).
    /// </summary>
    public int MaxCsvRecordColumns { get; init; } = 16_384;

    /// <summary>Declared or actual inflated size of one part of a zip-based workbook.</summary>
    public long MaxEntryInflatedBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>
    /// Memory the shared strings of an .xlsx may take (estimated: 2 bytes a character, each item cut at
    /// <see cref="MaxCellLength"/>, and <see cref="Xlsx.SharedStrings.ItemOverheadBytes"/> more an item). A million
    /// rows with six columns of distinct 15-character texts take about 370 MB; beyond the limit the workbook is refused.
    /// </summary>
    public long MaxSharedStringsBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Declared inflated size of all parts of a zip-based workbook together.</summary>
    public long MaxTotalInflatedBytes { get; init; } = 2048L * 1024 * 1024;

    /// <summary>Inflated size : compressed size, checked for parts larger than <see cref="RatioCheckMinBytes"/>.</summary>
    public int MaxCompressionRatio { get; init; } = 100;

    public long RatioCheckMinBytes { get; init; } = 10L * 1024 * 1024;
}
