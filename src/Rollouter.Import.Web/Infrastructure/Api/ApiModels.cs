namespace Rollouter.Import.Web.Infrastructure.Api;

public sealed record MappingIssueDto(string? Column, string Message);

/// <summary>One page of a list: <c>page</c> from 1, at most <see cref="PageDto.MaxPageSize"/> items; past the end, no items.</summary>
public sealed record PageDto<T>(int Total, int Page, int PageSize, IReadOnlyList<T> Items);

public static class PageDto
{
    public const int MaxPageSize = 1000;
}
