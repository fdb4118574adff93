using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// Checks the sign-in cookie against its session and the user on every request, as the API does with its tokens: a
/// cookie whose session was ended (signed out, idle or too old, see <see cref="UserSessions"/>), of a deactivated (or
/// deleted) user, or issued before the user's security stamp changed (a new password, a reset or invitation link, a
/// deactivation), is signed out at once; a user whose role, name or key account manager flag changed gets a fresh
/// cookie with the new claims, so a changed role applies at the next click. One small query per request (the session
/// joined to its user), none for anonymous endpoints; every few minutes also a write of the session's last request.
/// </summary>
public static class ActiveUserCookieCheck
{
    /// <summary>
    /// Replaces Identity's own security stamp validator, which re-reads the user every 30 minutes: this check reads the
    /// stamp in the query it makes anyway, so a changed stamp applies at the next request on every instance. Each
    /// cookie sign-in records a session, named in the cookie; signing out deletes it.
    /// </summary>
    public static IServiceCollection AddActiveUserCookieCheck(this IServiceCollection services)
    {
        services.AddHostedService<UserSessionPurge>();
        return services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, o =>
        {
            o.Events.OnValidatePrincipal = async context =>
            {
                // Anonymous endpoints (stylesheets, scripts, /health, the sign-in page) need no user: no query for them.
                if (context.Principal is { } principal
                    && context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null)
                {
                    await ValidateAsync(context, principal);
                }
            };
            // Every new cookie (a sign-in, an invitation link, the renewal after one's own new password) gets a new
            // session; a cookie renewed on its way (sliding expiration, new claims) keeps its own.
            o.Events.OnSigningIn = async context =>
            {
                if (context.Principal?.Identity is ClaimsIdentity identity && context.Principal.UserId() is var userId and > 0)
                {
                    foreach (var claim in identity.FindAll(UserSessions.ClaimType).ToList())
                    {
                        identity.RemoveClaim(claim);
                    }

                    var http = context.HttpContext;
                    var sessionId = await UserSessions.StartAsync(http.RequestServices.GetRequiredService<RolloutDbContext>(),
                        userId, http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(), http.RequestAborted);
                    identity.AddClaim(new Claim(UserSessions.ClaimType, sessionId));
                }
            };
            // Signing out (the sign-out button, an invitation link opened in a signed-in browser) ends the session on
            // the server too, so a copy of the cookie no longer works.
            o.Events.OnSigningOut = async context =>
            {
                if (context.HttpContext.User.SessionId() is { Length: > 0 } sessionId)
                {
                    await UserSessions.EndAsync(context.HttpContext.RequestServices.GetRequiredService<RolloutDbContext>(),
                        sessionId, context.HttpContext.RequestAborted);
                }
            };
        });
    }

    private const string SignedInBeforeSessionsKey = "rollouter:signed-in-before-sessions";

    /// <summary>
    /// Whether this request's cookie was refused for naming no session: issued before sign-ins were kept as sessions on
    /// the server, by a version before 2026-12-05.
    /// </summary>
    public static bool SignedInBeforeSessions(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.ContainsKey(SignedInBeforeSessionsKey);
    }

    /// <summary>
    /// The session joined to its user, compiled once: the query of every signed-in page request, whose translation EF
    /// would otherwise look up in its cache, after walking the expression for its parameters, each time
    /// (docs/performance.md, 2026-12-07).
    /// </summary>
    private static readonly CompiledPerModel<Func<RolloutDbContext, string, int, CancellationToken, Task<SessionCheck?>>> SessionQuery =
        new(() => EF.CompileAsyncQuery((RolloutDbContext db, string sessionId, int userId, CancellationToken cancellationToken) =>
            db.UserSessions.AsNoTracking()
                .Where(s => s.Id == sessionId && s.UserId == userId && !s.IsApiToken)
                .Select(s => new SessionCheck(s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.User.IsActive, s.User.SecurityStamp,
                    s.User.Role, s.User.DisplayName, s.User.IsKeyAccountManager))
                .SingleOrDefault()));

    private sealed record SessionCheck(DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt, bool IsActive,
        string? SecurityStamp, Role Role, string DisplayName, bool IsKeyAccountManager);

    private static async Task ValidateAsync(CookieValidatePrincipalContext context, ClaimsPrincipal principal)
    {
        var userId = principal.UserId();
        var sessionId = principal.SessionId();
        var services = context.HttpContext.RequestServices;
        var stampClaim = services.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var db = services.GetRequiredService<RolloutDbContext>();
        // A cookie from before sessions were recorded names none: refused, as an ended one (sign in again).
        var session = sessionId.Length == 0 ? null : await SessionQuery.For(db)(db, sessionId, userId, context.HttpContext.RequestAborted);
        if (session is not { IsActive: true } || session.ExpiresAt <= now || session.SecurityStamp is null
            || !string.Equals(principal.FindFirst(stampClaim)?.Value, session.SecurityStamp, StringComparison.Ordinal))
        {
            if (sessionId.Length == 0)
            {
                // The sign-in page says why (LoginForm.Upgraded), through the redirect to it.
                context.HttpContext.Items[SignedInBeforeSessionsKey] = true;
            }

            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }

        if (now - session.LastSeenAt >= UserSessions.TouchInterval)
        {
            await UserSessions.TouchAsync(db, sessionId, session.CreatedAt, now, context.HttpContext.RequestAborted);
        }

        if (principal.Role() != session.Role || principal.DisplayName() != session.DisplayName
            || principal.IsKeyAccountManager() != session.IsKeyAccountManager)
        {
            var signIn = services.GetRequiredService<SignInManager<User>>();
            var current = await signIn.UserManager.FindByIdAsync(userId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (current is null)
            {
                context.RejectPrincipal();
                return;
            }

            // The same session goes on with the new claims.
            var renewed = await signIn.CreateUserPrincipalAsync(current);
            if (renewed.Identity is ClaimsIdentity identity)
            {
                identity.AddClaim(new Claim(UserSessions.ClaimType, sessionId));
            }

            context.ReplacePrincipal(renewed);
            context.ShouldRenew = true;
        }
    }
}
