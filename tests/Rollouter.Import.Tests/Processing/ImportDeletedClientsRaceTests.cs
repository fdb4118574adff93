using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Rules;
using TestRollout = Rollouter.Import.Tests.Rules.TestRollout;

namespace Rollouter.Import.Tests.Processing;

/// <summary>
/// An "Update existing clients" import whose clients are deleted between its check and its write. QA: import B updated
/// two clients of import A; A was reverted, and B approved within half a second: B ended Completed, "2 written,
/// 0 updated", with the two clients gone and no word of it, since the writer loaded only the clients that still existed
/// and left the other rows out. The deletion is made deterministically: after the run's check read the rollout's
/// clients, before its write's transaction begins.
/// </summary>
[Collection(RulesDatabaseCollection.Name)]
public class ImportDeletedClientsRaceTests(RulesDatabases databases)
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql];

    private static readonly string Cache = Path.Combine(Path.GetTempPath(), "rollouter-deleted-clients-race-tests");

    private const string Failure =
        "Clients this file updates were deleted (by a revert or a user) while it was being written; the rows that name " +
        "them are listed. The import was cancelled and no clients have been created or changed. Check the import again: " +
        "those rows then create new clients (Update existing clients creates a client whose name does not exist), and " +
        "approve it if that is what you want.";

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ClientsRevertedAfterTheCheck_FailTheImportNamingEachRow_AndCheckedAgainTheyAreCreated(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var manager = rollout.Database.Users["manager"];
        var first = await PrepareAsync(rollout, "Name;Location\nDEL-1;Berlin\nDEL-2;Berlin\nDEL-3;Berlin\n");
        await using (var db = rollout.Database.Database.CreateContext())
        {
            Assert.Equal(ImportStatus.Completed, (await TestImports.Lifecycle(db, Cache).RunAsync(first, null, default)).Status);
        }

        var second = await PrepareAsync(rollout, "Name;Location\nDEL-1;Paris\nDEL-2;Paris\n", updateExisting: true,
            check: result => Assert.Equal((0, 2), (result.ToCreate, result.ToUpdate)));

        var import = await RunAsync(rollout, second, async db =>
        {
            var imports = TestImports.Lifecycle(db, Cache);
            (await imports.RequestRevertAsync(first, manager, default)).Expect();
            Assert.Equal(ImportStatus.Reverted, (await imports.RunRevertAsync(first, null, default)).Expect().Status);
        });

        Assert.Equal(ImportStatus.Failed, import.Status);
        Assert.Equal(Failure, import.FailureMessage);
        Assert.Equal((2, 0, 0, 0), (import.FailedRowCount, import.RowsWritten, import.CreatedCount, import.UpdatedCount));
        Assert.Equal(2, import.RowsChecked);
        await using var check = rollout.Database.Database.CreateContext();
        var errors = await check.ImportRowErrors.Where(e => e.ImportId == second).OrderBy(e => e.Row).ToListAsync();
        Assert.Equal([(2, "A", "DEL-1"), (3, "A", "DEL-2")], errors.Select(e => (e.Row, e.Column, e.Value)));
        Assert.Equal("Client \"DEL-1\" was deleted (by a revert or a user) while this import was running; check the " +
                     "import again to create it anew.", errors[0].Message);
        Assert.Empty(await ClientNamesAsync(check, rollout));
        Assert.False(await check.ClientHistory.AnyAsync(h => h.ImportId == second));

        // Checked again, the rows are new clients; approved, they are created.
        var imports = TestImports.Lifecycle(check, Cache);
        var again = (await imports.CheckAsync(second, default)).Expect();
        Assert.True(again.Succeeded, string.Join("; ", again.Errors.Select(e => e.Message)));
        Assert.Equal((2, 0), (again.ToCreate, again.ToUpdate));
        (await imports.ApproveAsync(second, manager, default)).Expect();
        var done = await imports.RunAsync(second, null, default);
        Assert.True(done.Status == ImportStatus.Completed, done.FailureMessage);
        Assert.Equal((2, 0), (done.CreatedCount, done.UpdatedCount));
        check.ChangeTracker.Clear();
        var location = rollout.Database.Fields["Location"];
        var clients = await check.Clients.Where(c => c.RolloutId == rollout.Id).OrderBy(c => c.Name).ToListAsync();
        Assert.Equal([("DEL-1", "Paris"), ("DEL-2", "Paris")], clients.Select(c => (c.Name, c.Values[location].Single())));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ALinkedClientDeletedAfterTheCheck_FailsTheImportNamingIt_AndCheckedAgainTheRowUpdatesItsOwnClient(
        DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var manager = rollout.Database.Users["manager"];
        var location = rollout.Database.Fields["Location"];
        var source = await rollout.AddClientAsync("LNK-1", values: new() { ["Location"] = ["Berlin"] });
        var target = await rollout.AddClientAsync("LNK-2", rollout.Desktops, new() { ["Location"] = ["Berlin"], ["Rack"] = ["R1"] });
        await rollout.LinkAsync(source, target);
        var importId = await PrepareAsync(rollout, "Name;Location\nLNK-1;Munich\n", updateExisting: true);

        // As the deletion of the Desktops inventory takes its clients: with their links and history.
        var import = await RunAsync(rollout, importId, async db =>
        {
            var links = db.ClientLinks.Where(l => l.SourceClientId == target || l.TargetClientId == target);
            await db.AdvancedLinkMemberships.Where(m => links.Select(l => l.Id).Contains(m.ClientLinkId)).ExecuteDeleteAsync();
            await links.ExecuteDeleteAsync();
            await db.ClientHistory.Where(h => h.ClientId == target).ExecuteDeleteAsync();
            await db.Clients.Where(c => c.Id == target).ExecuteDeleteAsync();
        });

        Assert.Equal(ImportStatus.Failed, import.Status);
        Assert.Equal(Failure, import.FailureMessage);
        await using var check = rollout.Database.Database.CreateContext();
        var error = Assert.Single(await check.ImportRowErrors.Where(e => e.ImportId == importId).ToListAsync());
        Assert.Equal((2, "LNK-1"), (error.Row, error.Value));
        Assert.Contains("Client \"LNK-2\", which an advanced link ties to \"LNK-1\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(["Berlin"], (await check.Clients.SingleAsync(c => c.Id == source)).Values[location]);

        var imports = TestImports.Lifecycle(check, Cache);
        (await imports.ApproveAsync(importId, manager, default)).Expect();
        var done = await imports.RunAsync(importId, null, default);
        Assert.True(done.Status == ImportStatus.Completed, done.FailureMessage);
        Assert.Equal((0, 1), (done.CreatedCount, done.UpdatedCount));
        check.ChangeTracker.Clear();
        Assert.Equal(["Munich"], (await check.Clients.SingleAsync(c => c.Id == source)).Values[location]);
    }

    /// <summary>
    /// Another import takes names of the file between the run's check and its write. QA (SQLite): the failed import's
    /// progress then read "0 of 100,000 rows checked, 50,000 failed", since on SQLite the run's figures are kept in the
    /// process and the import's row was never told; on PostgreSQL the heartbeat had stored them.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task NamesTakenAfterTheCheck_FailTheImport_WithEveryRowCountedAsChecked(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var second = await PrepareAsync(rollout, "Name;Location\nRACE-1;Paris\nRACE-2;Paris\nRACE-3;Paris\n");
        var first = await PrepareAsync(rollout, "Name;Location\nRACE-2;Berlin\nRACE-3;Berlin\n");

        var import = await RunAsync(rollout, second, async db =>
            Assert.Equal(ImportStatus.Completed, (await TestImports.Lifecycle(db, Cache).RunAsync(first, null, default)).Status));

        Assert.Equal(ImportStatus.Failed, import.Status);
        Assert.StartsWith("Another import or user created clients with names from this file", import.FailureMessage, StringComparison.Ordinal);
        Assert.Equal((3, 0, 2), (import.RowsChecked, import.RowsWritten, import.FailedRowCount));
        await using var check = rollout.Database.Database.CreateContext();
        var stored = await check.Imports.SingleAsync(i => i.Id == second);
        Assert.Equal((3, 0, 2), (stored.RowsChecked, stored.RowsWritten, stored.FailedRowCount));
        Assert.Equal(["RACE-2", "RACE-3"], await ClientNamesAsync(check, rollout));
    }

    /// <summary>
    /// QA (SQLite): 200,000 clients reverted under an import updating them failed it with every row stored, "failedRows
    /// 200000, listedRows 200000, complete true", past the 100,000 rows an import lists (decision 0054); with a
    /// million-row file the writer held a million deleted clients. Now the first rows are listed and every one counted,
    /// so the page, the API and the error report say the list is partial. The bound is lowered to 2 rows.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ClientsRevertedAfterTheCheck_PastTheRowsListed_CountEveryRow_AndListTheFirst(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var manager = rollout.Database.Users["manager"];
        var first = await PrepareAsync(rollout, "Name;Location\nBIG-1;Berlin\nBIG-2;Berlin\nBIG-3;Berlin\nBIG-4;Berlin\nBIG-5;Berlin\n");
        await using (var db = rollout.Database.Database.CreateContext())
        {
            Assert.Equal(ImportStatus.Completed, (await TestImports.Lifecycle(db, Cache).RunAsync(first, null, default)).Status);
        }

        var second = await PrepareAsync(rollout, "Name;Location\nBIG-1;Paris\nBIG-2;Paris\nBIG-3;Paris\nBIG-4;Paris\nBIG-5;Paris\n",
            updateExisting: true);

        var import = await RunAsync(rollout, second, async db =>
        {
            var imports = TestImports.Lifecycle(db, Cache);
            (await imports.RequestRevertAsync(first, manager, default)).Expect();
            Assert.Equal(ImportStatus.Reverted, (await imports.RunRevertAsync(first, null, default)).Expect().Status);
        }, maxListedRows: 2);

        Assert.Equal(ImportStatus.Failed, import.Status);
        Assert.Equal(Failure + " Only the first 2 of the 5 failed rows are listed (an import lists at most 100,000 failed " +
                     "rows and 1,000,000 errors); the others failed the same way.", import.FailureMessage);
        Assert.Equal((5, 5, 0), (import.RowsChecked, import.FailedRowCount, import.RowsWritten));
        await using var check = rollout.Database.Database.CreateContext();
        var errors = await check.ImportRowErrors.Where(e => e.ImportId == second).OrderBy(e => e.Row).ToListAsync();
        Assert.Equal([(2, "BIG-1"), (3, "BIG-2")], errors.Select(e => (e.Row, e.Value)));
        Assert.Empty(await ClientNamesAsync(check, rollout));
    }

    /// <summary>The same bound for names taken meanwhile (here its errors' bound, 2: a row names one client).</summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task NamesTakenAfterTheCheck_PastTheErrorsListed_CountEveryRow_AndListTheFirst(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var second = await PrepareAsync(rollout, "Name;Location\nTAKE-1;Paris\nTAKE-2;Paris\nTAKE-3;Paris\nTAKE-4;Paris\nTAKE-5;Paris\n");
        var first = await PrepareAsync(rollout, "Name;Location\nTAKE-2;Berlin\nTAKE-3;Berlin\nTAKE-4;Berlin\nTAKE-5;Berlin\n");

        var import = await RunAsync(rollout, second, async db =>
            Assert.Equal(ImportStatus.Completed, (await TestImports.Lifecycle(db, Cache).RunAsync(first, null, default)).Status),
            maxListedErrors: 2);

        Assert.Equal(ImportStatus.Failed, import.Status);
        Assert.EndsWith(" Only the first 2 of the 4 failed rows are listed (an import lists at most 100,000 failed rows " +
                        "and 1,000,000 errors); the others failed the same way.", import.FailureMessage, StringComparison.Ordinal);
        Assert.Equal((5, 4, 0), (import.RowsChecked, import.FailedRowCount, import.RowsWritten));
        await using var check = rollout.Database.Database.CreateContext();
        var errors = await check.ImportRowErrors.Where(e => e.ImportId == second).OrderBy(e => e.Row).ToListAsync();
        Assert.Equal([(3, "TAKE-2"), (4, "TAKE-3")], errors.Select(e => (e.Row, e.Value)));
    }

    private static Task<List<string>> ClientNamesAsync(RolloutDbContext db, TestRollout rollout) =>
        db.Clients.Where(c => c.RolloutId == rollout.Id).OrderBy(c => c.Name).Select(c => c.Name).ToListAsync();

    /// <summary>
    /// Uploads <paramref name="csv"/> into Laptops, mapped automatically, checks it when asked to, and approves it (the
    /// test runs it).
    /// </summary>
    private static async Task<int> PrepareAsync(TestRollout rollout, string csv, bool updateExisting = false,
        Action<Importing.Rules.CheckResult>? check = null)
    {
        var manager = rollout.Database.Users["manager"];
        await using var db = rollout.Database.Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);
        var created = await imports.CreateAsync(Path.Combine(Cache, "uploads"), rollout.Id, rollout.Laptops, "deleted.csv",
            Encoding.UTF8.GetBytes(csv), manager);
        if (updateExisting)
        {
            var mapping = ImportMapping.FromJson(created.Import.Mapping);
            mapping.UpdateExisting = true;
            (await imports.UpdateMappingAsync(created.Import.Id, mapping, default)).Expect();
        }

        if (check is not null)
        {
            check((await imports.CheckAsync(created.Import.Id, default)).Expect());
        }

        (await imports.ApproveAsync(created.Import.Id, manager, default)).Expect();
        return created.Import.Id;
    }

    /// <summary>Runs the import with the bounds on the rows listed given, and <paramref name="change"/> after its check.</summary>
    private static Task<ClientImport> RunAsync(TestRollout rollout, int importId, Func<RolloutDbContext, Task> change,
        int maxListedRows = ImportChecker.MaxListedRows, int maxListedErrors = ImportChecker.MaxListedErrors) =>
        ChangeAfterTheCheck.RunAsync(rollout.Database.Database, db => new ImportProcessor(db, new ImportFileStore(db, Cache),
            ReaderLimits.Default, TimeProvider.System, NullLogger<ImportProcessor>.Instance)
        {
            MaxListedRows = maxListedRows,
            MaxListedErrors = maxListedErrors,
        }.RunAsync(importId, null, default), change);
}
