namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// Where a page of a list that pages by keyset starts, as its links say: <c>after=</c> (Next), <c>before=</c>
/// (Previous), <c>last=true</c> (Last); the first page otherwise. The values are the list's own cursors.
/// </summary>
public sealed record ListPosition(string? After = null, string? Before = null, bool Last = false)
{
    public static readonly ListPosition First = new();
}

/// <summary>One read of a keyset list: forward (after <see cref="Cursor"/>, or from the start) or backward (before it, or from the end).</summary>
public sealed record KeysetRead(bool Forward, string? Cursor);

/// <summary>A page of a keyset list: its items, and the cursors for the links before and after it (null: no such page).</summary>
public sealed record KeysetPage<T>(IReadOnlyList<T> Items, string? Previous, string? Next)
{
    public bool HasPrevious => Previous is not null;

    public bool HasNext => Next is not null;

    /// <summary>
    /// Reads the page at <paramref name="position"/>: <paramref name="read"/> gives up to the count of items in the read's
    /// direction, or null for a cursor it does not understand (then the first page). A page before a cursor with fewer
    /// than <paramref name="size"/> items before it is the first page.
    /// </summary>
    public static async Task<KeysetPage<T>> ReadAsync(ListPosition position, int size, Func<T, string> cursor,
        Func<KeysetRead, int, Task<List<T>?>> read)
    {
        ArgumentNullException.ThrowIfNull(position);
        ArgumentNullException.ThrowIfNull(cursor);
        ArgumentNullException.ThrowIfNull(read);
        if (!string.IsNullOrEmpty(position.After) && await read(new KeysetRead(true, position.After), size + 1) is { } after)
        {
            var page = after.Take(size).ToList();
            return new KeysetPage<T>(page, page.Count > 0 ? cursor(page[0]) : null, after.Count > size ? cursor(page[^1]) : null);
        }

        List<T>? backward = null;
        if (!string.IsNullOrEmpty(position.Before))
        {
            backward = await read(new KeysetRead(false, position.Before), size + 1) is { } before && before.Count > size ? before : null;
        }
        else if (position.Last)
        {
            backward = await read(new KeysetRead(false, null), size + 1);
        }

        if (backward is not null)
        {
            var page = backward.Take(size).Reverse().ToList();
            return new KeysetPage<T>(page, backward.Count > size ? cursor(page[0]) : null,
                position.Last || page.Count == 0 ? null : cursor(page[^1]));
        }

        var first = await read(new KeysetRead(true, null), size + 1) ?? [];
        var items = first.Take(size).ToList();
        return new KeysetPage<T>(items, null, first.Count > size ? cursor(items[^1]) : null);
    }
}

/// <summary>
/// The links of a keyset list's pages (the partial _KeysetPager). What the pager partial needs: the list's path (with its filters), the positions before and after the page, and a
/// fragment ("#failed-rows") that brings the reader back to the list rather than the top of the page.
/// </summary>
public sealed record KeysetPager(string BasePath, string? Previous, string? Next, string Label, string TestId, string Fragment = "");
