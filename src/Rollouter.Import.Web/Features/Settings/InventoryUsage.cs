using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Web.Features.Settings;

/// <summary>Which inventories use a workflow or field, named only where the viewer sees the rollout.</summary>
public static class InventoryUsage
{
    public static async Task<IReadOnlyList<string>> NamesAsync(IQueryable<Inventory> inventories, RolloutAccess access,
        ClaimsPrincipal user, CancellationToken ct)
    {
        var visible = access.Visible(user).Select(r => r.Id);
        var names = await inventories.Where(i => visible.Contains(i.RolloutId)).OrderBy(i => i.Rollout.Name).ThenBy(i => i.Name)
            .Select(i => i.Rollout.Name + " / " + i.Name).ToListAsync(ct);
        var others = await inventories.CountAsync(i => !visible.Contains(i.RolloutId), ct);
        if (others > 0)
        {
            names.Add(others == 1 ? "1 inventory of another rollout" : $"{others} inventories of other rollouts");
        }

        return names;
    }
}
