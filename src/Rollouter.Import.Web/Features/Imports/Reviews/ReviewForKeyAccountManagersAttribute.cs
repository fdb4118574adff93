using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Imports.Reviews;

/// <summary>
/// On the wizard's import page: a key account manager below Rollout Manager who opens it (a link from a colleague, a
/// bookmark) is sent to the review of the same import, with the same failed-rows page and filter, instead of "Access
/// denied". Runs before <see cref="RolloutScopedAttribute"/> (lower order), which would refuse them; where they may not
/// review (not a member, not a key account manager) nothing changes and the wizard's own refusal follows. Only GETs:
/// the wizard's forms stay refused.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReviewForKeyAccountManagersAttribute : Attribute, IAsyncActionFilter, IOrderedFilter
{
    public int Order => -1;

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var user = http.User;
        if (HttpMethods.IsGet(http.Request.Method) && user.IsKeyAccountManager() && !user.HasRoleAtLeast(Role.RolloutManager)
            && context.RouteData.Values[RolloutScopedAttribute.RouteKey] is string identifier
            && context.RouteData.Values["id"] is { } id)
        {
            var access = http.RequestServices.GetRequiredService<RolloutAccess>();
            var rollout = await access.RolloutAsync(user, identifier, RolloutRequirement.Reviewer, http.RequestAborted);
            if (rollout.Succeeded)
            {
                context.Result = new RedirectResult(
                    $"/reviews/{Uri.EscapeDataString(rollout.Value.Identifier)}/imports/{id}{http.Request.QueryString}");
                return;
            }
        }

        await next();
    }
}
