using System.Text.RegularExpressions;
using ClosedXML.Excel;
using Rollouter.Import.BrowserTests.Infrastructure;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>
/// A fresh installation (Production, no demo data, only the initial administrator) set up and used for a first import
/// entirely through the browser, as the README's "Setting up a fresh installation" describes: the administrator
/// creates a workflow, custom fields, an advanced link type, a rollout manager, an invited technician and a rollout;
/// the rollout manager creates an inventory, imports clients, links two of them, exports the inventory and imports the
/// export back unchanged (nothing changes); the technician sees the clients and no settings.
/// </summary>
[Collection(FreshInstallationCollection.Name)]
public sealed class FreshInstallationTests(FreshInstallationFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    private const string ManagerEmail = "maria.manager@fresh.test";
    private const string ManagerPassword = "Manager!2026";
    private const string TechnicianEmail = "tom.technician@fresh.test";
    private const string TechnicianPassword = "Technician!2026";
    private const string Rollout = "OFFICE";
    private const string XlsxMimeType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private ILocator History => Page.GetByTestId("client-history").Locator("tbody tr");

    [Fact]
    public async Task Administrator_SetsUpARollout_Manager_ImportsLinksAndRoundTrips_Technician_SeesNoSettings()
    {
        await AdministratorSignsIn_AndIsToldHowToStart();
        await AdministratorCreatesWorkflowFieldsLinkType();
        await AdministratorCreatesUsersAndRollout();
        await ManagerCreatesInventory_AndImportsClients();
        await ManagerLinksTwoClients_ChoosingTheValueToKeep();
        await ManagerExportsAndReimportsUnchanged_AndNothingChanges();
        await TechnicianSeesTheClients_AndNoSettings();
    }

    private async Task AdministratorSignsIn_AndIsToldHowToStart()
    {
        await StartAsync("/", nameof(Administrator_SetsUpARollout_Manager_ImportsLinksAndRoundTrips_Technician_SeesNoSettings));
        await SignInAsync(FreshInstallationFixture.AdministratorEmail, FreshInstallationFixture.AdministratorPassword);
        await Expect(Page.GetByTestId("current-user")).ToContainTextAsync("Administrator · Administrator");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Rollouts", Level = 1 })).ToBeVisibleAsync();
        var empty = Page.GetByTestId("no-rollouts");
        await Expect(empty).ToContainTextAsync("There are no rollouts yet.");
        await Expect(empty.GetByRole(AriaRole.Link, new() { Name = "a new rollout" })).ToHaveAttributeAsync("href", "/settings/rollouts/new");
        await Step("admin-no-rollouts-yet");
    }

    private async Task AdministratorCreatesWorkflowFieldsLinkType()
    {
        await Page.GetByTestId("no-rollouts").GetByRole(AriaRole.Link, new() { Name = "Workflows" }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "New workflow" }).ClickAsync();
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Office workflow");
        await Page.GetByLabel("Statuses, one per line, in order").FillAsync("Ordered\nPrepared\nDelivered");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create workflow" }).ClickAsync();
        await Expect(Page.GetByTestId("settings-message")).ToHaveTextAsync("The workflow Office workflow was created.");
        await Expect(Page.GetByTestId("statuses").Locator("tbody tr")).ToHaveCountAsync(3);
        await Step("workflow");

        await CreateCustomFieldAsync("Room", "Input", "Building and room", options: null);
        await CreateCustomFieldAsync("Model", "Selection", "The device's model", "ThinkPad\nLatitude");
        await Expect(Page.GetByTestId("options").Locator("tbody tr")).ToHaveCountAsync(2);
        await Step("selection-field");
        await CreateCustomFieldAsync("Software", "Multi-Selection", "Software to install", "Office\nVPN\nTeams");
        await Expect(Page.GetByTestId("options").Locator("tbody tr")).ToHaveCountAsync(3);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Custom fields", Exact = true }).ClickAsync();
        var fields = Page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Table);
        await Expect(fields).ToContainTextAsync("Room");
        await Expect(fields).ToContainTextAsync("Multi-Selection");
        await Step("custom-fields");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Link types", Exact = true }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "New link type" }).ClickAsync();
        await Page.GetByLabel("Outward name").FillAsync("replaces");
        await Page.GetByLabel("Inward name").FillAsync("is replaced by");
        await Page.GetByLabel("Advanced: directly linked clients share").CheckAsync();
        await Page.GetByLabel("Room", new() { Exact = true }).CheckAsync();
        await Step("new-link-type");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create link type" }).ClickAsync();
        await Expect(Page.GetByTestId("settings-message")).ToHaveTextAsync("The link type replaces / is replaced by was created.");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Link types", Exact = true }).ClickAsync();
        var type = Page.GetByTestId("link-types").Locator("tbody tr");
        await Expect(type).ToHaveCountAsync(1);
        await Expect(type).ToContainTextAsync("is replaced by");
        await Expect(type.Locator("td").Nth(2)).ToHaveTextAsync("Yes");
        await Expect(type.Locator("td").Nth(3)).ToHaveTextAsync("Room");
        await Step("link-types");
    }

    private async Task CreateCustomFieldAsync(string name, string type, string description, string? options)
    {
        await Page.GetByRole(AriaRole.Link, new() { Name = "Custom fields", Exact = true }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "New custom field" }).ClickAsync();
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await Page.GetByLabel("Type").SelectOptionAsync(new SelectOptionValue { Label = type });
        await Page.GetByLabel("Description").FillAsync(description);
        if (options is not null)
        {
            await Page.GetByLabel("Options, one per line").FillAsync(options);
        }

        await Page.GetByRole(AriaRole.Button, new() { Name = "Create custom field" }).ClickAsync();
        await Expect(Page.GetByTestId("settings-message")).ToHaveTextAsync($"The custom field {name} was created.");
    }

    private async Task AdministratorCreatesUsersAndRollout()
    {
        // A rollout manager with an initial password.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "New user" }).ClickAsync();
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Maria Manager");
        await Page.GetByLabel("Email").FillAsync(ManagerEmail);
        await Page.GetByLabel("User ID").FillAsync("U-0100");
        await Page.GetByLabel("Role").SelectOptionAsync(new SelectOptionValue { Label = "Rollout Manager" });
        await Page.GetByLabel("Set an initial password").CheckAsync();
        await Page.GetByLabel("Initial password", new() { Exact = true }).FillAsync(ManagerPassword);
        await Page.GetByLabel("Repeat the password").FillAsync(ManagerPassword);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await Expect(Page.GetByTestId("settings-message")).ToHaveTextAsync("Maria Manager was created and can sign in with the initial password.");
        await Step("manager-created");

        // A technician invited by link, who sets their password in a browser of their own.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "New user" }).ClickAsync();
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Tom Technician");
        await Page.GetByLabel("Email").FillAsync(TechnicianEmail);
        await Page.GetByLabel("User ID").FillAsync("U-0200");
        await Page.GetByLabel("Role").SelectOptionAsync(new SelectOptionValue { Label = "Technician" });
        await Page.GetByLabel("Create an invitation link").CheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Invitation link for Tom Technician" })).ToBeVisibleAsync();
        var link = await Page.GetByTestId("invitation-link").InputValueAsync();
        Assert.Contains("/account/invitation?", link, StringComparison.Ordinal);
        await Step("invitation-link");

        var technician = await NewBrowserContextPageAsync();
        await technician.GotoAsync(link);
        await Expect(technician.GetByTestId("invitation-email")).ToHaveTextAsync(TechnicianEmail);
        await technician.GetByLabel("Password", new() { Exact = true }).FillAsync(TechnicianPassword);
        await technician.GetByLabel("Repeat the password").FillAsync(TechnicianPassword);
        await Step("technician-chooses-password", technician);
        await technician.GetByRole(AriaRole.Button, new() { Name = "Set password and sign in" }).ClickAsync();
        await Expect(technician.GetByTestId("current-user")).ToContainTextAsync("Tom Technician · Technician");
        await Expect(technician.GetByTestId("no-rollouts")).ToContainTextAsync("You are not a member of any rollout yet.");
        await Step("technician-signed-in", technician);

        await Page.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true }).ClickAsync();
        var users = Page.GetByTestId("users");
        await Expect(users.Locator("tbody tr")).ToHaveCountAsync(3);
        await Expect(users.Locator("tbody tr").Filter(new() { HasText = "Tom Technician" })).ToContainTextAsync("Active");
        await Expect(users.Locator("tbody tr").Filter(new() { HasText = "Maria Manager" })).ToContainTextAsync("U-0100");
        await Step("users");

        // The rollout, with both as members.
        await GoToAsync("/rollouts");
        await Page.GetByTestId("no-rollouts").GetByRole(AriaRole.Link, new() { Name = "a new rollout" }).ClickAsync();
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Office Refresh");
        await Page.GetByLabel("Identifier").FillAsync(Rollout);
        await Page.GetByLabel("Client limit").FillAsync("500");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create rollout" }).ClickAsync();
        await Expect(Page.GetByTestId("settings-message")).ToHaveTextAsync("The rollout Office Refresh was created. Add its members below.");
        foreach (var member in new[] { $"Maria Manager ({ManagerEmail}, Rollout Manager)", $"Tom Technician ({TechnicianEmail}, Technician)" })
        {
            await Page.GetByLabel("Add a member").SelectOptionAsync(new SelectOptionValue { Label = member });
            await Page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
            await Expect(Page.GetByTestId("settings-message")).ToHaveTextAsync("The member was added.");
        }

        await Expect(Page.GetByTestId("members")).ToContainTextAsync("Maria Manager");
        await Expect(Page.GetByTestId("members")).ToContainTextAsync("Tom Technician");
        await Step("rollout-members");

        // From the settings to the rollout itself: empty, and it says what comes next.
        await Page.GetByTestId("open-rollout").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex($"/rollouts/{Rollout}$"));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Office Refresh", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("no-inventories")).ToContainTextAsync("This rollout has no inventories yet.");
        await Step("admin-opens-rollout");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
    }

    private async Task ManagerCreatesInventory_AndImportsClients()
    {
        await SignInAsync(ManagerEmail, ManagerPassword);
        await Expect(Page.GetByTestId("current-user")).ToContainTextAsync("Maria Manager · Rollout Manager");
        await Page.GetByRole(AriaRole.Table).GetByRole(AriaRole.Link, new() { Name = "Office Refresh" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Office Refresh", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("no-inventories")).ToContainTextAsync("Create one with New inventory");
        await Step("manager-empty-rollout");

        await Page.GetByTestId("new-inventory").ClickAsync();
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Laptops");
        await Page.GetByLabel("Workflow").SelectOptionAsync(new SelectOptionValue { Label = "Office workflow (Ordered → Prepared → Delivered)" });
        var position = 1;
        foreach (var field in new[] { "Room", "Model", "Software" })
        {
            await Page.GetByLabel($"Use {field}").CheckAsync();
            await Page.GetByLabel($"Position of {field}").FillAsync((position++).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await Step("new-inventory");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create inventory" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Laptops", Level = 1 })).ToContainTextAsync("Workflow: Office workflow");
        await Expect(Page.GetByTestId("client-count")).ToHaveTextAsync("0 clients");
        await Expect(Page.GetByTestId("no-clients")).ToContainTextAsync("This inventory has no clients yet.");
        await Step("empty-inventory");

        // The template, filled in as in Excel: one column per field, in the inventory's order after the default fields.
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByTestId("download-template").ClickAsync());
        string[] headers = ["Name", "Status", "Room", "Model", "Software"];
        string[][] rows =
        [
            ["PC-001", "Ordered", "B1 R101", "ThinkPad", "Office;VPN"],
            ["PC-002", "Prepared", "B1 R102", "Latitude", "Teams"],
            ["PC-003", "Ordered", "B2 R201", "ThinkPad", ""],
        ];
        byte[] filled;
        using (var template = File.OpenRead(await download.PathAsync()))
        using (var workbook = new XLWorkbook(template))
        {
            var sheet = workbook.Worksheet("Clients");
            var columns = sheet.Row(1).CellsUsed().Select(c => c.GetString()).ToList();
            Assert.Equal(["Room", "Model", "Software"], columns.Skip(columns.Count - 3));
            for (var r = 0; r < rows.Length; r++)
            {
                for (var h = 0; h < headers.Length; h++)
                {
                    sheet.Cell(r + 2, columns.IndexOf(headers[h]) + 1).SetValue(rows[r][h]);
                }
            }

            using var stream = new MemoryStream();
            workbook.SaveAs(stream);
            filled = stream.ToArray();
        }

        await Page.GetByTestId("no-clients").GetByRole(AriaRole.Link, new() { Name = "Import" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Imports of Office Refresh" })).ToBeVisibleAsync();
        await UploadAsync(Rollout, "Laptops", download.SuggestedFilename, filled, XlsxMimeType);
        await Expect(StatusBadge).ToHaveTextAsync("Waiting for Approval");
        await Expect(Page.GetByTestId("row-count")).ToHaveTextAsync("3");
        await Expect(Target("A")).ToHaveValueAsync("Name");
        await Expect(Target("B")).ToHaveValueAsync("Status");
        await Expect(Target("G")).ToHaveValueAsync("Room");
        await Expect(Target("H")).ToHaveValueAsync("Model");
        await Expect(Target("I")).ToHaveValueAsync("Software");
        await Expect(Page.GetByTestId("mapping")).ToContainTextAsync("PC-002");
        await Step("mapping");

        await ApproveAsync("Completed");
        await Expect(Page.GetByTestId("result")).ToContainTextAsync("3 clients created, 0 updated");
        await Expect(Page.GetByTestId("status-explanation")).ToContainTextAsync("all clients have been created");
        await Step("completed");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Show the clients of Laptops" }).ClickAsync();
        await Expect(Page.GetByTestId("client-count")).ToHaveTextAsync("3 clients");
        var listed = Page.GetByTestId("clients").Locator("tbody tr");
        await Expect(listed).ToHaveCountAsync(3);
        await Expect(listed.Nth(0)).ToContainTextAsync("PC-001");
        await Expect(listed.Nth(0)).ToContainTextAsync("B1 R101");
        await Expect(listed.Nth(0)).ToContainTextAsync("VPN");
        await Expect(listed.Nth(1)).ToContainTextAsync("Prepared");
        await Expect(listed.Nth(1)).ToContainTextAsync("Latitude");
        await Step("clients");
    }

    private async Task ManagerLinksTwoClients_ChoosingTheValueToKeep()
    {
        await Page.GetByTestId("clients").GetByRole(AriaRole.Link, new() { Name = "PC-002" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "PC-002" })).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("client-values")).ToContainTextAsync("B1 R102");
        await Expect(History).ToHaveCountAsync(1);
        await Expect(History).ToContainTextAsync("created by import #1");

        await Page.GetByRole(AriaRole.Searchbox, new() { Name = "Find a client to link" }).FillAsync("PC-001");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await Expect(Page.GetByLabel("PC-001")).ToBeCheckedAsync();
        await Page.GetByLabel("PC-002 …").SelectOptionAsync(new SelectOptionValue { Label = "replaces (advanced)" });
        await Step("link-form");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Add link" }).ClickAsync();

        // Both have a Room, and they differ: which one to keep?
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "PC-002 replaces PC-001" })).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("conflict-intro")).ToContainTextAsync("they disagree on one of them");
        await Expect(Page.GetByTestId("conflicts").Locator("tbody tr")).ToHaveCountAsync(1);
        await Page.GetByLabel("B1 R101").CheckAsync();
        await Step("choose-value");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Link and keep the chosen values" }).ClickAsync();

        await Expect(Page.GetByTestId("message")).ToHaveTextAsync("The link was added.");
        await Expect(Page.GetByTestId("client-links")).ToContainTextAsync("PC-002 replaces PC-001");
        await Expect(Page.GetByTestId("client-values")).ToContainTextAsync("B1 R101");
        await Expect(History).ToHaveCountAsync(2);
        await Expect(History.First).ToContainTextAsync("Room: B1 R102 → B1 R101");
        await Step("linked");

        await Page.GetByTestId("client-links").GetByRole(AriaRole.Link, new() { Name = "PC-001" }).ClickAsync();
        await Expect(Page.GetByTestId("client-links")).ToContainTextAsync("PC-001 is replaced by PC-002");
        await Step("linked-other-side");
    }

    private async Task ManagerExportsAndReimportsUnchanged_AndNothingChanges()
    {
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = "Laptops" }).ClickAsync();
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByTestId("export").ClickAsync());
        Assert.Matches("^Laptops-clients-\\d{4}-\\d{2}-\\d{2}\\.xlsx$", download.SuggestedFilename);
        var exported = await File.ReadAllBytesAsync(await download.PathAsync());
        await Step("exported");

        await UploadAsync(Rollout, "Laptops", download.SuggestedFilename, exported, XlsxMimeType);
        await Expect(Page.GetByTestId("row-count")).ToHaveTextAsync("3");
        await Page.GetByLabel("Update existing clients").CheckAsync();
        await SaveMappingAsync();
        await Expect(Page.GetByLabel("Update existing clients")).ToBeCheckedAsync();
        await Step("reimport-mapping");
        await ApproveAsync("Completed");
        await Expect(Page.GetByTestId("result")).ToContainTextAsync("0 clients created, 0 updated");
        await Expect(Page.GetByTestId("status-explanation")).ToContainTextAsync("already had these values, so nothing was changed");
        await Step("reimport-completed");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Show the clients of Laptops" }).ClickAsync();
        await Expect(Page.GetByTestId("client-count")).ToHaveTextAsync("3 clients");
        await Page.GetByTestId("clients").GetByRole(AriaRole.Link, new() { Name = "PC-002" }).ClickAsync();
        await Expect(Page.GetByTestId("client-values")).ToContainTextAsync("B1 R101");
        await Expect(Page.GetByTestId("client-links")).ToContainTextAsync("PC-002 replaces PC-001");
        await Expect(History).ToHaveCountAsync(2);
        await Expect(Page.GetByTestId("client-history")).Not.ToContainTextAsync("import #2");
        await Step("no-new-history");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
    }

    private async Task TechnicianSeesTheClients_AndNoSettings()
    {
        await SignInAsync(TechnicianEmail, TechnicianPassword);
        await Expect(Page.GetByTestId("current-user")).ToContainTextAsync("Tom Technician · Technician");
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Settings", Exact = true })).ToHaveCountAsync(0);
        await Page.GetByRole(AriaRole.Table).GetByRole(AriaRole.Link, new() { Name = "Office Refresh" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Office Refresh", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Import", Exact = true })).ToHaveCountAsync(0);
        await Expect(Page.GetByTestId("new-inventory")).ToHaveCountAsync(0);
        await Step("technician-rollout");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Laptops", Exact = true }).ClickAsync();
        await Expect(Page.GetByTestId("client-count")).ToHaveTextAsync("3 clients");
        await Expect(Page.GetByTestId("clients")).ToContainTextAsync("PC-003");
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Import", Exact = true })).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Settings", Exact = true })).ToHaveCountAsync(0);
        await Expect(Page.GetByTestId("edit-inventory")).ToHaveCountAsync(0);
        await Step("technician-clients");

        var response = await GoToAsync("/settings");
        Assert.Equal(403, response?.Status);
        await Expect(Page).ToHaveURLAsync(new Regex("/account/denied"));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();
        await Expect(Page.Locator("main")).Not.ToContainTextAsync("Maria Manager");
        await Step("settings-denied");
    }
}
