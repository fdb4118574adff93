namespace Rollouter.Import.Web.Infrastructure.Api;

public sealed record MappingIssueDto(string? Column, string Message);

/// <summary>
/// A page of a list: <c>total</c> (exact, or "at least" when <c>totalExact</c> is false: a search counts to 1,000),
/// <c>page</c> (the page asked for with <c>page=</c>, from 1; null when reached by a cursor), at most
/// <see cref="PageDto.MaxPageSize"/> <c>items</c>, and <c>next</c>: the <c>after=</c> of the next page, null on the last.
/// </summary>
public sealed record PageDto<T>(int Total, int? Page, int PageSize, IReadOnlyList<T> Items, string? Next = null, bool TotalExact = true);

public static class PageDto
{
    public const int MaxPageSize = 1000;
}
