using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// <see cref="ClusteredSearchTests"/> on SQLite: a broad search whose matches come last. The walk looks
/// <see cref="ClientPages.WalkBound"/> clients ahead, walks up to that client, then asks the FTS5 table. Work is
/// counted in SQLite's virtual machine instructions (a progress handler called on each), against the same page read
/// by a walk without a bound.
/// </summary>
public sealed class SqliteClusteredSearchTests : IAsyncLifetime
{
    private const int Others = 30_000;
    private const int Matches = 1_500;
    private const int WalkBound = 1_000;

    private TestDatabase _database = null!;
    private Inventory _inventory = null!;
    private List<int> _statusOrder = [];

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var db = _database.CreateContext();
        var workflow = new Workflow { Name = "Flow", Statuses = [new() { Name = "New", Position = 0 }, new() { Name = "Done", Position = 1 }] };
        var rollout = await new RolloutBuilder("Clustered", "CLU").WithWorkflow(workflow).WithInventory("Laptops").SaveAsync(db);
        _inventory = rollout.Inventories[0];
        _statusOrder = [.. workflow.Statuses.OrderBy(s => s.Position).Select(s => s.Id)];
        var noValues = "{}";
        // 30,000 clients "AA-…" first, then 1,500 "ZZ-…": last by name and, being the newest, last of their status by id.
        await db.Database.ExecuteSqlAsync($"""
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {Others + Matches})
            INSERT INTO "Clients" ("RolloutId", "InventoryId", "Name", "NameKey", "StatusId", "Description", "Values", "CreatedAt", "UpdatedAt")
            SELECT {rollout.RolloutId}, {_inventory.Id}, x, lower(x), {_statusOrder[0]}, 'desk ' || n, {noValues}, datetime('now'), datetime('now')
            FROM (SELECT n, CASE WHEN n <= {Others} THEN 'AA-' ELSE 'ZZ-' END || printf('%06d', n) AS x FROM g)
            """);
        await db.Database.ExecuteSqlRawAsync("ANALYZE");
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Theory]
    [InlineData("name")]
    [InlineData("status")]
    [InlineData("assignee")]
    public async Task ASearchWhoseMatchesComeLast_WalksUpToTheBound_ThenFindsTheRestThroughTheIndex(string key)
    {
        var sort = ClientSort.Parse(key, []) ?? ClientSort.Name;

        var (page, steps) = await PageAsync(sort, WalkBound);
        var (unbounded, stepsUnbounded) = await PageAsync(sort, 1_000_000);

        var expected = Enumerable.Range(Others + 1, 20).Select(i => $"zz-{i:D6}").ToList();
        Assert.Equal(expected, await NamesAsync(page.Rows.Select(r => r.Id)));
        Assert.Equal(expected, await NamesAsync(unbounded.Rows.Select(r => r.Id)));
        Assert.True(page.HasNext);
        // The walk without a bound reads the 30,000 clients before the matches (545,000 instructions); the bounded one
        // looks 1,000 ahead, reads those and sorts the index's 1,500 matches (34,000-38,000).
        Assert.InRange(steps * 5, 0, stepsUnbounded);
    }

    private async Task<(ClientListPage Page, long Steps)> PageAsync(ClientSort sort, int walkBound)
    {
        await using var db = _database.CreateContext();
        await db.Database.OpenConnectionAsync();
        var pages = new ClientPages(db) { Bound = 100, WalkBound = walkBound, BroadSearches = new() };
        // Once, so that the search is known to find many and the page walks (as every page after the first does).
        await pages.LoadAsync(Request(sort), default);
        var steps = 0L;
        SQLitePCL.raw.sqlite3_progress_handler(((SqliteConnection)db.Database.GetDbConnection()).Handle, 1, _ => { steps++; return 0; }, null);
        var page = await pages.LoadAsync(Request(sort), default);
        SQLitePCL.raw.sqlite3_progress_handler(((SqliteConnection)db.Database.GetDbConnection()).Handle, 0, null, null);
        return (page, steps);
    }

    private ClientListRequest Request(ClientSort sort) =>
        new(_inventory.RolloutId, _inventory.Id, Others + Matches, _statusOrder, sort, false, "zz-", ClientPosition.First, 20);

    private async Task<List<string>> NamesAsync(IEnumerable<int> ids)
    {
        await using var db = _database.CreateContext();
        var list = ids.ToList();
        var names = await db.Clients.Where(c => list.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.NameKey);
        return [.. list.Select(id => names[id])];
    }
}
