using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// The server's record of each browser's sign-in (<see cref="UserSession"/>, docs/decisions/0020): every sign-in cookie
/// names its session, signing out deletes it, and <see cref="ActiveUserCookieCheck"/> refuses a cookie whose session is
/// gone or past <see cref="UserSession.ExpiresAt"/>. A session ends after <see cref="IdleTimeout"/> without a request
/// (the cookie's own sliding expiration) and at the latest <see cref="AbsoluteLifetime"/> after the sign-in, however
/// busy; a new security stamp (password, link, deactivation) deletes all of the user's sessions. API tokens are recorded
/// in the same table (<see cref="UserSession.IsApiToken"/>, decision 0180), so that one can be signed out on its own
/// and "sign out everywhere" and "end sign-ins" end browsers and tokens alike.
/// </summary>
public static class UserSessions
{
    /// <summary>The cookie's claim that names its session.</summary>
    public const string ClaimType = "rollouter:session";

    /// <summary>The cookie's sliding expiration: a session without a request for this long ends.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromHours(8);

    /// <summary>A session ends this long after the sign-in, even when used all the time: then sign in again.</summary>
    public static readonly TimeSpan AbsoluteLifetime = TimeSpan.FromHours(24);

    /// <summary>
    /// The cookie check writes <see cref="UserSession.LastSeenAt"/> again only after this long, not on every request; the
    /// server's idle end is this much later than the cookie's, so it never refuses a cookie that is still valid.
    /// </summary>
    public static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(5);

    public static string SessionId(this ClaimsPrincipal principal) => principal.FindFirstValue(ClaimType) ?? "";

    /// <summary>When a session created at <paramref name="createdAt"/> and last seen at <paramref name="lastSeenAt"/> ends.</summary>
    public static DateTimeOffset ExpiresAt(DateTimeOffset createdAt, DateTimeOffset lastSeenAt)
    {
        var idleEnd = lastSeenAt + IdleTimeout + TouchInterval;
        var absoluteEnd = createdAt + AbsoluteLifetime;
        return idleEnd < absoluteEnd ? idleEnd : absoluteEnd;
    }

    /// <summary>Records a new session of the user and returns its id, 128 random bits.</summary>
    public static async Task<string> StartAsync(RolloutDbContext db, int userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var id = RandomNumberGenerator.GetHexString(32, lowercase: true);
        await db.UserSessions.AddAsync(new UserSession
        {
            Id = id, UserId = userId, CreatedAt = now, LastSeenAt = now, ExpiresAt = ExpiresAt(now, now),
        }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return id;
    }

    /// <summary>Notes a request of a session (at most once per <see cref="TouchInterval"/>), which moves its idle end.</summary>
    public static Task TouchAsync(RolloutDbContext db, string sessionId, DateTimeOffset createdAt, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var expiresAt = ExpiresAt(createdAt, now);
        return db.UserSessions.Where(s => s.Id == sessionId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAt, now).SetProperty(x => x.ExpiresAt, expiresAt), cancellationToken);
    }

    /// <summary>Ends one session: its cookie, and every copy of it, is refused from the next request on.</summary>
    public static Task EndAsync(RolloutDbContext db, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.UserSessions.Where(s => s.Id == sessionId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// Records a new API token of the user and returns its id (the token's <c>jti</c>), 128 random bits: the token lasts
    /// <paramref name="lifetime"/>, and the record as long (then the purge deletes it). The record holds the id only,
    /// never the token.
    /// </summary>
    public static async Task<string> StartTokenAsync(RolloutDbContext db, int userId, DateTimeOffset now, TimeSpan lifetime,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var id = RandomNumberGenerator.GetHexString(32, lowercase: true);
        await db.UserSessions.AddAsync(new UserSession
        {
            Id = id, UserId = userId, CreatedAt = now, LastSeenAt = now, ExpiresAt = now + lifetime, IsApiToken = true,
        }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return id;
    }

    /// <summary>Ends one API token of the user (its record): it is refused from the next request on; false when it had none.</summary>
    public static async Task<bool> EndTokenAsync(RolloutDbContext db, int userId, string tokenId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await db.UserSessions.Where(s => s.Id == tokenId && s.UserId == userId && s.IsApiToken)
            .ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>How many browser sessions and API tokens a sign-out everywhere ended.</summary>
    public readonly record struct Ended(int Sessions, int Tokens)
    {
        public int Total => Sessions + Tokens;
    }

    /// <summary>
    /// Ends every browser session and API token of the user but <paramref name="keptId"/> (the caller's own session or
    /// token; null for none), and says how many of them were still valid: the ones that had already ended on their own
    /// (idle, too old, expired; not yet purged) are deleted too but not counted. One transaction.
    /// </summary>
    public static async Task<Ended> EndAllButAsync(RolloutDbContext db, int userId, string? keptId, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var kept = keptId ?? "";
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var others = db.UserSessions.Where(s => s.UserId == userId && s.Id != kept);
        var sessions = await others.Where(s => !s.IsApiToken && s.ExpiresAt > now).ExecuteDeleteAsync(cancellationToken);
        var tokens = await others.Where(s => s.IsApiToken && s.ExpiresAt > now).ExecuteDeleteAsync(cancellationToken);
        await others.ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new Ended(sessions, tokens);
    }

    /// <summary>Ends every session and API token record of the user, as a new security stamp does.</summary>
    public static Task EndAllAsync(RolloutDbContext db, int userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.UserSessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Deletes the sessions that have ended on their own (idle, or too old); returns how many.</summary>
    public static Task<int> PurgeAsync(RolloutDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.UserSessions.Where(s => s.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
    }
}

/// <summary>
/// Deletes the ended sessions (<see cref="UserSessions.PurgeAsync"/>) on every instance, at start-up and every
/// <see cref="Interval"/>; a sign-out, a new password, a link or a deactivation delete theirs at once.
/// </summary>
public sealed class UserSessionPurge(IServiceScopeFactory scopes, TimeProvider clock, ILogger<UserSessionPurge> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            do
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var purged = await UserSessions.PurgeAsync(
                        scope.ServiceProvider.GetRequiredService<RolloutDbContext>(), clock.GetUtcNow(), stoppingToken);
                    logger.LogDebug("Deleted {Count} ended sign-in sessions", purged);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Deleting the ended sign-in sessions failed; the next try is in {Minutes} min",
                        Interval.TotalMinutes);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
