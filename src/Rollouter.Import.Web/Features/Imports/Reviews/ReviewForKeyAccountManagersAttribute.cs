using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Imports.Reviews;

/// <summary>
/// On a wizard address a rollout manager may share (the import's page, its file, its error report, the rollout's
/// imports): a key account manager below Rollout Manager who opens it (a link from a colleague, a bookmark) is sent to
/// the review's equivalent (<see cref="ReviewPath"/>), with the same query (failed-rows page and filter), instead of
/// "Access denied"; the browser keeps the fragment (#failed-rows), whose anchors the review page shares. Runs before
/// <see cref="RolloutScopedAttribute"/> (lower order), which would refuse them; where they may not review (not a member,
/// not a key account manager) nothing changes and the wizard's own refusal follows (404 for a foreign rollout). Only
/// GETs: the wizard's forms stay refused. The other way round: <see cref="WizardForManagersAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReviewForKeyAccountManagersAttribute : Attribute, IAsyncActionFilter, IOrderedFilter
{
    /// <summary>What follows the import's address on both sides ("/file", "/error-report"); "" for the import's page.</summary>
    public string Suffix { get; init; } = "";

    /// <summary>The rollout's imports (no import id): the reviews filtered by the rollout (and its inventory filter), its own paging dropped.</summary>
    public bool List { get; init; }

    public int Order => -1;

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var user = http.User;
        if (HttpMethods.IsGet(http.Request.Method) && user.IsKeyAccountManager() && !user.HasRoleAtLeast(Role.RolloutManager)
            && context.RouteData.Values[RolloutScopedAttribute.RouteKey] is string identifier
            && (List || context.RouteData.Values["id"] is not null))
        {
            var access = http.RequestServices.GetRequiredService<RolloutAccess>();
            var rollout = await access.RolloutAsync(user, identifier, RolloutRequirement.Reviewer, http.RequestAborted);
            if (rollout.Succeeded)
            {
                var escaped = Uri.EscapeDataString(rollout.Value.Identifier);
                // The rollout's imports of one inventory (?inventory=7) are the reviews of that inventory.
                var inventory = http.Request.Query["inventory"].ToString();
                context.Result = new RedirectResult(List
                    ? $"/reviews?rollout={escaped}" + (int.TryParse(inventory, System.Globalization.NumberStyles.None,
                        System.Globalization.CultureInfo.InvariantCulture, out var inventoryId)
                        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"&inventory={inventoryId}") : "")
                    : $"/reviews/{escaped}/imports/{context.RouteData.Values["id"]}{Suffix}{http.Request.QueryString}");
                return;
            }
        }

        await next();
    }
}
