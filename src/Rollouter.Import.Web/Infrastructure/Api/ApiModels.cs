namespace Rollouter.Import.Web.Infrastructure.Api;

public sealed record ApiError(string Error, IReadOnlyList<MappingIssueDto>? Issues = null);

public sealed record MappingIssueDto(string? Column, string Message);

public sealed record PageDto<T>(int Total, int Page, int PageSize, IReadOnlyList<T> Items);
