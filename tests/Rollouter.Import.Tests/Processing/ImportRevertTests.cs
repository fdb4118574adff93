using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Corrections;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reverting;
using Rollouter.Import.TestData;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Rules;
using TestRollout = Rollouter.Import.Tests.Rules.TestRollout;

namespace Rollouter.Import.Tests.Processing;

/// <summary>
/// A completed import taken back through <see cref="ImportLifecycle"/>: asked for (checked at once), then run as the job
/// runs it. The databases and their global fields are shared with the rule tests: options made here have unique names.
/// </summary>
[Collection(RulesDatabaseCollection.Name)]
public class ImportRevertTests(RulesDatabases databases)
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql];

    private static readonly string Cache = Path.Combine(Path.GetTempPath(), "rollouter-revert-tests");

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_DeletesTheClientsTheImportCreated_AndTheImportBecomesReverted(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var kept = await rollout.AddClientAsync("KEPT-1");
        var importId = await ImportAsync(rollout, "Name;Status;Location\nNEW-1;Prepared;Berlin\nNEW-2;;Hamburg\n");

        var asked = await RequestAsync(rollout, importId);
        Assert.Equal((ImportStatus.Completed, true), (asked.Status, asked.RevertRequestedAt is not null));
        var reverted = await RunAsync(rollout, importId);

        Assert.Equal(ImportStatus.Reverted, reverted.Status);
        Assert.NotNull(reverted.RevertedAt);
        await using var db = rollout.Database.Database.CreateContext();
        Assert.Equal([kept], await db.Clients.Where(c => c.RolloutId == rollout.Id).Select(c => c.Id).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_RestoresEveryValueTheImportChanged_WithAHistoryEntry(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var old = await rollout.AddClientAsync("OLD-1", values: new() { ["Location"] = ["Berlin"], ["Software"] = ["App 1", "App 2"] });
        var importId = await ImportAsync(rollout,
            "Name;Status;Assignee;Location;Software;Notes\nOLD-1;Prepared;tech@test.example;Hamburg;App 3;checked\nNEW-3;;;Paris;;\n",
            updateExisting: true);
        await using (var check = rollout.Database.Database.CreateContext())
        {
            var changed = await check.Clients.SingleAsync(c => c.Id == old);
            Assert.Equal(["Hamburg"], changed.Values[rollout.Database.Fields["Location"]]);
        }

        await RequestAsync(rollout, importId);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, importId)).Status);

        await using var db = rollout.Database.Database.CreateContext();
        var client = await db.Clients.SingleAsync(c => c.Id == old);
        Assert.Equal(rollout.Database.Statuses["New"], client.StatusId);
        Assert.Null(client.AssigneeId);
        Assert.Equal(["Berlin"], client.Values[rollout.Database.Fields["Location"]]);
        Assert.Equal(["App 1", "App 2"], client.Values[rollout.Database.Fields["Software"]]);
        Assert.False(client.Values.ContainsKey(rollout.Database.Fields["Notes"]));
        Assert.False(await db.Clients.AnyAsync(c => c.RolloutId == rollout.Id && c.Name == "NEW-3"));
        var entry = await db.ClientHistory.Where(h => h.ClientId == old).OrderByDescending(h => h.Id).FirstAsync();
        Assert.Equal((ClientHistoryAction.Reverted, importId, rollout.Database.Users["manager"]),
            (entry.Action, entry.ImportId, entry.UserId));
        Assert.Contains(new FieldChange("Location", "Hamburg", "Berlin", FieldId: rollout.Database.Fields["Location"]), entry.Changes);
        Assert.Contains(new FieldChange("Status", "Prepared", "New"), entry.Changes);
        Assert.Contains(new FieldChange("Assignee", "tech@test.example", null), entry.Changes);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_RestoresTheSharedValueOfALinkedClient(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var source = await rollout.AddClientAsync("SRC-1", values: new() { ["Location"] = ["Berlin"] });
        var target = await rollout.AddClientAsync("TGT-1", rollout.Desktops, new() { ["Location"] = ["Berlin"], ["Rack"] = ["R1"] });
        await rollout.LinkAsync(source, target);
        var importId = await ImportAsync(rollout, "Name;Location\nSRC-1;Munich\n", updateExisting: true);
        await using (var check = rollout.Database.Database.CreateContext())
        {
            Assert.Equal(["Munich"], (await check.Clients.SingleAsync(c => c.Id == target)).Values[rollout.Database.Fields["Location"]]);
        }

        await RequestAsync(rollout, importId);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, importId)).Status);

        await using var db = rollout.Database.Database.CreateContext();
        var location = rollout.Database.Fields["Location"];
        Assert.Equal(["Berlin"], (await db.Clients.SingleAsync(c => c.Id == source)).Values[location]);
        Assert.Equal(["Berlin"], (await db.Clients.SingleAsync(c => c.Id == target)).Values[location]);
        Assert.True(await db.ClientHistory.AnyAsync(h => h.ClientId == target && h.Action == ClientHistoryAction.Reverted));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_RemovesTheOptionsTheImportCreated_UnlessALaterClientUsesThem(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var unused = "Model U-" + Guid.NewGuid().ToString("N")[..8];
        var used = "Model K-" + Guid.NewGuid().ToString("N")[..8];
        var importId = await ImportAsync(rollout, $"Name;Model\nOPT-1;{unused}\nOPT-2;{used}\n", createOptions: true);
        await ImportAsync(rollout, $"Name;Model\nOPT-3;{used}\n");

        await RequestAsync(rollout, importId);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, importId)).Status);

        await using var db = rollout.Database.Database.CreateContext();
        var model = rollout.Database.Fields["Model"];
        var options = await db.CustomFieldOptions.Where(o => o.CustomFieldId == model).Select(o => o.Name).ToListAsync();
        Assert.DoesNotContain(unused, options);
        Assert.Contains(used, options);
        Assert.Equal(["OPT-3"], await db.Clients.Where(c => c.RolloutId == rollout.Id).Select(c => c.Name).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_KeepsAnOptionItCreated_ThatAClientHoldsHidden_InAnInventoryTheFieldWasTakenOff(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var used = "Model H-" + Guid.NewGuid().ToString("N")[..8];
        var importId = await ImportAsync(rollout, $"Name;Model\nHID-1;{used}\n", createOptions: true);
        await ImportAsync(rollout, $"Name;Model\nHID-2;{used}\n");
        var model = rollout.Database.Fields["Model"];
        await using (var edit = rollout.Database.Database.CreateContext())
        {
            // Model taken off the inventory: HID-2 keeps its value, hidden (as InventoryService does it).
            await edit.InventoryCustomFields.Where(f => f.InventoryId == rollout.Laptops && f.CustomFieldId == model).ExecuteDeleteAsync();
            edit.InventoryHiddenFields.Add(new InventoryHiddenField { InventoryId = rollout.Laptops, CustomFieldId = model });
            await edit.SaveChangesAsync();
        }

        await RequestAsync(rollout, importId);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, importId)).Status);

        await using var db = rollout.Database.Database.CreateContext();
        Assert.Contains(used, await db.CustomFieldOptions.Where(o => o.CustomFieldId == model).Select(o => o.Name).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_OfTheImportThatCreatedTheLastHoldersOfAHiddenField_ForgetsTheHiddenField_SoItNoLongerReachesTheInventory(
        DatabaseProvider provider)
    {
        // A hidden-field record outliving its last holder kept other rollouts from changing the field's options for nobody.
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var field = await AddFieldAsync(rollout, "Hue", CustomFieldType.Selection, "Red", "Blue");
        await rollout.AddClientAsync("HUE-0");
        var first = await ImportAsync(rollout, $"Name;{field.Name}\nHUE-1;Red\n");
        var second = await ImportAsync(rollout, $"Name;{field.Name}\nHUE-2;Blue\n");
        await using (var edit = rollout.Database.Database.CreateContext())
        {
            // The field taken off the inventory: HUE-1 and HUE-2 keep their values, hidden (as InventoryService does it).
            await edit.InventoryCustomFields.Where(f => f.InventoryId == rollout.Laptops && f.CustomFieldId == field.Id).ExecuteDeleteAsync();
            edit.InventoryHiddenFields.Add(new InventoryHiddenField { InventoryId = rollout.Laptops, CustomFieldId = field.Id });
            await edit.SaveChangesAsync();
        }

        async Task<List<int>> ReachAsync()
        {
            await using var db = rollout.Database.Database.CreateContext();
            return await db.WithField(field.Id).Select(i => i.Id).ToListAsync();
        }

        await RequestAsync(rollout, second);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, second)).Status);
        Assert.Equal([rollout.Laptops], await ReachAsync());

        await RequestAsync(rollout, first);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, first)).Status);
        Assert.Empty(await ReachAsync());
        await using var check = rollout.Database.Database.CreateContext();
        Assert.False(await check.InventoryHiddenFields.AnyAsync(h => h.InventoryId == rollout.Laptops && h.CustomFieldId == field.Id));
        Assert.Equal(["HUE-0"], await check.Clients.Where(c => c.RolloutId == rollout.Id).Select(c => c.Name).ToListAsync());
    }

    /// <summary>The conflicts as compared here: who made the value now (ChangedBy) is asserted on its own where it matters.</summary>
    private static List<RevertConflict> Listed(IReadOnlyList<RevertConflict> conflicts) =>
        [.. conflicts.Select(c => c with { ChangedBy = null })];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_OfAClientChangedByALaterImport_IsRefusedWithTheConflict_AndChangesNothing(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var importId = await ImportAsync(rollout, "Name;Location\nLATER-1;Berlin\nLATER-2;Bonn\n");
        var later = await ImportAsync(rollout, "Name;Location\nLATER-1;Paris\n", updateExisting: true);

        await using var db = rollout.Database.Database.CreateContext();
        var refused = await TestImports.Lifecycle(db, Cache).RequestRevertAsync(importId, rollout.Database.Users["manager"], default);

        Assert.Equal(ProblemKind.Conflict, refused.Problem?.Kind);
        var clientId = await db.Clients.Where(c => c.RolloutId == rollout.Id && c.Name == "LATER-1").Select(c => c.Id).SingleAsync();
        Assert.Equal([new RevertConflict(clientId, "LATER-1", "Location", "Berlin", "Paris")],
            Listed(ImportLifecycle.RevertConflictsOf(refused.Problem!)));
        // The later import made the value now, approved by the manager: the one to revert first.
        var by = ImportLifecycle.RevertConflictsOf(refused.Problem!).Single().ChangedBy;
        Assert.Equal(((int?)later, (int?)rollout.Database.Users["manager"], (bool?)true), (by?.ImportId, by?.UserId, by?.ImportExists));
        Assert.StartsWith($"Import {importId} cannot be reverted: 1 client", refused.Problem!.Message, StringComparison.Ordinal);
        var import = await db.Imports.AsNoTracking().SingleAsync(i => i.Id == importId);
        Assert.Equal((ImportStatus.Completed, null), (import.Status, import.RevertRequestedAt));
        Assert.Equal(2, await db.Clients.CountAsync(c => c.RolloutId == rollout.Id));
        Assert.NotEqual(later, importId);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_OfAnEarlierImport_OnceTheLaterImportWasReverted_RestoresTheValueBeforeBoth(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var client = await rollout.AddClientAsync("UNDO-1", values: new() { ["Location"] = ["Berlin"] });
        var first = await ImportAsync(rollout, "Name;Location\nUNDO-1;Room A\n", updateExisting: true);
        var second = await ImportAsync(rollout, "Name;Location\nUNDO-1;Room B\n", updateExisting: true);
        await RequestAsync(rollout, second);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, second)).Status);

        await RequestAsync(rollout, first);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, first)).Status);

        await using var db = rollout.Database.Database.CreateContext();
        Assert.Equal(["Berlin"], (await db.Clients.SingleAsync(c => c.Id == client)).Values[rollout.Database.Fields["Location"]]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_OfAnImportWhoseCreatedClientALaterRevertedImportChanged_DeletesItWithItsHistory(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var first = await ImportAsync(rollout, "Name;Location\nMADE-1;Room A\n");
        var second = await ImportAsync(rollout, "Name;Location\nMADE-1;Room B\n", updateExisting: true);
        await RequestAsync(rollout, second);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, second)).Status);
        await using var db = rollout.Database.Database.CreateContext();
        var client = await db.Clients.Where(c => c.RolloutId == rollout.Id && c.Name == "MADE-1").Select(c => c.Id).SingleAsync();

        await RequestAsync(rollout, first);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, first)).Status);

        Assert.False(await db.Clients.AnyAsync(c => c.Id == client));
        Assert.False(await db.ClientHistory.AnyAsync(h => h.ClientId == client));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_OfAnImportWithACorrectedCell_IsNotRefusedForItsOwnCorrectionEntry(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var importId = await ImportAsync(rollout, "Name;Location\nFIXED-1;Room A\nFIXED-2;Room B\n",
            correction: new CellChange(3, "B", "Room C"));

        await RequestAsync(rollout, importId);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, importId)).Status);

        await using var db = rollout.Database.Database.CreateContext();
        Assert.False(await db.Clients.AnyAsync(c => c.RolloutId == rollout.Id));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_WhenALaterImportsCorrectedRowLeftTheClientAsItWas_IsNotRefused_AndThatRowRecordsNothing(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var client = await rollout.AddClientAsync("SAME-1", values: new() { ["Location"] = ["Berlin"] });
        var moved = await rollout.AddClientAsync("SAME-2", values: new() { ["Location"] = ["Bonn"] });
        var first = await ImportAsync(rollout, "Name;Location\nSAME-1;Room A\n", updateExisting: true);
        // The later file would move SAME-1; its cell is corrected in the browser to the value the client has. SAME-2's
        // correction does change its client.
        var later = await ImportAsync(rollout, "Name;Location\nSAME-1;Room B\nSAME-2;Room X\n", updateExisting: true,
            correction: new CellChange(2, "B", "Room A"), secondCorrection: new CellChange(3, "B", "Room Y"));
        await using var db = rollout.Database.Database.CreateContext();
        var counts = await db.Imports.AsNoTracking().SingleAsync(i => i.Id == later);
        Assert.Equal((ImportStatus.Completed, 0, 1), (counts.Status, counts.CreatedCount, counts.UpdatedCount));
        Assert.False(await db.ClientHistory.AnyAsync(h => h.ClientId == client && h.ImportId == later));
        // The client it changed has the import's change and the note of its corrected cell.
        var entries = await db.ClientHistory.AsNoTracking().Where(h => h.ClientId == moved && h.ImportId == later).OrderBy(h => h.Id).ToListAsync();
        Assert.Equal(2, entries.Count);
        Assert.Equal(("Bonn", "Room Y"), (entries[0].Changes.Single().Old, entries[0].Changes.Single().New));
        Assert.Equal(("Room X", "Room Y"), (entries[1].Corrections?.Single().Original, entries[1].Corrections?.Single().Value));

        await RequestAsync(rollout, first);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, first)).Status);

        Assert.Equal(["Berlin"], (await db.Clients.AsNoTracking().SingleAsync(c => c.Id == client)).Values[rollout.Database.Fields["Location"]]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_IsNotRefusedForTheNoteOfACorrectedCell_ThatAnEarlierVersionWroteOnAClientTheRowLeftAsItWas(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var client = await rollout.AddClientAsync("NOTE-1", values: new() { ["Location"] = ["Berlin"] });
        var first = await ImportAsync(rollout, "Name;Location\nNOTE-1;Room A\n", updateExisting: true);
        var later = await ImportAsync(rollout, "Name;Location\nNOTE-2;Room C\n");
        await using var db = rollout.Database.Database.CreateContext();
        // As the writer recorded a corrected row until 2026-12-06 whatever it changed: the note alone, no change.
        db.ClientHistory.Add(new ClientHistoryEntry
        {
            ClientId = client, At = DateTimeOffset.UtcNow, UserId = rollout.Database.Users["manager"], ImportId = later,
            Action = ClientHistoryAction.Changed, Changes = [],
            Corrections = [new CorrectionNote("B", "Location", "Room B", "Room A", rollout.Database.Users["manager"], DateTimeOffset.UtcNow)],
        });
        await db.SaveChangesAsync();

        await RequestAsync(rollout, first);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, first)).Status);

        Assert.Equal(["Berlin"], (await db.Clients.AsNoTracking().SingleAsync(c => c.Id == client)).Values[rollout.Database.Fields["Location"]]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_AfterALaterImportWasRevertedAndAnotherChangeSince_IsRefused_NamingOnlyWhatStillStands(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var client = await rollout.AddClientAsync("SINCE-1", values: new() { ["Location"] = ["Berlin"] });
        var first = await ImportAsync(rollout, "Name;Location\nSINCE-1;Room A\n", updateExisting: true);
        var second = await ImportAsync(rollout, "Name;Location\nSINCE-1;Room B\n", updateExisting: true);
        await RequestAsync(rollout, second);
        await RunAsync(rollout, second);
        await using var db = rollout.Database.Database.CreateContext();
        // What a link does on the client page: an entry on the client (after the revert, so it counts).
        db.ClientHistory.Add(new ClientHistoryEntry
        {
            ClientId = client, At = DateTimeOffset.UtcNow, Action = ClientHistoryAction.Changed,
            Changes = [new FieldChange("Link", null, "relates to X-1")],
        });
        await db.SaveChangesAsync();

        var refused = await TestImports.Lifecycle(db, Cache).RequestRevertAsync(first, rollout.Database.Users["manager"], default);

        Assert.Equal(ProblemKind.Conflict, refused.Problem?.Kind);
        Assert.Equal([new RevertConflict(client, "SINCE-1", "Link", null, "relates to X-1")],
            Listed(ImportLifecycle.RevertConflictsOf(refused.Problem!)));
        // Written without an import or a user: named by its time alone.
        var by = ImportLifecycle.RevertConflictsOf(refused.Problem!).Single().ChangedBy;
        Assert.NotNull(by);
        Assert.Equal(((int?)null, (int?)null, (string?)null), (by.ImportId, by.UserId, by.User));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_WhenOnlyTheLastOfTwoLaterImportsWasReverted_IsRefused_WithTheValueTheMiddleOneLeft(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var client = await rollout.AddClientAsync("ABC-1", values: new() { ["Location"] = ["Berlin"] });
        var first = await ImportAsync(rollout, "Name;Location\nABC-1;Room A\n", updateExisting: true);
        var middle = await ImportAsync(rollout, "Name;Location\nABC-1;Room B\n", updateExisting: true);
        var third = await ImportAsync(rollout, "Name;Location\nABC-1;Room C\n", updateExisting: true);
        await RequestAsync(rollout, third);
        await RunAsync(rollout, third);

        await using var db = rollout.Database.Database.CreateContext();
        var refused = await TestImports.Lifecycle(db, Cache).RequestRevertAsync(first, rollout.Database.Users["manager"], default);

        Assert.Equal(ProblemKind.Conflict, refused.Problem?.Kind);
        Assert.Equal([new RevertConflict(client, "ABC-1", "Location", "Room A", "Room B")],
            Listed(ImportLifecycle.RevertConflictsOf(refused.Problem!)));
        Assert.Equal(middle, ImportLifecycle.RevertConflictsOf(refused.Problem!).Single().ChangedBy?.ImportId);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_WhenLaterImportsChangedAValueAndSetItBack_IsRefused_WithoutCallingTheSameValueAConflict(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var client = await rollout.AddClientAsync("BACK-1", values: new() { ["Location"] = ["Berlin"] });
        var first = await ImportAsync(rollout, "Name;Location;Notes\nBACK-1;Room A;\n", updateExisting: true);
        await ImportAsync(rollout, "Name;Location;Notes\nBACK-1;Room B;checked\n", updateExisting: true);
        await ImportAsync(rollout, "Name;Location\nBACK-1;Room A\n", updateExisting: true);
        var other = await rollout.AddClientAsync("BACK-2", values: new() { ["Location"] = ["Bonn"] });
        var second = await ImportAsync(rollout, "Name;Location\nBACK-2;Room X\n", updateExisting: true);
        await ImportAsync(rollout, "Name;Location\nBACK-2;Room Y\n", updateExisting: true);
        await ImportAsync(rollout, "Name;Location\nBACK-2;Room X\n", updateExisting: true);

        await using var db = rollout.Database.Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);
        var manager = rollout.Database.Users["manager"];
        var refused = await imports.RequestRevertAsync(first, manager, default);
        var setBack = await imports.RequestRevertAsync(second, manager, default);

        // Decision 0028: a later change refuses the revert even when it was set back; the list names what differs.
        Assert.Equal([new RevertConflict(client, "BACK-1", "Notes", null, "checked")], Listed(ImportLifecycle.RevertConflictsOf(refused.Problem!)));
        Assert.Equal(ProblemKind.Conflict, setBack.Problem?.Kind);
        Assert.Equal([new RevertConflict(other, "BACK-2", RevertConflict.ChangedBackField, null, null)],
            Listed(ImportLifecycle.RevertConflictsOf(setBack.Problem!)));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_RestoresAMultiSelectionValueThatHoldsTheHistorysSeparator_Exactly(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        await ImportAsync(rollout, "Name;Tags\nSEP-1;\"a; b|c\"\n", tagsSeparator: "|");
        var later = await ImportAsync(rollout, "Name;Tags\nSEP-1;q\n", updateExisting: true, tagsSeparator: "|");
        await using var db = rollout.Database.Database.CreateContext();
        var tags = rollout.Database.Fields["Tags"];

        await RequestAsync(rollout, later);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, later)).Status);

        var client = await db.Clients.AsNoTracking().SingleAsync(c => c.RolloutId == rollout.Id && c.Name == "SEP-1");
        Assert.Equal(["a; b", "c"], client.Values[tags]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_OfAnEntryWrittenWithoutItsValues_ReadsTheLabelByTheFieldsOptions_OrRefusesRatherThanGuess(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var withOptions = await rollout.AddClientAsync("OLD-OPT", values: new() { ["Software"] = ["App 1", "App 2"] });
        var free = await rollout.AddClientAsync("OLD-FREE", values: new() { ["Tags"] = ["x", "y"] });
        var first = await ImportAsync(rollout, "Name;Software\nOLD-OPT;App 3\n", updateExisting: true);
        var second = await ImportAsync(rollout, "Name;Tags\nOLD-FREE;z\n", updateExisting: true);
        await using var db = rollout.Database.Database.CreateContext();
        // As the writer recorded them before it kept the values: the label alone ("App 1; App 2", "x; y").
        foreach (var entry in await db.ClientHistory.Where(h => h.ImportId == first || h.ImportId == second).ToListAsync())
        {
            entry.Changes = [.. entry.Changes.Select(c => new FieldChange(c.Field, c.Old, c.New))];
        }

        await db.SaveChangesAsync();
        Assert.Contains(new FieldChange("Tags", "x; y", "z"),
            (await db.ClientHistory.AsNoTracking().SingleAsync(h => h.ImportId == second)).Changes);

        await RequestAsync(rollout, first);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, first)).Status);
        await RequestAsync(rollout, second);
        var refused = await TestImports.Lifecycle(db, Cache).RunRevertAsync(second, null, default);

        Assert.Equal(["App 1", "App 2"], (await db.Clients.AsNoTracking().SingleAsync(c => c.Id == withOptions)).Values[rollout.Database.Fields["Software"]]);
        Assert.Equal(ProblemKind.Conflict, refused.Problem?.Kind);
        Assert.Contains("\"OLD-FREE\"", refused.Problem?.Message, StringComparison.Ordinal);
        Assert.Contains("Tags", refused.Problem?.Message, StringComparison.Ordinal);
        Assert.Equal(["z"], (await db.Clients.AsNoTracking().SingleAsync(c => c.Id == free)).Values[rollout.Database.Fields["Tags"]]);
        Assert.Equal(ImportStatus.Completed, (await db.Imports.AsNoTracking().SingleAsync(i => i.Id == second)).Status);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_OfAnEntryWrittenWithoutItsValues_WhoseLabelSplitsIntoTheOptionsInTwoWays_IsRefused(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var unique = Guid.NewGuid().ToString("N")[..8];
        string p = "P" + unique, q = "Q" + unique;
        var software = rollout.Database.Fields["Software"];
        await using var db = rollout.Database.Database.CreateContext();
        db.CustomFieldOptions.AddRange(
            new CustomFieldOption { CustomFieldId = software, Name = p, Position = 900 },
            new CustomFieldOption { CustomFieldId = software, Name = q, Position = 901 },
            new CustomFieldOption { CustomFieldId = software, Name = $"{p}; {q}", Position = 902 });
        await db.SaveChangesAsync();
        var client = await rollout.AddClientAsync("TWO-WAYS", values: new() { ["Software"] = [p, q] });
        var importId = await ImportAsync(rollout, "Name;Software\nTWO-WAYS;App 3\n", updateExisting: true);
        var entry = await db.ClientHistory.SingleAsync(h => h.ImportId == importId);
        Assert.Equal([p, q], entry.Changes.Single().OldValues);
        entry.Changes = [.. entry.Changes.Select(c => new FieldChange(c.Field, c.Old, c.New))];
        await db.SaveChangesAsync();

        await RequestAsync(rollout, importId);
        var refused = await TestImports.Lifecycle(db, Cache).RunRevertAsync(importId, null, default);

        Assert.Equal(ProblemKind.Conflict, refused.Problem?.Kind);
        Assert.Contains("does not split into the field's options in exactly one way", refused.Problem?.Message, StringComparison.Ordinal);
        // What to do, in this product (it has no page to edit a client's value).
        var softwareName = (await db.CustomFields.AsNoTracking().SingleAsync(f => f.Id == software)).Name;
        Assert.Contains($"Keep the import; to set the client's {softwareName} yourself, import a file with the client and that column, " +
                        "\"Update existing clients\" ticked", refused.Problem?.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("by hand", refused.Problem?.Message, StringComparison.Ordinal);
        Assert.Equal(["App 3"], (await db.Clients.AsNoTracking().SingleAsync(c => c.Id == client)).Values[software]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_WhenALinkIsMadeAfterTheRequest_FailsInTheJob_AndTheImportStaysCompleted(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var other = await rollout.AddClientAsync("LINKED-0");
        var importId = await ImportAsync(rollout, "Name\nLINKED-1\n");
        await RequestAsync(rollout, importId);
        await using (var db = rollout.Database.Database.CreateContext())
        {
            // What the client page's link does: the link and an entry on both clients.
            var created = await db.Clients.SingleAsync(c => c.RolloutId == rollout.Id && c.Name == "LINKED-1");
            db.ClientLinks.Add(new ClientLink { SourceClientId = created.Id, TargetClientId = other, ClientLinkTypeId = rollout.Database.PlainLinkType });
            db.ClientHistory.Add(new ClientHistoryEntry
            {
                ClientId = created.Id, At = DateTimeOffset.UtcNow, Action = ClientHistoryAction.Changed,
                Changes = [new FieldChange("Link", null, "relates to LINKED-0")],
            });
            await db.SaveChangesAsync();
        }

        await using var run = rollout.Database.Database.CreateContext();
        var result = await TestImports.Lifecycle(run, Cache).RunRevertAsync(importId, null, default);

        Assert.Equal(ProblemKind.Conflict, result.Problem?.Kind);
        var import = await run.Imports.AsNoTracking().SingleAsync(i => i.Id == importId);
        Assert.Equal((ImportStatus.Completed, null), (import.Status, import.RevertRequestedAt));
        Assert.Contains("LINKED-1: Link", import.RevertFailureMessage, StringComparison.Ordinal);
        Assert.Equal(2, await run.Clients.CountAsync(c => c.RolloutId == rollout.Id));
    }

    [Fact]
    public async Task ARevertAskedForAlready_AndAnImportNotCompleted_AreRefused_WithTheirReasons()
    {
        // Mutation testing (docs/development.md): without the first check of RefuseRevert, the second request fell
        // through to the conditional UPDATE and answered "was changed meanwhile: reload it"; without CanRevert, so did a
        // Waiting for Approval import. Both stay 409 either way: what the user reads is the reason.
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var importId = await ImportAsync(rollout, "Name\nASKED-1\n");
        await RequestAsync(rollout, importId);

        await using var db = rollout.Database.Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);
        var manager = rollout.Database.Users["manager"];
        var again = await imports.RequestRevertAsync(importId, manager, default);
        var waiting = await imports.CreateAsync(Path.Combine(Cache, "uploads"), rollout.Id, rollout.Laptops, "waiting.csv",
            Encoding.UTF8.GetBytes("Name\nASKED-2\n"), manager);
        var notCompleted = await imports.RequestRevertAsync(waiting.Import.Id, manager, default);

        Assert.Equal((ProblemKind.Conflict, $"Import {importId} is already being reverted."), (again.Problem?.Kind, again.Problem?.Message));
        Assert.Equal((ProblemKind.Conflict, $"Import {waiting.Import.Id} is Waiting for Approval: only a Completed import can be reverted."),
            (notCompleted.Problem?.Kind, notCompleted.Problem?.Message));
        var unchanged = await db.Imports.AsNoTracking().SingleAsync(i => i.Id == waiting.Import.Id);
        Assert.Equal((ImportStatus.WaitingForApproval, null), (unchanged.Status, unchanged.RevertRequestedAt));
    }

    [Fact]
    public async Task ARevertedImport_CannotBeRevertedApprovedOrCheckedAgain()
    {
        var rollout = await (await databases.GetAsync()).NewRolloutAsync();
        var importId = await ImportAsync(rollout, "Name\nTWICE-1\n");
        await RequestAsync(rollout, importId);
        await RunAsync(rollout, importId);

        await using var db = rollout.Database.Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);
        var manager = rollout.Database.Users["manager"];
        var again = await imports.RequestRevertAsync(importId, manager, default);

        Assert.Equal((ProblemKind.Conflict, $"Import {importId} has already been reverted."), (again.Problem?.Kind, again.Problem?.Message));
        Assert.Equal(ProblemKind.Conflict, (await imports.ApproveAsync(importId, manager, default)).Problem?.Kind);
        Assert.Equal(ProblemKind.Conflict, (await imports.CheckAsync(importId, default)).Problem?.Kind);
        var mapping = ImportMapping.FromJson((await db.Imports.AsNoTracking().SingleAsync(i => i.Id == importId)).Mapping);
        Assert.Equal(ProblemKind.Conflict, (await imports.UpdateMappingAsync(importId, mapping, default)).Problem?.Kind);
        Assert.Equal(ImportStatus.Reverted, (await db.Imports.AsNoTracking().SingleAsync(i => i.Id == importId)).Status);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_AfterTheFieldWasRenamed_AndANewFieldTookItsName_RestoresTheRenamedField(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var notes = await AddFieldAsync(rollout, "Note", CustomFieldType.Input);
        var client = await rollout.AddClientAsync("RENAMED-1");
        var importId = await ImportAsync(rollout, $"Name;{notes.Name}\nRENAMED-1;imported note\n", updateExisting: true);
        await using var db = rollout.Database.Database.CreateContext();
        var remarks = Unique("Remark");
        await db.CustomFields.Where(f => f.Id == notes.Id).ExecuteUpdateAsync(s => s.SetProperty(f => f.Name, remarks));
        // On no inventory, as a field made in the settings: only the name is the old field's.
        var taken = new CustomField { Name = notes.Name, Type = CustomFieldType.Input };
        db.CustomFields.Add(taken);
        await db.SaveChangesAsync();

        await RequestAsync(rollout, importId);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, importId)).Status);

        var values = (await db.Clients.AsNoTracking().SingleAsync(c => c.Id == client)).Values;
        Assert.False(values.ContainsKey(notes.Id));
        var entry = await db.ClientHistory.AsNoTracking().Where(h => h.ClientId == client).OrderByDescending(h => h.Id).FirstAsync();
        Assert.Equal(ClientHistoryAction.Reverted, entry.Action);
        Assert.Equal([new FieldChange(remarks, "imported note", null, FieldId: notes.Id)], entry.Changes);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_OfAFieldNoLongerOnTheClientsInventory_IsRefused_NamingTheField(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var notes = await AddFieldAsync(rollout, "Note", CustomFieldType.Input);
        await rollout.AddClientAsync("DETACHED-1");
        var importId = await ImportAsync(rollout, $"Name;{notes.Name}\nDETACHED-1;imported note\n", updateExisting: true);
        await using var db = rollout.Database.Database.CreateContext();
        await db.InventoryCustomFields.Where(f => f.CustomFieldId == notes.Id).ExecuteDeleteAsync();

        await RequestAsync(rollout, importId);
        var refused = await TestImports.Lifecycle(db, Cache).RunRevertAsync(importId, null, default);

        Assert.Equal(ProblemKind.Conflict, refused.Problem?.Kind);
        Assert.Contains($"the custom field \"{notes.Name}\" is no longer a field of its inventory (client \"DETACHED-1\")",
            refused.Problem?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_OfAnEntryWrittenWithoutTheFieldsId_FindsTheFieldByNameOnlyAmongTheInventorysFields_OrRefuses(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var notes = await AddFieldAsync(rollout, "Note", CustomFieldType.Input);
        var kept = await AddFieldAsync(rollout, "Kept", CustomFieldType.Input);
        var client = await rollout.AddClientAsync("BYNAME-1");
        var other = await rollout.AddClientAsync("BYNAME-2");
        var refusedImport = await ImportAsync(rollout, $"Name;{notes.Name}\nBYNAME-1;imported note\n", updateExisting: true);
        var revertedImport = await ImportAsync(rollout, $"Name;{kept.Name}\nBYNAME-2;imported\n", updateExisting: true);
        await using var db = rollout.Database.Database.CreateContext();
        // As the writer recorded them before it kept the field's id: the name alone.
        foreach (var entry in await db.ClientHistory.Where(h => h.ImportId == refusedImport || h.ImportId == revertedImport).ToListAsync())
        {
            Assert.All(entry.Changes, c => Assert.NotNull(c.FieldId));
            entry.Changes = [.. entry.Changes.Select(c => c with { FieldId = null })];
        }

        await db.SaveChangesAsync();
        await db.CustomFields.Where(f => f.Id == notes.Id).ExecuteUpdateAsync(s => s.SetProperty(f => f.Name, Unique("Remark")));
        // The old name now names a field of another inventory: never the field to restore.
        var taken = new CustomField { Name = notes.Name, Type = CustomFieldType.Input };
        db.CustomFields.Add(taken);
        await db.SaveChangesAsync();
        db.InventoryCustomFields.Add(new InventoryCustomField { InventoryId = rollout.Desktops, CustomFieldId = taken.Id, Position = 100 });
        await db.SaveChangesAsync();

        await RequestAsync(rollout, revertedImport);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, revertedImport)).Status);
        await RequestAsync(rollout, refusedImport);
        var refused = await TestImports.Lifecycle(db, Cache).RunRevertAsync(refusedImport, null, default);

        Assert.False((await db.Clients.AsNoTracking().SingleAsync(c => c.Id == other)).Values.ContainsKey(kept.Id));
        Assert.Equal(ProblemKind.Conflict, refused.Problem?.Kind);
        Assert.Contains($"the custom field \"{notes.Name}\" is no longer a field of its inventory", refused.Problem?.Message, StringComparison.Ordinal);
        Assert.Contains("\"BYNAME-1\"", refused.Problem?.Message, StringComparison.Ordinal);
        Assert.Equal(["imported note"], (await db.Clients.AsNoTracking().SingleAsync(c => c.Id == client)).Values[notes.Id]);
        Assert.Equal(ImportStatus.Completed, (await db.Imports.AsNoTracking().SingleAsync(i => i.Id == refusedImport)).Status);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_WhenLaterImportsChangedAFieldAndSetItBackUnderItsNewName_SeesOneFieldSetBack(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var notes = await AddFieldAsync(rollout, "Note", CustomFieldType.Input);
        var client = await rollout.AddClientAsync("SETBACK-1");
        var first = await ImportAsync(rollout, $"Name;{notes.Name}\nSETBACK-1;a\n", updateExisting: true);
        await ImportAsync(rollout, $"Name;{notes.Name}\nSETBACK-1;b\n", updateExisting: true);
        await using var db = rollout.Database.Database.CreateContext();
        var remarks = Unique("Remark");
        await db.CustomFields.Where(f => f.Id == notes.Id).ExecuteUpdateAsync(s => s.SetProperty(f => f.Name, remarks));
        await ImportAsync(rollout, $"Name;{remarks}\nSETBACK-1;a\n", updateExisting: true);

        var refused = await TestImports.Lifecycle(db, Cache).RequestRevertAsync(first, rollout.Database.Users["manager"], default);

        // One field (by its id) changed to "b" and set back to "a": no field differs, whatever its name was.
        Assert.Equal([new RevertConflict(client, "SETBACK-1", RevertConflict.ChangedBackField, null, null)],
            Listed(ImportLifecycle.RevertConflictsOf(refused.Problem!)));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_OfAValueWhoseOptionWasRemoved_IsRefused_AndOnceAddedAgainSpelledOtherwiseIsRestoredAsSpelledNow(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var model = await AddFieldAsync(rollout, "Model", CustomFieldType.Selection, "Latitude 5440", "ThinkPad T14");
        await using var db = rollout.Database.Database.CreateContext();
        var device = new Client
        {
            Name = "OPTION-1", RolloutId = rollout.Id, InventoryId = rollout.Laptops, StatusId = rollout.Database.Statuses["New"],
            Values = new() { [model.Id] = ["Latitude 5440"] },
        };
        db.Clients.Add(device);
        await db.SaveChangesAsync();
        var importId = await ImportAsync(rollout, $"Name;{model.Name}\nOPTION-1;ThinkPad T14\n", updateExisting: true);
        // Removed as the settings do, once no client holds it (the import changed the one).
        await db.CustomFieldOptions.Where(o => o.CustomFieldId == model.Id && o.Position == 0).ExecuteDeleteAsync();

        await RequestAsync(rollout, importId);
        var refused = await TestImports.Lifecycle(db, Cache).RunRevertAsync(importId, null, default);

        Assert.Equal(ProblemKind.Conflict, refused.Problem?.Kind);
        Assert.Contains($"its {model.Name} value \"Latitude 5440\" before the import is no longer an option of that field",
            refused.Problem?.Message, StringComparison.Ordinal);
        Assert.Contains("\"OPTION-1\"", refused.Problem?.Message, StringComparison.Ordinal);
        Assert.Contains($"Add \"Latitude 5440\" to the options of {model.Name} again (Settings, Custom fields) and revert again, " +
                        "or keep the import", refused.Problem?.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("by hand", refused.Problem?.Message, StringComparison.Ordinal);
        Assert.Equal(["ThinkPad T14"], (await db.Clients.AsNoTracking().SingleAsync(c => c.Id == device.Id)).Values[model.Id]);
        Assert.Equal(ImportStatus.Completed, (await db.Imports.AsNoTracking().SingleAsync(i => i.Id == importId)).Status);

        // Added again, as the refusal says: looked for by its name, as the importer takes an option (ignoring case), and
        // stored as the option is spelled.
        db.CustomFieldOptions.Add(new CustomFieldOption { CustomFieldId = model.Id, Name = "LATITUDE 5440", Position = 5 });
        await db.SaveChangesAsync();
        await RequestAsync(rollout, importId);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, importId)).Status);
        Assert.Equal(["LATITUDE 5440"], (await db.Clients.AsNoTracking().SingleAsync(c => c.Id == device.Id)).Values[model.Id]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_AfterTheStatusUserAndOptionsTheClientHadWereRenamed_AndOthersTookTheirNames_PutsBackThoseItHad(
        DatabaseProvider provider)
    {
        // Decision 0061: the history keeps what an old value named by its id; names are given to others since.
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var statuses = await OwnWorkflowAsync(rollout, "New", "Scheduled", "Done");
        var colour = await AddFieldAsync(rollout, "Colour", CustomFieldType.Selection, "Red", "Blue");
        var apps = await AddFieldAsync(rollout, "Apps", CustomFieldType.MultiSelection, "Mail", "Chat", "Maps");
        await using var db = rollout.Database.Database.CreateContext();
        var oldEmail = Unique("owner").Replace(' ', '-') + "@test.example";
        var owner = TestSettings.User(oldEmail, "Owen Owner", Unique("U"), Role.Technician);
        db.Users.Add(owner);
        await db.SaveChangesAsync();
        db.RolloutMembers.Add(new RolloutMember { RolloutId = rollout.Id, UserId = owner.Id });
        var device = new Client
        {
            Name = "HAD-1", RolloutId = rollout.Id, InventoryId = rollout.Laptops, StatusId = statuses["Scheduled"],
            AssigneeId = owner.Id, Values = new() { [colour.Id] = ["Red"], [apps.Id] = ["Mail", "Chat"] },
        };
        db.Clients.Add(device);
        await db.SaveChangesAsync();
        var importId = await ImportAsync(rollout,
            $"Name;Status;Assignee;{colour.Name};{apps.Name}\nHAD-1;Done;tech@test.example;Blue;Maps\n", updateExisting: true);

        // Renamed, and each old name given to another: a status, a user's email, an option.
        await db.WorkflowStatuses.Where(s => s.Id == statuses["Scheduled"]).ExecuteUpdateAsync(s => s.SetProperty(x => x.Name, "Scheduled (old)"));
        db.WorkflowStatuses.Add(new WorkflowStatus { WorkflowId = statuses["Workflow"], Name = "Scheduled", Position = 10 });
        var newEmail = "renamed-" + oldEmail;
        await db.Users.Where(u => u.Id == owner.Id).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.Email, newEmail).SetProperty(u => u.NormalizedEmail, newEmail.ToUpperInvariant()));
        var other = TestSettings.User("other-" + oldEmail, oldEmail, "Oscar Other", Unique("U"), Role.Technician);
        db.Users.Add(other);
        await db.CustomFieldOptions.Where(o => o.CustomFieldId == colour.Id && o.Name == "Red").ExecuteUpdateAsync(s => s.SetProperty(o => o.Name, "Crimson"));
        db.CustomFieldOptions.Add(new CustomFieldOption { CustomFieldId = colour.Id, Name = "Red", Position = 10 });
        await db.CustomFieldOptions.Where(o => o.CustomFieldId == apps.Id && o.Name == "Mail").ExecuteUpdateAsync(s => s.SetProperty(o => o.Name, "E-mail"));
        db.CustomFieldOptions.Add(new CustomFieldOption { CustomFieldId = apps.Id, Name = "Mail", Position = 10 });
        await db.SaveChangesAsync();

        await RequestAsync(rollout, importId);
        Assert.Equal(ImportStatus.Reverted, (await RunAsync(rollout, importId)).Status);

        var client = await db.Clients.AsNoTracking().SingleAsync(c => c.Id == device.Id);
        Assert.Equal((statuses["Scheduled"], (int?)owner.Id), (client.StatusId, client.AssigneeId));
        Assert.Equal(["Crimson"], client.Values[colour.Id]);
        Assert.Equal(["E-mail", "Chat"], client.Values[apps.Id]);
        // The revert's entry names them as they are called now.
        var entry = await db.ClientHistory.AsNoTracking().Where(h => h.ClientId == device.Id).OrderByDescending(h => h.Id).FirstAsync();
        Assert.Equal(ClientHistoryAction.Reverted, entry.Action);
        Assert.Contains(new FieldChange("Status", "Done", "Scheduled (old)"), entry.Changes);
        Assert.Contains(new FieldChange("Assignee", "tech@test.example", newEmail), entry.Changes);
        Assert.Contains(new FieldChange(colour.Name, "Blue", "Crimson", FieldId: colour.Id), entry.Changes);
        Assert.Contains(new FieldChange(apps.Name, "Maps", "E-mail; Chat", FieldId: apps.Id), entry.Changes);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_WhenTheStatusTheClientHadWasRemoved_AndANewOneTookItsName_IsRefused_NamingTheClientAndTheStatus(
        DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var statuses = await OwnWorkflowAsync(rollout, "New", "Scheduled", "Done");
        await using var db = rollout.Database.Database.CreateContext();
        var device = new Client { Name = "GONE-1", RolloutId = rollout.Id, InventoryId = rollout.Laptops, StatusId = statuses["Scheduled"] };
        db.Clients.Add(device);
        await db.SaveChangesAsync();
        var importId = await ImportAsync(rollout, "Name;Status\nGONE-1;Done\n", updateExisting: true);
        // Removed (no client holds it now), and a status of the same name added: another status.
        await db.WorkflowStatuses.Where(s => s.Id == statuses["Scheduled"]).ExecuteDeleteAsync();
        db.WorkflowStatuses.Add(new WorkflowStatus { WorkflowId = statuses["Workflow"], Name = "Scheduled", Position = 10 });
        await db.SaveChangesAsync();

        await RequestAsync(rollout, importId);
        var refused = await TestImports.Lifecycle(db, Cache).RunRevertAsync(importId, null, default);

        Assert.Equal(ProblemKind.Conflict, refused.Problem?.Kind);
        Assert.Equal($"Import {importId} cannot be reverted: the status \"Scheduled\" it had before the import was removed from its " +
                     "workflow since, so it cannot be put back (a status given that name since is another one); keep the import " +
                     "(client \"GONE-1\"). Nothing was changed.", refused.Problem?.Message);
        Assert.Equal(statuses["Done"], (await db.Clients.AsNoTracking().SingleAsync(c => c.Id == device.Id)).StatusId);
        var import = await db.Imports.AsNoTracking().SingleAsync(i => i.Id == importId);
        Assert.Equal((ImportStatus.Completed, refused.Problem?.Message), (import.Status, import.RevertFailureMessage));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revert_IsRevertedAtTheTimeOfItsCommit_NotOfItsStart(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var client = await rollout.AddClientAsync("TIME-1", values: new() { ["Location"] = ["Berlin"] });
        var importId = await ImportAsync(rollout, "Name;Location\nTIME-1;Hamburg\nTIME-2;Bonn\n", updateExisting: true);
        await RequestAsync(rollout, importId);
        // A clock that moves on a second at every reading, as a revert of many clients takes its time.
        var start = DateTimeOffset.UtcNow.AddHours(1);
        var clock = new FakeTimeProvider(start) { AutoAdvanceAmount = TimeSpan.FromSeconds(1) };

        await using var db = rollout.Database.Database.CreateContext();
        var reverted = (await TestImports.Lifecycle(db, Cache, clock).RunRevertAsync(importId, null, default)).Expect();

        var restoredAt = (await db.ClientHistory.AsNoTracking()
            .Where(h => h.ClientId == client && h.Action == ClientHistoryAction.Reverted).SingleAsync()).At;
        Assert.True(reverted.RevertedAt > restoredAt, $"Reverted at {reverted.RevertedAt:O}, its client's entry at {restoredAt:O}");
    }

    private static string Unique(string prefix) => $"{prefix} {Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// A workflow of the test's own (the shared one's statuses are other tests' too) for the rollout's Laptops: its statuses
    /// by name, and its id as "Workflow".
    /// </summary>
    private static async Task<Dictionary<string, int>> OwnWorkflowAsync(TestRollout rollout, params string[] statuses)
    {
        await using var db = rollout.Database.Database.CreateContext();
        var workflow = TestSettings.Workflow(Unique("Flow"), statuses);
        db.Workflows.Add(workflow);
        await db.SaveChangesAsync();
        await db.Inventories.Where(i => i.Id == rollout.Laptops).ExecuteUpdateAsync(s => s.SetProperty(i => i.WorkflowId, workflow.Id));
        var ids = workflow.Statuses.ToDictionary(s => s.Name, s => s.Id);
        ids["Workflow"] = workflow.Id;
        return ids;
    }

    /// <summary>A new custom field (unique name) on the rollout's inventory Laptops only: the global fields are shared.</summary>
    private static async Task<CustomField> AddFieldAsync(TestRollout rollout, string prefix, CustomFieldType type, params string[] options)
    {
        await using var db = rollout.Database.Database.CreateContext();
        var field = new CustomField
        {
            Name = Unique(prefix), Type = type,
            Options = [.. options.Select((o, i) => new CustomFieldOption { Name = o, Position = i })],
        };
        db.CustomFields.Add(field);
        await db.SaveChangesAsync();
        db.InventoryCustomFields.Add(new InventoryCustomField { InventoryId = rollout.Laptops, CustomFieldId = field.Id, Position = 100 });
        await db.SaveChangesAsync();
        return field;
    }

    /// <summary>Uploads <paramref name="csv"/> (headers named as the targets), approves it and runs it to Completed.</summary>
    private static async Task<int> ImportAsync(TestRollout rollout, string csv, bool updateExisting = false, bool createOptions = false,
        CellChange? correction = null, string? tagsSeparator = null, CellChange? secondCorrection = null)
    {
        var manager = rollout.Database.Users["manager"];
        await using var db = rollout.Database.Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);
        var created = await imports.CreateAsync(Path.Combine(Cache, "uploads"), rollout.Id, rollout.Laptops, "revert.csv",
            Encoding.UTF8.GetBytes(csv), manager);
        var mapping = ImportMapping.FromJson(created.Import.Mapping);
        mapping.UpdateExisting = updateExisting;
        foreach (var column in mapping.Columns)
        {
            column.CreateOptions = createOptions && column.Target == "Model";
            if (column.Target == "Tags" && tagsSeparator is not null)
            {
                column.Separator = tagsSeparator;
            }
        }

        (await imports.UpdateMappingAsync(created.Import.Id, mapping, default)).Expect();
        if (correction is not null)
        {
            (await imports.CorrectAsync(created.Import.Id, new CorrectionChanges([correction, .. secondCorrection is null ? [] : new[] { secondCorrection }], []),
                manager, default)).Expect();
        }

        (await imports.ApproveAsync(created.Import.Id, manager, default)).Expect();
        var done = await imports.RunAsync(created.Import.Id, null, default);
        Assert.True(done.Status == ImportStatus.Completed, done.FailureMessage);
        return done.Id;
    }

    private static async Task<ClientImport> RequestAsync(TestRollout rollout, int importId)
    {
        await using var db = rollout.Database.Database.CreateContext();
        return (await TestImports.Lifecycle(db, Cache).RequestRevertAsync(importId, rollout.Database.Users["manager"], default)).Expect();
    }

    private static async Task<ClientImport> RunAsync(TestRollout rollout, int importId)
    {
        await using var db = rollout.Database.Database.CreateContext();
        return (await TestImports.Lifecycle(db, Cache).RunRevertAsync(importId, null, default)).Expect();
    }
}
