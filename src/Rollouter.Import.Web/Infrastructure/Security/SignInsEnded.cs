using Rollouter.Import.Web.Features.Imports;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// What a sign-out everywhere or an ended user's sign-ins says (decision 0181): how many browser sessions and API tokens
/// ended, counted as they were deleted, only those still valid (one that had ended on its own is not counted).
/// </summary>
public static class SignInsEnded
{
    /// <summary>"3 other browser sessions and 2 API tokens"; <paramref name="keptSession"/> or <paramref name="keptToken"/>
    /// says "other" before the kind the caller's own sign-in is.</summary>
    public static string Counted(UserSessions.Ended ended, bool keptSession, bool keptToken) =>
        $"{Count(ended.Sessions, keptSession ? "other browser session" : "browser session")} and " +
        $"{Count(ended.Tokens, keptToken ? "other API token" : "API token")}";

    private static string Count(int count, string what) =>
        $"{ImportNumbers.N(count)} {what}{(count == 1 ? "" : "s")}";

    /// <summary>What one's own "Sign out everywhere" says: the page's (this browser kept) or the API's (this token kept).</summary>
    public static string OwnMessage(UserSessions.Ended ended, bool fromBrowser) =>
        ended.Total == 0
            ? fromBrowser
                ? "You were signed in nowhere else: no other browser session and no API token of yours had to end."
                : "You were signed in nowhere else: no browser session and no other API token of yours had to end."
            : $"You were signed out of {Counted(ended, keptSession: fromBrowser, keptToken: !fromBrowser)}. " +
              (fromBrowser ? "This browser stays signed in." : "This token goes on working.");

    /// <summary>What ending another user's sign-ins says.</summary>
    public static string UserMessage(string userName, UserSessions.Ended ended) =>
        ended.Total == 0
            ? $"{userName} was signed in nowhere: no browser session or API token had to end."
            : $"{userName}'s sign-ins ended: {Counted(ended, false, false)}. They sign in again with their password.";
}
