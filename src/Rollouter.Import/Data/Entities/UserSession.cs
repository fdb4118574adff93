namespace Rollouter.Import.Data.Entities;

/// <summary>
/// One browser's sign-in. The sign-in cookie names it (<c>rollouter:session</c>), and the cookie check reads it with
/// the user on every request: signing out deletes it, so a copy of the cookie is refused from then on. It also ends
/// after <see cref="ExpiresAt"/>: idle too long, or signed in too long ago (docs/decisions/0020).
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
}
