using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.TestData;
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
        await using (var db = Database.CreateContext())
        {
            db.Users.AddRange(TestSettings.User("alice@test", "Alice", "AL", Role.Technician), TestSettings.User("bob@test", "Bob", "BO", Role.Technician));
            await db.SaveChangesAsync();
            var alice = await db.Users.Where(u => u.DisplayName == "Alice").Select(u => u.Id).SingleAsync();
            var bob = await db.Users.Where(u => u.DisplayName == "Bob").Select(u => u.Id).SingleAsync();
            await db.Database.ExecuteSqlAsync($"""UPDATE "Clients" SET "AssigneeId" = CASE WHEN "NameKey" LIKE 'aa-%' THEN {alice} ELSE {bob} END""");
            await db.Database.ExecuteSqlRawAsync("ANALYZE");
        }

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

    private async Task<(ClientListPage Page, long Steps)> PageAsync(ClientSort sort, int walkBound, ClientPosition? position = null)
    {
        await using var db = Database.CreateContext();
        await db.Database.OpenConnectionAsync();
        var pages = new ClientPages(db) { Bound = 100, WalkBound = walkBound, BroadSearches = new() };
        // Once, so that the search is known to find many and the page walks (as every page after the first does).
        await pages.LoadAsync(Request(sort, position), default);
        var steps = 0L;
        SQLitePCL.raw.sqlite3_progress_handler(((SqliteConnection)db.Database.GetDbConnection()).Handle, 1, _ => { steps++; return 0; }, null);
        var page = await pages.LoadAsync(Request(sort, position), default);
        SQLitePCL.raw.sqlite3_progress_handler(((SqliteConnection)db.Database.GetDbConnection()).Handle, 0, null, null);
        return (page, steps);
    }

    private ClientListRequest Request(ClientSort sort, ClientPosition? position) =>
        new(Inventory.RolloutId, Inventory.Id, Others + Matches, StatusOrder, sort, false, "zz-", position ?? ClientPosition.First, 20);
}
