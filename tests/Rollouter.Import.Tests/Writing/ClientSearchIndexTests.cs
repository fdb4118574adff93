using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Tests.Writing;

/// <summary>
/// SQLite's search index (an FTS5 trigram table kept by triggers) after an import, which indexes its new clients in one
/// statement instead of through the insert trigger: the import's clients are found by a part of their name or
/// description, the trigger is back for clients added on their own, and a failed import leaves index and trigger as
/// they were.
/// </summary>
public sealed class ClientSearchIndexTests
{
    private static async Task<List<int>> SearchAsync(WriterScenario s, string text)
    {
        await using var db = s.CreateContext();
        return await db.Database.SqlQueryRaw<int>(
                """SELECT rowid AS "Value" FROM "ClientSearch" WHERE "ClientSearch" MATCH {0} ORDER BY rowid""",
                "\"" + text + "\"")
            .ToListAsync();
    }

    private static async Task<bool> InsertTriggerExistsAsync(WriterScenario s)
    {
        await using var db = s.CreateContext();
        return await db.Database.SqlQueryRaw<int>(
            """SELECT count(*) AS "Value" FROM sqlite_master WHERE type = 'trigger' AND name = 'Clients_Search_Insert'""")
            .SingleAsync() == 1;
    }

    private static async Task<int> IdOfAsync(WriterScenario s, string name)
    {
        await using var db = s.CreateContext();
        return await db.Clients.Where(c => c.Name == name).Select(c => c.Id).SingleAsync();
    }

    [Fact]
    public async Task ImportedClients_AreFoundByAPartOfTheirNameOrDescription_AndTheTriggerIsBack()
    {
        await using var s = await WriterScenario.CreateAsync(DatabaseProvider.Sqlite);
        var before = await s.AddClientAsync("DESK-0001");

        var rows = Enumerable.Range(2, 25).Select(i => s.NewRow(i, $"DESK-{i:D4}")).ToList();
        rows[3] = rows[3] with { Description = "Second floor, Quarzweg" };
        await s.WriteAsync(rows, batchSize: 4);

        var all = await SearchAsync(s, "desk-");
        Assert.Equal(26, all.Count);
        Assert.Contains(before, all);
        Assert.Equal([await IdOfAsync(s, "DESK-0005")], await SearchAsync(s, "quarzweg"));
        Assert.Equal([await IdOfAsync(s, "DESK-0017")], await SearchAsync(s, "sk-0017"));
        Assert.True(await InsertTriggerExistsAsync(s));
        var after = await s.AddClientAsync("DESK-9999");
        Assert.Equal([after], await SearchAsync(s, "desk-9999"));
    }

    [Fact]
    public async Task FailedImport_LeavesTheIndexAndItsTriggerAsTheyWere()
    {
        await using var s = await WriterScenario.CreateAsync(DatabaseProvider.Sqlite);
        var taken = await s.AddClientAsync("ROOM-0003");

        await Assert.ThrowsAsync<ClientNameConflictException>(() =>
            s.WriteAsync([s.NewRow(2, "ROOM-0001"), s.NewRow(3, "ROOM-0002"), s.NewRow(4, "room-0003")], batchSize: 2));

        Assert.Equal([taken], await SearchAsync(s, "room-"));
        Assert.True(await InsertTriggerExistsAsync(s));
        var added = await s.AddClientAsync("ROOM-0004");
        Assert.Equal([taken, added], await SearchAsync(s, "room-"));
    }
}
