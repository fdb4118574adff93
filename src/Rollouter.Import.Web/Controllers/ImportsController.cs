using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Models;
using Rollouter.Import.Web.Security;

namespace Rollouter.Import.Web.Controllers;

/// <summary>Inventory → Import: only rollout managers (or higher) who are members of the rollout.</summary>
[RolloutScoped(MinimumRole = Role.RolloutManager)]
[Route("rollouts/{rollout}/imports")]
public sealed class ImportsController(RolloutDbContext db) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var imports = await db.Imports
            .Where(i => i.RolloutId == rollout.Id)
            .OrderByDescending(i => i.Id)
            .Select(i => new ImportListItem(i.Id, i.Status, i.FileName, i.Inventory.Name, i.CreatedBy.DisplayName,
                i.CreatedAt, i.CreatedCount, i.UpdatedCount, i.FailedRowCount))
            .ToListAsync(cancellationToken);
        return View(new ImportList(rollout, imports));
    }
}
