using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Rollouts;

public sealed class RolloutsController(RolloutDbContext db, RolloutAccess access) : Controller
{
    [HttpGet("")]
    public IActionResult Home() => RedirectToAction(nameof(Index));

    [HttpGet("rollouts")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken)
    {
        var rollouts = await access.Visible(User)
            .OrderBy(r => r.Name)
            .Select(r => new RolloutListItem(
                r.Identifier,
                r.Name,
                r.Inventories.Count,
                db.Clients.Count(c => c.RolloutId == r.Id),
                r.ClientLimit))
            .ToListAsync(cancellationToken);
        return View(rollouts);
    }

    [RolloutScoped]
    [HttpGet("rollouts/{rollout}")]
    public async Task<IActionResult> Details(CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        // One pass over the rollout's clients for all counts (see ClientQueries.InInventory).
        var counts = await db.Clients.Where(c => c.RolloutId == rollout.Id).GroupBy(c => c.InventoryId)
            .Select(g => new { InventoryId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.InventoryId, g => g.Count, cancellationToken);
        var inventories = (await db.Inventories
            .Where(i => i.RolloutId == rollout.Id)
            .OrderBy(i => i.Name)
            .Select(i => new { i.Id, i.Name, Workflow = i.Workflow.Name, Fields = i.CustomFields.Count })
            .ToListAsync(cancellationToken))
            .Select(i => new InventoryListItem(i.Id, i.Name, i.Workflow, i.Fields, counts.GetValueOrDefault(i.Id)))
            .ToList();
        var clientCount = inventories.Sum(i => i.ClientCount);
        return View(new RolloutDetails(rollout, inventories, clientCount));
    }
}
