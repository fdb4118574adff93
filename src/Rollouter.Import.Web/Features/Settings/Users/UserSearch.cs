using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Features.Settings.Users;

/// <summary>
/// The users lists (users settings, a rollout's members) search and page: a rollout's client users run into the
/// thousands, and a list of all of them on one page grew with every user (decision 0018, amendment of 2026-12-05).
/// </summary>
public static class UserSearch
{
    public const int PageSize = 100;

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
public sealed record UserListSearch(ListWindow Window, string Path, string Noun, string TestId,
    string Placeholder = "Name, email or user ID");
