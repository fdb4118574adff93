using System.Text;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Rules;

namespace Rollouter.Import.Tests.Processing;

/// <summary>An import's life from upload to its end, through <see cref="ImportLifecycle"/> alone (no web app).</summary>
[Collection(RulesDatabaseCollection.Name)]
public class ImportLifecycleTests(RulesDatabases databases)
{
    private static readonly string Cache = Path.Combine(Path.GetTempPath(), "rollouter-lifecycle-tests");

    private static byte[] Csv(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Upload_WithoutAName_IsIncomplete_ThenMappingNameMakesItWaitForApproval()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        await using var db = rollout.Database.Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);

        var created = await imports.CreateAsync(Path.Combine(Cache, "uploads"), rollout.Id, rollout.Laptops, "hosts.csv",
            Csv("Column one;Column two\nPC-1;x\n"), rollout.Database.Users["manager"]);

        Assert.Equal((ImportStatus.Incomplete, 1), (created.Import.Status, created.Import.RowCount));
        var mapping = ImportMapping.FromJson(created.Import.Mapping);
        mapping.Columns.Single(c => c.Header == "Column one").Target = DefaultFields.Name;
        var mapped = (await imports.UpdateMappingAsync(created.Import.Id, mapping, default)).Expect();
        Assert.Equal(ImportStatus.WaitingForApproval, mapped.Import.Status);
    }

    [Fact]
    public async Task CreateApproveAndRun_InOneUnitOfWork_Completes()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var manager = rollout.Database.Users["manager"];
        await using var db = rollout.Database.Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);
        var created = await imports.CreateAsync(Path.Combine(Cache, "uploads"), rollout.Id, rollout.Laptops, "clients.csv",
            Csv("Name\nLIFE-1\n"), manager);

        (await imports.ApproveAsync(created.Import.Id, manager, default)).Expect();
        var done = await imports.RunAsync(created.Import.Id, null, default);

        Assert.Equal((ImportStatus.Completed, 1), (done.Status, done.CreatedCount));
    }

    [Fact]
    public async Task EveryStep_OfACompletedImport_IsRefusedWithAConflict_AndChangesNothing()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var manager = rollout.Database.Users["manager"];
        int importId;
        await using (var setup = rollout.Database.Database.CreateContext())
        {
            var imports = TestImports.Lifecycle(setup, Cache);
            importId = (await imports.CreateAsync(Path.Combine(Cache, "uploads"), rollout.Id, rollout.Laptops, "clients.csv",
                Csv("Name\nLIFE-2\n"), manager)).Import.Id;
            (await imports.ApproveAsync(importId, manager, default)).Expect();
            Assert.Equal(ImportStatus.Completed, (await imports.RunAsync(importId, null, default)).Status);
        }

        await using var db = rollout.Database.Database.CreateContext();
        var lifecycle = TestImports.Lifecycle(db, Cache);
        var before = await db.Imports.AsNoTracking().SingleAsync(i => i.Id == importId);

        var refusals = new[]
        {
            (await lifecycle.UpdateMappingAsync(importId, ImportMapping.FromJson(before.Mapping), default)).Problem,
            (await lifecycle.UpdateParseOptionsAsync(importId, new(HeaderRow: 1), manager, default)).Problem,
            (await lifecycle.CheckAsync(importId, default)).Problem,
            (await lifecycle.ApproveAsync(importId, manager, default)).Problem,
        };

        Assert.All(refusals, p => Assert.Equal(ProblemKind.Conflict, p?.Kind));
        var after = await db.Imports.AsNoTracking().SingleAsync(i => i.Id == importId);
        Assert.Equal((ImportStatus.Completed, before.ConcurrencyStamp), (after.Status, after.ConcurrencyStamp));
    }

    [Fact]
    public async Task AStepOfAnImportThatDoesNotExist_IsNotFound()
    {
        await using var db = (await databases.GetAsync()).Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);

        Assert.Equal(ProblemKind.NotFound, (await imports.CheckAsync(int.MaxValue, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await imports.ApproveAsync(int.MaxValue, 1, default)).Problem?.Kind);
    }
}
