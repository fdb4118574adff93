using Microsoft.AspNetCore.Authorization;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>Named policies; a role includes every right of the roles below it.</summary>
public static class Policies
{
    public const string RolloutManager = nameof(RolloutManager);
    public const string Administrator = nameof(Administrator);

    public static AuthorizationBuilder AddRolloutPolicies(this AuthorizationBuilder builder) => builder
        .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
        .AddPolicy(RolloutManager, p => p.RequireRole(RolesAtLeast(Role.RolloutManager)))
        .AddPolicy(Administrator, p => p.RequireRole(RolesAtLeast(Role.Administrator)));

    private static string[] RolesAtLeast(Role minimum) => Roles.AtLeast(minimum).Select(r => r.ToString()).ToArray();
}
