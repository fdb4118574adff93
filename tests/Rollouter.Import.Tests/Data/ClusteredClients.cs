using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.TestData;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// An inventory whose broad search's matches come together at the end of every sort: 30,000 clients "AA-…" first,
/// then 1,500 "ZZ-…", last by name and, being the newest, last of their status by id. A database of its own per test.
/// </summary>
public abstract class ClusteredClients(DatabaseProvider provider) : IAsyncLifetime
{
    protected const int Others = 30_000;
    protected const int Matches = 1_500;

    protected TestDatabase Database { get; private set; } = null!;

    protected Inventory Inventory { get; private set; } = null!;

    protected List<int> StatusOrder { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(provider);
        await using var db = Database.CreateContext();
        var workflow = new Workflow { Name = "Flow", Statuses = [new() { Name = "New", Position = 0 }, new() { Name = "Done", Position = 1 }] };
        var rollout = await new RolloutBuilder("Clustered", "CLU").WithWorkflow(workflow).WithInventory("Laptops").SaveAsync(db);
        Inventory = rollout.Inventories[0];
        StatusOrder = [.. workflow.Statuses.OrderBy(s => s.Position).Select(s => s.Id)];
        var noValues = "{}";
        var now = DateTime.UtcNow;
        // The name's number padded to 6 digits in SQL both databases read.
        await db.Database.ExecuteSqlAsync($"""
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {Others + Matches})
            INSERT INTO "Clients" ("RolloutId", "InventoryId", "Name", "NameKey", "StatusId", "Description", "Values", "CreatedAt", "UpdatedAt")
            SELECT {rollout.RolloutId}, {Inventory.Id}, x, lower(x), {StatusOrder[0]}, 'desk ' || n, {noValues}, {now}, {now}
            FROM (SELECT n, CASE WHEN n <= {Others} THEN 'AA-' ELSE 'ZZ-' END || substr('00000' || n, length('00000' || n) - 5) AS x FROM g) numbered
            """);
        await db.Database.ExecuteSqlRawAsync(provider == DatabaseProvider.PostgreSql ? """VACUUM ANALYZE "Clients" """ : "ANALYZE");
    }

    public async Task DisposeAsync() => await Database.DisposeAsync();

    /// <summary>
    /// Two technicians: Alice (first by name) assigned the 30,000 clients without a match, Bob the 1,500 matches; the
    /// statistics renewed.
    /// </summary>
    protected async Task AssignAliceAndBobAsync()
    {
        await using var db = Database.CreateContext();
        db.Users.AddRange(TestSettings.User("alice@test", "Alice", "AL", Role.Technician), TestSettings.User("bob@test", "Bob", "BO", Role.Technician));
        await db.SaveChangesAsync();
        var alice = await db.Users.Where(u => u.DisplayName == "Alice").Select(u => u.Id).SingleAsync();
        var bob = await db.Users.Where(u => u.DisplayName == "Bob").Select(u => u.Id).SingleAsync();
        await db.Database.ExecuteSqlAsync($"""UPDATE "Clients" SET "AssigneeId" = CASE WHEN "NameKey" LIKE 'aa-%' THEN {alice} ELSE {bob} END""");
        await db.Database.ExecuteSqlRawAsync(provider == DatabaseProvider.PostgreSql ? """VACUUM ANALYZE "Clients" """ : "ANALYZE");
    }

    /// <summary>The name keys of the clients, in the order of <paramref name="ids"/>.</summary>
    protected async Task<List<string>> NamesAsync(IEnumerable<int> ids)
    {
        await using var db = Database.CreateContext();
        var list = ids.ToList();
        var names = await db.Clients.Where(c => list.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.NameKey);
        return [.. list.Select(id => names[id])];
    }
}
