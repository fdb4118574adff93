namespace Rollouter.Import.Data.Entities;

/// <summary>
/// One sign-in: a browser's, or an API token's (<see cref="IsApiToken"/>). The sign-in cookie names its session
/// (<c>rollouter:session</c>), a token its record (its <c>jti</c>), and the cookie check or the token check reads it with
/// the user on every request: signing out deletes it, so a copy of the cookie or token is refused from then on. It also
/// ends after <see cref="ExpiresAt"/>: idle too long, or signed in too long ago (docs/decisions/0020); a token when it
/// expires. The row never holds the cookie or the token, only the random id they name.
/// </summary>
public class UserSession
{
    /// <summary>128 random bits as 32 hexadecimal digits.</summary>
    public required string Id { get; set; }

    public int UserId { get; set; }

    public User User { get => field ?? throw Navigation.NotLoaded(this, nameof(User)); set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The last request, to within the few minutes the cookie check waits before writing it again.</summary>
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>The earlier of "idle since <see cref="LastSeenAt"/>" and "signed in since <see cref="CreatedAt"/>" running out.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>
    /// An API token's record (<c>POST /api/auth/login</c>): it ends when the token expires (never touched on use), and
    /// <c>POST /api/auth/logout</c> deletes it. False for a browser's session.
    /// </summary>
    public bool IsApiToken { get; set; }
}
