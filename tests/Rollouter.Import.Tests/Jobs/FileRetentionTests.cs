using System.Net;
using System.Net.Http.Json;
using System.Text;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;
using Rollouter.Import.Web.Features.Imports;
using Serilog.Events;

namespace Rollouter.Import.Tests.Jobs;

/// <summary>
/// QA (personal data, decision 0136): every uploaded file (people's names and emails in its cells) was kept for as long
/// as its import, in the database and in the data folder's import-cache, for ever unless the inventory was deleted. Now
/// the file of an import whose last activity is more than Rollouter:Imports:KeepFilesDays (90) days ago is deleted by the
/// sweep every instance runs at start-up and every 15 minutes: its chunks, the cached copy, the import marked; the
/// import's page and API say when and why, and what stays. 0 keeps every file.
/// </summary>
public sealed class FileRetentionTests(LogCapturingWebFactory factory) : IClassFixture<LogCapturingWebFactory>
{
    private string Cache => Directory.CreateDirectory(Path.Combine(factory.DataFolder, "import-cache")).FullName;

    private static string Deleted(int id, string fileName, DateTimeOffset on) =>
        $"The original file of import #{id} ({fileName}) was deleted on {on.UtcDateTime:yyyy-MM-dd}: this server keeps uploaded " +
        "files only for a while after their import's last run (its retention of uploaded files). The import's data is still " +
        "here: its column-field assignment, counts and failed rows, and the clients it wrote. To import the file's rows, " +
        "upload the file again as a new import.";

    private ImportRecovery Recovery(int keepFilesDays) => new(factory.Services.GetRequiredService<IServiceScopeFactory>(),
        factory.Services.GetRequiredService<JobStorage>(), TimeProvider.System, NullLogger<ImportRecovery>.Instance,
        Options.Create(new ImportSettings { KeepFilesDays = keepFilesDays }));

    private async Task<int> FailedImportAsync(HttpClient api, string fileName)
    {
        var rolloutId = await ApiTestClient.RolloutIdAsync(api, "W11");
        var laptops = await ApiTestClient.InventoryIdAsync(api, rolloutId, "Laptops");
        var id = ApiTestClient.Id(await ApiTestClient.ReadAsync(await ApiTestClient.UploadAsync(api, rolloutId, laptops, fileName,
            $"Name,Status,Client User\nKEPT-{Guid.NewGuid():N},No such status,jane.doe@customer.example\n")));
        await api.PostAsync($"/api/imports/{id}/approve", null);
        await ApiTestClient.WaitForResultAsync(api, id);
        return id;
    }

    private Task AgeAsync(int id, TimeSpan age) => factory.WithDbAsync(db => db.Imports.Where(i => i.Id == id)
        .ExecuteUpdateAsync(s => s.SetProperty(i => i.LastActivityAt, DateTimeOffset.UtcNow - age)));

