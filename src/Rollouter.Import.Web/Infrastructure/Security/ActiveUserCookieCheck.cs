using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// Checks the sign-in cookie against the user on every request, as the API does with its tokens: a deactivated (or
/// deleted) user is signed out at once; a user whose role, name or key account manager flag changed gets a fresh
/// cookie with the new claims, so a changed role applies at the next click. One small query per request, none for
/// anonymous endpoints.
/// </summary>
public static class ActiveUserCookieCheck
{
    public static IServiceCollection AddActiveUserCookieCheck(this IServiceCollection services) =>
        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, o =>
        {
            var previous = o.Events.OnValidatePrincipal;
            o.Events.OnValidatePrincipal = async context =>
            {
                await previous(context);
                // Anonymous endpoints (stylesheets, scripts, /health, the sign-in page) need no user: no query for them.
                if (context.Principal is not null
                    && context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null)
                {
                    await ValidateAsync(context);
                }
            };
        });

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal!;
        var userId = principal.UserId();
        var db = context.HttpContext.RequestServices.GetRequiredService<RolloutDbContext>();
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.IsActive, u.Role, u.DisplayName, u.IsKeyAccountManager })
            .SingleOrDefaultAsync(context.HttpContext.RequestAborted);
        if (user is not { IsActive: true })
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }

        if (principal.Role() != user.Role || principal.DisplayName() != user.DisplayName
            || principal.IsKeyAccountManager() != user.IsKeyAccountManager)
        {
            var signIn = context.HttpContext.RequestServices.GetRequiredService<SignInManager<User>>();
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
