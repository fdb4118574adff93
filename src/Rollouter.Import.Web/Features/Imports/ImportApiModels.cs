using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Web.Infrastructure.Api;

namespace Rollouter.Import.Web.Features.Imports;

public sealed record ColumnDto(string Letter, string Header, IReadOnlyList<string?> Samples);

/// <summary>One column's mapping: <c>target</c> is a default field (Name, Status, Assignee, ClientUser, Description,
/// ClientFlag), a custom field's name, or null (not imported); <c>lookup</c> applies to Assignee and ClientUser.</summary>
public sealed record ColumnMappingDto(string Letter, string? Target, UserLookup? Lookup, bool CreateOptions, string? Separator)
{
    public ColumnMapping ToMapping() => new()
    {
        Letter = Letter ?? "",
        Target = Target,
        Lookup = Lookup,
        CreateOptions = CreateOptions,
        Separator = Separator,
    };
}

public sealed record MappingDto(bool UpdateExisting, IReadOnlyList<ColumnMappingDto>? Columns)
{
    public static MappingDto From(ImportMapping mapping) => new(mapping.UpdateExisting,
        [.. mapping.Columns.Select(c => new ColumnMappingDto(c.Letter, c.Target, c.Lookup, c.CreateOptions, c.Separator))]);

    public ImportMapping ToMapping() => new()
    {
        UpdateExisting = UpdateExisting,
        Columns = [.. (Columns ?? []).Select(c => c.ToMapping())],
    };
}

public sealed record ProgressDto(int Processed, int Written, int Total);

public sealed record CountsDto(int Created, int Updated, int FailedRows);

public sealed record ImportDto(
    int Id,
    int RolloutId,
    int InventoryId,
    ImportStatus Status,
    string FileName,
    long FileSize,
    int? RowCount,
    IReadOnlyList<ColumnDto> Columns,
    IReadOnlyList<string> Warnings,
    MappingDto Mapping,
    IReadOnlyList<MappingIssueDto> MappingErrors,
    ProgressDto Progress,
    CountsDto Counts,
    string? FailureMessage,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ApprovedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int Attempt,
    ParseOptionsDto? ParseOptions = null,
    IReadOnlyList<SheetDto>? Sheets = null);

/// <summary>A sheet of the workbook: its name, whether it is hidden, and its rows that hold a value (null for CSV).</summary>
public sealed record SheetDto(string Name, bool Hidden, int? Rows);

/// <summary>
/// How the kept file is read: <c>sheet</c> (workbooks), <c>headerRow</c> (1-based), <c>delimiter</c> (CSV: <c>,</c>
/// <c>;</c> <c>\t</c> or "tab", <c>|</c>), <c>encoding</c> (CSV: utf-8, utf-16, utf-16BE, windows-1252) and whether
/// hidden rows are imported. A null value is detected.
/// </summary>
public sealed record ParseOptionsDto(string? Sheet, int? HeaderRow, string? Delimiter, string? Encoding, bool IncludeHiddenRows)
{
    public static ParseOptionsDto From(ParseOptions options) => new(options.Sheet, options.HeaderRow,
        options.Delimiter?.ToString(), options.Encoding, options.IncludeHiddenRows);

    /// <summary>The options, or the message saying why the delimiter is not one.</summary>
    public Result<ParseOptions> ToOptions()
    {
        char? delimiter = Delimiter switch
        {
            null or "" => null,
            "tab" or "Tab" or "\\t" => '\t',
            { Length: 1 } d => d[0],
            _ => (char?)0,
        };
        return delimiter == '\0'
            ? Problem.Invalid("The delimiter must be a comma, a semicolon, a tab or a vertical bar (|).", "delimiter")
            : new ParseOptions(Sheet, HeaderRow, delimiter, Encoding, IncludeHiddenRows);
    }
}

public sealed record RowErrorDto(int Row, string? Column, string? Header, string? Value, string Message);

public sealed record CheckResultDto(int RowCount, int FailedRows, int ErrorCount, IReadOnlyList<RowErrorDto> Errors);
