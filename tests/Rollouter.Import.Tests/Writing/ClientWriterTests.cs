using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Tests.Writing;

public class ClientWriterTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Write_NewRows_CreatesClientsWithValuesAndCreatedHistory(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        var row = new ResolvedRow
        {
            RowNumber = 2,
            Name = "PC-0001",
            StatusId = s.Done,
            AssigneeId = s.Tech,
            ClientUserId = s.Owner,
            Description = "Front desk",
            Flag = "Broken screen",
            Values = new Dictionary<int, string[]> { [s.Location] = ["Berlin"], [s.Software] = ["App 1", "App 2"] },
        };

        var result = await s.WriteAsync([row, s.NewRow(3, "PC-0002")]);

        Assert.Equal(new WriteResult(2, 0), result);
        await using var db = s.CreateContext();
        var client = await db.Clients.SingleAsync(c => c.Name == "PC-0001");
        Assert.Equal((s.RolloutId, s.InventoryId, s.Done, s.Tech, s.Owner), (client.RolloutId, client.InventoryId,
            client.StatusId, client.AssigneeId, client.ClientUserId));
        Assert.Equal(("Front desk", "Broken screen", "pc-0001"), (client.Description, client.Flag, client.NameKey));
        Assert.Equal(["Berlin"], client.Values[s.Location]);
        Assert.Equal(["App 1", "App 2"], client.Values[s.Software]);
        Assert.True(DateTimeOffset.UtcNow - client.CreatedAt < TimeSpan.FromMinutes(1));
        Assert.Equal(client.CreatedAt, client.UpdatedAt);

        // The creation is recorded on the client ("created by import #7"), not as a history row per client.
        Assert.Equal((7, s.Tech), (client.CreatedByImportId, client.CreatedById));
        Assert.Empty(await HistoryAsync(db, client.Id));

        var second = await db.Clients.SingleAsync(c => c.Name == "PC-0002");
        Assert.Equal((7, s.Tech, s.New), (second.CreatedByImportId, second.CreatedById, second.StatusId));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Write_UpdateRow_ChangesOnlyGivenFields_AndRecordsOldAndNewValues(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        var id = await s.AddClientAsync("PC-0001",
            new Dictionary<int, string[]> { [s.Location] = ["Berlin"], [s.Model] = ["Model 0"] }, assignee: s.Tech);
        var row = new ResolvedRow
        {
            RowNumber = 2,
            ExistingClientId = id,
            Name = "pc-0001",
            StatusId = s.Done,
            AssigneeId = s.OtherTech,
            Description = "Moved",
            Values = new Dictionary<int, string[]> { [s.Location] = ["Hamburg"], [s.Model] = ["Model 0"] },
        };

        var result = await s.WriteAsync([row]);

        Assert.Equal(new WriteResult(0, 1), result);
        await using var db = s.CreateContext();
        var client = await db.Clients.SingleAsync();
        Assert.Equal("PC-0001", client.Name);
        Assert.Equal((s.Done, s.OtherTech, (int?)null, "Moved"), (client.StatusId, client.AssigneeId,
            client.ClientUserId, client.Description));
        Assert.Equal(["Hamburg"], client.Values[s.Location]);
        Assert.Equal(["Model 0"], client.Values[s.Model]);
        Assert.True(client.UpdatedAt > client.CreatedAt);
        var entry = Assert.Single(await HistoryAsync(db, client.Id));
        Assert.Equal((ClientHistoryAction.Changed, 7), (entry.Action, entry.ImportId));
        Assert.Equal(
        [
            // The old status and user by their ids too, for a revert after a rename (decision 0061).
            new FieldChange("Status", "New", "Done", OldId: s.New),
            new FieldChange("Assignee", "tech1@example.test", "tech2@example.test", OldId: s.Tech),
            new FieldChange("Description", null, "Moved"),
            new FieldChange("Location", "Berlin", "Hamburg", FieldId: s.Location),
        ], entry.Changes);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Write_StampsCreatedUpdatedAndHistoryWithTheJobsClock(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        var id = await s.AddClientAsync("PC-0001", new Dictionary<int, string[]> { [s.Location] = ["Berlin"] });
        var jobTime = new DateTimeOffset(2031, 5, 4, 10, 30, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(jobTime);
        var update = new ResolvedRow
        {
            RowNumber = 2,
            ExistingClientId = id,
            Name = "PC-0001",
            StatusId = s.Done,
            Values = new Dictionary<int, string[]> { [s.Location] = ["Hamburg"] },
        };

        await s.WriteAsync([update, s.NewRow(3, "PC-0002")], clock: clock);

        await using var db = s.CreateContext();
        var created = await db.Clients.SingleAsync(c => c.Name == "PC-0002");
        Assert.Equal((jobTime, jobTime), (created.CreatedAt, created.UpdatedAt));
        var updated = await db.Clients.SingleAsync(c => c.Id == id);
        Assert.Equal(jobTime, updated.UpdatedAt);
        Assert.NotEqual(jobTime, updated.CreatedAt);
        Assert.Equal(jobTime, Assert.Single(await HistoryAsync(db, id)).At);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Write_UpdateRowThatChangesNothing_IsNotCountedAndGetsNoHistory(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        var id = await s.AddClientAsync("PC-0001", new Dictionary<int, string[]> { [s.Location] = ["Berlin"] });
        DateTimeOffset before;
        await using (var db = s.CreateContext())
        {
            before = (await db.Clients.SingleAsync()).UpdatedAt;
        }

        var row = new ResolvedRow
        {
            RowNumber = 2,
            ExistingClientId = id,
            Name = "PC-0001",
            StatusId = s.New,
            Description = "",
            Values = new Dictionary<int, string[]> { [s.Location] = ["Berlin"] },
        };

        var result = await s.WriteAsync([row, s.NewRow(3, "PC-0002")]);

        Assert.Equal(new WriteResult(1, 0), result);
        await using (var db = s.CreateContext())
        {
            var client = await db.Clients.SingleAsync(c => c.Id == id);
            Assert.Empty(await HistoryAsync(db, id));
            Assert.Equal(before, client.UpdatedAt);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Write_LinkedUpdate_ImposesSharedValueOnLinkedClient_WithChangedHistory(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        var linked = await s.AddClientAsync("OLD-PC",
            new Dictionary<int, string[]> { [s.Location] = ["Berlin"], [s.Model] = ["Model 0"] });
        var row = s.NewRow(2, "NEW-PC", "Munich") with
        {
            LinkedUpdates = [new LinkedClientUpdate(linked, s.Location, ["Munich"])],
        };

        var result = await s.WriteAsync([row]);

        // The linked client is an updated client of the import.
        Assert.Equal(new WriteResult(1, 1), result);
        await using var db = s.CreateContext();
        var client = await db.Clients.SingleAsync(c => c.Id == linked);
        Assert.Equal(["Munich"], client.Values[s.Location]);
        Assert.Equal(["Model 0"], client.Values[s.Model]);
        var entry = Assert.Single(await HistoryAsync(db, linked));
        Assert.Equal((ClientHistoryAction.Changed, 7), (entry.Action, entry.ImportId));
        Assert.Equal([new FieldChange("Location", "Berlin", "Munich", FieldId: s.Location)], entry.Changes);
    }

    /// <summary>
    /// A linked client changed by its own row and, in a later batch, through its partner's row (the file's linked updates
    /// come after its rows) is one updated client; a client whose row and link change nothing is none.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Write_ClientChangedByItsRowAndThroughALink_InSeparateBatches_CountsOnce(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        var a = await s.AddClientAsync("PC-A", new Dictionary<int, string[]> { [s.Location] = ["Berlin"], [s.Model] = ["Model 0"] });
        var b = await s.AddClientAsync("PC-B", new Dictionary<int, string[]> { [s.Location] = ["Berlin"], [s.Model] = ["Model 0"] });
        var c = await s.AddClientAsync("PC-C", new Dictionary<int, string[]> { [s.Location] = ["Berlin"] });
        ResolvedRow Update(int row, int id, string name, Dictionary<int, string[]> values) =>
            new() { RowNumber = row, ExistingClientId = id, Name = name, Values = values, InAdvancedLink = true };
        ResolvedRow[] rows =
        [
            Update(2, a, "PC-A", new() { [s.Location] = ["Munich"] }),
            Update(3, b, "PC-B", new() { [s.Model] = ["Model 1"] }),
            Update(4, c, "PC-C", new() { [s.Location] = ["Berlin"] }),
            // What PC-A's row imposes on its partner PC-B, after the file's rows.
            new() { RowNumber = 2, ExistingClientId = a, Name = "PC-A", InAdvancedLink = true, LinkedUpdates = [new LinkedClientUpdate(b, s.Location, ["Munich"])] },
        ];

        var result = await s.WriteAsync(rows, batchSize: 1);

        Assert.Equal(new WriteResult(0, 2), result);
        await using var db = s.CreateContext();
        Assert.Equal(2, (await HistoryAsync(db, b)).Count);
        var partner = await db.Clients.SingleAsync(x => x.Id == b);
        Assert.Equal(["Munich"], partner.Values[s.Location]);
        Assert.Equal(["Model 1"], partner.Values[s.Model]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Write_OptionsToCreate_AreAddedAfterExistingOptions_WhenTheImportCommits(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        var row = s.NewRow(2, "PC-0001") with
        {
            Values = new Dictionary<int, string[]> { [s.Model] = ["Model 9"], [s.Software] = ["App 1", "App 2"] },
            NewOptions = [new NewOption(s.Model, "Model 9"), new NewOption(s.Software, "App 1"), new NewOption(s.Model, "Model 0")],
        };
        var next = s.NewRow(3, "PC-0002") with
        {
            Values = new Dictionary<int, string[]> { [s.Software] = ["App 2"] },
            NewOptions = [new NewOption(s.Software, "App 2")],
        };

        await s.WriteAsync([row, next], batchSize: 1);

        await using var db = s.CreateContext();
        var options = await db.CustomFieldOptions.OrderBy(o => o.CustomFieldId).ThenBy(o => o.Position)
            .Select(o => new { o.CustomFieldId, o.Name, o.Position }).ToListAsync();
        Assert.Equal(
        [
            new { CustomFieldId = s.Model, Name = "Model 0", Position = 0 },
            new { CustomFieldId = s.Model, Name = "Model 1", Position = 1 },
            new { CustomFieldId = s.Model, Name = "Model 9", Position = 2 },
            new { CustomFieldId = s.Software, Name = "App 1", Position = 0 },
            new { CustomFieldId = s.Software, Name = "App 2", Position = 1 },
        ], options);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Write_NameTakenMeanwhile_WritesNothing_AndNamesTheConflictingRows(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        var existing = await s.AddClientAsync("PC-0001", new Dictionary<int, string[]> { [s.Location] = ["Berlin"] });
        await s.AddClientAsync("PC-0005");
        await s.AddClientAsync("PC-Ä009");
        var (_, _, optionsBefore) = await s.CountAsync();
        // Rows 2-4 are written in the first batch; "pc-0005" (another case) fails the second; row 10 comes later, and
        // differs only in the case of a non-ASCII letter (the same name on every provider).
        var rows = new List<ResolvedRow>
        {
            s.NewRow(2, "PC-0002") with { NewOptions = [new NewOption(s.Model, "Model 9")] },
            s.NewRow(3, "PC-0003"),
            new() { RowNumber = 4, ExistingClientId = existing, Name = "PC-0001", Values = new() { [s.Location] = ["Rome"] } },
            s.NewRow(5, "PC-0004"),
            s.NewRow(6, "pc-0005"),
            s.NewRow(7, "PC-0006"),
            s.NewRow(8, "PC-0007"),
            s.NewRow(9, "PC-0008"),
            s.NewRow(10, "pc-ä009"),
        };

        var error = await Assert.ThrowsAsync<ClientNameConflictException>(() => s.WriteAsync(rows, batchSize: 3));

        Assert.Equal([new NameConflict(6, "pc-0005"), new NameConflict(10, "pc-ä009")], error.Conflicts);
        Assert.Equal((3, 0, optionsBefore), await s.CountAsync());
        await using var db = s.CreateContext();
        Assert.Equal(["Berlin"], (await db.Clients.SingleAsync(c => c.Id == existing)).Values[s.Location]);
        Assert.False(await db.CustomFieldOptions.AnyAsync(o => o.Name == "Model 9"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Write_NameTakenInAnEarlierBatchOfOnlyNewRows_NamesThatRow(DatabaseProvider provider)
    {
        // Batches of only new clients share one bulk insert (PostgreSQL: one COPY), whose error comes at its end.
        await using var s = await WriterScenario.CreateAsync(provider);
        await s.AddClientAsync("PC-0003");
        var rows = Enumerable.Range(2, 9).Select(row => s.NewRow(row, row == 4 ? "pc-0003" : $"PC-{row + 100:0000}")).ToList();

        var error = await Assert.ThrowsAsync<ClientNameConflictException>(() => s.WriteAsync(rows, batchSize: 2));

        Assert.Equal([new NameConflict(4, "pc-0003")], error.Conflicts);
        Assert.Equal(1, (await s.CountAsync()).Clients);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Write_IntoARolloutThatIsNotTheInventorysOwn_WritesNothing(DatabaseProvider provider)
    {
        // No foreign key ties a client's rollout to its inventory's (it would be checked row by row): the writer
        // checks the pair once, under a lock on the inventory.
        await using var s = await WriterScenario.CreateAsync(provider);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => s.WriteAsync(Rows(s, 10), s.Context with { RolloutId = s.RolloutId + 1 }));

        Assert.Contains($"does not belong to rollout {s.RolloutId + 1}", error.Message);
        Assert.Equal(0, (await s.CountAsync()).Clients);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Write_ReportsRowsWrittenAfterEachBatch(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        var reported = new List<int>();

        var result = await s.WriteAsync(Rows(s, 2_500), batchSize: 1_000, progress: new SynchronousProgress(reported.Add));

        Assert.Equal(new WriteResult(2_500, 0), result);
        Assert.Equal([1_000, 2_000, 2_500], reported);
        Assert.Equal((2_500, 0, 2), await s.CountAsync());
        await using var db = s.CreateContext();
        var last = await db.Clients.SingleAsync(c => c.Name == "PC-0002500");
        Assert.Equal(["Room 2500"], last.Values[s.Location]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Write_Cancelled_WritesNothing(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        using var cancellation = new CancellationTokenSource();
        IEnumerable<ResolvedRow> CancelAfterFirstBatch()
        {
            foreach (var row in Rows(s, 300).Select(r => r.RowNumber == 2 ? r with { NewOptions = [new NewOption(s.Model, "Model 9")] } : r))
            {
                if (row.RowNumber == 150)
                {
                    cancellation.Cancel();
                }

                yield return row;
            }
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => s.WriteAsync(CancelAfterFirstBatch(), batchSize: 100, cancellationToken: cancellation.Token));

        Assert.Equal((0, 0, 2), await s.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Write_TwoWritersRacingForTheSameNames_OneWinsAndTheOtherGetsANameConflict(DatabaseProvider provider)
    {
        await using var s = await WriterScenario.CreateAsync(provider);
        var start = new TaskCompletionSource();

        async Task<WriteResult> RaceAsync(int importId)
        {
            await start.Task;
            return await s.WriteAsync(Rows(s, 3_000), s.Context with { ImportId = importId }, batchSize: 500);
        }

        var first = Task.Run(() => RaceAsync(1));
        var second = Task.Run(() => RaceAsync(2));
        start.SetResult();
        var outcomes = await Task.WhenAll(first.ContinueWith(t => t), second.ContinueWith(t => t));

        var winner = Assert.Single(outcomes, t => t.IsCompletedSuccessfully);
        Assert.Equal(new WriteResult(3_000, 0), await winner);
        var loser = Assert.Single(outcomes, t => t.IsFaulted);
        var conflict = Assert.IsType<ClientNameConflictException>(loser.Exception!.InnerException);
        Assert.Equal(3_000, conflict.Conflicts.Count);
        Assert.Equal(new NameConflict(2, "PC-0000001"), conflict.Conflicts[0]);
        await using var db = s.CreateContext();
        Assert.Equal(3_000, await db.Clients.CountAsync());
        Assert.Equal(3_000, await db.Clients.Select(c => c.NameKey).Distinct().CountAsync());
        Assert.Single(await db.Clients.Select(c => c.CreatedByImportId).Distinct().ToListAsync());
    }

    private static IEnumerable<ResolvedRow> Rows(WriterScenario s, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            yield return new ResolvedRow
            {
                RowNumber = i + 1,
                Name = $"PC-{i:D7}",
                StatusId = s.New,
                AssigneeId = s.Tech,
                ClientUserId = s.Owner,
                Description = $"Device {i}, \"quoted\"",
                Values = new Dictionary<int, string[]>
                {
                    [s.Location] = [$"Room {i}"],
                    [s.Model] = [$"Model {i % 2}"],
                    [s.Software] = ["App 1", "App 2"],
                },
            };
        }
    }

    /// <summary>Reports on the calling thread, unlike <see cref="Progress{T}"/>, so the test sees every report at once.</summary>
    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    private static Task<List<ClientHistoryEntry>> HistoryAsync(RolloutDbContext db, int clientId) =>
        db.ClientHistory.AsNoTracking().Where(h => h.ClientId == clientId).OrderBy(h => h.Id).ToListAsync();
}
