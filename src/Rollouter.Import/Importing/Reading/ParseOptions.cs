namespace Rollouter.Import.Importing.Reading;

/// <summary>
/// How to read an uploaded file; stored as JSON on the import. A null property means "detect it". After opening,
/// <see cref="SpreadsheetFile.Options"/> holds the same record with every detected value filled in, so storing that
/// record makes the background job read the file exactly as the wizard showed it.
/// </summary>
/// <param name="Sheet">Worksheet name (workbooks only); null = the first visible sheet.</param>
/// <param name="HeaderRow">Row number of the header as the spreadsheet shows it (1-based); null = first non-empty row.</param>
/// <param name="Delimiter">CSV only: one of <c>,</c> <c>;</c> tab <c>|</c>; null = detect.</param>
/// <param name="Encoding">CSV only: "utf-8", "utf-16" (little endian), "utf-16BE" or "windows-1252"; null = detect.</param>
/// <param name="IncludeHiddenRows">Whether rows hidden in the workbook (also rows hidden by a filter) are imported.</param>
public sealed record ParseOptions(
    string? Sheet = null,
    int? HeaderRow = null,
    char? Delimiter = null,
    string? Encoding = null,
    bool IncludeHiddenRows = false)
{
    public static readonly ParseOptions Detect = new();

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, Json);

    /// <summary>The options stored on an import; null or empty means "detect everything".</summary>
    public static ParseOptions FromJson(string? json) =>
        string.IsNullOrWhiteSpace(json) ? Detect : System.Text.Json.JsonSerializer.Deserialize<ParseOptions>(json, Json) ?? Detect;
}

/// <summary>Bounds that keep any uploaded file from exhausting the server. Every limit gives a clear message when hit.</summary>
public sealed record ReaderLimits
{
    public static readonly ReaderLimits Default = new();

    public long MaxFileBytes { get; init; } = 200L * 1024 * 1024;

    /// <summary>Data rows (the header not counted).</summary>
    public int MaxRows { get; init; } = 1_000_000;

    public int MaxColumns { get; init; } = 500;

    /// <summary>Characters in one cell (Excel's own limit is 32,767). Longer cells are a row error, not a file error.</summary>
    public int MaxCellLength { get; init; } = 32_767;

    /// <summary>Declared or actual inflated size of one part of a zip-based workbook.</summary>
    public long MaxEntryInflatedBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>Declared inflated size of all parts of a zip-based workbook together.</summary>
    public long MaxTotalInflatedBytes { get; init; } = 2048L * 1024 * 1024;

    /// <summary>Inflated size : compressed size, checked for parts larger than <see cref="RatioCheckMinBytes"/>.</summary>
    public int MaxCompressionRatio { get; init; } = 100;

    public long RatioCheckMinBytes { get; init; } = 10L * 1024 * 1024;
}
