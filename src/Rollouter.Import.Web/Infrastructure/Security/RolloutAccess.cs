using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>Which rollouts a user may see: administrators all, everyone else the ones they are a member of.</summary>
public sealed class RolloutAccess(RolloutDbContext db)
{
    public IQueryable<Rollout> Visible(ClaimsPrincipal user)
    {
        if (user.IsAdministrator())
        {
            return db.Rollouts;
        }

        var userId = user.UserId();
        return db.Rollouts.Where(r => r.Members.Any(m => m.UserId == userId));
    }

    public Task<Rollout?> FindAsync(ClaimsPrincipal user, string identifier, CancellationToken cancellationToken) =>
        Visible(user).FirstOrDefaultAsync(r => r.Identifier == identifier, cancellationToken);
}

/// <summary>
/// For actions under /rollouts/{rollout}/…: resolves the rollout by identifier and answers 404, as for a rollout that
/// does not exist, when the user is not a member; then 403 when the user's role is below <see cref="MinimumRole"/>.
/// Membership is checked first so that a foreign rollout never reveals that it exists. The rollout is then available
/// as <see cref="Current"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class RolloutScopedAttribute : Attribute, IAsyncActionFilter
{
    public const string RouteKey = "rollout";

    public Role MinimumRole { get; init; } = Role.ClientUser;

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var identifier = context.RouteData.Values[RouteKey] as string;
        var access = context.HttpContext.RequestServices.GetRequiredService<RolloutAccess>();
        var rollout = identifier is null
            ? null
            : await access.FindAsync(context.HttpContext.User, identifier, context.HttpContext.RequestAborted);
        if (rollout is null)
        {
            context.Result = new NotFoundResult();
            return;
        }

        if (!context.HttpContext.User.HasRoleAtLeast(MinimumRole))
        {
            context.Result = new ForbidResult();
            return;
        }

        context.HttpContext.Items[typeof(Rollout)] = rollout;
        if (context.Controller is Controller controller)
        {
            controller.ViewData["Rollout"] = rollout;
        }

        await next();
    }

    public static Rollout Current(HttpContext httpContext) =>
        httpContext.Items[typeof(Rollout)] as Rollout
        ?? throw new InvalidOperationException("The action is not [RolloutScoped].");
}
