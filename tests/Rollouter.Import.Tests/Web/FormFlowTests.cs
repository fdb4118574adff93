using System.Globalization;
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

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// How the import's forms behave in a browser: Discard asks on a page of its own (with or without script), a post-only
/// address opened again leads somewhere sensible, a correction brings the reader back to the row with the message
/// there, a discarded import says so, a running import can be followed without script.
/// </summary>
public abstract class FormFlowTests(RolloutWebFactory factory)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<(HttpClient Client, string Path, int Id)> UploadCsvAsync(string csv, string fileName = "flow.csv")
    {
        var client = await factory.SignInAsync("manager@demo.test");
        int laptops;
        using (var scope = factory.Services.CreateScope())
        {
            laptops = (await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Inventories.SingleAsync(i => i.Name == "Laptops")).Id;
        }

        var response = await ImportPagesTests.UploadAsync(client, laptops, fileName, Encoding.UTF8.GetBytes(csv));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var path = response.Headers.Location!.OriginalString;
        return (client, path, int.Parse(path[(path.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>A Failed import whose rows 2 to 4 fail in column B (Status).</summary>
    private async Task<(HttpClient Client, string Path, int Id)> FailedAsync()
    {
        var (client, path, id) = await UploadCsvAsync(
            $"Name,Status\n{Unique("FLOW")},Nope\n{Unique("FLOW")},Bad\n{Unique("FLOW")},Nope\n", "failing.csv");
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
        return (client, path, id);
    }

    private async Task<bool> StoredAsync(int id)
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Imports.AnyAsync(i => i.Id == id);
    }

    private static Dictionary<string, string> Fields(IElement form) =>
        form.HiddenFields().Where(f => f.Key != "__RequestVerificationToken").ToDictionary(f => f.Key, f => f.Value);

    [Fact]
    public async Task Discard_PostedWithoutConfirmation_DeletesNothing_AndAsksOnItsOwnPage()
    {
        var (client, path, id) = await UploadCsvAsync($"Name\n{Unique("KEEP")}\n", "keep.csv");

        // The import's page links to the question; no form on it deletes the import.
        var page = await client.GetPageAsync(path);
        Assert.Equal($"{path}/discard", page.Href("discard"));
        Assert.Null(page.FindForm($"{path}/discard"));

        // A post without confirmed=true (a page of before, a script that did not ask) is sent to the question.
        var unconfirmed = await RolloutWebFactory.PostFormAsync(client, path + "/discard", [], path);
        Assert.Equal(HttpStatusCode.Redirect, unconfirmed.StatusCode);
        Assert.Equal($"{path}/discard", unconfirmed.Headers.Location!.OriginalString);
        Assert.True(await StoredAsync(id));

        var question = await client.GetPageAsync($"{path}/discard");
        Assert.Equal($"Discard import #{id} (keep.csv)?", question.One("h1").NormalizedText());
        Assert.Contains("This cannot be undone.", question.TestId("discard-impact").NormalizedText(), StringComparison.Ordinal);
        Assert.Equal(path, question.Link("Cancel").GetAttribute("href"));
        var form = question.Form($"{path}/discard");
        Assert.Equal("true", Fields(form)["confirmed"]);

        var discarded = await RolloutWebFactory.PostFormAsync(client, path + "/discard", Fields(form), $"{path}/discard");
        Assert.Equal(HttpStatusCode.Redirect, discarded.StatusCode);
        Assert.Equal("/rollouts/W11/imports#page-message", discarded.Headers.Location!.OriginalString);
        Assert.False(await StoredAsync(id));
    }

    [Fact]
    public async Task PostOnlyAddresses_OpenedInTheAddressBar_LeadToTheImportsPage()
    {
        var (client, path, _) = await UploadCsvAsync($"Name\n{Unique("GET")}\n");

        foreach (var step in new[] { "mapping", "parse-options", "approve", "corrections", "replacements", "replacements/preview" })
        {
            var response = await client.GetAsync($"{path}/{step}");
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"GET {step}: {(int)response.StatusCode}");
            Assert.Equal(path, response.Headers.Location!.OriginalString);
        }
    }

    [Fact]
    public async Task AFormOnlyAddressElsewhere_Answers405_WithAPageThatSaysSo()
    {
        var client = await factory.SignInAsync("manager@demo.test");

        var response = await client.GetAsync("/account/logout");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        var page = await response.ReadPageAsync();
        Assert.Equal("This address takes a form", page.One("h1").NormalizedText());
        Assert.Contains("only accepts a form sent from its page", page.QuerySelector("main")!.NormalizedText(), StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected error", page.QuerySelector("main")!.NormalizedText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFormPostWithoutItsToken_GetsAnErrorPage_NotAnEmptyAnswer()
    {
        var client = await factory.SignInAsync("manager@demo.test");

        // A GET-only page posted to without a token (a stale tab, a script): its 405 page, not an empty 400.
        var wrongMethod = await client.PostAsync("/rollouts/W11", new FormUrlEncodedContent([]));
        // An import's form posted with a token of another session: the 400 page.
        var (_, path, _) = await UploadCsvAsync($"Name\n{Unique("TOKEN")}\n");
        var staleToken = await client.PostAsync(path + "/discard", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = "CfDJ8-not-this-sessions-token", ["confirmed"] = "true",
        }));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("This address takes a form", (await wrongMethod.ReadPageAsync()).One("h1").NormalizedText());
        Assert.Equal(HttpStatusCode.BadRequest, staleToken.StatusCode);
        Assert.Equal("Bad request", (await staleToken.ReadPageAsync()).One("h1").NormalizedText());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task AHeadOnAPage_IsAnsweredAsItsGet()
    {
        var client = await factory.SignInAsync("manager@demo.test");

        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/rollouts/W11"));

        // Kestrel sends no body for a HEAD; the test server does, so only the status and type are the point here.
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("text/html", head.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ReplacementPreview_IsShownAtAnAddressThatCanBeReloaded_AndTheReaderLandsOnIt()
    {
        var (client, path, _) = await FailedAsync();
        var failed = await client.GetPageAsync(path);
        var offer = failed.QuerySelectorAll("[data-testid=replacement-form][data-column=B]").First(f => f.GetAttribute("data-from") == "Nope");
        var fields = Fields(offer);
        var to = offer.QuerySelectorAll<IHtmlOptionElement>("select[name=To] option").First(o => o.Value.Length > 0).Value;
        fields["To"] = to;

        var posted = await RolloutWebFactory.PostFormAsync(client, offer.GetAttribute("action")!, fields, path);

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var location = posted.Headers.Location!.OriginalString;
        // With the file reading the page showed (decision 0056): a preview of a page loaded before the file settings changed is refused.
        Assert.Equal($"{path}/replacements/preview?column=B&from=Nope&to={Uri.EscapeDataString(to)}&fileStamp={fields["FileStamp"]}#replacement-proposal",
            location);
        var preview = await client.GetPageAsync(location);
        var proposal = preview.TestId("replacement-proposal");
        Assert.Equal(("replacement-proposal", "-1"), (proposal.Id, proposal.GetAttribute("tabindex")));
        Assert.Contains("2 cells", proposal.TestId("replacement-count").NormalizedText(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A NUL in the preview's address (only a script or a crafted link sends one) is dropped, as every stored text drops
    /// it (decision 0040): the preview finds the cells the replacement will change and shows the values as they will be
    /// stored, not a NUL written into the page (which a browser shows as �).
    /// </summary>
    [Fact]
    public async Task ReplacementPreview_WithANulInItsValues_FindsTheCellsAndShowsTheValuesWithoutIt()
    {
        var (client, path, _) = await FailedAsync();

        var preview = await client.GetPageAsync($"{path}/replacements/preview?column=B&from=No%00pe&to=In%00%20Use");

        var proposal = preview.TestId("replacement-proposal");
        var count = proposal.TestId("replacement-count").NormalizedText();
        Assert.StartsWith("Replace every 'Nope' in column B (Status) with 'In Use': 2 cells", count, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', proposal.TextContent);
        var form = proposal.One($"form[action='{path}/replacements']");
        Assert.Equal(("Nope", "In Use"), (Fields(form)["From"], Fields(form)["To"]));
    }

    /// <summary>
    /// QA: after Save the list started at the saved row, so the failed rows before it were gone from the page (behind
    /// Previous, without a word) while the count said all of them. Every failed row fits on one page here: all are listed,
    /// the message just above the saved row.
    /// </summary>
    [Fact]
    public async Task CorrectingACell_LeadsBackToItsRow_WithTheMessageJustAboveIt()
    {
        var (client, path, _) = await FailedAsync();
        var failed = await client.GetPageAsync(path + "?column=B");
        var editor = failed.TestId("failed-rows-table").One("[data-testid=cell-editor][data-row='3'][data-column=B]");
        var fields = Fields(editor);
        Assert.Equal("B", fields["Filter"]);
        fields["Value"] = editor.QuerySelectorAll<IHtmlOptionElement>("select[name=Value] option").First(o => o.Value.Length > 0).Value;

        var posted = await RolloutWebFactory.PostFormAsync(client, editor.GetAttribute("action")!, fields, path);

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var location = posted.Headers.Location!.OriginalString;
        Assert.Equal($"{path}?column=B&after=3.0#failed-rows-status", location);
        var page = await client.GetPageAsync(location);
        var status = page.One("#failed-rows-status");
        Assert.Equal(("status", "-1"), (status.GetAttribute("role"), status.GetAttribute("tabindex")));
        Assert.StartsWith("Row 3, column B corrected to", status.NormalizedText(), StringComparison.Ordinal);
        // Every failed row is listed, row 2 before the one corrected; the message is just above row 3, and the next editor
        // is row 4's. No page hides a row, and nothing says some are elsewhere.
        var rows = page.TestId("failed-rows-table").QuerySelectorAll("tbody tr");
        Assert.Equal(["failed-2-B", "", "failed-3-B", "failed-4-B"], rows.Select(r => r.GetAttribute("id") ?? ""));
        Assert.Equal(rows[1], status.Closest("tr"));
        Assert.NotNull(page.GetElementById("failed-4-B")?.QuerySelector("[data-testid=cell-editor]"));
        Assert.Null(page.FindTestId("errors-previous"));
        Assert.Null(page.FindTestId("failed-rows-shown"));
        // Said once, where the reader is: not at the top of the page as well.
        Assert.Empty(page.QuerySelectorAll("main > .alert-success"));

        // Undone from the corrections card: back to that card, the message at its top.
        var undo = page.TestId("corrections").QuerySelectorAll<IHtmlFormElement>($"form[action='{path}/corrections']").First();
        var undone = await RolloutWebFactory.PostFormAsync(client, path + "/corrections", Fields(undo), path);
        Assert.Equal($"{path}#corrections-status", undone.Headers.Location!.OriginalString);
        var after = await client.GetPageAsync(undone.Headers.Location!.OriginalString);
        Assert.Equal("Row 3, column B: the file's value is used again.", after.One("main > .alert-success").NormalizedText());
    }

    /// <summary>
    /// More failed rows than a page holds: the list after Save starts at the saved row, and says how many failed rows come
    /// before it with the link to them; so does each page after the first.
    /// </summary>
    [Fact]
    public async Task CorrectingACell_InAListLongerThanAPage_SaysHowManyFailedRowsComeBefore()
    {
        var csv = new StringBuilder("Name,Status\n");
        for (var i = 0; i < 55; i++)
        {
            csv.Append(Unique("LONG")).Append(",Nope\n");
        }

        var (client, path, _) = await UploadCsvAsync(csv.ToString(), "long.csv");
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
        var failed = await client.GetPageAsync(path + "?column=B&last=true");
        var editor = failed.TestId("failed-rows-table").One("[data-testid=cell-editor][data-row='54'][data-column=B]");
        var fields = Fields(editor);
        fields["Value"] = editor.QuerySelectorAll<IHtmlOptionElement>("select[name=Value] option").First(o => o.Value.Length > 0).Value;

        var posted = await RolloutWebFactory.PostFormAsync(client, editor.GetAttribute("action")!, fields, path);

        var page = await client.GetPageAsync(posted.Headers.Location!.OriginalString);
        var rows = page.TestId("failed-rows-table").QuerySelectorAll("tbody tr[id]");
        Assert.Equal(["failed-54-B", "failed-55-B", "failed-56-B"], rows.Select(r => r.Id));
        Assert.StartsWith("Row 54, column B corrected to", page.One("#failed-rows-status").NormalizedText(), StringComparison.Ordinal);
        var shown = page.TestId("failed-rows-shown");
        Assert.Equal("Showing rows 54–56; 52 earlier failed rows in column B: Previous", shown.NormalizedText());

        var previous = await client.GetPageAsync(shown.Link("Previous").GetAttribute("href")!);
        var before = previous.TestId("failed-rows-table").QuerySelectorAll("tbody tr[id]");
        Assert.Equal(("failed-4-B", "failed-53-B"), (before[0].Id, before[^1].Id));
        Assert.Equal("Showing rows 4–53; 2 earlier failed rows in column B: Previous", previous.TestId("failed-rows-shown").NormalizedText());
        var first = await client.GetPageAsync(previous.TestId("failed-rows-shown").Link("Previous").GetAttribute("href")!);
        Assert.Null(first.FindTestId("failed-rows-shown"));
        Assert.Equal("failed-2-B", first.TestId("failed-rows-table").QuerySelectorAll("tbody tr[id]")[0].Id);
    }

    [Fact]
    public async Task ADiscardedImport_InASecondTab_SaysThereIsNoSuchImport_WithTheWayBackToTheImports()
    {
        var (client, path, id) = await UploadCsvAsync($"Name\n{Unique("GONE")}\n", "gone.csv");
        await RolloutWebFactory.PostFormAsync(client, path + "/discard", new() { ["confirmed"] = "true" }, path);
        Assert.False(await StoredAsync(id));

        // A form's address of the import (a reload of a refused form) leads to the import's page, which says so.
        Assert.Equal(path, (await client.GetAsync(path + "/mapping")).Headers.Location!.OriginalString);
        foreach (var address in new[] { path, path + "/discard", path + "/revert", path + "/replacements/preview?column=B&from=x" })
        {
            var response = await client.GetAsync(address);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var page = await response.ReadPageAsync();
            Assert.Equal($"There is no import #{id} in Windows 11 Refresh.", page.TestId("import-gone").NormalizedText());
            Assert.Equal("/rollouts/W11/imports", page.Href("imports-link"));
        }

        // An import of a rollout the user is not a member of: the rollout's own address tells nothing more than before.
        int foreign;
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            foreign = await db.Imports.Where(i => i.Rollout.Identifier != "W11").Select(i => i.Id).FirstOrDefaultAsync();
        }

        var other = await client.GetAsync("/rollouts/SRV/imports/" + id.ToString(CultureInfo.InvariantCulture));
        Assert.False(other.IsSuccessStatusCode);
        Assert.DoesNotContain("There is no import", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        if (foreign != 0)
        {
            var viaW11 = await (await client.GetAsync($"/rollouts/W11/imports/{foreign}")).ReadPageAsync();
            Assert.Equal($"There is no import #{foreign} in Windows 11 Refresh.", viaW11.TestId("import-gone").NormalizedText());
        }
    }

    [Fact]
    public async Task WithoutScript_TheMenuOpensByAStylesheet_AndARunningImportOffersAReload()
    {
        var (client, path, id) = await UploadCsvAsync($"Name\n{Unique("RUN")}\n");
        using (var scope = factory.Services.CreateScope())
        {
            // In Progress without a job: the page as it shows a running import.
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            await db.Imports.Where(i => i.Id == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, ImportStatus.InProgress));
        }

        var html = await client.GetStringAsync(path);
        var page = HtmlPage.Parse(html);

        var noscript = page.Head!.QuerySelector("noscript");
        Assert.NotNull(noscript);
        Assert.Contains("/css/noscript.css", noscript.InnerHtml, StringComparison.Ordinal);
        var css = await client.GetStringAsync("/css/noscript.css");
        Assert.Contains(".navbar-collapse.collapse { display: block; }", css, StringComparison.Ordinal);
        Assert.Contains("<noscript><p class=\"small mb-0 mt-1\" data-testid=\"progress-reload\">", html, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{path}\">reload this page</a> to see the progress.", html, StringComparison.Ordinal);
    }
}

public sealed class SqliteFormFlowTests(RolloutWebFactory factory)
    : FormFlowTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresFormFlowTests(PostgresWebFactory factory)
    : FormFlowTests(factory), IClassFixture<PostgresWebFactory>;
