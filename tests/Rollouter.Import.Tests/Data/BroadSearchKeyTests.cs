using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// A search that found many clients is remembered for a minute, keyed by what every client write changes (decision
/// 0034, amended by 0110): a revert of the newest clients and an import of as many others leave the inventory's count
/// where it was, and the list said "1,000+" for a search that now finds one client.
/// </summary>
public abstract class BroadSearchKeyTests(DatabaseProvider provider)
{
    [Fact]
    public async Task ClientsRemovedAndAsManyAdded_ForgetTheBroadSearch()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();
        var workflow = new Workflow { Name = "Flow", Statuses = [new WorkflowStatus { Name = "New", Position = 0 }] };
        var rollout = await new RolloutBuilder("Broad", "BRD").WithWorkflow(workflow).WithInventory("Laptops").SaveAsync(db);
        var inventory = rollout.Inventories[0];
        var status = workflow.Statuses.First().Id;
        Client Make(string name) => new() { RolloutId = rollout.RolloutId, InventoryId = inventory.Id, Name = name, StatusId = status };
        db.Clients.AddRange(Enumerable.Range(1, 5).Select(i => Make($"ZQ-{i}")));
        await db.SaveChangesAsync();
        var memory = new BroadSearchMemory();
        async Task<ClientListPage> SearchAsync()
        {
            await using var read = database.CreateContext();
            return await new ClientPages(read) { Bound = 2, BroadSearches = memory }.LoadAsync(
                new ClientListRequest(rollout.RolloutId, inventory.Id, 5, [status], ClientSort.Name, false, "zq", ClientPosition.First, 2),
                default);
        }

        var before = await SearchAsync();
        // The newest four of them reverted, four others imported: five clients again, one of them found.
        await db.Clients.Where(c => c.InventoryId == inventory.Id && c.Name != "ZQ-1").ExecuteDeleteAsync();
        db.Clients.AddRange(Enumerable.Range(1, 4).Select(i => Make($"PC-{i}")));
        await db.SaveChangesAsync();
        var after = await SearchAsync();

        Assert.Equal((2, true), (before.Found, before.FoundMore));
        Assert.Equal((1, false), (after.Found, after.FoundMore));
        Assert.Equal(["ZQ-1"], await db.Clients.Where(c => after.Rows.Select(r => r.Id).Contains(c.Id)).Select(c => c.Name).ToListAsync());
    }
}

public sealed class SqliteBroadSearchKeyTests() : BroadSearchKeyTests(DatabaseProvider.Sqlite);

public sealed class PostgresBroadSearchKeyTests() : BroadSearchKeyTests(DatabaseProvider.PostgreSql);