    private async Task<(int Chunks, DateTimeOffset? DeletedAt)> StoredAsync(int id)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return (await db.ImportFileChunks.CountAsync(c => c.ImportId == id),
            await db.Imports.Where(i => i.Id == id).Select(i => i.FileDeletedAt).SingleAsync());
    }

    [Fact]
    public async Task AFileWhoseImportEndedMoreThanTheRetentionAgo_IsDeleted_ItsPageAndApiSaySo_AYoungerOneStays()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var old = await FailedImportAsync(api, "old.csv");
        var young = await FailedImportAsync(api, "young.csv");
        await AgeAsync(old, TimeSpan.FromDays(91));
        await AgeAsync(young, TimeSpan.FromDays(89));
        Assert.Single(Directory.GetFiles(Cache, $"import-{old}-*"));

        await Recovery(keepFilesDays: 90).SweepFilesAsync(CancellationToken.None);

        var (chunks, deletedAt) = await StoredAsync(old);
        Assert.Equal(0, chunks);
        var on = Assert.NotNull(deletedAt);
        Assert.Empty(Directory.GetFiles(Cache, $"import-{old}-*"));
        Assert.NotEqual(0, (await StoredAsync(young)).Chunks);
        Assert.Null((await StoredAsync(young)).DeletedAt);
        Assert.Single(Directory.GetFiles(Cache, $"import-{young}-*"));

        // The page says when and why, offers neither download; the failed rows stay.
        var manager = await factory.SignInAsync("manager@demo.test");
        var page = await manager.GetPageAsync($"/rollouts/W11/imports/{old}");
        Assert.Equal(Deleted(old, "old.csv", on), page.TestId("file-problem").NormalizedText());
        Assert.DoesNotContain("Download the uploaded file", page.Links());
        var download = await manager.GetAsync($"/rollouts/W11/imports/{old}/file");
        Assert.Equal(HttpStatusCode.Gone, download.StatusCode);
        Assert.Equal(Deleted(old, "old.csv", on), (await download.ReadPageAsync()).TestId("download-refused").NormalizedText());

        var file = await api.GetAsync($"/api/imports/{old}/file");
        Assert.Equal(HttpStatusCode.Gone, file.StatusCode);
        Assert.Contains(Deleted(old, "old.csv", on), await file.Content.ReadAsStringAsync());
        var errors = await api.GetJsonAsync($"/api/imports/{old}/errors");
        Assert.NotEqual(0, errors["total"]!.GetValue<int>());

        // Deleted on purpose: not logged as a lost file.
        Assert.DoesNotContain(factory.Logs.Events, e => e.Level >= LogEventLevel.Warning
            && Equals(CapturedLogEvents.Value(e, "ImportId"), old));
    }

    /// <summary>
    /// QA (decision 0151): once its file was deleted, a Failed import's page still offered Check and Approve (and the
    /// review its Check), each then refused with "the original file … was deleted": buttons that cannot work. The page
    /// now says what the file's absence stops instead of offering them; Discard of an import that never ran stays.
    /// </summary>
    [Fact]
    public async Task AnImportWhoseFileWasDeleted_OffersNoCheckApproveOrCorrection_AndSaysWhy()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var id = await FailedImportAsync(api, "gone.csv");
        var manager = await factory.SignInAsync("manager@demo.test");
        var before = await manager.GetPageAsync($"/rollouts/W11/imports/{id}");
        Assert.NotNull(before.TestId("approve"));
        Assert.NotNull(before.TestId("check"));
        await AgeAsync(id, TimeSpan.FromDays(91));

        await Recovery(keepFilesDays: 90).SweepFilesAsync(CancellationToken.None);

        var page = await manager.GetPageAsync($"/rollouts/W11/imports/{id}");
        Assert.Null(page.QuerySelector("[data-testid='approve']"));
        Assert.Null(page.QuerySelector("[data-testid='check']"));
        Assert.Null(page.QuerySelector("[data-testid='cell-editor']"));
        Assert.Null(page.QuerySelector("[data-testid='replacement-form']"));
        Assert.Equal("This import can no longer be checked, corrected or approved: each reads the uploaded file, which is " +
                     "no longer on this server (see the file above). To import the file's rows, upload the file again as a new import.",
            page.TestId("summary-file-gone").NormalizedText());
        var review = await (await factory.SignInAsync("kam@demo.test")).GetPageAsync($"/reviews/W11/imports/{id}");
        Assert.Null(review.QuerySelector("[data-testid='check']"));
        // The API refuses them as before, saying the file is gone (410).
        Assert.Equal(HttpStatusCode.Gone, (await api.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
    }

    /// <summary>
    /// QA (personal data): the file went, but its failing cells stayed in the database, as the failed rows' values and
    /// quoted in their reasons, and the corrections typed in the browser: people's emails kept for as long as the
    /// import. Now they go in the file's transaction; the rows, columns and reasons stay, and every reader says why.
    /// </summary>
    [Fact]
    public async Task WhenTheFileIsDeleted_TheFailedRowsValuesAndCorrectionsGo_ThePageApiAndReviewShowTheReasonsAndSaySo()
    {
        const string email = "jane.doe@customer.example";
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var id = await FailedImportAsync(api, "people.csv");
        var put = await api.PutAsJsonAsync($"/api/imports/{id}/corrections", new
        {
            cells = new[] { new { row = 2, column = "C", value = "john.roe@customer.example" } },
            replacements = new[] { new { column = "B", from = "No such status", to = "Nor this one" } },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var before = await api.GetJsonAsync($"/api/imports/{id}/errors");
        Assert.Contains(email, before.ToJsonString());
        await AgeAsync(id, TimeSpan.FromDays(91));

        await Recovery(keepFilesDays: 90).SweepFilesAsync(CancellationToken.None);

        // Nothing of the cells is left: no value, no reason quoting one, no correction or replacement.
        var on = Assert.NotNull((await StoredAsync(id)).DeletedAt);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            var errors = await db.ImportRowErrors.Where(e => e.ImportId == id).ToListAsync();
            Assert.Equal(before["total"]!.GetValue<int>(), errors.Count);
            Assert.All(errors, e => Assert.Null(e.Value));
            Assert.All(errors, e => Assert.DoesNotContain(email, e.Message, StringComparison.Ordinal));
            Assert.All(errors, e => Assert.DoesNotContain("No such status", e.Message, StringComparison.Ordinal));
            Assert.Equal(0, await db.ImportCellCorrections.CountAsync(c => c.ImportId == id));
            Assert.Equal(0, await db.ImportValueReplacements.CountAsync(r => r.ImportId == id));
        }

        var sentence = $"The failed cells' values, and the corrections made in the browser, were deleted with the uploaded file on " +
                       $"{on.UtcDateTime:yyyy-MM-dd} (this server's retention of uploaded files): the rows, columns and reasons " +
                       "stay, and a reason shows \"…\" where it quoted the value.";

        // The API: the same rows and reasons, no values, and why.
        var after = await api.GetJsonAsync($"/api/imports/{id}/errors");
        Assert.Equal(before["total"]!.GetValue<int>(), after["total"]!.GetValue<int>());
        Assert.Equal(sentence, after["valuesDeleted"]!.GetValue<string>());
        var items = after["items"]!.AsArray();
        Assert.All(items, i => Assert.Null(i!["value"]));
        Assert.Contains(items, i => i!["column"]!.GetValue<string>() == "C"
            && i["message"]!.GetValue<string>() == "No user with email \"…\" in this rollout.");
        Assert.DoesNotContain(email, after.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, (await api.GetJsonAsync($"/api/imports/{id}"))["corrections"]!["cells"]!.GetValue<int>());

        // The manager's page and the key account manager's review: the rows and reasons, the sentence, no Value column.
        foreach (var (user, path) in new[] { ("manager@demo.test", $"/rollouts/W11/imports/{id}"), ("kam@demo.test", $"/reviews/W11/imports/{id}") })
        {
            var page = await (await factory.SignInAsync(user)).GetPageAsync(path);
            Assert.Equal(sentence, page.TestId("failed-rows-values-deleted").NormalizedText());
            var table = page.TestId("failed-rows-table");
            Assert.Contains("No user with email \"…\" in this rollout.", table.NormalizedText(), StringComparison.Ordinal);
            Assert.DoesNotContain("Value", table.QuerySelectorAll("th").Select(th => th.NormalizedText()));
            Assert.DoesNotContain(email, page.DocumentElement.OuterHtml, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The values go in one statement per table on each provider: a value quoted whole, cut to 100 characters as the
    /// rules quote it, or trimmed; a one-letter value that other words of its reason hold leaves them alone; every row
    /// of the import, none of another import's.
    /// </summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task TheValuesAndTheirQuotesInTheReasonsGo_OnEachProvider(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var rollout = await TestRollout.AddAsync(database, "A");
        var longValue = "Jane Doe, " + new string('x', 150);
        var now = DateTimeOffset.UtcNow;
        int oldId, keptId;
        await using (var db = database.CreateContext())
        {
            var user = new User { UserName = "m@x.test", Email = "m@x.test", DisplayName = "M", UserCode = "U-1" };
            ClientImport Import(string name, TimeSpan age) => new()
            {
                RolloutId = rollout.RolloutId, InventoryId = rollout.InventoryId, FileName = name, CreatedBy = user,
                Status = ImportStatus.Failed, LastActivityAt = now - age,
            };
            var old = Import("old.csv", TimeSpan.FromDays(91));
            var kept = Import("kept.csv", TimeSpan.FromDays(1));
            db.Imports.AddRange(old, kept);
            await db.SaveChangesAsync();
            (oldId, keptId) = (old.Id, kept.Id);
            db.ImportRowErrors.AddRange(
                new ImportRowError { ImportId = oldId, Row = 2, Column = "C", Value = "jane.doe@customer.example",
                    Message = "No user with email \"jane.doe@customer.example\" in this rollout." },
                new ImportRowError { ImportId = oldId, Row = 3, Column = "A", Value = longValue,
                    Message = $"Name \"{longValue[..100]}…\" already exists in this inventory; enable \"Update existing clients\" to update it." },
                new ImportRowError { ImportId = oldId, Row = 4, Column = "C", Value = "  Jane Doe ",
                    Message = "No user named \"Jane Doe\" in this rollout." },
                new ImportRowError { ImportId = oldId, Row = 5, Column = "B", Value = "a",
                    Message = "\"a\" is not a status of workflow \"a\u00e0 Standard\" (New, Done)." },
                new ImportRowError { ImportId = oldId, Row = 6, Column = null, Value = null, Message = "The row has no name." },
                new ImportRowError { ImportId = keptId, Row = 2, Column = "C", Value = "jane.doe@customer.example",
                    Message = "No user with email \"jane.doe@customer.example\" in this rollout." });
            db.ImportCellCorrections.Add(new ImportCellCorrection { ImportId = oldId, Row = 2, Column = "C",
                Value = "john.roe@customer.example", Original = "jane.doe@customer.example", By = user, At = now });
            db.ImportValueReplacements.Add(new ImportValueReplacement { ImportId = oldId, Column = "B", From = "a", To = "New",
                By = user, At = now });
            await db.SaveChangesAsync();
        }

        await using (var db = database.CreateContext())
        {
            Assert.Equal(1, await new ImportFileStore(db, Cache).DeleteExpiredFilesAsync(now - TimeSpan.FromDays(90), now, 10,
                CancellationToken.None));
        }

        await using (var db = database.CreateContext())
        {
            var errors = await db.ImportRowErrors.Where(e => e.ImportId == oldId).OrderBy(e => e.Row)
                .Select(e => new { e.Row, e.Column, e.Value, e.Message }).ToListAsync();
            Assert.All(errors, e => Assert.Null(e.Value));
            Assert.Equal([
                "No user with email \"…\" in this rollout.",
                "Name \"…\" already exists in this inventory; enable \"Update existing clients\" to update it.",
                "No user named \"…\" in this rollout.",
                "\"…\" is not a status of workflow \"a\u00e0 Standard\" (New, Done).",
                "The row has no name.",
            ], errors.Select(e => e.Message));
            Assert.Equal([2, 3, 4, 5, 6], errors.Select(e => e.Row));
            Assert.Equal(0, await db.ImportCellCorrections.CountAsync(c => c.ImportId == oldId));
            Assert.Equal(0, await db.ImportValueReplacements.CountAsync(r => r.ImportId == oldId));
            // Another import, younger than the retention, keeps its values.
            Assert.Equal("jane.doe@customer.example",
                await db.ImportRowErrors.Where(e => e.ImportId == keptId).Select(e => e.Value).SingleAsync());
        }
    }

    [Fact]
    public async Task WithKeepFilesDaysZero_EveryFileIsKept()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var id = await FailedImportAsync(api, "kept.csv");
        await AgeAsync(id, TimeSpan.FromDays(3650));

        await Recovery(keepFilesDays: 0).SweepFilesAsync(CancellationToken.None);

        Assert.NotEqual(0, (await StoredAsync(id)).Chunks);
        Assert.Null((await StoredAsync(id)).DeletedAt);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/imports/{id}/file")).StatusCode);
    }
}
