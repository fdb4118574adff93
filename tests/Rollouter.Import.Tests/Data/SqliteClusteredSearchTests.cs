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
public sealed class SqliteClusteredSearchTests() : ClusteredClients(DatabaseProvider.Sqlite)
{
    private const int WalkBound = 1_000;

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
        await using var db = Database.CreateContext();
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
        new(Inventory.RolloutId, Inventory.Id, Others + Matches, StatusOrder, sort, false, "zz-", ClientPosition.First, 20);
}
