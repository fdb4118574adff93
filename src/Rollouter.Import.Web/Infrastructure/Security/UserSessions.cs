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
/// busy; a new security stamp (password, link, deactivation) deletes all of the user's sessions.
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

    /// <summary>Ends every session of the user, as a new security stamp does.</summary>
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
