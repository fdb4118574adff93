using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// The search finds a text anywhere in a client's name or description, ignoring case, through the search index (the
/// trigram index on PostgreSQL, the FTS5 table on SQLite) from three characters on and by reading the clients below:
/// and the index follows every change of a client.
/// </summary>
public class ClientSearchTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql];

    private static async Task<List<string>> FindAsync(TestDatabase database, TestRollout rollout, string text)
    {
        await using var db = database.CreateContext();
        var page = await new ClientPages(db).LoadAsync(new ClientListRequest(rollout.RolloutId, rollout.InventoryId, 10,
            [rollout.StatusId], ClientSort.Name, false, text, ClientPosition.First, 50), default);
        var ids = page.Rows.Select(r => r.Id).ToList();
        return await db.Clients.Where(c => ids.Contains(c.Id)).OrderBy(c => c.NameKey).Select(c => c.Name).ToListAsync();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Search_FindsAPartOfANameOrDescription_IgnoringCase_AfterEveryChange(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var rollout = await TestRollout.AddAsync(database, "S");
        await using (var db = database.CreateContext())
        {
            var first = rollout.NewClient("Büro-PC-17");
            first.Description = "Old Room 4";
            db.Clients.AddRange(first, rollout.NewClient("LAPTOP-9"), rollout.NewClient("50% off"));
            await db.SaveChangesAsync();
        }

        Assert.Equal(["Büro-PC-17"], await FindAsync(database, rollout, "BÜRO"));
        Assert.Equal(["Büro-PC-17"], await FindAsync(database, rollout, "d room"));
        Assert.Equal(["Büro-PC-17", "LAPTOP-9"], await FindAsync(database, rollout, "-"));
        Assert.Equal(["50% off"], await FindAsync(database, rollout, "0% o"));
        Assert.Empty(await FindAsync(database, rollout, "5_%"));

        await using (var db = database.CreateContext())
        {
            var client = await db.Clients.SingleAsync(c => c.Name == "Büro-PC-17");
            client.Description = "New Hall";
            client.Name = "Office-PC-17";
            db.Clients.Remove(await db.Clients.SingleAsync(c => c.Name == "LAPTOP-9"));
            await db.SaveChangesAsync();
        }

        Assert.Empty(await FindAsync(database, rollout, "old room"));
        Assert.Empty(await FindAsync(database, rollout, "büro"));
        Assert.Equal(["Office-PC-17"], await FindAsync(database, rollout, "new hall"));
        Assert.Equal(["Office-PC-17"], await FindAsync(database, rollout, "FICE-pc"));
        Assert.Empty(await FindAsync(database, rollout, "laptop"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Search_OfOneOrTwoCharacters_IgnoresTheCaseOfEveryLetter_AndCountsCharactersNotUtf16Units(DatabaseProvider provider)
    {
        // Below three characters no index serves the search; SQLite's LIKE folds ASCII letters only, and "😀p" is two
        // characters in three UTF-16 units, which the FTS5 table (trigrams) would find nothing for.
        await using var database = await TestDatabase.CreateAsync(provider);
        var rollout = await TestRollout.AddAsync(database, "S");
        await using (var db = database.CreateContext())
        {
            var unal = rollout.NewClient("PC-1");
            unal.Description = "Ünal's desk";
            var ecole = rollout.NewClient("PC-2");
            ecole.Description = "ÉCOLE normale";
            var mixed = rollout.NewClient("PC-3");
            mixed.Description = "naÏve";
            db.Clients.AddRange(unal, ecole, mixed, rollout.NewClient("emoji😀pc"), rollout.NewClient("PC-4"));
            await db.SaveChangesAsync();
        }

        Assert.Equal(["PC-1"], await FindAsync(database, rollout, "ü"));
        Assert.Equal(["PC-1"], await FindAsync(database, rollout, "Ün"));
        Assert.Equal(["PC-2"], await FindAsync(database, rollout, "éc"));
        Assert.Equal(["PC-3"], await FindAsync(database, rollout, "aï"));
        Assert.Equal(["PC-3"], await FindAsync(database, rollout, "ÏV"));
        Assert.Equal(["emoji😀pc"], await FindAsync(database, rollout, "😀p"));
        Assert.Equal(["emoji😀pc"], await FindAsync(database, rollout, "😀PC"));

        await using var context = database.CreateContext();
        var linkable = await new ClientPages(context).NamedAsync(rollout.RolloutId, "😀P", except: 0, count: 10, default);
        Assert.Equal(["emoji😀pc"], await context.Clients.Where(c => linkable.Contains(c.Id)).Select(c => c.Name).ToListAsync());
    }
}
