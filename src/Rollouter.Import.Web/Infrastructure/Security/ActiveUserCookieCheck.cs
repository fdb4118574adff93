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
/// Checks the sign-in cookie against the user on every request, as the API does with its tokens: a deactivated (or
/// deleted) user, or a cookie issued before the user's security stamp changed (a new password, a reset or invitation
/// link, a deactivation), is signed out at once; a user whose role, name or key account manager flag changed gets a
/// fresh cookie with the new claims, so a changed role applies at the next click. One small query per request, none
/// for anonymous endpoints.
/// </summary>
public static class ActiveUserCookieCheck
{
    /// <summary>
    /// Replaces Identity's own security stamp validator, which re-reads the user every 30 minutes: this check reads the
    /// stamp in the query it makes anyway, so a changed stamp applies at the next request on every instance.
    /// </summary>
    public static IServiceCollection AddActiveUserCookieCheck(this IServiceCollection services) =>
        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, o =>
            o.Events.OnValidatePrincipal = async context =>
            {
                // Anonymous endpoints (stylesheets, scripts, /health, the sign-in page) need no user: no query for them.
                if (context.Principal is { } principal
                    && context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null)
                {
                    await ValidateAsync(context, principal);
                }
            });

    private static async Task ValidateAsync(CookieValidatePrincipalContext context, ClaimsPrincipal principal)
    {
        var userId = principal.UserId();
        var services = context.HttpContext.RequestServices;
        var stampClaim = services.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType;
        var db = services.GetRequiredService<RolloutDbContext>();
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.IsActive, u.SecurityStamp, u.Role, u.DisplayName, u.IsKeyAccountManager })
            .SingleOrDefaultAsync(context.HttpContext.RequestAborted);
        if (user is not { IsActive: true } || user.SecurityStamp is null
            || !string.Equals(principal.FindFirst(stampClaim)?.Value, user.SecurityStamp, StringComparison.Ordinal))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }

        if (principal.Role() != user.Role || principal.DisplayName() != user.DisplayName
            || principal.IsKeyAccountManager() != user.IsKeyAccountManager)
        {
            var signIn = services.GetRequiredService<SignInManager<User>>();
            var current = await signIn.UserManager.FindByIdAsync(userId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (current is null)
            {
                context.RejectPrincipal();
                return;
            }

            context.ReplacePrincipal(await signIn.CreateUserPrincipalAsync(current));
            context.ShouldRenew = true;
        }
    }
}
