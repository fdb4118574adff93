using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// Decides a <see cref="RolloutRequirement"/> (bitwarden/server's resource-based style): with a <see cref="Rollout"/>
/// as the resource, the user must be a member (administrators are members of all) — else it fails with
/// <see cref="NotMemberReason"/>, which callers answer with 404 — and then have the role. Without a rollout (a page
/// that lists what the user's rollouts hold, such as the reviews), only the role counts. Scoped: a request asks about
/// its rollout's membership once.
/// </summary>
public sealed class RolloutAuthorizationHandler(RolloutDbContext db, RolloutMemberships memberships) : AuthorizationHandler<RolloutRequirement>
{

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, RolloutRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        if (context.Resource is Rollout rollout && !await IsMemberAsync(context, rollout.Id))
        {
            context.Fail(new NotMemberReason(this));
            return;
        }

        if (!requirement.RoleAllows(context.User))
        {
            context.Fail(new AuthorizationFailureReason(this, requirement.Refusal));
            return;
        }

        context.Succeed(requirement);
    }

    private async Task<bool> IsMemberAsync(AuthorizationHandlerContext context, int rolloutId)
    {
        if (context.User.IsAdministrator())
        {
            return true;
        }

        var userId = context.User.UserId();
        if (memberships.Known(rolloutId, userId) is not { } member)
        {
            member = await db.RolloutMembers.AnyAsync(m => m.RolloutId == rolloutId && m.UserId == userId);
            memberships.Remember(rolloutId, userId, member);
        }

        return member;
    }

    /// <summary>The user is not a member of the rollout: it does not exist for them.</summary>
    public sealed class NotMemberReason(IAuthorizationHandler handler) : AuthorizationFailureReason(handler, "Not a member of the rollout.");
}

/// <summary>
/// The memberships a request has read (scoped: one request's), so that it asks about one rollout once: read by
/// <see cref="RolloutAuthorizationHandler"/> or, with the rollout itself in one statement, by <see cref="RolloutAccess"/>.
/// </summary>
public sealed class RolloutMemberships
{
    private readonly Dictionary<(int RolloutId, int UserId), bool> _known = [];

    /// <summary>Whether the user is a member of the rollout, if this request has read it; else null.</summary>
    public bool? Known(int rolloutId, int userId) => _known.TryGetValue((rolloutId, userId), out var member) ? member : null;

    public void Remember(int rolloutId, int userId, bool member) => _known[(rolloutId, userId)] = member;
}
