using System.Text;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.TestData;
using Rollouter.Import.Tests.Rules;

namespace Rollouter.Import.Tests.Processing;

/// <summary>
/// The mapping a new upload is offered (decision 0112): the one of the inventory's latest approved import, whatever its
/// run found, then the one the last completed run remembered; never one never approved, never a field that is gone.
/// </summary>
[Collection(RulesDatabaseCollection.Name)]
public class LastMappingTests(RulesDatabases databases)
{
    private static readonly string Cache = Path.Combine(Path.GetTempPath(), "rollouter-last-mapping-tests");

    private static readonly string Uploads = Path.Combine(Cache, "uploads");

    private static byte[] Csv(string text) => Encoding.UTF8.GetBytes(text);

    // A Snipe-IT style export: "Asset Tag" is the device's name here, "Dept" its department; no header says so.
    private const string Header = "Asset Tag;Asset Name;Serial;Dept\n";

    /// <summary>The mapping QA made by hand: Asset Tag → Name, Asset Name → Description, Serial, Dept → <paramref name="dept"/>.</summary>
    private static ImportMapping ByHand(ImportMapping uploaded, string dept)
    {
        string?[] targets = [DefaultFields.Name, DefaultFields.Description, "Serial", dept];
        for (var i = 0; i < targets.Length; i++)
        {
            uploaded.Columns[i].Target = targets[i];
        }

        uploaded.UpdateExisting = true;
        uploaded.Columns[3].CreateOptions = true;
        return uploaded;
    }

    /// <summary>The import's targets in column order, "-" for a column not imported: "Name, Description, Serial, -".</summary>
    private static string Targets(ClientImport import) =>
        string.Join(", ", ImportMapping.FromJson(import.Mapping).Columns.Select(c => c.Target ?? "-"));

    private const string AsMappedByHand = "Name, Description, Serial, Department";

