using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Data;

public class ClientNameUniquenessTests
{
    // The name key is the application's (Client.KeyOf), so non-ASCII letters differing in case are one name on
    // SQLite too, whose own lower() folds only ASCII.
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "PC-1", "pc-1")]
    [InlineData(DatabaseProvider.PostgreSql, "PC-1", "pc-1")]
    [InlineData(DatabaseProvider.Sqlite, "BÜRO-ÄÖ 1", "büro-äö 1")]
    [InlineData(DatabaseProvider.PostgreSql, "BÜRO-ÄÖ 1", "büro-äö 1")]
    public async Task Database_RejectsSameNameDifferingOnlyInCase_InOneRollout(
        DatabaseProvider provider, string first, string second)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (rollout, inventory, status) = await AddRolloutAsync(database, "A");

        await using (var context = database.CreateContext())
        {
            context.Clients.Add(NewClient(rollout, inventory, status, first));
            await context.SaveChangesAsync();
        }

        await using (var context = database.CreateContext())
        {
            context.Clients.Add(NewClient(rollout, inventory, status, second));
            await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
        }

        await using (var context = database.CreateContext())
        {
            Assert.Equal([first], await context.Clients.Select(c => c.Name).ToListAsync());
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task RenamingAClient_KeepsItsKeyInStep(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (rollout, inventory, status) = await AddRolloutAsync(database, "A");
        await using (var context = database.CreateContext())
        {
            context.Clients.AddRange(NewClient(rollout, inventory, status, "PC-1"), NewClient(rollout, inventory, status, "PC-2"));
            await context.SaveChangesAsync();
        }

        await using (var context = database.CreateContext())
        {
            var client = await context.Clients.SingleAsync(c => c.Name == "PC-2");
            client.Name = "Pc-Ä3";
            await context.SaveChangesAsync();
        }

        await using (var context = database.CreateContext())
        {
            Assert.Equal("pc-ä3", await context.Clients.Where(c => c.Name == "Pc-Ä3").Select(c => c.NameKey).SingleAsync());
            var renamed = await context.Clients.SingleAsync(c => c.Name == "Pc-Ä3");
            renamed.Name = "pc-1";
            await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Database_AllowsSameName_InTwoRollouts(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var a = await AddRolloutAsync(database, "A");
        var b = await AddRolloutAsync(database, "B");

        await using (var context = database.CreateContext())
        {
            context.Clients.Add(NewClient(a.Rollout, a.Inventory, a.Status, "PC-1"));
            context.Clients.Add(NewClient(b.Rollout, b.Inventory, b.Status, "pc-1"));
            await context.SaveChangesAsync();
        }

        await using (var context = database.CreateContext())
        {
            Assert.Equal(2, await context.Clients.CountAsync());
            Assert.All(await context.Clients.ToListAsync(), c => Assert.Equal("pc-1", c.NameKey));
        }
    }

    private static Client NewClient(int rolloutId, int inventoryId, int statusId, string name) => new()
    {
        RolloutId = rolloutId,
        InventoryId = inventoryId,
        StatusId = statusId,
        Name = name,
        Values = new Dictionary<int, string[]> { [1] = ["x"] },
    };

    private static async Task<(int Rollout, int Inventory, int Status)> AddRolloutAsync(TestDatabase database, string id)
    {
        await using var context = database.CreateContext();
        var builder = new RolloutBuilder("Rollout " + id, id).WithInventory("Laptops");
        var workflow = await context.Workflows.Select(w => (int?)w.Id).FirstOrDefaultAsync();
        var rollout = await (workflow is { } existing ? builder.WithWorkflow(existing) : builder.WithWorkflow("Default", "New"))
            .SaveAsync(context);
        return (rollout.RolloutId, rollout.InventoryId, rollout.Statuses["New"]);
    }
}
