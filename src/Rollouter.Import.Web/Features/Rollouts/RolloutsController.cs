using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Web.Features.Settings.Users;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Rollouts;

public sealed class RolloutsController(RolloutDbContext db, RolloutAccess access) : Controller
{
    [HttpGet("")]
    public IActionResult Home() => RedirectToAction(nameof(Index));

    /// <summary>The rollouts the user sees, 100 a page, searched by name or identifier (decision 0129).</summary>
    [HttpGet("rollouts")]
    public async Task<IActionResult> Index(string? q, int? page, CancellationToken cancellationToken)
    {
        var matching = access.Visible(User).Matching(q);
        var window = ListWindow.Of(q, page, await matching.CountAsync(cancellationToken));
        var rollouts = await matching
            .OrderBy(r => r.Name).ThenBy(r => r.Id).Skip(window.Skip).Take(UserSearch.PageSize)
            .Select(r => new RolloutListItem(
                r.Identifier,
                r.Name,
                r.Inventories.Count,
                r.Inventories.Sum(i => i.ClientCount),
                r.ClientLimit))
            .ToListAsync(cancellationToken);
        return View(new RolloutListPage(rollouts, window));
    }

    [RolloutScoped]
    [HttpGet("rollouts/{rollout}")]
    public async Task<IActionResult> Details(CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var inventories = await db.Inventories
            .Where(i => i.RolloutId == rollout.Id)
            .OrderBy(i => i.Name)
            .Select(i => new InventoryListItem(i.Id, i.Name, i.Workflow.Name, i.CustomFields.Count, i.ClientCount))
            .ToListAsync(cancellationToken);
        var clientCount = inventories.Sum(i => i.ClientCount);
        return View(new RolloutDetails(rollout, inventories, clientCount));
    }
}
