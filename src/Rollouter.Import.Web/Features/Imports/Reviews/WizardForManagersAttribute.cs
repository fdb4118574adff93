using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Imports.Reviews;

/// <summary>
/// On a review address a key account manager may share (the import's page, its file, its error report): a member of
/// the rollout who manages its imports but may not review (a rollout manager who is not a key account manager) is sent
/// to the wizard's equivalent with the same query, instead of "Access denied"; the browser keeps the fragment. Runs
/// before <see cref="RolloutScopedAttribute"/>; anyone else (not a member: 404; a technician: 403) is answered as before.
/// Only GETs.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class WizardForManagersAttribute : Attribute, IAsyncActionFilter, IOrderedFilter
{
    /// <inheritdoc cref="ReviewForKeyAccountManagersAttribute.Suffix"/>
    public string Suffix { get; init; } = "";

    public int Order => -1;

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var user = http.User;
        if (HttpMethods.IsGet(http.Request.Method) && !RolloutRequirement.Reviewer.RoleAllows(user)
            && RolloutRequirement.Manager.RoleAllows(user)
            && context.RouteData.Values[RolloutScopedAttribute.RouteKey] is string identifier
            && context.RouteData.Values["id"] is { } id)
        {
            var access = http.RequestServices.GetRequiredService<RolloutAccess>();
            var rollout = await access.RolloutAsync(user, identifier, RolloutRequirement.Manager, http.RequestAborted);
            if (rollout.Succeeded)
            {
                context.Result = new RedirectResult(
                    $"/rollouts/{Uri.EscapeDataString(rollout.Value.Identifier)}/imports/{id}{Suffix}{http.Request.QueryString}");
                return;
            }
        }

        await next();
    }
}
