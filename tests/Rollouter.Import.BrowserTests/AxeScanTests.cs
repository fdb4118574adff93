using System.Text;
using System.Text.RegularExpressions;
using Rollouter.Import.BrowserTests.Infrastructure;
using Rollouter.Import.BrowserTests.Recovery;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>
/// Every page a user reaches without importing, scanned by axe-core (WCAG 2.0/2.1 A and AA, decision 0162) as each role
/// sees it: signed out, administrator, rollout manager, key account manager. The demo data is read, never changed. The
/// wizard's steps are scanned by <see cref="AxeScanWizardTests"/>. A failure names each page, rule, element and the
/// rule's help page; docs/development.md tells how to read it.
/// </summary>
public sealed class AxeScanTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    private readonly AxeScan _axe = new(output);

    [Fact]
    public async Task EveryPage_AsEachRoleSeesIt_HasNoAxeViolation()
    {
        // Signed out: the sign-in page, empty and refused.
        await StartAsync("/rollouts");
        await Expect(Page).ToHaveURLAsync(SignInUrl());
        await _axe.ScanAsync(Page, "sign-in");
        await SignInAsync("admin@demo.test", "not the password");
        await Expect(Page.Locator("[data-error-summary]")).ToBeVisibleAsync();
        await _axe.ScanAsync(Page, "sign-in refused");

        // The administrator: rollouts, inventories, clients, settings.
        await SignInAsync("admin@demo.test");
        await Expect(Page).ToHaveURLAsync(new Regex("/rollouts$"));
        await _axe.ScanAsync(Page, "rollouts");
        await GoToAsync("/");
        await _axe.ScanAsync(Page, "home");
        await GoToAsync("/rollouts/W11");
        await _axe.ScanAsync(Page, "rollout's inventories");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Laptops", Exact = true }).ClickAsync();
        await Expect(Page.GetByTestId("clients")).ToBeVisibleAsync();
        await _axe.ScanAsync(Page, "client list");
        // Every control's focus, by Tab (decision 0171): the menu, the search, the downloads, the sort links, the clients.
        Assert.True(await _axe.FocusRingsAsync(Page, "client list") > 20, "the Tab key reached few controls of the client list");
        await Page.GetByRole(AriaRole.Searchbox, new() { Name = "Search clients" }).FillAsync("no such client anywhere");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("[?&]search="));
        await _axe.ScanAsync(Page, "client list searched, no hit");
        var laptops = Page.Url.Split('?')[0];
        await GoToAsync(laptops + "/edit");
        await _axe.ScanAsync(Page, "edit an inventory");
        await GoToAsync(laptops + "/duplicate");
        await _axe.ScanAsync(Page, "duplicate an inventory");
        await GoToAsync(laptops + "/delete");
        await _axe.ScanAsync(Page, "delete an inventory (confirmation)");
        await GoToAsync("/rollouts/W11/inventories/new");
        await _axe.ScanAsync(Page, "new inventory");
        await GoToAsync(laptops);
        await Page.GetByTestId("clients").GetByRole(AriaRole.Link, new() { Name = "LT-0020" }).ClickAsync();
        await Expect(Page.GetByTestId("client-history")).ToBeVisibleAsync();
        await _axe.ScanAsync(Page, "client's page and history");
        await GoToAsync("/rollouts/W11");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Monitors", Exact = true }).ClickAsync();
        await _axe.ScanAsync(Page, "client list, empty");
        await GoToAsync("/rollouts/W11/imports");
        await _axe.ScanAsync(Page, "imports list");
        await GoToAsync("/rollouts/W11/imports/new");
        await _axe.ScanAsync(Page, "new import");
        await GoToAsync("/account/password");
        await _axe.ScanAsync(Page, "your password");

        await GoToAsync("/settings");
        await _axe.ScanAsync(Page, "settings");
        await GoToAsync("/settings/users");
        await _axe.ScanAsync(Page, "users");
        await GoToAsync("/settings/users/new");
        await _axe.ScanAsync(Page, "new user");
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Second admin");
        await Page.GetByLabel("Email", new() { Exact = true }).FillAsync("admin@demo.test");
        await Page.GetByLabel("User ID").FillAsync("U-AXE-" + Guid.NewGuid().ToString("N")[..6]);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await Expect(Page.Locator("[data-error-summary]")).ToBeVisibleAsync();
        await _axe.ScanAsync(Page, "new user refused");
        int managerId;
        using (var admin = await AppApi.SignInAsync(Fixture.App, "admin@demo.test"))
        {
            managerId = (await admin.GetAsync("api/users")).AsArray()
                .Single(u => u!["email"]!.GetValue<string>() == "manager@demo.test")!["id"]!.GetValue<int>();
        }

        await GoToAsync($"/settings/users/{managerId}");
        await _axe.ScanAsync(Page, "a user's page");
        await GoToAsync("/settings/rollouts");
        await _axe.ScanAsync(Page, "rollouts settings");
        await GoToAsync("/settings/rollouts/new");
        await _axe.ScanAsync(Page, "new rollout");
        // A settings form refused (the identifier taken), and the focus drawn on each of its controls.
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Axe rollout");
        await Page.GetByLabel("Identifier").FillAsync("W11");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create rollout" }).ClickAsync();
        await Expect(Page.Locator("[data-error-summary]")).ToBeVisibleAsync();
        await _axe.ScanAsync(Page, "new rollout refused");
        await _axe.FocusRingsAsync(Page, "new rollout refused");
        await GoToAsync("/settings/rollouts");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Windows 11 Refresh" }).Last.ClickAsync();
        await _axe.ScanAsync(Page, "a rollout's settings");
        await GoToAsync("/settings/workflows");
        await _axe.ScanAsync(Page, "workflows");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Device rollout" }).First.ClickAsync();
        await _axe.ScanAsync(Page, "a workflow (shared settings)");
        var workflow = new Uri(Page.Url).AbsolutePath;
        await Page.Locator("a[href$='/remove']").First.ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/statuses/\\d+/remove$"));
        await _axe.ScanAsync(Page, "remove a status (confirmation)");
        await GoToAsync(workflow + "/duplicate");
        await _axe.ScanAsync(Page, "duplicate a workflow");
        await GoToAsync("/settings/workflows/new");
        await _axe.ScanAsync(Page, "new workflow");
        await GoToAsync("/settings/custom-fields");
        await _axe.ScanAsync(Page, "custom fields");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Department", Exact = true }).ClickAsync();
        await _axe.ScanAsync(Page, "a custom field");
        await GoToAsync(new Uri(Page.Url).AbsolutePath + "/duplicate");
        await _axe.ScanAsync(Page, "duplicate a custom field");
        await GoToAsync("/settings/custom-fields/new");
        await _axe.ScanAsync(Page, "new custom field");
        await GoToAsync("/settings/link-types");
        await _axe.ScanAsync(Page, "link types");
        await Page.GetByRole(AriaRole.Main).Locator("a[href^='/settings/link-types/']:not([href$='/new'])").First.ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/settings/link-types/\\d+$"));
        await _axe.ScanAsync(Page, "a link type");
        await GoToAsync(new Uri(Page.Url).AbsolutePath + "/delete");
        await _axe.ScanAsync(Page, "delete a link type (confirmation)");
        await GoToAsync("/settings/link-types/new");
        await _axe.ScanAsync(Page, "new link type");
        var missing = await GoToAsync("/rollouts/W11/no-such-page");
        Assert.Equal(404, missing?.Status);
        await _axe.ScanAsync(Page, "404");

        // The narrow window of decision 0058.
        await Page.SetViewportSizeAsync(375, 800);
        await GoToAsync(laptops);
        await _axe.ScanAsync(Page, "client list, narrow window");
        await GoToAsync("/rollouts/W11/imports");
        await _axe.ScanAsync(Page, "imports list, narrow window");
        // The menu opened by its button (decision 0171): scanned, and the focus drawn on each of its links.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Menu" }).ClickAsync();
        await Expect(Page.Locator("#main-navigation.show")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Menu" })).ToHaveAttributeAsync("aria-expanded", "true");
        await _axe.ScanAsync(Page, "menu opened, narrow window");
        await _axe.FocusRingsAsync(Page, "menu opened, narrow window", stops: 12);
        await Page.SetViewportSizeAsync(1280, 900);

        // The rollout manager.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await GoToAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await Expect(Page).ToHaveURLAsync(new Regex("/rollouts$"));
        await _axe.ScanAsync(Page, "rollouts (manager)");
        await GoToAsync("/rollouts/W11");
        await _axe.ScanAsync(Page, "rollout's inventories (manager)");

        // A technician: no settings (403).
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await GoToAsync("/rollouts/W11");
        await SignInAsync("technician@demo.test");
        await Expect(Page).ToHaveURLAsync(new Regex("/rollouts/W11$"));
        await _axe.ScanAsync(Page, "rollout's inventories (technician)");
        var denied = await GoToAsync("/settings/users");
        Assert.Equal(403, denied?.Status);
        await _axe.ScanAsync(Page, "403");

        // The key account manager: reviews.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await GoToAsync("/reviews");
        await SignInAsync("kam@demo.test");
        await Expect(Page).ToHaveURLAsync(new Regex("/reviews"));
        await _axe.ScanAsync(Page, "reviews (key account manager)");

        _axe.AssertNoViolations();
    }
}

