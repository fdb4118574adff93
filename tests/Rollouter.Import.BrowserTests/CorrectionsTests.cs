using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rollouter.Import.BrowserTests.Infrastructure;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>
/// The way back from a failed import without leaving the browser (cells corrected in place, a value replaced in every
/// cell), and the safe defaults: nothing ticked that overwrites, and the mapping shown is the mapping used. The
/// wizard's app (<see cref="WizardFixture"/>); every client it creates has a unique name.
/// </summary>
[Collection(WizardCollection.Name)]
public sealed class CorrectionsTests(WizardFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}";

    private ILocator CreateOption(string letter) =>
        Page.Locator($"tr[data-letter=\"{letter}\"]").GetByLabel("Create option if not exists");

    [Fact]
    public async Task Manager_FixesAFailedImportInTheBrowser_OneCellEditedAndOneValueReplaced_AndApprovesItToCompleted()
    {
        string[] names = [Unique("COR"), Unique("COR"), Unique("COR")];
        var serial = $"SN{Random.Shared.Next(800000, 899999)}";
        var csv = $"Name,Status,Serial number,Department\n{names[0]},Shipped,SN810001,IT\n{names[1]},Shipped,SN810002,IT\n{names[2]},New,BAD-1,HR\n";
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync("W11", "Laptops", "corrections.csv", Encoding.UTF8.GetBytes(csv));
        await Expect(Target("B")).ToHaveValueAsync("Status");
        await Expect(Target("C")).ToHaveValueAsync("Serial number");
        await ApproveAsync("Failed");

        // The three ways back, in order; none suggests uploading the failed rows alone.
        var recovery = Page.GetByTestId("recovery");
        await Expect(recovery.Locator("li")).ToHaveTextAsync([
            new Regex("^Correct the failing cells"), new Regex("^Change the column-field assignment"),
            new Regex("^Fix the whole file and upload it as a new import"),
        ]);
        await Expect(Page.GetByTestId("failure")).Not.ToContainTextAsync("Fix them in the file");
        var failedRows = Page.GetByTestId("failed-rows");
        await Expect(failedRows.Locator("tbody tr")).ToHaveCountAsync(3);
        await Step("failed");

        // A status cell gets a dropdown of the workflow's statuses; "Replace every 'Shipped'" is shown before it applies.
        var statusEditor = failedRows.Locator("[data-testid=cell-editor][data-row=\"2\"][data-column=\"B\"]");
        await Expect(statusEditor.Locator("select option")).ToHaveTextAsync(["Choose…", "New", "Prepared", "Scheduled", "Done"]);
        var replace = Page.Locator("[data-testid=replacement-form][data-column=\"B\"][data-from=\"Shipped\"]");
        await replace.GetByLabel("Replace every 'Shipped' in column B with").SelectOptionAsync("Done");
        await replace.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        var proposal = Page.GetByTestId("replacement-proposal");
        await Expect(proposal.GetByTestId("replacement-count")).ToContainTextAsync("2 cells");
        await Expect(proposal).ToContainTextAsync("rows 2, 3");
        await Expect(StatusBadge).ToHaveAttributeAsync("data-status", "Failed");
        await Step("replacement-preview");
        await proposal.GetByRole(AriaRole.Button, new() { Name = "Apply to 2 cells" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Every 'Shipped' in column B is read as 'Done'");
        await Expect(Page.GetByTestId("replacements")).ToContainTextAsync("Max Manager");

        // One cell edited in place.
        var serialEditor = Page.GetByTestId("failed-rows").Locator("[data-testid=cell-editor][data-row=\"4\"][data-column=\"C\"]");
        await serialEditor.GetByRole(AriaRole.Textbox).FillAsync(serial);
        await serialEditor.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Row 4, column C corrected to '{serial}'");
        var cells = Page.GetByTestId("corrected-cells");
        await Expect(cells).ToContainTextAsync("BAD-1");
        await Expect(cells).ToContainTextAsync(serial);
        await Expect(cells).ToContainTextAsync("Max Manager");
        await Step("corrected");

        await Page.GetByTestId("check").ClickAsync();
        await Expect(Page.GetByTestId("check-result")).ToContainTextAsync("All 3 rows would be imported.");
        await ApproveAsync("Completed");
        await Expect(Page.GetByTestId("result")).ToContainTextAsync("3 clients created, 0 updated");
        await Step("completed");

        // The uploaded file is kept exactly as uploaded.
        var file = await Page.RunAndWaitForDownloadAsync(() => Page.GetByTestId("original-file").ClickAsync());
        Assert.Equal(csv, await File.ReadAllTextAsync(await file.PathAsync()));
        var importUrl = Page.Url;

        await Page.GetByRole(AriaRole.Link, new() { Name = "Show the clients of Laptops" }).ClickAsync();
        var row = await SearchClientAsync(names[0]);
        await Expect(row).ToContainTextAsync("Done");
        await row.GetByRole(AriaRole.Link, new() { Name = names[0] }).ClickAsync();
        await Expect(Page.GetByTestId("history-corrections"))
            .ToContainTextAsync("value corrected in the browser by Max Manager: 'Shipped' → 'Done'");
        await Step("client-history");

        // The key account manager's review shows the corrections: who, when, old → new.
        var review = await NewBrowserContextPageAsync();
        await review.GotoAsync(importUrl.Replace("/rollouts/", "/reviews/", StringComparison.Ordinal));
        await review.GetByLabel("Email").FillAsync("kam@demo.test");
        await review.GetByLabel("Password").FillAsync(DemoPassword);
        await review.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(review.GetByTestId("review-notice")).ToBeVisibleAsync();
        var reviewed = review.GetByTestId("corrected-cells");
        await Expect(reviewed).ToContainTextAsync("Max Manager");
        await Expect(reviewed).ToContainTextAsync("BAD-1");
        await Expect(reviewed).ToContainTextAsync(serial);
        await Expect(reviewed).ToContainTextAsync(new Regex(@"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"));
        await Expect(review.GetByTestId("replacements")).ToContainTextAsync("Shipped");
        await Expect(review.GetByRole(AriaRole.Button, new() { Name = "Undo" })).ToHaveCountAsync(0);
        await Step("review", review);
    }

    [Fact]
    public async Task Manager_CorrectsACellOfASelectionOfManyOptions_BySearchingTheColumnsOneList_AValueNotInItIsRefused()
    {
        // A selection of 40 options (more than a dropdown holds) in an inventory of its own, through the API.
        var field = Unique("Pick");
        var inventory = Unique("Many options");
        using (var http = new HttpClient { BaseAddress = Fixture.App.BaseAddress, Timeout = TimeSpan.FromSeconds(60) })
        {
            var login = await http.PostAsJsonAsync("api/auth/login", new { email = "admin@demo.test", password = DemoPassword });
            login.EnsureSuccessStatusCode();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
            var created = await http.PostAsJsonAsync("api/custom-fields", new
            {
                name = field, type = "Selection", required = false,
                options = Enumerable.Range(0, 40).Select(i => $"Opt-{i:00}").ToArray(),
            });
            created.EnsureSuccessStatusCode();
            var fieldId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
            var workflows = await http.GetFromJsonAsync<JsonElement>("api/workflows");
            var workflowId = workflows.EnumerateArray().First(w => w.GetProperty("name").GetString() == "Device rollout").GetProperty("id").GetInt32();
            var rollouts = await http.GetFromJsonAsync<JsonElement>("api/rollouts");
            var rollout = rollouts.EnumerateArray().Single(r => r.GetProperty("identifier").GetString() == "W11").GetProperty("id").GetInt32();
            (await http.PostAsJsonAsync($"api/rollouts/{rollout}/inventories",
                new { name = inventory, workflowId, customFieldIds = new[] { fieldId } })).EnsureSuccessStatusCode();
        }

        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync("W11", inventory, "many-options.csv",
            Encoding.UTF8.GetBytes($"Name,{field}\n{Unique("MNY")},Opt-4O\n{Unique("MNY")},Opt-4O\n{Unique("MNY")},Nothing\n"));
        await Expect(Target("B")).ToHaveValueAsync(field);
        await ApproveAsync("Failed");

        // The column's 40 options are on the page once; each editor searches them.
        await Expect(Page.Locator("datalist#cell-values-B option")).ToHaveCountAsync(40);
        var editor = Page.GetByTestId("failed-rows").Locator("[data-testid=cell-editor][data-row=\"2\"][data-column=\"B\"]");
        await Expect(editor.Locator("select")).ToHaveCountAsync(0);
        var box = editor.GetByRole(AriaRole.Combobox);
        await Expect(box).ToHaveAttributeAsync("list", "cell-values-B");
        await Expect(box).ToHaveAttributeAsync("placeholder", "Search 40 values…");

        // A value not in the list is refused before it is posted; one of the list is saved.
        await box.FillAsync("Opt-99");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        Assert.Equal("Choose one of the values in the list.", await box.EvaluateAsync<string>("e => e.validationMessage"));
        await Expect(Page.GetByTestId("corrections")).ToHaveCountAsync(0);
        await Step("refused");
        await box.FillAsync("opt-17");
        Assert.Equal("", await box.EvaluateAsync<string>("e => e.validationMessage"));
        await box.FillAsync("Opt-17");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Row 2, column B corrected to 'Opt-17'");
        await Expect(Page.GetByTestId("corrected-cells")).ToContainTextAsync("Opt-4O");

        // "Replace every 'Opt-4O'" searches the same list.
        var replace = Page.Locator("[data-testid=replacement-form][data-column=\"B\"][data-from=\"Opt-4O\"]");
        await replace.GetByLabel("Replace every 'Opt-4O' in column B with").FillAsync("Opt-04");
        await replace.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(Page.GetByTestId("replacement-proposal").GetByTestId("replacement-count")).ToContainTextAsync("1 cell");
        await Step("corrected");
    }

    [Fact]
    public async Task Manager_FindsUpdateExistingAndCreateOptionUnticked_OnTheNextImport_ThoughTheLastImportTickedThem()
    {
        var location = Unique("Building S");
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync("W11", "Laptops", "ticked.csv", Encoding.UTF8.GetBytes($"Name,Where,Department\nLT-0033,{location},IT\n"));
        await Target("B").SelectOptionAsync("Location");
        await Expect(Page.GetByLabel("Update existing clients")).Not.ToBeCheckedAsync();
        await Page.GetByLabel("Update existing clients").CheckAsync();
        await CreateOption("C").CheckAsync();
        await SaveMappingAsync();
        await Page.GetByTestId("check").ClickAsync();
        // The summary says how many existing clients the file will change, with their names, before Approve.
        await Expect(Page.GetByTestId("summary-updated-clients")).ToContainTextAsync("1 existing client");
        await Expect(Page.GetByTestId("summary-updated-clients")).ToContainTextAsync("LT-0033");
        await Step("ticked-and-checked");
        await ApproveAsync("Completed");
        await Expect(Page.GetByTestId("result")).ToContainTextAsync("0 clients created, 1 updated");

        await UploadAsync("W11", "Laptops", "next.csv", Encoding.UTF8.GetBytes($"Name,Where,Department\nLT-0033,{location}-2,HR\n"));
        // Which column goes into which field is remembered; what overwrites is not.
        await Expect(Target("B")).ToHaveValueAsync("Location");
        await Expect(Target("C")).ToHaveValueAsync("Department");
        await Expect(Page.GetByLabel("Update existing clients")).Not.ToBeCheckedAsync();
        await Expect(CreateOption("C")).Not.ToBeCheckedAsync();
        await Expect(Page.GetByTestId("summary-update-existing")).ToContainTextAsync("No");
        await Step("next-import-unticked");
    }

    [Fact]
    public async Task Manager_ApprovesWithUnsavedMappingChanges_AndTheMappingShownIsSavedAndUsed()
    {
        var name = Unique("UNS");
        var location = Unique("Building N");
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync("W11", "Laptops", "unsaved.csv", Encoding.UTF8.GetBytes($"Name,Somewhere,Department\n{name},{location},IT\n"));
        await Expect(Target("B")).ToHaveValueAsync("");
        await Expect(Page.GetByTestId("mapping-changed")).ToBeHiddenAsync();

        await Target("B").SelectOptionAsync("Location");
        // Not saved: the page says that what is shown is what Approve will use.
        await Expect(Page.GetByTestId("mapping-changed")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("mapping-changed")).ToContainTextAsync("Check and Approve save it");
        await Step("unsaved-change");
        await ApproveAsync("Completed");
        // The assignment shown was saved and used: the summary shows it, and the client has the location.
        await Expect(Page.GetByTestId("summary")).ToContainTextAsync("B (Somewhere) → Location");
        await Expect(Target("B")).ToHaveValueAsync("Location");
        await Step("completed");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Show the clients of Laptops" }).ClickAsync();
        var row = await SearchClientAsync(name);
        await Expect(row).ToContainTextAsync(location);
    }

    /// <summary>
    /// Back to the import's page after a mapping change that was not saved: the browser puts the choice back into the form
    /// (it restores form state), so the notice must say that the form differs from the saved mapping; and the message
    /// that Approve saved and used it is still there once the page has reloaded itself at the end of the run.
    /// </summary>
    [Fact]
    public async Task Manager_ComesBackToAnUnsavedMappingChange_IsToldItDiffers_AndAfterApprovalThatItWasSavedAndUsed()
    {
        var prefix = Unique("BACK");
        var location = Unique("Building B");
        // A header no earlier import mapped, so that nothing suggests a field for it.
        var header = Unique("Place");
        // Rows enough that the page shows In Progress and reloads itself at the end.
        var rows = string.Concat(Enumerable.Range(1, 1500).Select(i => $"{prefix}-{i},{location},IT\n"));
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync("W11", "Laptops", "back.csv", Encoding.UTF8.GetBytes($"Name,{header},Department\n" + rows));
        await Expect(Target("B")).ToHaveValueAsync("");
        await Target("B").SelectOptionAsync("Location");
        await Expect(Page.GetByTestId("mapping-changed")).ToBeVisibleAsync();

        await Page.GetByLabel("breadcrumb").GetByRole(AriaRole.Link, new() { Name = "Import", Exact = true }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/rollouts/W11/imports$"));
        await Page.GoBackAsync();

        // The unsaved choice is back in the form, step 3 lists the saved mapping: the notice says they differ.
        await Expect(Target("B")).ToHaveValueAsync("Location");
        await Expect(Page.GetByTestId("summary")).Not.ToContainTextAsync("→ Location");
        await Expect(Page.GetByTestId("mapping-changed")).ToBeVisibleAsync();
        await Step("back-unsaved-change");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(Page.GetByTestId("progress-text").Filter(new() { HasText = " checked, " })).ToBeVisibleAsync(new() { Timeout = JobTimeout });
        await Expect(StatusBadge).ToHaveAttributeAsync("data-status", "Completed", new() { Timeout = JobTimeout });
        await Expect(Page.GetByTestId("page-message")).ToContainTextAsync("differed from the saved one: it was saved and used");
        await Expect(Page.GetByTestId("summary")).ToContainTextAsync($"B ({header}) → Location");
        await Expect(Page.GetByTestId("result")).ToContainTextAsync("1,500 clients created");
        await Step("completed-with-message");
    }
}
