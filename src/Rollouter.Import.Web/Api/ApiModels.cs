using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;

namespace Rollouter.Import.Web.Api;

public sealed record LoginRequest(string? Email, string? Password);

public sealed record LoginResponse(string AccessToken, DateTimeOffset ExpiresAt);

public sealed record ApiError(string Error, IReadOnlyList<MappingIssueDto>? Issues = null);

public sealed record RolloutDto(int Id, string Identifier, string Name);

public sealed record InventoryListItemDto(int Id, string Name);

public sealed record CustomFieldDto(int Id, string Name, CustomFieldType Type, bool Required, string? Regex, IReadOnlyList<string> Options);

public sealed record InventoryDto(int Id, string Name, IReadOnlyList<string> Statuses, IReadOnlyList<CustomFieldDto> CustomFields);

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

public sealed record MappingIssueDto(string? Column, string Message);

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
    DateTimeOffset? FinishedAt);

public sealed record RowErrorDto(int Row, string? Column, string? Header, string? Value, string Message);

public sealed record CheckResultDto(int RowCount, int FailedRows, int ErrorCount, IReadOnlyList<RowErrorDto> Errors);

public sealed record PageDto<T>(int Total, int Page, int PageSize, IReadOnlyList<T> Items);
