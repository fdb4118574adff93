namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// One page of a list, for every paged page and API endpoint: the page is at least 1 and the page size within its
/// bounds, and the rows to skip are computed without overflow, so that <c>page=2147483647</c> is an empty (API) or the
/// last (pages) page, never a negative OFFSET.
/// </summary>
public readonly record struct Paging(int Page, int PageSize)
{
    /// <summary>The page asked for, made valid: page 1 or more, 1 to <paramref name="maxPageSize"/> rows a page.</summary>
    public static Paging Of(int page, int pageSize, int maxPageSize = int.MaxValue) =>
        new(Math.Max(1, page), Math.Clamp(pageSize, 1, Math.Max(1, maxPageSize)));

    /// <summary>The rows before this page; at most <see cref="int.MaxValue"/> (no list here is that long).</summary>
    public int Skip => (int)Math.Min(int.MaxValue, (Page - 1L) * PageSize);

    /// <summary>How many pages <paramref name="total"/> rows fill (at least one, an empty one).</summary>
    public int PageCount(int total) => (int)Math.Max(1, (total + (long)PageSize - 1) / PageSize);

    /// <summary>This page, or the last page of <paramref name="total"/> rows when it lies beyond (what the pages show).</summary>
    public Paging Within(int total) => this with { Page = Math.Min(Page, PageCount(total)) };
}
