using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.Importing.Writing;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Rules;

namespace Rollouter.Import.Tests.Processing;

/// <summary>
/// An import from its kept file to Completed or Failed, as the background job runs it. The databases (and their global
/// custom fields) are shared with the rule tests: options these tests create have names no other test uses.
/// </summary>
[Collection(RulesDatabaseCollection.Name)]
public class ImportProcessorTests(RulesDatabases databases)
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql];

    private const string GoodFile = """
        Name;Status;Assignee;Model;Software;Serial
        PC-1;Prepared;tech@test.example;Model 1;App 1, App 2;SN000000001
        PC-2;;tech@test.example;model 2;App 3;SN000000002
        """;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Run_ValidFile_CreatesEveryClientAndCompletes(DatabaseProvider provider)
    {
        var (rollout, importId) = await PrepareAsync(provider, GoodFile, separator: ",");

        var import = await RunAsync(rollout, importId);

        Assert.Equal((ImportStatus.Completed, 2, 0, 0), (import.Status, import.CreatedCount, import.UpdatedCount, import.FailedRowCount));
        Assert.Null(import.FailureMessage);
        await using var db = rollout.Database.Database.CreateContext();
        var clients = await db.Clients.Where(c => c.RolloutId == rollout.Id).OrderBy(c => c.Name).ToListAsync();
        Assert.Equal(["PC-1", "PC-2"], clients.Select(c => c.Name));
        Assert.Equal(rollout.Database.Statuses["Prepared"], clients[0].StatusId);
        Assert.Equal(rollout.Database.Statuses["New"], clients[1].StatusId);
        Assert.Equal(["App 1", "App 2"], clients[0].Values[rollout.Database.Fields["Software"]]);
        Assert.Equal(["Model 2"], clients[1].Values[rollout.Database.Fields["Model"]]);
        Assert.All(clients, c => Assert.Equal(importId, c.CreatedByImportId));
        var inventory = await db.Inventories.SingleAsync(i => i.Id == rollout.Laptops);
        Assert.Equal(import.Mapping, inventory.LastImportMapping);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Run_WhenAnyRowFails_WritesNothingAndRecordsEveryFailingRow(DatabaseProvider provider)
    {
        var (rollout, importId) = await PrepareAsync(provider, """
            Name;Status;Assignee;Model;Software;Serial
            PC-1;Prepared;tech@test.example;Model 1;App 1;SN000000001
            PC-2;Prepard;tech@test.example;Model 1;App 1;SN000000002
            PC-3;New;nobody@test.example;Model 1;App 1;SN000000003
            pc-1;New;tech@test.example;Model 1;App 1;SN12
            """);

        var import = await RunAsync(rollout, importId);

        Assert.Equal(ImportStatus.Failed, import.Status);
        Assert.Equal(3, import.FailedRowCount);
        Assert.Contains("no clients have been created", import.FailureMessage);
        await using var db = rollout.Database.Database.CreateContext();
        Assert.Equal(0, await db.Clients.CountAsync(c => c.RolloutId == rollout.Id));
        var errors = await db.ImportRowErrors.Where(e => e.ImportId == importId).OrderBy(e => e.Row).ThenBy(e => e.Column)
            .ToListAsync();
        Assert.Equal(
            [(3, "B", "Status", "Prepard"), (4, "C", "Assignee", "nobody@test.example"), (5, "A", "Name", "pc-1"), (5, "F", "Serial", "SN12")],
            errors.Select(e => (e.Row, e.Column, e.Header, e.Value)));
        Assert.Contains("appears again", errors[2].Message);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task DryRun_GivesExactlyTheErrorsOfARealRun_AndWritesNothing(DatabaseProvider provider)
    {
        var (rollout, importId) = await PrepareAsync(provider, """
            Name;Status;Model
            PC-1;Nope;Model 1
            PC-2;New;Model never created
            """, approve: false);
        CheckResult dryRun;
        await using (var db = rollout.Database.Database.CreateContext())
        {
            var imports = TestImports.Lifecycle(db, Cache);
            dryRun = (await imports.CheckAsync(importId, default)).Expect();
            Assert.Equal(0, await db.Clients.CountAsync(c => c.RolloutId == rollout.Id));
            Assert.Equal(0, await db.ImportRowErrors.CountAsync(e => e.ImportId == importId));
            (await imports.ApproveAsync(importId, rollout.Database.Users["manager"], default)).Expect();
        }

        await RunAsync(rollout, importId);

        await using var check = rollout.Database.Database.CreateContext();
        var stored = await check.ImportRowErrors.Where(e => e.ImportId == importId).OrderBy(e => e.Row).ToListAsync();
        Assert.Equal(dryRun.Errors.Select(e => (e.Row, e.Column, e.Value, e.Message)),
            stored.Select(e => (e.Row, e.Column, e.Value, e.Message)));
        Assert.Equal(2, stored.Count);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Run_AfterFailure_WithChangedMapping_Completes(DatabaseProvider provider)
    {
        var (rollout, importId) = await PrepareAsync(provider, """
            Name;Status;Model
            PC-1;New;Model from processor test
            """);
        Assert.Equal(ImportStatus.Failed, (await RunAsync(rollout, importId)).Status);

        await using (var db = rollout.Database.Database.CreateContext())
        {
            var imports = TestImports.Lifecycle(db, Cache);
            var import = await db.Imports.AsNoTracking().SingleAsync(i => i.Id == importId);
            var mapping = ImportMapping.FromJson(import.Mapping);
            mapping.Columns.Single(c => c.Target == "Model").CreateOptions = true;
            (await imports.UpdateMappingAsync(importId, mapping, default)).Expect();
            (await imports.ApproveAsync(importId, rollout.Database.Users["manager"], default)).Expect();
        }

        var second = await RunAsync(rollout, importId);

        Assert.Equal((ImportStatus.Completed, 1), (second.Status, second.CreatedCount));
        await using var after = rollout.Database.Database.CreateContext();
        Assert.Equal(0, await after.ImportRowErrors.CountAsync(e => e.ImportId == importId));
        Assert.True(await after.CustomFieldOptions.AnyAsync(o => o.CustomFieldId == rollout.Database.Fields["Model"] && o.Name == "Model from processor test"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Run_UpdatingALinkedClient_ImposesTheSharedValueOnItsPartner(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var rollout = await database.NewRolloutAsync();
        var laptop = await rollout.AddClientAsync("LT-1", values: new() { ["Location"] = ["Berlin"] });
        var monitor = await rollout.AddClientAsync("MON-1", values: new() { ["Location"] = ["Berlin"] });
        await rollout.LinkAsync(laptop, monitor);
        var importId = await PrepareAsync(rollout, """
            Name;Location
            LT-1;Hamburg
            """, updateExisting: true);

        var import = await RunAsync(rollout, importId);

        // LT-1 by its row, MON-1 through the link: both are changed clients.
        Assert.Equal((ImportStatus.Completed, 0, 2), (import.Status, import.CreatedCount, import.UpdatedCount));
        await using var db = database.Database.CreateContext();
        var location = database.Fields["Location"];
        var clients = await db.Clients.Where(c => c.RolloutId == rollout.Id).ToDictionaryAsync(c => c.Name);
        Assert.Equal(["Hamburg"], clients["LT-1"].Values[location]);
        Assert.Equal(["Hamburg"], clients["MON-1"].Values[location]);
        var monitorId = clients["MON-1"].Id;
        var change = Assert.Single(await db.ClientHistory.Where(h => h.ClientId == monitorId).ToListAsync());
        Assert.Equal(importId, change.ImportId);
        Assert.Equal([new FieldChange("Location", "Berlin", "Hamburg", FieldId: location)], change.Changes);
    }

    /// <summary>
    /// QA: LT-1 linked to MON-1, LT-4 to LT-5; every one of the four got a history entry of the import, yet the import
    /// said 2 updated. The count is of changed clients, through a link too, each once (LT-5 by its row and its link).
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Run_UpdatedCount_IncludesClientsChangedThroughALink_EachOnce(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var rollout = await database.NewRolloutAsync();
        var laptop = await rollout.AddClientAsync("LT-1", values: new() { ["Location"] = ["Room A"] });
        var monitor = await rollout.AddClientAsync("MON-1", rollout.Desktops, values: new() { ["Location"] = ["Room A"] });
        var fourth = await rollout.AddClientAsync("LT-4", values: new() { ["Location"] = ["Room A"] });
        var fifth = await rollout.AddClientAsync("LT-5", values: new() { ["Location"] = ["Room A"], ["Notes"] = ["old"] });
        var unchanged = await rollout.AddClientAsync("LT-6", values: new() { ["Location"] = ["Room A"] });
        await rollout.LinkAsync(laptop, monitor);
        await rollout.LinkAsync(fourth, fifth);
        var importId = await PrepareAsync(rollout, """
            Name;Location;Notes
            LT-1;Room Z;
            LT-4;Room Q;
            LT-5;;new
            LT-6;Room A;
            """, updateExisting: true);

        var import = await RunAsync(rollout, importId);

        await using var db = database.Database.CreateContext();
        var changed = await db.ClientHistory.Where(h => h.ImportId == importId).Select(h => h.ClientId).Distinct().CountAsync();
        Assert.Equal((ImportStatus.Completed, 0, 4, 4), (import.Status, import.CreatedCount, import.UpdatedCount, changed));
        Assert.Equal(["Room Q"], (await db.Clients.SingleAsync(c => c.Id == fifth)).Values[database.Fields["Location"]]);
        Assert.False(await db.ClientHistory.AnyAsync(h => h.ClientId == unchanged));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Run_WhenEveryRowFails_RecordsTheFailedRowsWhileTheRestIsChecked_AndTheProgressMoves(DatabaseProvider provider)
    {
        var csv = new ClientFile("Name", "Status").Rows(12_000, i => [$"PC-{i}", "Lost"]).ToCsv(';');

        var (rollout, importId) = await PrepareAsync(provider, csv);
        await using var observer = rollout.Database.Database.CreateContext();
        var reports = new List<(ImportProgress Progress, int Recorded)>();
        var progress = new SynchronousProgress<ImportProgress>(p =>
            reports.Add((p, p.Checked == 11_000 ? observer.ImportRowErrors.Count(e => e.ImportId == importId) : -1)));

        var import = await RunAsync(rollout, importId, progress);

        Assert.Equal((ImportStatus.Failed, 12_000), (import.Status, import.FailedRowCount));
        Assert.Equal(12_000, await observer.ImportRowErrors.CountAsync(e => e.ImportId == importId && e.Column == "B"));
        // Nothing is written once a row failed, and the rows checked and failed keep counting up to the last.
        Assert.All(reports, r => Assert.Equal(0, r.Progress.Written));
        Assert.Equal(reports.Select(r => r.Progress.Checked).Order(), reports.Select(r => r.Progress.Checked));
        Assert.Subset(reports.Select(r => r.Progress.Checked).ToHashSet(), Enumerable.Range(1, 12).Select(i => i * 1_000).ToHashSet());
        Assert.Equal(reports.Select(r => r.Progress.Checked), reports.Select(r => r.Progress.Failed));
        // Failed rows are stored in batches of 5,000 while the rest is checked, not after the last row.
        Assert.InRange(reports.First(r => r.Progress.Checked == 11_000).Recorded, 5_000, 10_000);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Run_PastTheClientLimit_StopsWritingAtTheFirstClientTooMany_AndStillChecksEveryRow(DatabaseProvider provider)
    {
        // QA: 200,000 rows into a rollout limited to 5,000 clients wrote 139,000 of them before failing at the end.
        const int rows = 12_000;
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync(clientLimit: 100);
        var csv = new ClientFile("Name", "Status").Rows(rows, i => [$"LIMIT-{i}", i == rows ? "Lost" : "New"]).ToCsv(';');
        var importId = await PrepareAsync(rollout, csv);
        var reports = new RecordedProgress();

        var import = await RunAsync(rollout, importId, reports);

        Assert.Equal(ImportStatus.Failed, import.Status);
        Assert.Contains($"client limit ({rows:N0} of 100)", import.FailureMessage);
        // The row after the limit ends the write (one batch at most was sent), and the check still reaches the last
        // row and its error.
        Assert.InRange(reports.All.Max(p => p.Written), 0, ClientWriter.DefaultBatchSize);
        Assert.Equal(rows, reports.All[^1].Checked);
        Assert.Equal(1, import.FailedRowCount);
        await using var db = rollout.Database.Database.CreateContext();
        Assert.Equal(0, await db.Clients.CountAsync(c => c.RolloutId == rollout.Id));
    }

    [Theory]
    [InlineData("tr-TR")]
    [InlineData("de-DE")]
    [InlineData("ar-SA")]
    public async Task Run_OnAThreadOfAnotherCulture_StoresItsMessageAsTheEnglishUiShowsIt(string culture)
    {
        // QA: under LANG=tr_TR the stored message read "1.200 of 1.200 rows …", and a page in another culture then
        // failed to see that it states the count. A Hangfire worker runs in the culture the job was enqueued in.
        var csv = new ClientFile("Name", "Status").Rows(1_200, i => [$"CULT-{i}", "Lost"]).ToCsv(';');
        var (rollout, importId) = await PrepareAsync(DatabaseProvider.Sqlite, csv);

        var import = await InCultureAsync(culture, () => RunAsync(rollout, importId));

        Assert.Equal(ImportStatus.Failed, import.Status);
        Assert.StartsWith("1,200 of 1,200 rows could not be imported.", import.FailureMessage, StringComparison.Ordinal);
    }

    /// <summary>Runs <paramref name="run"/> with the current culture <paramref name="name"/>, then restores it.</summary>
    internal static async Task<T> InCultureAsync<T>(string name, Func<Task<T>> run)
    {
        var (culture, ui) = (System.Globalization.CultureInfo.CurrentCulture, System.Globalization.CultureInfo.CurrentUICulture);
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.CurrentUICulture =
            new System.Globalization.CultureInfo(name);
        try
        {
            return await run();
        }
        finally
        {
            (System.Globalization.CultureInfo.CurrentCulture, System.Globalization.CultureInfo.CurrentUICulture) = (culture, ui);
        }
    }

    [Fact]
    public async Task Run_ImportNotInProgress_DoesNothing()
    {
        var (rollout, importId) = await PrepareAsync(DatabaseProvider.Sqlite, GoodFile, approve: false);

        var import = await RunAsync(rollout, importId);

        Assert.Equal(ImportStatus.WaitingForApproval, import.Status);
        await using var db = rollout.Database.Database.CreateContext();
        Assert.Equal(0, await db.Clients.CountAsync(c => c.RolloutId == rollout.Id));
    }

    [Fact]
    public async Task Run_KeptFileNoLongerReadable_FailsWithTheReadersMessage()
    {
        var (rollout, importId) = await PrepareAsync(DatabaseProvider.Sqlite, GoodFile);
        await using (var db = rollout.Database.Database.CreateContext())
        {
            var import = await db.Imports.SingleAsync(i => i.Id == importId);
            import.FileName = "clients.xlsx";
            var store = new ImportFileStore(db, Cache);
            (import.FileSize, import.FileSha256) = await store.SaveAsync(importId, new MemoryStream("%PDF-1.7 not a workbook"u8.ToArray()), default);
            await db.SaveChangesAsync();
        }

        var failed = await RunAsync(rollout, importId);

        Assert.Equal(ImportStatus.Failed, failed.Status);
        Assert.Contains("PDF", failed.FailureMessage);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Run_ProgressNeverGoesBack_WhileRowsAreCheckedAndWritten(DatabaseProvider provider)
    {
        // Enough rows that writing reports several batches before checking reports its last row.
        const int rows = 10_000;
        var csv = new ClientFile("Name", "Location").Rows(rows, i => [$"PROGRESS-{i}", $"Room {i % 50}"], first: 0).ToCsv(';');

        var (rollout, importId) = await PrepareAsync(provider, csv);
        var reports = new RecordedProgress();

        await using (var db = rollout.Database.Database.CreateContext())
        {
            Assert.Equal(ImportStatus.Completed, (await TestImports.Lifecycle(db, Cache).RunAsync(importId, reports, default)).Status);
        }

        var seen = reports.All;
        Assert.Contains(seen, p => p.Written > 0 && p.Written < rows);
        Assert.All(seen.Zip(seen.Skip(1)), pair =>
        {
            Assert.True(pair.Second.Written >= pair.First.Written, $"written went back: {pair.First} then {pair.Second}");
            Assert.True(pair.Second.Checked >= pair.First.Checked, $"checked went back: {pair.First} then {pair.Second}");
        });
        Assert.Equal(new ImportProgress(rows, rows, rows), seen[^1]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Run_AfterAnInterruptedRun_KeepsTheFirstStart_AndCountsTheAttempt(DatabaseProvider provider)
    {
        var (rollout, importId) = await PrepareAsync(provider, GoodFile, separator: ",");
        var firstStart = new DateTimeOffset(2026, 12, 1, 8, 30, 0, TimeSpan.Zero);
        await using (var db = rollout.Database.Database.CreateContext())
        {
            // What a run that died in its write leaves: In Progress, started, its attempt counted, nothing written.
            await db.Imports.Where(i => i.Id == importId).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.StartedAt, firstStart)
                .SetProperty(i => i.Attempt, 1)
                .SetProperty(i => i.RowsChecked, 1));
        }

        var import = await RunAsync(rollout, importId);

        Assert.Equal((ImportStatus.Completed, 2, 2), (import.Status, import.CreatedCount, import.Attempt));
        Assert.Equal(firstStart, import.StartedAt);
        Assert.True(import.FinishedAt > firstStart);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Run_AfterTheLastAllowedAttemptWasInterrupted_FailsWritingNothing(DatabaseProvider provider)
    {
        var (rollout, importId) = await PrepareAsync(provider, GoodFile, separator: ",");
        await using (var db = rollout.Database.Database.CreateContext())
        {
            await db.Imports.Where(i => i.Id == importId).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.StartedAt, DateTimeOffset.UtcNow)
                .SetProperty(i => i.Attempt, ImportProcessor.MaxAttempts));
        }

        var import = await RunAsync(rollout, importId);

        Assert.Equal(ImportStatus.Failed, import.Status);
        Assert.Contains($"interrupted {ImportProcessor.MaxAttempts} times", import.FailureMessage);
        await using var check = rollout.Database.Database.CreateContext();
        Assert.Equal(0, await check.Clients.CountAsync(c => c.RolloutId == rollout.Id));
    }

    /// <summary>Every report, in the order the processor made them, whichever thread made them.</summary>
    private sealed class RecordedProgress : IProgress<ImportProgress>
    {
        private readonly List<ImportProgress> _reports = [];

        public IReadOnlyList<ImportProgress> All
        {
            get
            {
                lock (_reports)
                {
                    return [.. _reports];
                }
            }
        }

        public void Report(ImportProgress value)
        {
            lock (_reports)
            {
                _reports.Add(value);
            }
        }
    }

    private static readonly string Cache = Path.Combine(Path.GetTempPath(), "rollouter-processor-tests");

    private static async Task<ClientImport> RunAsync(Rules.TestRollout rollout, int importId,
        IProgress<ImportProgress>? progress = null)
    {
        await using var db = rollout.Database.Database.CreateContext();
        return await TestImports.Lifecycle(db, Cache).RunAsync(importId, progress, default);
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>
    /// Uploads <paramref name="csv"/> as a new import of the rollout's Laptops, mapped automatically, and approves it
    /// (nothing queued: the test runs it) unless <paramref name="approve"/> is false.
    /// </summary>
    private async Task<(Rules.TestRollout Rollout, int ImportId)> PrepareAsync(
        DatabaseProvider provider, string csv, string? separator = null, bool approve = true)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        return (rollout, await PrepareAsync(rollout, csv, separator, approve));
    }

    private static async Task<int> PrepareAsync(Rules.TestRollout rollout, string csv, string? separator = null,
        bool approve = true, bool updateExisting = false)
    {
        var database = rollout.Database;
        var manager = database.Users["manager"];
        await using var db = database.Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);
        var created = await imports.CreateAsync(Path.Combine(Cache, "uploads"), rollout.Id, rollout.Laptops, "clients.csv",
            Encoding.UTF8.GetBytes(csv), manager);
        var importId = created.Import.Id;
        var mapping = ImportMapping.FromJson(created.Import.Mapping);
        if (separator is not null)
        {
            mapping.Columns.Single(c => c.Target == "Software").Separator = separator;
        }

        mapping.UpdateExisting = updateExisting;
        (await imports.UpdateMappingAsync(importId, mapping, default)).Expect();
        if (approve)
        {
            (await imports.ApproveAsync(importId, manager, default)).Expect();
        }

        return importId;
    }
}
