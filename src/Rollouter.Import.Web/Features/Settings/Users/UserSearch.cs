using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure;

namespace Rollouter.Import.Web.Features.Settings.Users;

/// <summary>
/// The users lists (users settings, a rollout's members) search and page: a rollout's client users run into the
/// thousands, and a list of all of them on one page grew with every user (decision 0018, amendment of 2026-12-05).
/// </summary>
public static class UserSearch
{
    public const int PageSize = 100;

    /// <summary>
    /// A rollout manager's users list counts up to this many users; beyond, it says "1,000+ users". Counting every user of
    /// a manager's 500 rollouts (36,785 of 50,006) cost 0.12–0.2 s a page; the first 1,001 cost a thousandth of it
    /// (decision 0158). An administrator's count reads the users' table alone and stays exact.
    /// </summary>
    public const int CountBound = 1_000;

    /// <summary>
    /// How many of <paramref name="users"/> there are: all of them when <paramref name="exact"/>, else at most
    /// <see cref="CountBound"/>, with whether there are more.
    /// </summary>
    public static async Task<(int Total, bool AtLeast)> CountAsync(IQueryable<User> users, bool exact, CancellationToken cancellationToken)
    {
        if (exact)
        {
            return (await users.CountAsync(cancellationToken), false);
        }

        var counted = await users.Take(CountBound + 1).CountAsync(cancellationToken);
        return counted > CountBound ? (CountBound, true) : (counted, false);
    }

    /// <summary>
    /// <paramref name="users"/> by name, then id, from a keyset read: after (forward) or before (backward, in reverse
    /// order) the user whose id is the read's cursor, or from the start or the end; null for a cursor that is not one of
    /// <paramref name="users"/> (then the list starts again at its first page).
    /// </summary>
    public static async Task<IQueryable<User>?> AfterOrBeforeAsync(this IQueryable<User> users, KeysetRead read,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var from = users;
        if (read.Cursor is not null)
        {
            var at = int.TryParse(read.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? await users.Where(u => u.Id == id).Select(u => new { u.Id, u.DisplayName }).FirstOrDefaultAsync(cancellationToken)
                : null;
            if (at is null)
            {
                return null;
            }

            // The name's bound stands alone as well, so that the database starts its walk of the (name, id) index there:
            // "name > x OR (name = x AND id > y)" alone was a filter on every user before the page (31 ms and 1,580
            // buffers at the 29,900th of 36,785 users on PostgreSQL, 0.5 ms and 462 buffers so).
            from = read.Forward
                ? users.Where(u => string.Compare(u.DisplayName, at.DisplayName) >= 0
                    && (string.Compare(u.DisplayName, at.DisplayName) > 0 || u.Id > at.Id))
                : users.Where(u => string.Compare(u.DisplayName, at.DisplayName) <= 0
                    && (string.Compare(u.DisplayName, at.DisplayName) < 0 || u.Id < at.Id));
        }

        return read.Forward
            ? from.OrderBy(u => u.DisplayName).ThenBy(u => u.Id)
            : from.OrderByDescending(u => u.DisplayName).ThenByDescending(u => u.Id);
    }

    /// <summary>A rollout's page offers its candidates in a list up to this many; beyond, the manager types an email or user ID.</summary>
    public const int CandidatesListed = 200;

    /// <summary>The users whose name, email or user ID contains <paramref name="query"/> (as seen, ignoring case); all without one.</summary>
    public static IQueryable<User> Matching(this IQueryable<User> users, string? query)
    {
        var text = Clean(query);
        if (text is null)
        {
            return users;
        }

        // Ignoring the case of every letter, also on SQLite, whose lower() folds ASCII letters only ("Özlem").
        return users.Where(IgnoringCase.Either(
            IgnoringCase.Containing<User>(u => u.DisplayName, text),
            IgnoringCase.Containing<User>(u => u.Email, text),
            IgnoringCase.Containing<User>(u => u.UserCode, text)));
    }

    /// <summary>
    /// The rollouts whose name or identifier contains <paramref name="query"/> (as seen, ignoring case); all without one.
    /// The rollouts lists (the Rollouts page, the rollouts settings) search and page as the users lists do: an
    /// installation with 2,000 rollouts listed them all on one page of 540 KB (decision 0129).
    /// </summary>
    public static IQueryable<Rollout> Matching(this IQueryable<Rollout> rollouts, string? query)
    {
        var text = Clean(query);
        return text is null ? rollouts : rollouts.Where(IgnoringCase.Either(
            IgnoringCase.Containing<Rollout>(r => r.Name, text),
            IgnoringCase.Containing<Rollout>(r => r.Identifier, text)));
    }

    /// <summary>The user whose email or user ID is <paramref name="text"/> (as seen, ignoring case), or null.</summary>
    public static IQueryable<User> Named(this IQueryable<User> users, string? text)
    {
        var cleaned = Clean(text) ?? "";
        return users.Where(IgnoringCase.Either(
            IgnoringCase.Equal<User>(u => u.Email, cleaned),
            IgnoringCase.Equal<User>(u => u.UserCode, cleaned)));
    }

    public static string? Clean(string? query) =>
        PlainText.AsSeen(query?.Trim()) is { Length: > 0 } text ? text[..CutAt(text, 200)] : null;

    /// <summary>At most <paramref name="limit"/> characters of <paramref name="text"/>, never half a surrogate pair.</summary>
    private static int CutAt(string text, int limit) =>
        text.Length <= limit ? text.Length : char.IsHighSurrogate(text[limit - 1]) ? limit - 1 : limit;
}

/// <summary>One page of a searched list: <paramref name="Page"/> is 1-based and within the list (the last page past its end).</summary>
public sealed record ListWindow(string? Query, int Page, int Total)
{
    public static ListWindow Of(string? query, int? page, int total)
    {
        var pages = Math.Max(1, (total + UserSearch.PageSize - 1) / UserSearch.PageSize);
        return new ListWindow(UserSearch.Clean(query), Math.Clamp(page ?? 1, 1, pages), total);
    }

    public int Skip => (Page - 1) * UserSearch.PageSize;

    public int Pages => Math.Max(1, (Total + UserSearch.PageSize - 1) / UserSearch.PageSize);

    public int From => Total == 0 ? 0 : Skip + 1;

    public int To => Math.Min(Total, Skip + UserSearch.PageSize);
}

/// <summary>What the users lists' search box and pages show: the window, the list's address and what it lists.</summary>
/// <paramref name="Keyset"/>: the list pages by keyset (Settings › Users, decision 0158): its links replace the numbered
/// pages, and <paramref name="CountText"/> replaces "Users 1–100 of …".
public sealed record UserListSearch(ListWindow Window, string Path, string Noun, string TestId,
    string Placeholder = "Name, email or user ID", KeysetPager? Keyset = null, string? CountText = null);
