using System.Net;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Serilog.Events;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// An import whose kept file is no longer on the server (a database restored without its files: no chunks, no copy in
/// import-cache) or cannot be read there. QA: the download answered 200 with an empty file (and left an empty copy in
/// the cache for good), the page said "empty" of the file, and an unreadable copy was an error page. Now the page says
/// the file is missing, the downloads are the app's page saying so (410) with what still works and what to do, the
/// API answers problem details, and the server logs it once per request at Warning with the path.
/// </summary>
public sealed class MissingFileTests(LogCapturingWebFactory factory) : IClassFixture<LogCapturingWebFactory>
{
    private string Cache => Path.Combine(factory.DataFolder, "import-cache");

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private static string Missing(int id, string fileName) =>
        $"The original file of import #{id} ({fileName}) is no longer on the server. The import's data is still here: its " +
        "column-field assignment, counts and failed rows, and the clients it wrote. To read, check or approve it again, ask " +
        "your administrator to restore the file from a backup (operations.md, \"Backup and restore\"), or upload the file " +
        "again as a new import.";

    private async Task<int> UploadAsync(string fileName, string csv)
    {
        int rolloutId, laptops, userId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            rolloutId = await db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync();
            laptops = await db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.Id).SingleAsync();
            userId = await db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync();
        }

        return (await TestImports.CreateAsync(factory.Services, rolloutId, laptops, fileName, Encoding.UTF8.GetBytes(csv), userId)).Import.Id;
    }

    /// <summary>As a database restored without the imports' files leaves it: no chunk of the file, no copy in the cache.</summary>
    private async Task LoseTheFileAsync(int importId)
    {
        await factory.WithDbAsync(db => db.ImportFileChunks.Where(c => c.ImportId == importId).ExecuteDeleteAsync());
        foreach (var copy in Directory.GetFiles(Cache, $"import-{importId}-*"))
        {
            File.Delete(copy);
        }
    }

    private IReadOnlyList<LogEvent> Told(int importId) =>
        [.. factory.Logs.Events.Where(e => e.Level == LogEventLevel.Warning && Equals(CapturedLogEvents.Value(e, "ImportId"), importId)
                                           && e.MessageTemplate.Text.StartsWith("The file of import", StringComparison.Ordinal))];

    [Fact]
    public async Task AnImportWhoseFileIsNoLongerOnTheServer_ItsPageSaysSo_AndBothDownloadsAreThePageSayingWhatToDo()
    {
        var id = await UploadAsync("lost.csv", $"Name,Department\n{Unique("LOST")},IT\n");
        await LoseTheFileAsync(id);
        var manager = await factory.SignInAsync("manager@demo.test");
        var path = $"/rollouts/W11/imports/{id}";

        var page = await manager.GetPageAsync(path);
        Assert.Equal(Missing(id, "lost.csv"), page.TestId("file-problem").NormalizedText());
        Assert.Equal("The file's columns and samples cannot be shown: the file is no longer on the server (see File above).",
            page.TestId("mapping-no-columns").NormalizedText());
        Assert.DoesNotContain("Download the uploaded file", page.Links());

        // A link kept from before: the manager's download and the key account manager's, each the app's page.
        var downloads = new[] { (manager, path + "/file", path),
            (await factory.SignInAsync("kam@demo.test"), $"/reviews/W11/imports/{id}/file", $"/reviews/W11/imports/{id}") };
        foreach (var (browser, download, back) in downloads)
        {
            var refused = await browser.GetAsync(download);
            Assert.Equal(HttpStatusCode.Gone, refused.StatusCode);
            var answer = await refused.ReadPageAsync();
            Assert.Equal($"The file of import #{id} cannot be downloaded", answer.One("h1").NormalizedText());
            Assert.Equal(Missing(id, "lost.csv"), answer.TestId("download-refused").NormalizedText());
            Assert.Equal(back, answer.Href("import-link"));
        }

        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        Assert.Contains(Missing(id, "lost.csv"), (await api.GetJsonAsync($"/api/imports/{id}"))["warnings"]!.AsArray().Select(w => w?.GetValue<string>()));

        // Told once per request (page, two downloads, the API's import), with the path and no stack trace; no empty copy
        // is left in the cache to be taken for the file later.
        var told = Told(id);
        Assert.Equal(4, told.Count);
        Assert.All(told, e =>
        {
            Assert.Null(e.Exception);
            Assert.StartsWith(Path.Combine(Cache, $"import-{id}-"), CapturedLogEvents.Value(e, "Path") as string);
        });
        Assert.Empty(Directory.GetFiles(Cache, $"import-{id}-*"));
    }

    /// <summary>
    /// Approve of an import whose file is gone: refused at once (410, the file's words, nothing queued), on the page
    /// through the summary and through the API, instead of a run that failed with the same message (decision 0073).
    /// </summary>
    [Fact]
    public async Task Approve_OfAnImportWhoseFileIsNoLongerOnTheServer_IsRefusedAtOnce_OnThePageAndThroughTheApi()
    {
        var id = await UploadAsync("gone.csv", $"Name,Department\n{Unique("GONE")},IT\n");
        var manager = await factory.SignInAsync("manager@demo.test");
        var path = $"/rollouts/W11/imports/{id}";
        var page = await manager.GetPageAsync(path);
        Assert.Equal("WaitingForApproval", page.TestId("import-status").GetAttribute("data-status"));
        await LoseTheFileAsync(id);
        var message = $"Import {id} cannot be approved: {Missing(id, "gone.csv")} Nothing was changed.";

        // The page loaded before the file went: its Approve, a button of the mapping form.
        var form = page.Form(path + "/mapping");
        var shown = form.HiddenFields()
            .Concat(form.QuerySelectorAll<IHtmlSelectElement>("select[name]").Select(s => KeyValuePair.Create(s.Name!, s.SelectedOption()?.Value ?? "")))
            .Concat(form.QuerySelectorAll<IHtmlInputElement>("input[type=checkbox][name]").Where(c => c.IsChecked).Select(c => KeyValuePair.Create(c.Name!, c.Value)));
        var approved = await manager.PostAsync(path + "/approve", new FormUrlEncodedContent(shown));
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        var refused = await manager.GetPageAsync(approved.Headers.Location!.OriginalString);
        Assert.Equal(message, refused.TestId("page-error").NormalizedText());
        Assert.Equal("WaitingForApproval", refused.TestId("import-status").GetAttribute("data-status"));

        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var byApi = await api.PostAsync($"/api/imports/{id}/approve", null);
        Assert.Equal(HttpStatusCode.Gone, byApi.StatusCode);
        Assert.Equal("application/problem+json", byApi.Content.Headers.ContentType?.MediaType);
        Assert.Equal(message, (await ApiTestClient.ReadAsync(byApi))["detail"]?.GetValue<string>());

        // Nothing changed: never approved, no run, no failure message.
        var stored = await factory.WithDbAsync(db => db.Imports.AsNoTracking().SingleAsync(i => i.Id == id));
        Assert.Equal((ImportStatus.WaitingForApproval, null, null, null), (stored.Status, stored.ApprovedAt, stored.FirstApprovedAt, stored.FailureMessage));
    }

    [Fact]
    public async Task AFailedImportWhoseFileIsNoLongerOnTheServer_ListsItsFailedRows_AndItsErrorReportIsRefusedSayingWhy()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var import = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, await api.InventoryIdAsync(rolloutId, "Laptops"),
            "failing.csv", $"Name,Status\n{Unique("FAIL")},Nope\n"));
        var id = import.Id();
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await api.WaitForResultAsync(id)).Status());
        await LoseTheFileAsync(id);

        var report = await api.GetAsync($"/api/imports/{id}/error-report");
        Assert.Equal(HttpStatusCode.Gone, report.StatusCode);
        Assert.Equal("application/problem+json", report.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Missing(id, "failing.csv"), (await ApiTestClient.ReadAsync(report))["detail"]?.GetValue<string>());
        // The API's download of the file is refused the same way.
        var file = await api.GetAsync($"/api/imports/{id}/file");
        Assert.Equal(HttpStatusCode.Gone, file.StatusCode);
        Assert.Equal("application/problem+json", file.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Missing(id, "failing.csv"), (await ApiTestClient.ReadAsync(file))["detail"]?.GetValue<string>());

        var manager = await factory.SignInAsync("manager@demo.test");
        var page = await manager.GetPageAsync($"/rollouts/W11/imports/{id}");
        // Its failed rows are the database's: still listed, with row, value and reason.
        Assert.Contains("Nope", page.TestId("failed-rows-table").NormalizedText());
        var refused = await manager.GetAsync($"/rollouts/W11/imports/{id}/error-report");
        Assert.Equal(HttpStatusCode.Gone, refused.StatusCode);
        Assert.Equal(Missing(id, "failing.csv"), (await refused.ReadPageAsync()).TestId("download-refused").NormalizedText());
    }

    [Fact]
    public async Task AFileWhoseCopyCannotBeWritten_IsRefusedAsUnreadable_AndServedOnceTheFolderIsRight()
    {
        var csv = $"Name,Department\n{Unique("ODD")},IT\n";
        var id = await UploadAsync("odd.csv", csv);
        // Something the app cannot replace stands where the copy goes (here a folder; elsewhere a file it may not read).
        var copy = Assert.Single(Directory.GetFiles(Cache, $"import-{id}-*"));
        File.Delete(copy);
        Directory.CreateDirectory(copy);
        var manager = await factory.SignInAsync("manager@demo.test");
        var path = $"/rollouts/W11/imports/{id}";

        var refused = await manager.GetAsync(path + "/file");

        Assert.Equal(HttpStatusCode.Gone, refused.StatusCode);
        Assert.Equal($"The original file of import #{id} (odd.csv) cannot be read on the server. The import's data is still here: " +
            "its column-field assignment, counts and failed rows, and the clients it wrote. Ask your administrator: the server's log " +
            "names the file and why (operations.md, \"The data folder\").",
            (await refused.ReadPageAsync()).TestId("download-refused").NormalizedText());
        var told = Assert.Single(Told(id));
        Assert.Equal(copy, CapturedLogEvents.Value(told, "Path"));
        Assert.Null(told.Exception);

        Directory.Delete(copy);
        var served = await manager.GetAsync(path + "/file");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(csv, await served.Content.ReadAsStringAsync());
    }
}
