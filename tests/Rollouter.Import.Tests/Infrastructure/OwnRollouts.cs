using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Tests.Infrastructure;

/// <summary>
/// A rollout of its own for a web test that needs settings the demo's rollouts must keep (a client limit, a workflow
/// without statuses): the demo's manager is its member, and it has one inventory, "Desks".
/// </summary>
public static class OwnRollouts
{
    /// <summary>
    /// The new rollout's identifier and its inventory's id; the inventory uses the demo's first workflow, or a new
    /// workflow without statuses when <paramref name="emptyWorkflow"/>.
    /// </summary>
    public static async Task<(string Identifier, int InventoryId)> AddAsync(RolloutWebFactory factory, int? clientLimit,
        bool emptyWorkflow = false)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var identifier = "O" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var manager = await db.Users.SingleAsync(u => u.Email == "manager@demo.test");
        var workflow = emptyWorkflow ? new Workflow { Name = "Empty " + identifier } : await db.Workflows.OrderBy(w => w.Id).FirstAsync();
        var rollout = new Rollout
        {
            Name = "Own " + identifier, Identifier = identifier, ClientLimit = clientLimit, CreatedAt = DateTimeOffset.UtcNow,
            Members = [new RolloutMember { UserId = manager.Id }],
        };
        var inventory = new Inventory { Name = "Desks", Rollout = rollout, Workflow = workflow, CreatedAt = DateTimeOffset.UtcNow };
        db.Inventories.Add(inventory);
        await db.SaveChangesAsync();
        return (identifier, inventory.Id);
    }
}
