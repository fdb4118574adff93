using Microsoft.AspNetCore.Authorization;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// Named policies for what is not inside one rollout (settings, the reviews list, the navigation); a role includes
/// every right of the roles below it. They use the rollouts' own requirements (<see cref="RolloutRequirement"/>),
/// which without a rollout judge the role alone.
/// </summary>
public static class Policies
{
    public const string RolloutManager = nameof(RolloutManager);
    public const string Administrator = nameof(Administrator);

    /// <summary>The key account managers' review: key account managers and administrators.</summary>
    public const string Reviewer = nameof(Reviewer);

    public static AuthorizationBuilder AddRolloutPolicies(this AuthorizationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddScoped<IAuthorizationHandler, RolloutAuthorizationHandler>();
        builder.Services.AddScoped<RolloutMemberships>();
        return builder
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(RolloutManager, p => p.RequireAuthenticatedUser().AddRequirements(RolloutRequirement.Manager))
            .AddPolicy(Reviewer, p => p.RequireAuthenticatedUser().AddRequirements(RolloutRequirement.Reviewer))
            .AddPolicy(Administrator, p => p.RequireAuthenticatedUser().AddRequirements(RolloutRequirement.Administrator));
    }
}
