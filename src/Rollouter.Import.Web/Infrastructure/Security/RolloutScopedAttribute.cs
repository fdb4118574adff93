using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// For pages under /rollouts/{rollout}/… (and the reviews): the rollout of the address, if the user may do this in it
/// (<see cref="RolloutAccess"/>, i.e. <see cref="RolloutRequirement"/>: a member with at least <see cref="MinimumRole"/>,
/// or a key account manager where <see cref="KeyAccountManagers"/>). Not a member is 404, as for a rollout that does
/// not exist; a role too low is 403. The rollout is then <see cref="Current"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class RolloutScopedAttribute : Attribute, IAsyncActionFilter
{
    public const string RouteKey = "rollout";

    public Role MinimumRole { get; init; } = Role.ClientUser;

    /// <summary>Key account managers may do it whatever their role (the review).</summary>
    public bool KeyAccountManagers { get; init; }

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var access = http.RequestServices.GetRequiredService<RolloutAccess>();
        var rollout = await access.RolloutAsync(http.User, context.RouteData.Values[RouteKey] as string ?? "",
            RolloutRequirement.Of(MinimumRole, KeyAccountManagers), http.RequestAborted);
        if (rollout.Failed)
        {
            context.Result = rollout.Problem.Kind == ProblemKind.NotFound ? new NotFoundResult() : new ForbidResult();
            return;
        }

        http.Items[typeof(Rollout)] = rollout.Value;
        if (context.Controller is Controller controller)
        {
            controller.ViewData["Rollout"] = rollout.Value;
        }

        await next();
    }

    public static Rollout Current(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return httpContext.Items[typeof(Rollout)] as Rollout
            ?? throw new InvalidOperationException("The action is not [RolloutScoped].");
    }
}
