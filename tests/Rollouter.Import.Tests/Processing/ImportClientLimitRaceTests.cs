using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Rules;
using TestRollout = Rollouter.Import.Tests.Rules.TestRollout;

namespace Rollouter.Import.Tests.Processing;

/// <summary>
/// The rollout's client limit when imports overlap. QA: two imports of 20,000 new clients each into two inventories of
/// one rollout with room for 30,000 both completed, on two instances and on one: each check counted the rollout's
/// clients when it started, and the writer never looked again. The writer now checks the limit again under the
/// rollout's write lock, with the kept counts and the limit as they are then. The overlap is made deterministically: the
/// other import runs to its end (or the limit is lowered) after this run's check read the rollout's clients, before its
/// write begins.
/// </summary>
[Collection(RulesDatabaseCollection.Name)]
public class ImportClientLimitRaceTests(RulesDatabases databases)
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql];

    private static readonly string Cache = Path.Combine(Path.GetTempPath(), "rollouter-client-limit-race-tests");

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AnotherImportIntoTheRolloutCommittedDuringTheRun_FailsItPastTheLimit_AndNothingIsWritten(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync(clientLimit: 4);
        var importId = await PrepareAsync(rollout, rollout.Laptops, "Name\nLIM-A1\nLIM-A2\nLIM-A3\n");
        var otherId = await PrepareAsync(rollout, rollout.Desktops, "Name;Rack\nLIM-B1;R1\nLIM-B2;R2\nLIM-B3;R3\n");

        var import = await RunAsync(rollout, importId, async db =>
            Assert.Equal(ImportStatus.Completed, (await TestImports.Lifecycle(db, Cache).RunAsync(otherId, null, default)).Status));

        Assert.Equal(ImportStatus.Failed, import.Status);
        Assert.Equal("The import would exceed the client limit (6 of 4): the rollout holds 3 clients and the file would " +
                     "create 3. The limit of 4 clients is set on rollout \"" + rollout.Name + "\"; an administrator can raise " +
                     "it under Settings → Rollouts → " + rollout.Name + ".", import.FailureMessage);
        Assert.Equal((0, 0), (import.CreatedCount, import.RowsWritten));
        await using var check = rollout.Database.Database.CreateContext();
        Assert.Equal(["LIM-B1", "LIM-B2", "LIM-B3"], await ClientNamesAsync(check, rollout));
        Assert.Equal(0, await check.Inventories.Where(i => i.Id == rollout.Laptops).Select(i => i.ClientCount).SingleAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ALimitLoweredDuringTheRun_FailsIt_AndNothingIsWritten(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync(clientLimit: 10);
        var importId = await PrepareAsync(rollout, rollout.Laptops, "Name\nLOW-1\nLOW-2\nLOW-3\n");

        var import = await RunAsync(rollout, importId, db =>
            db.Rollouts.Where(r => r.Id == rollout.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.ClientLimit, 2)));

        Assert.Equal(ImportStatus.Failed, import.Status);
        Assert.StartsWith("The import would exceed the client limit (3 of 2): the rollout holds 0 clients and the file " +
                          "would create 3.", import.FailureMessage);
        await using var check = rollout.Database.Database.CreateContext();
        Assert.Empty(await ClientNamesAsync(check, rollout));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AnotherImportThatLeavesRoom_LetsTheRunComplete(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync(clientLimit: 6);
        var importId = await PrepareAsync(rollout, rollout.Laptops, "Name\nFIT-A1\nFIT-A2\nFIT-A3\n");
        var otherId = await PrepareAsync(rollout, rollout.Desktops, "Name;Rack\nFIT-B1;R1\nFIT-B2;R2\nFIT-B3;R3\n");

        var import = await RunAsync(rollout, importId, async db =>
            Assert.Equal(ImportStatus.Completed, (await TestImports.Lifecycle(db, Cache).RunAsync(otherId, null, default)).Status));

        Assert.True(import.Status == ImportStatus.Completed, import.FailureMessage);
        await using var check = rollout.Database.Database.CreateContext();
        Assert.Equal(6, (await ClientNamesAsync(check, rollout)).Count);
    }

    private static Task<List<string>> ClientNamesAsync(RolloutDbContext db, TestRollout rollout) =>
        db.Clients.Where(c => c.RolloutId == rollout.Id).OrderBy(c => c.Name).Select(c => c.Name).ToListAsync();

    /// <summary>Uploads <paramref name="csv"/> into the inventory, mapped automatically, and approves it (the test runs it).</summary>
    private static async Task<int> PrepareAsync(TestRollout rollout, int inventoryId, string csv)
    {
        var manager = rollout.Database.Users["manager"];
        await using var db = rollout.Database.Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);
        var created = await imports.CreateAsync(Path.Combine(Cache, "uploads"), rollout.Id, inventoryId, "limit.csv",
            Encoding.UTF8.GetBytes(csv), manager);
        (await imports.ApproveAsync(created.Import.Id, manager, default)).Expect();
        return created.Import.Id;
    }

    private static Task<ClientImport> RunAsync(TestRollout rollout, int importId, Func<RolloutDbContext, Task> change) =>
        ChangeAfterTheCheck.RunAsync(rollout.Database.Database, db => TestImports.Lifecycle(db, Cache).RunAsync(importId, null, default), change);
}