/// <summary>
/// The import wizard's steps and an import's states, scanned by axe-core (decision 0162): the upload refused, a mapping
/// with errors, a Check's summary with failing rows, a running import, a completed one and its revert's confirmation,
/// a failed one with its corrections, and its review by a key account manager. The wizard's app
/// (<see cref="WizardFixture"/>): the imports have unique names, the running one a rollout of its own.
/// </summary>
[Collection(WizardCollection.Name)]
public sealed class AxeScanWizardTests(WizardFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    /// <summary>Rows of the running import: enough for it to be In Progress when its page loads (as ProgressPollTests).</summary>
    private const int RunningRows = 100_000;

    private readonly AxeScan _axe = new(output);

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}";

    [Fact]
    public async Task EveryWizardStepAndImportState_HasNoAxeViolation()
    {
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await Expect(Page).Not.ToHaveURLAsync(SignInUrl());

        // Upload refused: not a spreadsheet.
        await GoToAsync("/rollouts/W11/imports/new");
        await Page.GetByLabel("Inventory").SelectOptionAsync(new SelectOptionValue { Label = "Laptops" });
        await Page.GetByLabel("File (Excel").SetInputFilesAsync(new FilePayload { Name = "notes.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.4 not a sheet"u8.ToArray() });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Expect(Page.Locator("[data-error-summary]")).ToBeVisibleAsync();
        await Step("upload-refused");
        await _axe.ScanAsync(Page, "upload refused");
        await _axe.FocusRingsAsync(Page, "upload refused");

        // Mapping with errors: two columns into Status, no column into Name.
        await UploadAsync("W11", "Laptops", "mapping.csv", Encoding.UTF8.GetBytes($"Hostname,Status,State\n{Unique("AXE")},New,Nope\n{Unique("AXE")},New,New\n"));
        await Target("C").SelectOptionAsync("Status");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save mapping" }).ClickAsync();
        await Expect(Page.GetByTestId("mapping-issues")).ToBeVisibleAsync();
        await Expect(StatusBadge).ToHaveAttributeAsync("data-status", "Incomplete");
        await Step("mapping-errors");
        await _axe.ScanAsync(Page, "mapping with errors");
        await _axe.FocusRingsAsync(Page, "mapping with errors");
        await GoToAsync(new Uri(Page.Url).AbsolutePath + "/discard");
        await _axe.ScanAsync(Page, "discard (confirmation)");

        // A Check's summary with failing rows.
        await UploadAsync("W11", "Laptops", "check.csv", Encoding.UTF8.GetBytes($"Name,Status,Department\n{Unique("AXE")},Nope,IT\n{Unique("AXE")},New,IT\n"));
        await Expect(StatusBadge).ToHaveAttributeAsync("data-status", "WaitingForApproval");
        await _axe.ScanAsync(Page, "summary, waiting for approval");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        await Expect(Page.Locator("#check")).ToBeFocusedAsync();
        await Step("check");
        await _axe.ScanAsync(Page, "summary with failing rows (Check)");

        // Failed, with its corrections: a cell's editor, a replacement's preview.
        await ApproveAsync("Failed");
        await Expect(Page.GetByTestId("failed-rows")).ToBeVisibleAsync();
        await _axe.ScanAsync(Page, "failed, with corrections");
        await _axe.FocusRingsAsync(Page, "failed, with corrections");
        var failedImport = new Uri(Page.Url).AbsolutePath;
        var replace = Page.Locator("[data-testid=replacement-form][data-column=\"B\"][data-from=\"Nope\"]");
        await replace.GetByLabel("Replace every 'Nope' in column B with").SelectOptionAsync("New");
        await replace.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(Page.GetByTestId("replacement-proposal")).ToBeVisibleAsync();
        await Step("replacement-preview");
        await _axe.ScanAsync(Page, "a replacement's preview");

        // Completed, and its revert's confirmation.
        await UploadAsync("W11", "Laptops", "done.csv", Encoding.UTF8.GetBytes($"Name,Status,Department\n{Unique("AXE")},New,IT\n"));
        await SaveMappingAsync();
        await _axe.ScanAsync(Page, "mapping saved");
        await ApproveAsync("Completed");
        await _axe.ScanAsync(Page, "completed");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Revert this import…" }).ClickAsync();
        await Expect(Page.GetByTestId("revert-impact")).ToBeVisibleAsync();
        await Step("revert-confirmation");
        await _axe.ScanAsync(Page, "revert confirmation");
        await GoToAsync("/rollouts/W11/imports");
        await _axe.ScanAsync(Page, "imports list with imports");

        // The key account manager's review of the failed import.
        var review = await NewBrowserContextPageAsync();
        await review.GotoAsync("/reviews");
        await review.GetByLabel("Email").FillAsync("kam@demo.test");
        await review.GetByLabel("Password").FillAsync(DemoPassword);
        await review.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(review.GetByTestId("reviews")).ToBeVisibleAsync();
        await _axe.ScanAsync(review, "reviews with a failed import (key account manager)");
        await review.GotoAsync(failedImport.Replace("/rollouts/", "/reviews/", StringComparison.Ordinal));
        await Expect(review.GetByTestId("review-notice")).ToBeVisibleAsync();
        await _axe.ScanAsync(review, "a failed import's review");
        await review.GotoAsync(failedImport.Replace("/rollouts/", "/reviews/", StringComparison.Ordinal) + "/check");
        await Expect(review.GetByTestId("check-result").GetByTestId("failing-values")).ToBeVisibleAsync();
        await _axe.ScanAsync(review, "a failed import's check on its review, with the values that would fail");

        // A new user's invitation link, and the page it opens for them.
        var settings = await NewBrowserContextPageAsync();
        await settings.GotoAsync("/settings/users/new");
        await settings.GetByLabel("Email").FillAsync("admin@demo.test");
        await settings.GetByLabel("Password").FillAsync(DemoPassword);
        await settings.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var invited = Unique("axe").ToLowerInvariant();
        await settings.GetByLabel("Name", new() { Exact = true }).FillAsync("Ina " + invited);
        await settings.GetByLabel("Email", new() { Exact = true }).FillAsync(invited + "@demo.test");
        await settings.GetByLabel("User ID").FillAsync(invited.ToUpperInvariant());
        await settings.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        var link = settings.GetByTestId("invitation-link");
        await Expect(link).ToBeVisibleAsync();
        await _axe.ScanAsync(settings, "invitation link created");
        var invitation = await NewBrowserContextPageAsync();
        await invitation.GotoAsync(await link.InputValueAsync());
        await _axe.ScanAsync(invitation, "invitation (choose a password)");

        // A running import, in a rollout of its own; its polls are held, so the page stays as it is while it is scanned.
        var identifier = "AXE" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        using (var admin = await AppApi.SignInAsync(Fixture.App, "admin@demo.test"))
        {
            await admin.RolloutWithDesksAsync("Axe " + identifier, identifier, "manager@demo.test");
        }

        int importId;
        using (var manager = await AppApi.SignInAsync(Fixture.App, "manager@demo.test"))
        {
            var csv = new StringBuilder("Name,Status\n", RunningRows * 20);
            var prefix = Unique("RUN");
            for (var i = 1; i <= RunningRows; i++)
            {
                csv.Append(prefix).Append('-').Append(i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(",New\n");
            }

            importId = await manager.ApproveCsvAsync(identifier, "Desks", csv.ToString());
        }

        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Page.RouteAsync("**/progress", async route =>
        {
            await held.Task;
            await route.ContinueAsync();
        });
        await GoToAsync($"/rollouts/{identifier}/imports/{importId}");
        await Expect(Page.GetByRole(AriaRole.Progressbar, new() { Name = "Import progress" })).ToBeVisibleAsync();
        await Step("running");
        await _axe.ScanAsync(Page, "a running import");
        held.SetResult();
        await Page.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.IgnoreErrors });

        _axe.AssertNoViolations();
    }
}