    [Fact]
    public async Task NextUpload_AfterAHandMappedImportWhoseRunFailed_IsMappedTheSame_WithoutTheTicks()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var manager = rollout.Database.Users["manager"];
        await using var db = rollout.Database.Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);
        var first = await imports.CreateAsync(Uploads, rollout.Id, rollout.Laptops, "assets.csv",
            Csv(Header + "LT-1;Laptop one;SN000000001;Dept 1\nLT-2;Laptop two;not a serial;Dept 2\n"), manager);
        Assert.NotEqual(AsMappedByHand, Targets(first.Import));
        (await imports.UpdateMappingAsync(first.Import.Id, ByHand(ImportMapping.FromJson(first.Import.Mapping), "Department"), default)).Expect();
        (await imports.ApproveAsync(first.Import.Id, manager, default)).Expect();
        Assert.Equal(ImportStatus.Failed, (await imports.RunAsync(first.Import.Id, null, default)).Status);

        var next = await imports.CreateAsync(Uploads, rollout.Id, rollout.Laptops, "assets-fixed.csv",
            Csv(Header + "LT-1;Laptop one;SN000000001;Dept 1\nLT-2;Laptop two;SN000000002;Dept 2\n"), manager);

        Assert.Equal(AsMappedByHand, Targets(next.Import));
        Assert.Equal(ImportStatus.WaitingForApproval, next.Import.Status);
        var offered = ImportMapping.FromJson(next.Import.Mapping);
        Assert.False(offered.UpdateExisting);
        Assert.All(offered.Columns, c => Assert.False(c.CreateOptions));
    }

    [Fact]
    public async Task NextUpload_IsNotOfferedTheMappingOfAnImportNeverApproved()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var manager = rollout.Database.Users["manager"];
        await using var db = rollout.Database.Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);
        var content = Csv(Header + "LT-1;Laptop one;SN000000001;Dept 1\n");
        var saved = await imports.CreateAsync(Uploads, rollout.Id, rollout.Laptops, "assets.csv", content, manager);
        var automatic = Targets(saved.Import);
        (await imports.UpdateMappingAsync(saved.Import.Id, ByHand(ImportMapping.FromJson(saved.Import.Mapping), "Department"), default)).Expect();

        var next = await imports.CreateAsync(Uploads, rollout.Id, rollout.Laptops, "assets-again.csv", content, manager);

        Assert.Equal(automatic, Targets(next.Import));
        Assert.NotEqual(AsMappedByHand, Targets(next.Import));
    }

    [Fact]
    public async Task NextUpload_LeavesUnmappedAColumnWhoseFieldWasDeleted_AndMapsTheOthersAsApproved()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var manager = rollout.Database.Users["manager"];
        await using var db = rollout.Database.Database.CreateContext();
        var gone = TestSettings.Field($"Cost centre {Guid.NewGuid():N}", CustomFieldType.Selection, ["CC 1"]);
        db.CustomFields.Add(gone);
        await db.SaveChangesAsync();
        db.InventoryCustomFields.Add(new InventoryCustomField { InventoryId = rollout.Laptops, CustomFieldId = gone.Id, Position = 99 });
        await db.SaveChangesAsync();
        var imports = TestImports.Lifecycle(db, Cache);
        var first = await imports.CreateAsync(Uploads, rollout.Id, rollout.Laptops, "assets.csv",
            Csv(Header + "LT-1;Laptop one;not a serial;CC 1\n"), manager);
        (await imports.UpdateMappingAsync(first.Import.Id, ByHand(ImportMapping.FromJson(first.Import.Mapping), gone.Name), default)).Expect();
        (await imports.ApproveAsync(first.Import.Id, manager, default)).Expect();
        Assert.Equal(ImportStatus.Failed, (await imports.RunAsync(first.Import.Id, null, default)).Status);
        await db.InventoryCustomFields.Where(f => f.CustomFieldId == gone.Id).ExecuteDeleteAsync();
        await db.CustomFields.Where(f => f.Id == gone.Id).ExecuteDeleteAsync();

        var next = await imports.CreateAsync(Uploads, rollout.Id, rollout.Laptops, "assets-fixed.csv",
            Csv(Header + "LT-1;Laptop one;SN000000001;CC 1\n"), manager);

        Assert.Equal("Name, Description, Serial, -", Targets(next.Import));
        Assert.Equal(ImportStatus.WaitingForApproval, next.Import.Status);
    }

    [Fact]
    public async Task Upload_WhileAnImportOfTheSameInventoryHoldsItsRows_IsNotBlocked_AndIsOfferedThatImportsMapping()
    {
        var rollout = await (await databases.GetAsync(DatabaseProvider.PostgreSql)).NewRolloutAsync();
        var manager = rollout.Database.Users["manager"];
        await using var db = rollout.Database.Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);
        var running = await imports.CreateAsync(Uploads, rollout.Id, rollout.Laptops, "assets.csv",
            Csv(Header + "LT-1;Laptop one;SN000000001;Dept 1\n"), manager);
        (await imports.UpdateMappingAsync(running.Import.Id, ByHand(ImportMapping.FromJson(running.Import.Mapping), "Department"), default)).Expect();
        (await imports.ApproveAsync(running.Import.Id, manager, default)).Expect();

        // What a run writing this inventory holds until it commits: the inventory's row and the import's row.
        await using var run = rollout.Database.Database.CreateContext();
        await using var writing = await run.Database.BeginTransactionAsync();
        await run.Inventories.Where(i => i.Id == rollout.Laptops)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.LastImportMapping, i => i.LastImportMapping));
        await run.Imports.Where(i => i.Id == running.Import.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.LastActivityAt, i => i.LastActivityAt));

        // Bounded so that a regression fails here instead of hanging the run; it is not a timing assertion.
        var next = await imports.CreateAsync(Uploads, rollout.Id, rollout.Laptops, "assets-next.csv",
            Csv(Header + "LT-2;Laptop two;SN000000002;Dept 2\n"), manager).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(AsMappedByHand, Targets(next.Import));
        Assert.Equal(ImportStatus.InProgress, await db.Imports.Where(i => i.Id == running.Import.Id).Select(i => i.Status).SingleAsync());
        await writing.RollbackAsync();
    }
}
