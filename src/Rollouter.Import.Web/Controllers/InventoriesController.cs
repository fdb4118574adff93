using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Web.Models;
using Rollouter.Import.Web.Security;

namespace Rollouter.Import.Web.Controllers;

[RolloutScoped]
[Route("rollouts/{rollout}/inventories")]
public sealed class InventoriesController(RolloutDbContext db) : Controller
{
    public const int PageSize = 50;

    /// <summary>The inventory's clients: paged, searchable by name or description, custom fields as columns.</summary>
    [HttpGet("{id:int}")]
    public async Task<IActionResult> Clients(int id, string? search, int page = 1, CancellationToken cancellationToken = default)
    {
        var rollout = RolloutScopedAttribute.Current(HttpContext);
        var inventory = await db.Inventories
            .Include(i => i.Workflow)
            .Include(i => i.CustomFields.OrderBy(f => f.Position)).ThenInclude(f => f.CustomField)
            .FirstOrDefaultAsync(i => i.Id == id && i.RolloutId == rollout.Id, cancellationToken);
        if (inventory is null)
        {
            return NotFound();
        }

        var query = db.Clients.Where(c => c.InventoryId == inventory.Id && c.RolloutId == rollout.Id);
        search = search?.Trim();
        if (!string.IsNullOrEmpty(search))
        {
            var pattern = "%" + EscapeLike(search.ToLowerInvariant()) + "%";
            query = query.Where(c => EF.Functions.Like(c.NameKey, pattern, "\\")
                || (c.Description != null && EF.Functions.Like(c.Description.ToLower(), pattern, "\\")));
        }

        var total = await query.CountAsync(cancellationToken);
        var pages = Math.Max(1, (total + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 1, pages);
        var clients = await query
            .OrderBy(c => c.NameKey)
            .Skip((page - 1) * PageSize)
            .Take(PageSize)
            .Select(c => new ClientRow(
                c.Id,
                c.Name,
                db.WorkflowStatuses.Where(s => s.Id == c.StatusId).Select(s => s.Name).FirstOrDefault() ?? "",
                db.Users.Where(u => u.Id == c.AssigneeId).Select(u => u.DisplayName).FirstOrDefault(),
                db.Users.Where(u => u.Id == c.ClientUserId).Select(u => u.DisplayName).FirstOrDefault(),
                c.Description,
                c.Flag,
                c.Values))
            .ToListAsync(cancellationToken);
        var fields = inventory.CustomFields.Select(f => f.CustomField).ToList();
        return View(new ClientList(rollout, inventory, fields, clients, search, page, pages, total));
    }

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
