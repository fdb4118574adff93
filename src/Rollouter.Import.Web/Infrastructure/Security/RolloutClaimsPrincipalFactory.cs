using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>Puts the user's one role, display name and key account manager flag into the sign-in cookie.</summary>
public sealed class RolloutClaimsPrincipalFactory(UserManager<User> userManager, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<User>(userManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(User user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(ClaimTypes.Role, user.Role.ToString()));
        identity.AddClaim(new Claim(RolloutClaims.DisplayNameClaim, user.DisplayName));
        if (user.IsKeyAccountManager)
        {
            identity.AddClaim(new Claim(RolloutClaims.KeyAccountManagerClaim, "true"));
        }

        return identity;
    }
}

public static class RolloutClaims
{
    public const string DisplayNameClaim = "rollouter:name";
    public const string KeyAccountManagerClaim = "rollouter:kam";

    public static int UserId(this ClaimsPrincipal principal) =>
        int.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : 0;

    public static Role? Role(this ClaimsPrincipal principal) =>
        Enum.TryParse<Role>(principal.FindFirstValue(ClaimTypes.Role), out var role) ? role : null;

    public static bool HasRoleAtLeast(this ClaimsPrincipal principal, Role minimum) => principal.Role() >= minimum;

    public static bool IsAdministrator(this ClaimsPrincipal principal) =>
        principal.Role() == Data.Entities.Role.Administrator;

    public static bool IsKeyAccountManager(this ClaimsPrincipal principal) =>
        principal.HasClaim(RolloutClaims.KeyAccountManagerClaim, "true");

    public static string DisplayName(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(DisplayNameClaim) ?? principal.Identity?.Name ?? "";
}
