using System.Security.Claims;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings.Users;

/// <summary>
/// Which users someone manages: an administrator every user; a rollout manager the users who belong to at least one
/// of the manager's rollouts, never an administrator. Every other user does not exist for them (404), as a foreign
/// rollout does. A rollout manager creates a user into at least one of their rollouts, so a new user is reachable
/// from the first moment without a second rule (docs/decisions/0018).
/// </summary>
public static class UserAccess
{
    public static IQueryable<User> Manageable(this RolloutDbContext db, ClaimsPrincipal actor)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (actor.IsAdministrator())
        {
            return db.Users;
        }

        if (!actor.HasRoleAtLeast(Role.RolloutManager))
        {
            return db.Users.Where(_ => false);
        }

        var actorId = actor.UserId();
        return db.Users.Where(u => u.Role != Role.Administrator
            && u.Rollouts.Any(m => db.RolloutMembers.Any(mine => mine.RolloutId == m.RolloutId && mine.UserId == actorId)));
    }

    /// <summary>
    /// Whether every rollout of the user is one of <paramref name="actor"/>'s: a link that signs in as the user then
    /// opens nothing the actor does not already see.
    /// </summary>
    public static IQueryable<User> OnlyInRolloutsOf(this IQueryable<User> users, RolloutDbContext db, ClaimsPrincipal actor)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (actor.IsAdministrator())
        {
            return users;
        }

        var actorId = actor.UserId();
        return users.Where(u =>
            u.Rollouts.All(m => db.RolloutMembers.Any(mine => mine.RolloutId == m.RolloutId && mine.UserId == actorId)));
    }
}
