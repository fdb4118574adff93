using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// The wizard's rough edges that users hit: New Import from an inventory, discarding an abandoned import, a key
/// account manager on a wizard address, the first rows as a grid.
/// </summary>
public abstract class WizardPolishTests(RolloutWebFactory factory)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<int> InventoryIdAsync(string name)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return (await db.Inventories.SingleAsync(i => i.Name == name)).Id;
    }

    private async Task<(HttpClient Client, string Path, int Id)> UploadCsvAsync(string csv, string fileName = "polish.csv")
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var response = await ImportPagesTests.UploadAsync(client, await InventoryIdAsync("Laptops"), fileName, Encoding.UTF8.GetBytes(csv));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var path = response.Headers.Location!.OriginalString;
        return (client, path, int.Parse(path[(path.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task<(bool Import, int Chunks)> StoredAsync(int importId)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return (await db.Imports.AnyAsync(i => i.Id == importId), await db.ImportFileChunks.CountAsync(c => c.ImportId == importId));
    }

    [Fact]
    public async Task DiscardingAnImport_RemovesItsCorrections_Too()
    {
        var (client, path, id) = await UploadCsvAsync($"Name,Department\n{Unique("DISC")},IT\n", "corrected.csv");
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            var manager = await db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync();
            db.ImportCellCorrections.Add(new ImportCellCorrection { ImportId = id, Row = 2, Column = "B", Value = "HR", Original = "IT", ById = manager, At = DateTimeOffset.UtcNow });
            db.ImportValueReplacements.Add(new ImportValueReplacement { ImportId = id, Column = "B", From = "IT", To = "HR", ById = manager, At = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var discarded = await RolloutWebFactory.PostFormAsync(client, path + "/discard", new() { ["confirmed"] = "true" }, path);

        Assert.Equal(HttpStatusCode.Redirect, discarded.StatusCode);
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            Assert.Equal(0, await db.ImportCellCorrections.CountAsync(c => c.ImportId == id));
            Assert.Equal(0, await db.ImportValueReplacements.CountAsync(r => r.ImportId == id));
        }
    }

    [Fact]
    public async Task ARolloutsPages_NameTheRolloutInTheirTitle_OncePerTitle()
    {
        var manager = await factory.SignInAsync("manager@demo.test");

        var imports = await manager.GetPageAsync("/rollouts/W11/imports");
        var rollout = await manager.GetPageAsync("/rollouts/W11");
        var settings = await manager.GetPageAsync("/rollouts");

        // Two tabs of two rollouts' imports tell which is which.
        Assert.Equal("Imports – Windows 11 Refresh – Rollouter", imports.Title);
        Assert.Equal(1, rollout.Title?.Split("Windows 11 Refresh").Length - 1);
        Assert.DoesNotContain("Windows 11 Refresh", settings.Title);
    }

    [Fact]
    public async Task NewImport_FromAnInventorysPage_PreselectsThatInventory()
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var monitors = await InventoryIdAsync("Monitors");

        var inventoryPage = await client.GetPageAsync($"/rollouts/W11/inventories/{monitors}");
        var link = inventoryPage.Href("new-import");
        Assert.Equal($"/rollouts/W11/imports/new?inventoryId={monitors}", link);

        var newPage = await client.GetPageAsync(link);
        var selected = Assert.Single(newPage.QuerySelectorAll("option[selected]"));
        Assert.Equal((monitors.ToString(System.Globalization.CultureInfo.InvariantCulture), "Monitors"),
            (selected.GetAttribute("value"), selected.NormalizedText()));
    }

    [Fact]
    public async Task AbandonedImport_IsDiscardedFromItsPage_WithItsFile_AndOnlyWithTheFormsToken()
    {
        var (client, path, id) = await UploadCsvAsync($"Name,Department\n{Unique("DIS")},IT\n", "abandoned.csv");
        var page = await client.GetPageAsync(path);
        Assert.Equal($"{path}/discard", page.Href("discard"));
        Assert.Equal($"Discard import #{id} (abandoned.csv)?", (await client.GetPageAsync(path + "/discard")).One("h1").NormalizedText());
        Assert.True((await StoredAsync(id)).Chunks > 0);

        var withoutToken = await client.PostAsync(path + "/discard", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        Assert.True((await StoredAsync(id)).Import);

        var discarded = await RolloutWebFactory.PostFormAsync(client, path + "/discard", new() { ["confirmed"] = "true" }, path);

        Assert.Equal(HttpStatusCode.Redirect, discarded.StatusCode);
        Assert.Equal("/rollouts/W11/imports#page-message", discarded.Headers.Location!.OriginalString);
        Assert.Contains($"Import #{id} (abandoned.csv) was discarded with its file.", await client.GetStringAsync("/rollouts/W11/imports"));
        Assert.Equal((false, 0), await StoredAsync(id));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task FailedImport_OffersNoDiscard_AndRefusesIt_KeepingItsFailedRows()
    {
        var (client, path, id) = await UploadCsvAsync($"Name,Status,Department\n{Unique("DIS")},Nope,IT\n");
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        Assert.Equal("Failed", (await api.WaitForResultAsync(id)).Status());
        var page = await client.GetStringAsync(path);
        Assert.DoesNotContain("/discard", page);

        var refused = await client.PostAsync(path + "/discard",
            new FormUrlEncodedContent([new("__RequestVerificationToken", RolloutWebFactory.AntiforgeryToken(page))]));

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        // What to do instead, as the summary shows it.
        Assert.Equal($"Import {id} is Failed and cannot be discarded: an import that has run is kept for the reviews and the import " +
                     "history. A failed import wrote nothing: correct it and approve it again, or leave it as it is.",
            (await refused.ReadPageAsync()).One("[role=alert].validation-summary-errors").NormalizedText());
        Assert.True((await StoredAsync(id)).Import);
        Assert.Equal(HttpStatusCode.Conflict, (await api.DeleteAsync($"/api/imports/{id}")).StatusCode);
    }

    /// <summary>
    /// QA: a Failed import could not be discarded, but once a changed mapping moved it to Waiting for Approval (its last
    /// run's approver, failed rows and times forgotten) it could, and went with its file and corrections, and from the
    /// key account managers' reviews. An import that has run is kept, whatever its status now (decision 0062).
    /// </summary>
    [Fact]
    public async Task FailedImport_MovedOnByAChangedMapping_IsStillKept_NoDiscardOnItsPage_TheApiRefusingIt_AndTheReviewsKeepIt()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptops = await api.InventoryIdAsync(rolloutId, "Laptops");
        var id = (await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, "moved.csv",
            $"Name,Status,Department\n{Unique("MOV")},Bogus,IT\n{Unique("MOV")},Bogus2,IT\n"))).Id();
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await api.WaitForResultAsync(id)).Status());
        Assert.Equal(HttpStatusCode.Conflict, (await api.DeleteAsync($"/api/imports/{id}")).StatusCode);
        var moved = await api.PutAsJsonAsync($"/api/imports/{id}/mapping", new
        {
            updateExisting = false,
            columns = new object[] { new { letter = "A", target = "Name" }, new { letter = "C", target = "Department" } },
        });
        Assert.Equal("WaitingForApproval", (await ApiTestClient.ReadAsync(moved)).Status());

        var refused = await api.DeleteAsync($"/api/imports/{id}");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal($"Import {id} has run before and cannot be discarded: an import that has run is kept for the reviews and the " +
                     "import history, also once its mapping or file settings changed. Its run failed and wrote nothing: correct it " +
                     "and approve it again, or leave it as it is.", (await ApiTestClient.ReadAsync(refused))["detail"]!.GetValue<string>());
        var path = $"/rollouts/W11/imports/{id}";
        var client = await factory.SignInAsync("manager@demo.test");
        var page = await client.GetPageAsync(path);
        Assert.Equal("WaitingForApproval", page.TestId("import-status").GetAttribute("data-status"));
        Assert.False(page.HasTestId("discard"));
        Assert.True(page.HasTestId("approve"));
        // The page's own discard address is refused too, on the import's page, and deletes nothing.
        var posted = await client.PostAsync(path + "/discard", new FormUrlEncodedContent(
            [new("confirmed", "true"), new("__RequestVerificationToken", page.AntiforgeryToken())]));
        Assert.Equal(HttpStatusCode.Conflict, posted.StatusCode);
        Assert.Equal((true, true), ((await StoredAsync(id)).Import, (await StoredAsync(id)).Chunks > 0));
        var review = await (await factory.SignInAsync("kam@demo.test")).GetAsync($"/reviews/W11/imports/{id}");
        Assert.Equal(HttpStatusCode.OK, review.StatusCode);
    }

    /// <summary>
    /// QA (a first-time user): the File card said "(1,612.3 KB)", "Csv" and "utf-8" where the upload page and File
    /// settings say "1.6 MB", "CSV" and "UTF-8".
    /// </summary>
    [Fact]
    public async Task FileCard_SaysTheSizeFormatAndEncoding_AsTheRestOfTheAppWritesThem()
    {
        var csv = "Name,Description\n" + string.Concat(Enumerable.Range(1, 800).Select(_ => $"{Unique("SIZE")},{new string('d', 2_000)}\n"));
        var (client, path, _) = await UploadCsvAsync(csv, "size.csv");

        var page = await client.GetPageAsync(path);

        var megabytes = (Encoding.UTF8.GetByteCount(csv) / (1024.0 * 1024)).ToString("N1", System.Globalization.CultureInfo.InvariantCulture);
        // What each label of the File card says.
        var details = page.TestId("file-details").QuerySelectorAll("dt")
            .ToDictionary(dt => dt.NormalizedText(), dt => dt.NextElementSibling!.NormalizedText());
        Assert.Equal($"size.csv ({megabytes} MB) Download the uploaded file", details["File"]);
        Assert.Equal("CSV", details["Format"]);
        Assert.Equal("UTF-8", details["Encoding"]);
        Assert.Equal($"({megabytes} MB)", page.TestId("file-size").NormalizedText());
        Assert.Equal("CSV", page.TestId("file-format").NormalizedText());
        Assert.Equal("UTF-8", page.TestId("file-encoding").NormalizedText());
        Assert.Equal("UTF-8", page.One("#Encoding").SelectedOption()?.NormalizedText());
    }

    /// <summary>QA: the status lines wrote "Column-Field assignment" and "Clients" where every other line of the page does not.</summary>
    [Fact]
    public async Task StatusLines_WriteColumnFieldAssignmentAndClients_AsThePageDoesElsewhere()
    {
        var (client, incomplete, _) = await UploadCsvAsync("Something\nx\n", "unmapped.csv");
        var (_, waiting, _) = await UploadCsvAsync($"Name,Department\n{Unique("CAP")},IT\n", "named.csv");

        Assert.Equal("The second step (column-field assignment) is empty. It is required to import at least the names of the clients.",
            (await client.GetPageAsync(incomplete)).TestId("status-explanation").NormalizedText());
        Assert.Equal("The import is ready to be started. After an approval, your file is processed based on your column-field assignment.",
            (await client.GetPageAsync(waiting)).TestId("status-explanation").NormalizedText());
        // A reviewer neither uploaded the file nor assigned its columns.
        var kam = await factory.SignInAsync("kam@demo.test");
        Assert.Equal("The import is ready to be started. Once a rollout manager approves it, the file is processed based on the column-field assignment saved for it.",
            (await kam.GetPageAsync(waiting.Replace("/rollouts/", "/reviews/", StringComparison.Ordinal))).TestId("status-explanation").NormalizedText());
    }

    /// <summary>QA: reverting an import that created clients and updated none spoke of "the values it changed on 0 clients".</summary>
    [Fact]
    public async Task RevertOfAnImportThatUpdatedNoClient_SaysOnlyWhatItUndoes()
    {
        var (client, path, id) = await UploadCsvAsync($"Name,Status,Department\n{Unique("REV")},New,IT\n", "created.csv");
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        Assert.Equal("Completed", (await api.WaitForResultAsync(id)).Status());

        var question = (await client.GetPageAsync(path + "/revert")).TestId("revert-impact").NormalizedText();
        Assert.Equal("The 1 client it created in Laptops is deleted and options it created that no client uses are removed. It is "
            + "refused, changing nothing, when any of these clients was changed since. Show the client it created", question);
        var card = (await client.GetPageAsync(path)).TestId("revert-summary").NormalizedText();
        Assert.Equal("Takes this import back in one step: the 1 client it created is deleted and options it created that no client "
            + "uses are removed. It is refused, changing nothing, when any of these clients was changed since.", card);
    }

    /// <summary>QA (a phone): while an import ran, its progress was below the File card, out of the window.</summary>
    [Fact]
    public async Task ARunningImport_ShowsItsProgressAboveTheFileCard()
    {
        var (client, path, id) = await UploadCsvAsync($"Name\n{Unique("RUN")}\n");
        using (var scope = factory.Services.CreateScope())
        {
            // In Progress without a job: the page as it shows a running import.
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            await db.Imports.Where(i => i.Id == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, ImportStatus.InProgress));
        }

        var page = await client.GetPageAsync(path);

        var progress = page.TestId("progress-bar");
        Assert.True(progress.CompareDocumentPosition(page.TestId("file-details")).HasFlag(AngleSharp.Dom.DocumentPositions.Following));
    }

    [Fact]
    public async Task Api_DeleteDiscardsAWaitingImport_With204_ButNotForAKeyAccountManagerOrATechnician()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await manager.RolloutIdAsync("W11");
        var laptops = await manager.InventoryIdAsync(rolloutId, "Laptops");
        var id = (await ApiTestClient.ReadAsync(await manager.UploadAsync(rolloutId, laptops, "api.csv", $"Name\n{Unique("DEL")}\n"))).Id();

        foreach (var email in new[] { "kam@demo.test", "technician@demo.test" })
        {
            var other = await ApiTestClient.LoginAsync(factory, email);
            Assert.Equal(HttpStatusCode.Forbidden, (await other.DeleteAsync($"/api/imports/{id}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await manager.DeleteAsync($"/api/imports/{id}")).StatusCode);
        Assert.Equal((false, 0), await StoredAsync(id));
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/api/imports/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.DeleteAsync($"/api/imports/{id}")).StatusCode);
    }

    [Fact]
    public async Task KeyAccountManager_OpeningTheWizardsImportPage_IsSentToItsReview()
    {
        var (_, path, id) = await UploadCsvAsync($"Name,Department\n{Unique("KAMW")},IT\n");
        var kam = await factory.SignInAsync("kam@demo.test");

        var response = await kam.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/reviews/W11/imports/{id}", response.Headers.Location!.OriginalString);
        Assert.Contains("Read-only review", await kam.GetStringAsync(response.Headers.Location));
        // Not a key account manager: the wizard still refuses.
        var technician = await factory.SignInAsync("technician@demo.test");
        Assert.StartsWith("/account/denied", (await technician.GetAsync(path)).Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task TwoColumnsMappedToStatus_AreNamed_AndTheStatusLineDoesNotCallTheMappingEmpty()
    {
        var (client, path, _) = await UploadCsvAsync($"Name,Status,State\n{Unique("TWO")},New,New\n");

        var saved = await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "Status",
            ["Columns[2].Letter"] = "C", ["Columns[2].Target"] = "Status",
        }, path);
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var page = await client.GetPageAsync(path);

        Assert.Contains("Mapping saved. The import stays Incomplete until the errors listed under Step 2 are corrected.", page.Body!.NormalizedText());
        Assert.Contains("Columns B (\"Status\") and C (\"State\") are both mapped to Status", page.Body!.NormalizedText());
        var explanation = page.TestId("status-explanation").NormalizedText();
        Assert.DoesNotContain("empty", explanation);
        Assert.Contains("The column-field assignment has errors", explanation);
    }

    [Fact]
    public async Task Check_ExplainsAPatternWithTheFieldsDescriptionAndAnExistingClientsValue()
    {
        var (client, path, _) = await UploadCsvAsync($"Name,Department,Serial number\n{Unique("PAT")},IT,SN12\n");

        var response = await RolloutWebFactory.PostFormAndFollowAsync(client, path + "/check", [], path);

        var page = await response.ReadPageAsync();
        // The example is an existing client's serial number (SN and six digits); a pattern over the message's text, not markup.
        Assert.Contains(page.TestId("check-errors").Texts("td"), message => System.Text.RegularExpressions.Regex.IsMatch(message,
            "\"SN12\" does not match the pattern of field \"Serial number\" \\(\\^SN\\[0-9\\]\\{6\\}\\$\\): "
            + "Manufacturer serial number, for example \"SN[0-9]{6}\"\\."));
    }

    [Fact]
    public async Task MappingStep_ShowsTheFirstTenRowsAsAGrid_WithColumnLettersHeadersAndRowNumbers()
    {
        var prefix = Unique("GRID");
        var csv = new ClientFile("Name", "Department").Rows(12, n => [$"{prefix}-{n:00}", $"Dept {n}"]).ToCsv();

        var (client, path, _) = await UploadCsvAsync(csv);
        var page = await client.GetPageAsync(path);

        var grid = page.TestId("preview");
        Assert.Equal("The first 10 rows of the file", grid.One("summary").NormalizedText());
        var head = grid.QuerySelectorAll("thead tr").ToList();
        Assert.Equal(["A", "B"], head[0].Texts("th[scope=col].text-center"));
        Assert.Equal(["Name", "Department"], head[1].Texts("th:not([scope])"));
        var rows = grid.QuerySelectorAll("tbody tr").ToList();
        Assert.Equal(10, rows.Count);
        Assert.All(rows, row => Assert.Equal("row", row.Children[0].GetAttribute("scope")));
        Assert.Equal($"11 | {prefix}-10 | Dept 10", grid.Rows()[^1]);
        Assert.DoesNotContain($"{prefix}-11", grid.NormalizedText());
    }

    [Fact]
    public async Task CheckAndTheFailedRowsLinks_LeadBackToTheirCard_NotToTheTopOfThePage()
    {
        var (client, path, id) = await UploadCsvAsync($"Name,Status,Department\n{Unique("ANC")},Nope,IT\n");
        Assert.Equal($"{path}/check#check", (await client.GetPageAsync(path)).TestId("check").GetAttribute("formaction"));
        var checkedPage = await (await RolloutWebFactory.PostFormAndFollowAsync(client, path + "/check", [], path)).ReadPageAsync();
        Assert.Equal("check", checkedPage.TestId("check-result").Id);

        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await (await ApiTestClient.LoginAsync(factory, "manager@demo.test")).WaitForResultAsync(id)).Status());
        var failed = await client.GetPageAsync(path);

        Assert.Equal("failed-rows", failed.TestId("failed-rows").Id);
        Assert.Contains($"{path}?column=B#failed-rows", failed.Links());
        Assert.Contains($"{path}#failed-rows", failed.Links());
    }
}

public sealed class SqliteWizardPolishTests(RolloutWebFactory factory)
    : WizardPolishTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresWizardPolishTests(PostgresWebFactory factory)
    : WizardPolishTests(factory), IClassFixture<PostgresWebFactory>;
