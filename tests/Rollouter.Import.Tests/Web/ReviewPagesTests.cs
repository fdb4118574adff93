using System.Net;
using System.Text;
using AngleSharp.Dom;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Reports;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// The key account managers' review: the imports of their rollouts, failed first, each read-only with its file and
/// error report; everyone else refused, foreign rollouts not found.
/// </summary>
public abstract class ReviewPagesTests(RolloutWebFactory factory)
{
    private const string Kam = "kam@demo.test";

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A failing CSV for Laptops: row 3 has a status that does not exist, row 4 a serial number off the pattern.</summary>
    private static string FailingLaptops() =>
        $"Name,Status,Department,Serial number\n{Unique("REV")},New,IT,SN920001\n{Unique("REV")},Nope,IT,SN920002\n{Unique("REV")},New,HR,SN92\n";

    /// <summary>Uploads <paramref name="csv"/> through the API as <paramref name="email"/>, approves it and waits for the result.</summary>
    private async Task<int> ImportAsync(string email, string rollout, string inventory, string csv, string expected,
        string fileName = "review.csv")
    {
        var client = await ApiTestClient.LoginAsync(factory, email);
        var rolloutId = await client.RolloutIdAsync(rollout);
        var inventoryId = await client.InventoryIdAsync(rolloutId, inventory);
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, inventoryId, fileName, csv));
        Assert.True(import.Status() == "WaitingForApproval", import.ToJsonString());
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        var result = await client.WaitForResultAsync(import.Id());
        Assert.True(result.Status() == expected, result.ToJsonString());
        return import.Id();
    }

    /// <summary>A new rollout (with an inventory "Desks" on the demo workflow) whose members are the administrator and the key account manager.</summary>
    private async Task<string> RolloutWithKamAsync()
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var identifier = Unique("K").ToUpperInvariant()[..8];
        var members = await db.Users.Where(u => u.Email == "admin@demo.test" || u.Email == Kam).ToListAsync();
        var workflow = await db.Workflows.FirstAsync();
        var rollout = new Rollout
        {
            Name = "Review " + identifier,
            Identifier = identifier,
            CreatedAt = DateTimeOffset.UtcNow,
            Members = [.. members.Select(u => new RolloutMember { User = u })],
        };
        db.Inventories.Add(new Inventory { Name = "Desks", Rollout = rollout, Workflow = workflow, CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        return identifier;
    }

    private static async Task<ImportStatus> StatusAsync(RolloutWebFactory factory, int importId)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return (await db.Imports.SingleAsync(i => i.Id == importId)).Status;
    }

    /// <summary>The import ids of the review list's rows, top to bottom, with their status.</summary>
    private static List<(int Id, string Status)> ListedImports(IDocument page) =>
        [.. page.QuerySelectorAll("[data-testid=reviews] tbody tr[data-import]").Select(row =>
            (int.Parse(row.GetAttribute("data-import")!, System.Globalization.CultureInfo.InvariantCulture), row.GetAttribute("data-status")!))];

    private static void AssertDenied(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/denied", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Kam_SeesTheImportsOfAllTheirRollouts_FailedOnesFirst_ThenTheNewest_ButNoneOfOtherRollouts()
    {
        var other = await RolloutWithKamAsync();
        var failed = await ImportAsync("manager@demo.test", "W11", "Laptops", FailingLaptops(), "Failed", "broken.csv");
        var completed = await ImportAsync("manager@demo.test", "W11", "Laptops",
            $"Name,Department\n{Unique("REV")},IT\n", "Completed", "fine.csv");
        var desks = await ImportAsync("admin@demo.test", other, "Desks", $"Name\n{Unique("DESK")}\n", "Completed", "desks.csv");
        var foreign = await ImportAsync("admin@demo.test", "SRV", "Servers", $"Name,Status\n{Unique("SRV")},Nope\n", "Failed", "servers.csv");
        var kam = await factory.SignInAsync(Kam);

        var response = await kam.GetAsync("/reviews");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadPageAsync();
        Assert.Contains(("Reviews", "/reviews"), page.NavigationLinks());
        var listed = ListedImports(page);
        var ids = listed.Select(l => l.Id).ToList();
        Assert.Contains(failed, ids);
        Assert.Contains(completed, ids);
        Assert.Contains(desks, ids);
        Assert.DoesNotContain(foreign, ids);
        Assert.DoesNotContain("Server Migration", page.Body!.NormalizedText());
        Assert.Contains($"Review {other}", page.Body!.NormalizedText());
        var firstOther = listed.FindIndex(l => l.Status != nameof(ImportStatus.Failed));
        Assert.True(firstOther > 0, "no failed import listed first");
        Assert.All(listed.Skip(firstOther), l => Assert.NotEqual(nameof(ImportStatus.Failed), l.Status));
        // Each group by latest activity, newest first (decision 0072).
        var activity = page.QuerySelectorAll("[data-testid=reviews] tbody tr[data-import]").Select(r => r.Cell("Last activity")).ToList();
        Assert.Equal(activity.Take(firstOther).OrderDescending(StringComparer.Ordinal), activity.Take(firstOther));
        Assert.Equal(activity.Skip(firstOther).OrderDescending(StringComparer.Ordinal), activity.Skip(firstOther));
        Assert.True(ids.IndexOf(desks) < ids.IndexOf(completed), "newest first among the others");
        Assert.Equal($"/reviews/W11/imports/{failed}", page.One($"tr[data-import='{failed}']").Link("broken.csv").GetAttribute("href"));
        Assert.Equal($"/reviews/{other}/imports/{desks}", page.One($"tr[data-import='{desks}']").Link("desks.csv").GetAttribute("href"));
        Assert.Contains("Max Manager", page.TestId("reviews").NormalizedText());
    }

    [Fact]
    public async Task TheReviewList_SaysWhoApprovedEachImportAndWhen_AsTheRolloutsImportsListDoes()
    {
        // QA: the rollout's imports list had an Approved (by, when) column, the key account managers' reviews had none.
        var approved = await ImportAsync("manager@demo.test", "W11", "Laptops", FailingLaptops(), "Failed", "approved.csv");
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var waiting = (await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, await client.InventoryIdAsync(rolloutId, "Laptops"),
            "waiting.csv", $"Name\n{Unique("REV")}\n"))).Id();
        var approvedAt = (await client.GetJsonAsync($"/api/imports/{approved}"))["approvedAt"]!.GetValue<DateTimeOffset>();
        var kam = await factory.SignInAsync(Kam);

        var page = await kam.GetPageAsync("/reviews");

        var row = page.One($"tr[data-import='{approved}']");
        Assert.Equal(("Max Manager", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{approvedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC")),
            Approved(row));
        Assert.Equal(("", ""), Approved(page.One($"tr[data-import='{waiting}']")));
        // The same as the rollout's imports list, for the same import.
        var manager = await factory.SignInAsync("manager@demo.test");
        var imports = await manager.GetPageAsync("/rollouts/W11/imports");
        Assert.Equal(Approved(row), Approved(Assert.Single(imports.QuerySelectorAll("tbody tr"),
            r => r.Links().Contains($"/rollouts/W11/imports/{approved}"))));
    }

    /// <summary>The Approved column of a list's row: who (the cell's own line) and when (the small line below it).</summary>
    private static (string Who, string When) Approved(IElement row)
    {
        var heads = row.Closest("table")?.QuerySelectorAll("thead th").Select(th => th.NormalizedText()).ToList() ?? [];
        Assert.Contains("Approved", heads);
        var cell = row.Children[heads.IndexOf("Approved")];
        var when = cell.QuerySelector(".small")?.NormalizedText() ?? "";
        var text = cell.NormalizedText();
        return (text[..(text.Length - when.Length)].Trim(), when);
    }

    [Fact]
    public async Task Kam_OpensAFailedImport_ReadOnly_WithFailedRowsByColumn_AndDownloadsTheFileAndTheErrorReport()
    {
        var csv = FailingLaptops();
        var id = await ImportAsync("manager@demo.test", "W11", "Laptops", csv, "Failed", "broken.csv");
        var kam = await factory.SignInAsync(Kam);
        var path = $"/reviews/W11/imports/{id}";

        var response = await kam.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var page = HtmlPage.Parse(html);
        Assert.Equal("Failed", page.TestId("import-status").GetAttribute("data-status"));
        Assert.Contains("Read-only review", page.Body!.NormalizedText());
        var failedRows = page.TestId("failed-rows").NormalizedText();
        Assert.Contains("is not a status of workflow", failedRows);
        Assert.Contains("does not match", failedRows);
        Assert.Contains("Serial number", page.TestId("mapping-read-only").NormalizedText());
        Assert.Contains("Comma (,)", page.Body!.NormalizedText());
        Assert.False(page.Has("#mapping-form"));
        Assert.False(page.Has("#parse-options-form"));
        Assert.DoesNotContain("mapping-form", html);
        Assert.DoesNotContain("parse-options-form", html);
        Assert.DoesNotContain("Save mapping", page.Actions());
        Assert.DoesNotContain("Approve", page.Actions());
        // Check is the review's own, read-only (a link to its result, decision 0080), not the wizard's form button.
        Assert.Equal(path + "/check#check", page.Href("check"));
        Assert.Equal("a", page.TestId("check").LocalName);
        Assert.DoesNotContain("Open it in the import wizard", page.Body!.NormalizedText());
        Assert.DoesNotContain($"/rollouts/W11/imports/{id}", html);

        var byStatus = await kam.GetStringAsync(path + "?column=B");
        Assert.Contains("is not a status of workflow", byStatus);
        Assert.DoesNotContain("does not match", byStatus);

        var file = await kam.GetAsync($"{path}/file");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal($"broken-import-{id}.csv", file.Content.Headers.ContentDisposition!.FileNameStar ?? file.Content.Headers.ContentDisposition.FileName);
        Assert.Equal(csv, Encoding.UTF8.GetString(await file.Content.ReadAsByteArrayAsync()));

        var report = await kam.GetAsync($"{path}/error-report");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal(Rollouter.Import.Exporting.XlsxStreamWriter.ContentType, report.Content.Headers.ContentType!.MediaType);
        using var workbook = new XLWorkbook(new MemoryStream(await report.Content.ReadAsByteArrayAsync()));
        Assert.Equal(3, workbook.Worksheets.First().LastRowUsed().RowNumber());
    }

    [Fact]
    public async Task Kam_PostingApprovalMappingCheckOrFileSettings_IsRefused_AndTheImportStaysAsItWas()
    {
        var id = await ImportAsync("manager@demo.test", "W11", "Laptops", FailingLaptops(), "Failed");
        var kam = await factory.SignInAsync(Kam);
        var wizard = $"/rollouts/W11/imports/{id}";
        var review = $"/reviews/W11/imports/{id}";

        // The wizard's page sends a key account manager to the review; its forms refuse them.
        var opened = await kam.GetAsync(wizard + "?page=1&column=B");
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.Equal(review + "?page=1&column=B", opened.Headers.Location!.OriginalString);
        AssertDenied(await RolloutWebFactory.PostFormAsync(kam, wizard + "/approve", [], review));
        AssertDenied(await RolloutWebFactory.PostFormAsync(kam, wizard + "/check", [], review));
        AssertDenied(await RolloutWebFactory.PostFormAsync(kam, wizard + "/mapping",
            new() { ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name" }, review));
        AssertDenied(await RolloutWebFactory.PostFormAsync(kam, wizard + "/parse-options", new() { ["HeaderRow"] = "2" }, review));
        Assert.Equal(HttpStatusCode.Forbidden, (await kam.GetAsync("/account/denied")).StatusCode);
        Assert.Equal(ImportStatus.Failed, await StatusAsync(factory, id));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await RolloutWebFactory.PostFormAsync(kam, review, [], review)).StatusCode);

        var api = await ApiTestClient.LoginAsync(factory, Kam);
        Assert.Equal("Failed", (await api.GetJsonAsync($"/api/imports/{id}")).Status());
        Assert.Equal(2, (await api.GetJsonAsync($"/api/imports/{id}/errors"))["total"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/imports/{id}/error-report")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        // The dry run stores nothing: a key account manager may check (decision 0080); the import stays as it was.
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/imports/{id}/check", null)).StatusCode);
        using var mapping = new StringContent("{\"updateExisting\":false,\"columns\":[{\"letter\":\"A\",\"target\":\"Name\"}]}",
            Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Forbidden, (await api.PutAsync($"/api/imports/{id}/mapping", mapping)).StatusCode);
        Assert.Equal(ImportStatus.Failed, await StatusAsync(factory, id));
    }

    [Fact]
    public async Task Kam_OpeningAnImportOfARolloutTheyAreNotAMemberOf_GetsNotFound()
    {
        var foreign = await ImportAsync("admin@demo.test", "SRV", "Servers", $"Name,Status\n{Unique("SRV")},Nope\n", "Failed");
        var kam = await factory.SignInAsync(Kam);

        foreach (var path in new[] { "", "/file", "/error-report", "/progress" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await kam.GetAsync($"/reviews/SRV/imports/{foreign}{path}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await kam.GetAsync($"/reviews/W11/imports/{foreign}{path}")).StatusCode);
        }

        var api = await ApiTestClient.LoginAsync(factory, Kam);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/imports/{foreign}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/imports/{foreign}/error-report")).StatusCode);
    }

    /// <summary>
    /// Mutation testing (security pass, 2026-12-07): every wizard address of an import checks that the import is in the
    /// address's rollout. The error report's did it apart from the others, and no test asked for another rollout's
    /// import there: without its check, a rollout manager downloaded the failed rows of a rollout they are not in.
    /// </summary>
    [Fact]
    public async Task Manager_AskingForAnotherRolloutsImportUnderTheirOwnRollout_GetsNotFound_NeitherPageNorDownload()
    {
        var foreign = await ImportAsync("admin@demo.test", "SRV", "Servers", $"Name,Status\n{Unique("SRV")},Nope\n", "Failed");
        var manager = await factory.SignInAsync("manager@demo.test");

        foreach (var path in new[] { "", "/file", "/error-report", "/progress", "/check" })
        {
            var response = await manager.GetAsync($"/rollouts/W11/imports/{foreign}{path}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Null(response.Content.Headers.ContentDisposition);
        }
    }

    [Fact]
    public async Task LinksSharedBetweenAKamAndARolloutManager_LeadEachToThePageTheyMaySee_ForeignRolloutsStillNotFound()
    {
        // QA: a review address sent to the rollout's manager, or a wizard download or list sent to its key account
        // manager, ended on "Access denied".
        var csv = FailingLaptops();
        var id = await ImportAsync("manager@demo.test", "W11", "Laptops", csv, "Failed", "shared.csv");
        var foreign = await ImportAsync("admin@demo.test", "SRV", "Servers", $"Name,Status\n{Unique("SRV")},Nope\n", "Failed");
        var (manager, kam) = (await factory.SignInAsync("manager@demo.test"), await factory.SignInAsync(Kam));
        var (review, wizard) = ($"/reviews/W11/imports/{id}", $"/rollouts/W11/imports/{id}");

        // The manager, on what the key account manager copied: the wizard's page with the same failed rows, the downloads.
        foreach (var (from, to) in new[]
                 {
                     (review + "?column=B", wizard + "?column=B"), (review + "/file", wizard + "/file"),
                     (review + "/error-report", wizard + "/error-report"),
                 })
        {
            var response = await manager.GetAsync(from);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(to, response.Headers.Location!.OriginalString);
        }

        var page = await manager.GetPageAsync(wizard + "?column=B");
        Assert.Equal("failed-rows", page.TestId("failed-rows").Id);
        Assert.Contains("is not a status of workflow", page.TestId("failed-rows-table").NormalizedText());
        Assert.DoesNotContain("does not match", page.TestId("failed-rows-table").NormalizedText());
        Assert.Contains("Approve", page.Actions());
        Assert.Equal(csv, Encoding.UTF8.GetString(await manager.GetByteArrayAsync(wizard + "/file")));
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync(wizard + "/error-report")).StatusCode);

        // The key account manager, on what the manager copied: the review's downloads, and the rollout's reviews.
        foreach (var (from, to) in new[]
                 {
                     (wizard + "/file", review + "/file"), (wizard + "/error-report", review + "/error-report"),
                     ("/rollouts/W11/imports", "/reviews?rollout=W11"), ("/rollouts/W11/imports?after=5", "/reviews?rollout=W11"),
                 })
        {
            var response = await kam.GetAsync(from);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(to, response.Headers.Location!.OriginalString);
        }

        Assert.Equal(csv, Encoding.UTF8.GetString(await kam.GetByteArrayAsync(review + "/file")));
        Assert.Equal(HttpStatusCode.OK, (await kam.GetAsync(review + "/error-report")).StatusCode);

        // Membership decides first, as everywhere: a rollout neither is a member of does not exist.
        foreach (var path in new[] { "", "/file", "/error-report" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/reviews/SRV/imports/{foreign}{path}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await kam.GetAsync($"/rollouts/SRV/imports/{foreign}{path}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await kam.GetAsync("/rollouts/SRV/imports")).StatusCode);
        // The wizard's forms stay refused to the key account manager.
        AssertDenied(await RolloutWebFactory.PostFormAsync(kam, wizard + "/approve", [], review));
    }

    [Fact]
    public async Task TheReviewsRolloutFilter_IsASearchBox_ByIdentifierOrAPartOfTheName_NotAListOfEveryRollout()
    {
        // Scale pass: the filter was a <select> of every rollout the reviewer sees (2,002 options, 200 KB for an administrator).
        var other = await RolloutWithKamAsync();
        var here = await ImportAsync("admin@demo.test", other, "Desks", $"Name\n{Unique("DESK")}\n", "Completed");
        var w11 = await ImportAsync("manager@demo.test", "W11", "Laptops", FailingLaptops(), "Failed");
        var kam = await factory.SignInAsync(Kam);

        var all = await kam.GetPageAsync("/reviews");
        var byName = await kam.GetPageAsync($"/reviews?q={Uri.EscapeDataString("EVIEW " + other[..6].ToLowerInvariant())}");
        var byIdentifier = await kam.GetPageAsync($"/reviews?q={other.ToLowerInvariant()}");
        var notTheirs = await kam.GetAsync("/reviews?q=SRV");

        Assert.Empty(all.Form("/reviews").QuerySelectorAll("select[name=rollout], option[value=W11]"));
        Assert.Contains(w11, ListedImports(all).Select(l => l.Id));
        Assert.Equal([here], ListedImports(byName).Select(l => l.Id));
        Assert.Equal("EVIEW " + other[..6].ToLowerInvariant(), byName.Form("/reviews").QuerySelector("input[name=q]")!.GetAttribute("value"));
        Assert.Equal([here], ListedImports(byIdentifier).Select(l => l.Id));
        // The identifier typed in another case is that rollout, as a link's ?rollout= is: the box shows it as it is.
        Assert.Equal(other, byIdentifier.Form("/reviews").QuerySelector("input[name=q]")!.GetAttribute("value"));
        // A rollout the reviewer is not a member of is no match, as a name no rollout has: nothing is said about it.
        Assert.Equal(HttpStatusCode.OK, notTheirs.StatusCode);
        Assert.Equal("No import matches these filters.", (await notTheirs.ReadPageAsync()).TestId("no-reviews").NormalizedText());
    }

    [Fact]
    public async Task TheReviews_AreFilteredByRolloutAndStatus_ThroughTheFormsBookmarkableAddress_AndTheRolloutLinksToItsOwn()
    {
        // QA: the reviews took no filter, and the rollout's page had no way to its reviews.
        var other = await RolloutWithKamAsync();
        var failedHere = await ImportAsync("admin@demo.test", other, "Desks", $"Name,Status\n{Unique("DESK")},Nope\n", "Failed");
        var completedHere = await ImportAsync("admin@demo.test", other, "Desks", $"Name\n{Unique("DESK")}\n", "Completed");
        var failedW11 = await ImportAsync("manager@demo.test", "W11", "Laptops", FailingLaptops(), "Failed");
        var kam = await factory.SignInAsync(Kam);

        var rolloutPage = await kam.GetPageAsync($"/rollouts/{other}");
        Assert.Equal($"/reviews?rollout={other}", rolloutPage.Href("rollout-reviews"));
        Assert.DoesNotContain("rollout-reviews", (await (await factory.SignInAsync("manager@demo.test")).GetStringAsync("/rollouts/W11")));

        var page = await kam.GetPageAsync($"/reviews?rollout={other}");
        Assert.Equal([failedHere, completedHere], ListedImports(page).Select(l => l.Id));
        var form = page.Form("/reviews");
        Assert.Equal("get", form.Method);
        Assert.Equal(other, form.QuerySelector("input[name=q]")!.GetAttribute("value"));
        Assert.DoesNotContain("Server Migration", form.NormalizedText());
        Assert.Equal("", form.QuerySelector("select[name=status]")!.SelectedOption()!.Value);

        var failed = await kam.GetPageAsync("/reviews?status=Failed");
        Assert.Contains(failedHere, ListedImports(failed).Select(l => l.Id));
        Assert.Contains(failedW11, ListedImports(failed).Select(l => l.Id));
        Assert.All(ListedImports(failed), l => Assert.Equal("Failed", l.Status));
        Assert.Equal("Failed", failed.Form("/reviews").QuerySelector("select[name=status]")!.SelectedOption()!.Value);
        Assert.Equal([completedHere], ListedImports(await kam.GetPageAsync($"/reviews?rollout={other}&status=completed")).Select(l => l.Id));
        Assert.Equal("No import matches these filters.",
            (await kam.GetPageAsync($"/reviews?rollout={other}&status=Reverted")).TestId("no-reviews").NormalizedText());

        var wrong = await kam.GetAsync("/reviews?status=Shipped");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("'Shipped' is not an import status", (await wrong.ReadPageAsync()).TestId("review-filter-error").NormalizedText());
        Assert.Equal(HttpStatusCode.NotFound, (await kam.GetAsync("/reviews?rollout=SRV")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await kam.GetAsync("/reviews?rollout=NOPE")).StatusCode);
    }

    [Fact]
    public async Task AnImportRunAgainAndFailedToday_ComesFirstAmongTheFailed_AndPagesByLatestActivityVisitEveryImportOnce()
    {
        // QA: an import re-run and failed again today sorted by its id, at the bottom of the failed ones.
        var other = await RolloutWithKamAsync();
        var older = await ImportAsync("admin@demo.test", other, "Desks", $"Name,Status\n{Unique("DESK")},Nope\n", "Failed");
        var newer = await ImportAsync("admin@demo.test", other, "Desks", $"Name,Status\n{Unique("DESK")},Nope\n", "Failed");
        var kam = await factory.SignInAsync(Kam);
        Assert.Equal([newer, older], ListedImports(await kam.GetPageAsync($"/reviews?rollout={other}")).Select(l => l.Id));

        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/imports/{older}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await admin.WaitForResultAsync(older)).Status());

        Assert.Equal([older, newer], ListedImports(await kam.GetPageAsync($"/reviews?rollout={other}")).Select(l => l.Id));

        // 120 more, their activity out of id order: the pages list each once, failed first, newest activity first.
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            var desks = await db.Inventories.SingleAsync(i => i.Rollout.Identifier == other);
            var adminId = await db.Users.Where(u => u.Email == "admin@demo.test").Select(u => u.Id).SingleAsync();
            var start = DateTimeOffset.UtcNow.AddDays(-30);
            foreach (var n in Enumerable.Range(0, 120))
            {
                var import = db.Imports.Add(new ClientImport
                {
                    RolloutId = desks.RolloutId,
                    InventoryId = desks.Id,
                    FileName = $"activity-{n}.csv",
                    CreatedById = adminId,
                    CreatedAt = start,
                    Status = n % 3 == 0 ? ImportStatus.Failed : ImportStatus.Completed,
                });
                // Named, not typed: LastActivityAt.
                import.Property("LastActivityAt").CurrentValue = start.AddMinutes(n * 37 % 120);
            }

            await db.SaveChangesAsync();
        }

        var seen = new List<(int Id, string Status, string Activity)>();
        string? next = $"/reviews?rollout={other}";
        while (next is not null)
        {
            var pageOf = await kam.GetPageAsync(next);
            seen.AddRange(pageOf.QuerySelectorAll("[data-testid=reviews] tbody tr[data-import]").Select(row =>
                (int.Parse(row.GetAttribute("data-import")!, System.Globalization.CultureInfo.InvariantCulture), row.GetAttribute("data-status")!,
                    row.Cell("Last activity"))));
            next = pageOf.PagerLink("reviews-next");
            Assert.True(seen.Count <= 200, "the pages do not end");
        }

        Assert.Equal(122, seen.Count);
        Assert.Equal(122, seen.Select(s => s.Id).Distinct().Count());
        Assert.Equal([older, newer], seen.Take(2).Select(s => s.Id));
        var firstOther = seen.FindIndex(s => s.Status != "Failed");
        Assert.Equal(2 + 40, firstOther);
        Assert.All(seen.Skip(firstOther), s => Assert.NotEqual("Failed", s.Status));
        foreach (var group in new[] { seen.Take(firstOther).ToList(), seen.Skip(firstOther).ToList() })
        {
            Assert.Equal(group.Select(s => s.Activity).OrderDescending(StringComparer.Ordinal), group.Select(s => s.Activity));
        }

        // Back from the last page, Previous by Previous: the same imports.
        var back = new List<int>();
        string? previous = $"/reviews?rollout={other}&last=true";
        while (previous is not null)
        {
            var pageOf = await kam.GetPageAsync(previous);
            // The page before the second is the first, whole: it repeats what the second listed.
            back.InsertRange(0, ListedImports(pageOf).Select(l => l.Id).Where(id => !back.Contains(id)));
            previous = pageOf.PagerLink("reviews-previous");
            Assert.True(back.Count <= 200, "the pages do not end");
        }

        Assert.Equal(seen.Select(s => s.Id), back);

        // The other tests of the class read the unfiltered list's first page.
        using (var scope = factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Imports
                .Where(i => i.Rollout.Identifier == other && i.FileName.StartsWith("activity-")).ExecuteDeleteAsync();
        }
    }

    [Fact]
    public async Task TheReview_ListsTheFailingValuesWithTheirCounts_ReadOnly_AsTheManagersPageOffersThem()
    {
        // QA: the manager's page listed the wrong values with their counts inside its replacement forms, which the
        // review hides; the reviewer had no overview of the failures by value.
        var csv = $"Name,Status,Department,Serial number\n{Unique("REV")},Nope,IT,SN920001\n{Unique("REV")},Nope,IT,SN920002\n" +
                  $"{Unique("REV")},Nope,IT,SN920003\n{Unique("REV")},New,HR,SN92\n";
        var id = await ImportAsync("manager@demo.test", "W11", "Laptops", csv, "Failed");
        var kam = await factory.SignInAsync(Kam);

        var review = await kam.GetPageAsync($"/reviews/W11/imports/{id}");

        var values = review.TestId("failing-values");
        Assert.Equal(["'Nope' in column B (Status): 3 failed cells", "'SN92' in column D (Serial number): 1 failed cell"],
            values.QuerySelectorAll("li").Select(li => li.NormalizedText()));
        Assert.Null(values.QuerySelector("form, input, select, button"));
        Assert.False(review.Has("[data-testid=replace-values]"));

        var manager = await factory.SignInAsync("manager@demo.test");
        var offered = (await manager.GetPageAsync($"/rollouts/W11/imports/{id}")).QuerySelectorAll("[data-testid=replacement-form]")
            .Select(f => (f.GetAttribute("data-column"), f.GetAttribute("data-from"))).ToList();
        Assert.Contains(("B", "Nope"), offered);
        Assert.False((await manager.GetPageAsync($"/rollouts/W11/imports/{id}")).Has("[data-testid=failing-values]"));
    }

    [Fact]
    public async Task ACellFailingTwice_CountsAsOneFailingRowAndOneFailedCell_OnTheReview_WithItsErrorsCountedApart()
    {
        // QA (a key account manager's morning review): a multi-selection cell with two unknown options fails twice, and
        // the review said "D (Software) 3 failing rows" for two rows and "'Foo;Bar' … 2 failed cells" for one cell: every
        // error was counted as a row and a cell.
        var csv = $"Name,Status,Department,Software\n{Unique("REV")},New,IT,Foo;Bar\n{Unique("REV")},New,IT,Office;Baz\n" +
                  $"{Unique("REV")},Nope,IT,Office\n";
        var id = await ImportAsync("manager@demo.test", "W11", "Laptops", csv, "Failed");
        var kam = await factory.SignInAsync(Kam);

        var review = await kam.GetPageAsync($"/reviews/W11/imports/{id}");

        Assert.Equal(["All columns", "B (Status) 1 failing row", "D (Software) 2 failing rows"],
            review.TestId("error-columns").QuerySelectorAll("a").Select(a => a.NormalizedText()));
        Assert.Equal(["'Foo;Bar' in column D (Software): 1 failed cell", "'Nope' in column B (Status): 1 failed cell",
                "'Office;Baz' in column D (Software): 1 failed cell"],
            review.TestId("failing-values").QuerySelectorAll("li").Select(li => li.NormalizedText()).Order(StringComparer.Ordinal));
        Assert.Equal("4 errors in 3 rows", review.TestId("failed-rows-total").NormalizedText());
        Assert.Equal("3 errors in column D",
            (await kam.GetPageAsync($"/reviews/W11/imports/{id}?column=D")).TestId("failed-rows-total").NormalizedText());
    }

    [Fact]
    public async Task TheReviewsCheck_ListsTheValuesThatWouldFail_OverEveryRow_NotOnlyTheFirst500Shown()
    {
        // QA: the key account manager's Check of a failed import showed the first 500 failing cells and no overview,
        // so with 600 rows failing on one status the reviewer could not tell what would still fail, nor how often.
        var csv = new StringBuilder("Name,Status,Department,Serial number\n");
        for (var i = 0; i < 600; i++)
        {
            csv.Append(Unique("REV")).Append(",Nope,IT,SN9").Append((30_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }

        csv.Append(Unique("REV")).Append(",New,IT,SN92\n");
        var id = await ImportAsync("manager@demo.test", "W11", "Laptops", csv.ToString(), "Failed");
        var kam = await factory.SignInAsync(Kam);

        var check = (await kam.GetPageAsync($"/reviews/W11/imports/{id}/check")).TestId("check-result");

        Assert.Equal(500, check.TestId("check-errors").QuerySelectorAll("tbody tr").Length);
        var values = check.TestId("failing-values");
        Assert.Equal("Values that would fail most often", values.QuerySelector("h3")!.NormalizedText());
        Assert.Equal(["'Nope' in column B (Status): 600 failing cells", "'SN92' in column D (Serial number): 1 failing cell"],
            values.QuerySelectorAll("li").Select(li => li.NormalizedText()));
        Assert.Null(values.QuerySelector("form, input, select, button"));
    }

    [Fact]
    public async Task ServiceDeskWithoutKeyAccountManagement_AndRolloutManager_AreRefusedTheReviews()
    {
        var id = await ImportAsync("manager@demo.test", "W11", "Laptops", FailingLaptops(), "Failed");

        foreach (var email in new[] { "servicedesk@demo.test", "manager@demo.test" })
        {
            var client = await factory.SignInAsync(email);
            AssertDenied(await client.GetAsync("/reviews"));
            Assert.DoesNotContain("/reviews", (await client.GetPageAsync("/rollouts")).Links());
        }

        // A rollout manager opening an import's review is sent to the wizard (LinksSharedBetweenAKamAndARolloutManager…).
        var serviceDesk = await factory.SignInAsync("servicedesk@demo.test");
        AssertDenied(await serviceDesk.GetAsync($"/reviews/W11/imports/{id}"));
        AssertDenied(await serviceDesk.GetAsync($"/reviews/W11/imports/{id}/file"));
        AssertDenied(await serviceDesk.GetAsync($"/reviews/W11/imports/{id}/error-report"));

        var api = await ApiTestClient.LoginAsync(factory, "servicedesk@demo.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync($"/api/imports/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync($"/api/imports/{id}/errors")).StatusCode);
        var anonymous = await factory.CreateBrowser().GetAsync("/reviews");
        Assert.StartsWith("/account/login", anonymous.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Administrator_ReviewsEveryRollout_AndIsOfferedTheWizard()
    {
        var foreign = await ImportAsync("admin@demo.test", "SRV", "Servers", $"Name,Status\n{Unique("SRV")},Nope\n", "Failed");
        var admin = await factory.SignInAsync("admin@demo.test");

        var list = await admin.GetPageAsync("/reviews");
        Assert.Contains(foreign, ListedImports(list).Select(l => l.Id));
        Assert.Contains("Server Migration", list.TestId("reviews").NormalizedText());
        var page = await admin.GetPageAsync($"/reviews/SRV/imports/{foreign}");
        Assert.Contains("Read-only review", page.Body!.NormalizedText());
        Assert.DoesNotContain("Approve", page.Actions());
        Assert.Equal($"/rollouts/SRV/imports/{foreign}", page.Link("Open it in the import wizard").GetAttribute("href"));
    }

    [Fact]
    public async Task AClientsHistory_LinksTheImportThatCreatedIt_ToItsReviewForAKeyAccountManager_ToTheWizardForAManager()
    {
        var name = Unique("HIST");
        var importId = await ImportAsync("manager@demo.test", "W11", "Laptops", $"Name,Department\n{name},IT\n", "Completed");
        int clientId;
        using (var scope = factory.Services.CreateScope())
        {
            clientId = await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Clients
                .Where(c => c.CreatedByImportId == importId).Select(c => c.Id).SingleAsync();
        }

        var text = $"created by import #{importId}";
        var path = $"/rollouts/W11/clients/{clientId}";
        var kam = await (await factory.SignInAsync(Kam)).GetPageAsync(path);
        Assert.Equal($"/reviews/W11/imports/{importId}", kam.Link(text).GetAttribute("href"));
        var manager = await (await factory.SignInAsync("manager@demo.test")).GetPageAsync(path);
        Assert.Equal($"/rollouts/W11/imports/{importId}", manager.Link(text).GetAttribute("href"));
        // Who may open the import nowhere reads the words without a link.
        var technician = await (await factory.SignInAsync("technician@demo.test")).GetPageAsync(path);
        Assert.Contains(text, technician.Body!.NormalizedText(), StringComparison.Ordinal);
        Assert.DoesNotContain(technician.QuerySelectorAll("a"), a => a.TextContent.Contains(text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnImportOfAnotherRollout_AskedForInThisOne_IsNotSaidToBeGone_AndLinksWhereTheUserMayOpenIt()
    {
        var other = await RolloutWithKamAsync();
        var elsewhere = await ImportAsync("admin@demo.test", other, "Desks", $"Name\n{Unique("DESK")}\n", "Completed");
        var (admin, kam) = (await factory.SignInAsync("admin@demo.test"), await factory.SignInAsync(Kam));
        var manager = await factory.SignInAsync("manager@demo.test");
        const int never = 987_654;

        // The reviewer, a member of both rollouts: the import's review in the rollout that holds it.
        foreach (var path in new[] { $"/reviews/W11/imports/{elsewhere}", $"/reviews/W11/imports/{elsewhere}/error-report" })
        {
            var response = await kam.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var page = await response.ReadPageAsync();
            Assert.Equal($"There is no import #{elsewhere} in Windows 11 Refresh", page.One("h1").NormalizedText());
            Assert.Equal($"There is no import #{elsewhere} in Windows 11 Refresh. Import #{elsewhere} is in Review {other}: open it there.",
                page.TestId("import-gone").NormalizedText());
            Assert.Equal($"/reviews/{other}/imports/{elsewhere}", page.Href("elsewhere-link"));
        }

        // The wizard's page: the wizard's page there, for one who may open it.
        var wizard = await (await admin.GetAsync($"/rollouts/W11/imports/{elsewhere}")).ReadPageAsync();
        Assert.Equal($"/rollouts/{other}/imports/{elsewhere}", wizard.Href("elsewhere-link"));

        // Not a member of the other rollout: nothing of it is told. A number that never was an import: no guess why.
        var foreign = await (await manager.GetAsync($"/rollouts/W11/imports/{elsewhere}")).ReadPageAsync();
        Assert.Equal($"There is no import #{elsewhere} in Windows 11 Refresh.", foreign.TestId("import-gone").NormalizedText());
        Assert.False(foreign.HasTestId("elsewhere-link"));
        var response2 = await kam.GetAsync($"/reviews/W11/imports/{never}");
        Assert.Equal(HttpStatusCode.NotFound, response2.StatusCode);
        Assert.Equal($"There is no import #{never} in Windows 11 Refresh.", (await response2.ReadPageAsync()).TestId("import-gone").NormalizedText());
    }

    [Fact]
    public async Task StaleLinks_ToAnImportWithoutFailedRows_OrDeletedWithItsInventory_OpenPagesSayingSo_WithTheWayBack()
    {
        var other = await RolloutWithKamAsync();
        var completed = await ImportAsync("admin@demo.test", other, "Desks", $"Name\n{Unique("DESK")}\n", "Completed");
        var (admin, kam) = (await factory.SignInAsync("admin@demo.test"), await factory.SignInAsync(Kam));
        var (wizard, review) = ($"/rollouts/{other}/imports/{completed}", $"/reviews/{other}/imports/{completed}");

        // The error report of an import without failed rows (a link kept from when it had failed): the app's page, not a
        // line of text, saying why, with the way back to the import as each of them sees it.
        foreach (var (client, path) in new[] { (admin, wizard), (kam, review) })
        {
            var response = await client.GetAsync(path + "/error-report");

            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            var page = await response.ReadPageAsync();
            Assert.Equal($"No error report for import #{completed}", page.One("h1").NormalizedText());
            Assert.Equal($"Import {completed} has no failed rows.", page.TestId("download-refused").NormalizedText());
            Assert.Equal(path, page.Href("import-link"));
            Assert.NotEmpty(page.NavigationLinks());
        }

        // The inventory deleted with its import: the reviewer, who may see the rollout, is told as the wizard tells it.
        int desks;
        using (var scope = factory.Services.CreateScope())
        {
            desks = await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Inventories
                .Where(i => i.Rollout.Identifier == other).Select(i => i.Id).SingleAsync();
        }

        Assert.Equal(HttpStatusCode.Redirect,
            (await RolloutWebFactory.PostFormAsync(admin, $"/rollouts/{other}/inventories/{desks}/delete", [])).StatusCode);
        foreach (var path in new[] { review, review + "/error-report", review + "/file" })
        {
            var response = await kam.GetAsync(path);

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var page = await response.ReadPageAsync();
            Assert.Equal($"There is no import #{completed} in Review {other}", page.One("h1").NormalizedText());
            Assert.Equal($"There is no import #{completed} in Review {other}.", page.TestId("import-gone").NormalizedText());
            Assert.Equal("/reviews", page.Href("reviews-link"));
        }

        var report = await (await admin.GetAsync(wizard + "/error-report")).ReadPageAsync();
        Assert.Equal($"There is no import #{completed} in Review {other}", report.One("h1").NormalizedText());
        Assert.Equal($"/rollouts/{other}/imports", report.Href("imports-link"));
    }

    [Fact]
    public async Task Manager_DownloadsTheUploadedFile_FromTheImportPage_ATechnicianIsRefused()
    {
        var csv = $"Name;Department\n{Unique("FILE")};IT\n";
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, await client.InventoryIdAsync(rolloutId, "Laptops"),
            "semicolons.csv", csv));
        var manager = await factory.SignInAsync("manager@demo.test");
        var path = $"/rollouts/W11/imports/{import.Id()}";

        Assert.Equal($"{path}/file", (await manager.GetPageAsync(path)).Link("Download the uploaded file").GetAttribute("href"));
        var file = await manager.GetAsync(path + "/file");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal(csv, Encoding.UTF8.GetString(await file.Content.ReadAsByteArrayAsync()));
        Assert.Equal("attachment", file.Content.Headers.ContentDisposition!.DispositionType);

        AssertDenied(await (await factory.SignInAsync("technician@demo.test")).GetAsync(path + "/file"));
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/rollouts/SRV/imports/{import.Id()}/file")).StatusCode);
    }
}

public sealed class SqliteReviewPagesTests(RolloutWebFactory factory)
    : ReviewPagesTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresReviewPagesTests(PostgresWebFactory factory)
    : ReviewPagesTests(factory), IClassFixture<PostgresWebFactory>;
