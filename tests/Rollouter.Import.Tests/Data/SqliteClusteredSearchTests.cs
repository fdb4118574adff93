using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
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

    [Fact]
    public async Task ByAssignee_AUserWithManyClientsBeforeTheMatches_IsWalkedUpToTheBound_ThenTheNextUsersFollow()
    {
        // Alice (first by name) holds the 30,000 clients without a match, Bob the 1,500 matches: the users' walk looks
        // 1,000 clients ahead (Alice's), walks up to there, and the FTS5 table finds the rest of the page: Bob's first 20.
        await AssignAliceAndBobAsync();

        var sort = ClientSort.Parse("assignee", []) ?? ClientSort.Name;

        var (page, steps) = await PageAsync(sort, WalkBound);
        var (unbounded, stepsUnbounded) = await PageAsync(sort, 1_000_000);
        var (next, _) = await PageAsync(sort, WalkBound, ClientPosition.After(page.LastCursor ?? throw new InvalidOperationException()));
        var (last, _) = await PageAsync(sort, WalkBound, ClientPosition.Last);

        var expected = Enumerable.Range(Others + 1, 20).Select(i => $"zz-{i:D6}").ToList();
        Assert.Equal(expected, await NamesAsync(page.Rows.Select(r => r.Id)));
        Assert.Equal(expected, await NamesAsync(unbounded.Rows.Select(r => r.Id)));
        Assert.Equal(Enumerable.Range(Others + 21, 20).Select(i => $"zz-{i:D6}"), await NamesAsync(next.Rows.Select(r => r.Id)));
        Assert.Equal(Enumerable.Range(Others + Matches - 19, 20).Select(i => $"zz-{i:D6}"), await NamesAsync(last.Rows.Select(r => r.Id)));
        // Without a bound, the walk reads Alice's 30,000 clients before Bob's.
        Assert.InRange(steps * 5, 0, stepsUnbounded);
    }

    [Fact]
    public async Task TheLinkSearchForNamesThatComeLast_WalksUpToTheBound_AndFindsTheFirstByName_ButTheClientItself()
    {
        await using var db = Database.CreateContext();
        var itself = await db.Clients.Where(c => c.NameKey == $"zz-{Others + 2:D6}").Select(c => c.Id).SingleAsync();

        var (ids, steps) = await StepsAsync(db, pages => pages.NamedAsync(Inventory.RolloutId, "ZZ-", itself, 20, default), WalkBound);
        var (unbounded, stepsUnbounded) = await StepsAsync(db, pages => pages.NamedAsync(Inventory.RolloutId, "ZZ-", itself, 20, default), 1_000_000);
        var (inDescriptions, _) = await StepsAsync(db, pages => pages.NamedAsync(Inventory.RolloutId, "desk 3", itself, 20, default), WalkBound);
        // With more matches than the link search sorts (1,500 against 1,000), the walk goes on past the bound instead.
        var (walkedOn, stepsWalkedOn) = await StepsAsync(db, pages => pages.NamedAsync(Inventory.RolloutId, "ZZ-", itself, 20, default), WalkBound,
            linkSeekBound: 1_000);
        // A bound that ends among the matches: the walk finds the first few, the index or the walk past it the rest.
        var (straddled, _) = await StepsAsync(db, pages => pages.NamedAsync(Inventory.RolloutId, "ZZ-", itself, 20, default), Others + 5);
        var (straddledWalkedOn, _) = await StepsAsync(db, pages => pages.NamedAsync(Inventory.RolloutId, "ZZ-", itself, 20, default), Others + 5,
            linkSeekBound: 1_000);

        var expected = Enumerable.Range(Others + 1, 21).Where(i => i != Others + 2).Select(i => $"zz-{i:D6}").ToList();
        Assert.Equal(expected, await NamesAsync(ids));
        Assert.Equal(expected, await NamesAsync(unbounded));
        Assert.Equal(expected, await NamesAsync(walkedOn));
        Assert.Equal(expected, await NamesAsync(straddled));
        Assert.Equal(expected, await NamesAsync(straddledWalkedOn));
        // It reads the 30,000 names: more than twice the work of sorting the FTS5 table's 1,500 matches.
        Assert.InRange(stepsWalkedOn, steps * 2, long.MaxValue);
        // The FTS5 table holds descriptions too; the link search looks in names only.
        Assert.Empty(inDescriptions);
        // Without a bound, the walk reads the 30,000 names before the matches (308,000 instructions); with it, the look
        // and the walk of 1,000 names, then the FTS5 table's 1,500 matches, sorted (55,000).
        Assert.InRange(steps * 4, 0, stepsUnbounded);
    }

    private async Task<(ClientListPage Page, long Steps)> PageAsync(ClientSort sort, int walkBound, ClientPosition? position = null)
    {
        await using var db = Database.CreateContext();
        var memory = new BroadSearchMemory();
        // Once, so that the search is known to find many and the page walks (as every page after the first does).
        await new ClientPages(db) { Bound = 100, WalkBound = walkBound, BroadSearches = memory }.LoadAsync(Request(sort, position), default);
        return await StepsAsync(db, pages => pages.LoadAsync(Request(sort, position), default), walkBound, memory);
    }

    /// <summary>What <paramref name="read"/> gives, and the virtual machine instructions SQLite ran for it.</summary>
    private static async Task<(T Result, long Steps)> StepsAsync<T>(RolloutDbContext db, Func<ClientPages, Task<T>> read, int walkBound,
        BroadSearchMemory? memory = null, int linkSeekBound = 20_000)
    {
        await db.Database.OpenConnectionAsync();
        var pages = new ClientPages(db) { Bound = 100, WalkBound = walkBound, BroadSearches = memory ?? new(), LinkSeekBound = linkSeekBound };
        var steps = 0L;
        var handle = ((SqliteConnection)db.Database.GetDbConnection()).Handle;
        SQLitePCL.raw.sqlite3_progress_handler(handle, 1, _ => { steps++; return 0; }, null);
        try
        {
            return (await read(pages), steps);
        }
        finally
        {
            SQLitePCL.raw.sqlite3_progress_handler(handle, 0, null, null);
        }
    }

    private ClientListRequest Request(ClientSort sort, ClientPosition? position) =>
        new(Inventory.RolloutId, Inventory.Id, Others + Matches, StatusOrder, sort, false, "zz-", position ?? ClientPosition.First, 20);
}
