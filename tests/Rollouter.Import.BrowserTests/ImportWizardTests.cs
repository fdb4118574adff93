using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClosedXML.Excel;
using Rollouter.Import.BrowserTests.Infrastructure;
using Rollouter.Import.Testing;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>
/// The import wizard as a rollout manager, a key account manager and a technician use it: upload, column-field
/// mapping, approval, progress and result, fixing a failed import, updating clients, creating options, reviewing.
/// Its own app (<see cref="WizardFixture"/>), so the clients it creates never reach the other browser tests; every
/// client and option it creates has a unique name, so the tests do not depend on each other or on their order.
/// </summary>
[Collection(WizardCollection.Name)]
public sealed class ImportWizardTests(WizardFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}";

    private ILocator CreateOption(string letter) =>
        Page.Locator($"tr[data-letter=\"{letter}\"]").GetByLabel("Create option if not exists");

    /// <summary>Upload into the demo rollout W11 (<see cref="BrowserTest.UploadAsync"/>).</summary>
    private Task UploadAsync(string inventory, string fileName, byte[] content, string mimeType = "text/csv") =>
        UploadAsync("W11", inventory, fileName, content, mimeType);

    [Fact]
    public async Task Manager_ImportsTheFilledInTemplate_SeesTheMappingPrefilled_ApprovesIt_AndFindsTheNewClients()
    {
        string[] names = [Unique("WIZ"), Unique("WIZ")];
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Windows 11 Refresh" }).First.ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Laptops", Exact = true }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Laptops", Level = 1 })).ToBeVisibleAsync();
        await Step("laptops");

        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByTestId("download-template").ClickAsync());
        // Playwright keeps the download without an extension: ClosedXML reads it from a stream.
        byte[] filled;
        using (var template = File.OpenRead(await download.PathAsync()))
        using (var workbook = new XLWorkbook(template))
        {
            var sheet = workbook.Worksheet("Clients");
            var columns = sheet.Row(1).CellsUsed().ToDictionary(c => c.GetString(), c => c.Address.ColumnNumber);
            string[][] rows =
            [
                [names[0], "New", "Building 7, room 701", "ThinkPad T14", "Office;Teams", "SN700001", "IT"],
                [names[1], "Prepared", "Building 7, room 702", "Latitude 5440", "VPN", "SN700002", "Sales"],
            ];
            string[] headers = ["Name", "Status", "Location", "Model", "Software", "Serial number", "Department"];
            for (var r = 0; r < rows.Length; r++)
            {
                for (var h = 0; h < headers.Length; h++)
                {
                    sheet.Cell(r + 2, columns[headers[h]]).SetValue(rows[r][h]);
                }
            }

            using var output = new MemoryStream();
            workbook.SaveAs(output);
            filled = output.ToArray();
        }

        await Page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "Import", Exact = true }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/rollouts/W11/imports$"));
        await UploadAsync("Laptops", download.SuggestedFilename, filled,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");

        await Expect(StatusBadge).ToHaveTextAsync("Waiting for Approval");
        await Expect(Page.GetByTestId("row-count")).ToHaveTextAsync("2");
        await Expect(Target("A")).ToHaveValueAsync("Name");
        await Expect(Target("B")).ToHaveValueAsync("Status");
        await Expect(Target("G")).ToHaveValueAsync("Location");
        await Expect(Target("H")).ToHaveValueAsync("Model");
        await Expect(Target("K")).ToHaveValueAsync("Serial number");
        await Expect(Target("L")).ToHaveValueAsync("Department");
        await Expect(Page.GetByTestId("mapping")).ToContainTextAsync(names[0]);
        await Expect(Page.GetByTestId("summary")).ToContainTextAsync("Serial number");
        await Step("mapping-prefilled");

        await ApproveAsync("Completed");
        await Expect(Page.GetByTestId("result")).ToContainTextAsync("2 clients created, 0 updated");
        await Step("completed");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Show the clients of Laptops" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Laptops", Level = 1 })).ToBeVisibleAsync();
        var row = await SearchClientAsync(names[1]);
        await Expect(row).ToContainTextAsync("Prepared");
        await Expect(row).ToContainTextAsync("Building 7, room 702");
        await Expect(row).ToContainTextAsync("SN700002");
        await Step("new-client-in-list");
    }

    [Fact]
    public async Task Manager_FixesAFailedImport_ByChangingTheMapping_AndApprovingAgain()
    {
        string[] names = [Unique("FIX"), Unique("FIX")];
        var csv = $"Name,Department,Serial number,Location\n{names[0]},IT,SN300001,Building 3\n{names[1]},HR,SN300002,Building 4\n";
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync("Laptops", "swapped.csv", Encoding.UTF8.GetBytes(csv));
        await Expect(Target("C")).ToHaveValueAsync("Serial number");
        await Expect(Target("D")).ToHaveValueAsync("Location");

        // The mistake: serial numbers into Location and locations into Serial number.
        await Target("C").SelectOptionAsync("Location");
        await Target("D").SelectOptionAsync("Serial number");
        await SaveMappingAsync();
        await Step("wrong-mapping");
        await ApproveAsync("Failed");

        var failedRows = Page.GetByTestId("failed-rows");
        await Expect(Page.GetByTestId("failure")).ToContainTextAsync("2 of 2 rows could not be imported");
        await Expect(failedRows.Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(failedRows).ToContainTextAsync("D (Location)");
        await Expect(failedRows).ToContainTextAsync("does not match the pattern of field");
        await Expect(failedRows).ToContainTextAsync("Building 4");
        await Expect(Page.GetByTestId("error-report")).ToBeVisibleAsync();
        await Step("failed");

        await Target("C").SelectOptionAsync("Serial number");
        await Target("D").SelectOptionAsync("Location");
        await SaveMappingAsync();
        await Step("mapping-fixed");
        await ApproveAsync("Completed");
        await Expect(Page.GetByTestId("result")).ToContainTextAsync("2 clients created, 0 updated");
        await Step("completed");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Show the clients of Laptops" }).ClickAsync();
        var row = await SearchClientAsync(names[0]);
        await Expect(row).ToContainTextAsync("SN300001");
        await Expect(row).ToContainTextAsync("Building 3");
        await Step("clients");
    }

    [Fact]
    public async Task Manager_UpdatesAnExistingClient_WithUpdateExistingClientsTicked()
    {
        var location = Unique("Building U");
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync("Laptops", "update.csv", Encoding.UTF8.GetBytes($"Name,Location\nLT-0020,{location}\n"));
        await Expect(Target("B")).ToHaveValueAsync("Location");

        await Page.GetByLabel("Update existing clients").CheckAsync();
        await SaveMappingAsync();
        await Expect(Page.GetByLabel("Update existing clients")).ToBeCheckedAsync();
        await Step("update-existing-ticked");
        await ApproveAsync("Completed");
        await Expect(Page.GetByTestId("result")).ToContainTextAsync("0 clients created, 1 updated");
        await Step("completed");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Show the clients of Laptops" }).ClickAsync();
        var row = await SearchClientAsync("LT-0020");
        await Expect(row).ToContainTextAsync(location);
        await Step("client-updated");
    }

    [Fact]
    public async Task Manager_ImportsANewSelectionValue_OnlyWithCreateOptionIfNotExists_AndTheOptionThenExists()
    {
        var model = Unique("Surface");
        string[] names = [Unique("OPT"), Unique("OPT")];
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync("Laptops", "models.csv", Encoding.UTF8.GetBytes($"Name,Department,Model\n{names[0]},IT,{model}\n"));
        await Expect(Target("C")).ToHaveValueAsync("Model");
        await CreateOption("C").UncheckAsync();
        await SaveMappingAsync();
        await ApproveAsync("Failed");
        await Expect(Page.GetByTestId("failed-rows")).ToContainTextAsync("is not an option of field");
        await Expect(Page.GetByTestId("failed-rows")).ToContainTextAsync(model);
        await Step("failed-without-create-option");

        await CreateOption("C").CheckAsync();
        await SaveMappingAsync();
        await Expect(Page.GetByTestId("summary")).ToContainTextAsync("create options");
        await Step("create-option-ticked");
        await ApproveAsync("Completed");
        await Expect(Page.GetByTestId("result")).ToContainTextAsync("1 client created, 0 updated");
        await Step("completed");

        // The option exists now: another file with the same model passes the check without creating options.
        await UploadAsync("Laptops", "models-again.csv", Encoding.UTF8.GetBytes($"Name,Department,Model\n{names[1]},IT,{model}\n"));
        await CreateOption("C").UncheckAsync();
        await SaveMappingAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        await Expect(Page.GetByTestId("check-result")).ToContainTextAsync("The 1 row would be imported.");
        await Step("option-exists");

        await GoToAsync("/rollouts/W11");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Laptops", Exact = true }).ClickAsync();
        var row = await SearchClientAsync(names[0]);
        await Expect(row).ToContainTextAsync(model);
        await Step("client-with-new-model");
    }

    [Fact]
    public async Task KeyAccountManager_ReviewsAFailedImport_ReadOnly_AndDownloadsTheFileAndTheFailedRows()
    {
        var csv = $"Name,Status,Department\n{Unique("KAM")},New,IT\n{Unique("KAM")},Shipped,IT\n";
        var id = await FailedImportThroughTheApiAsync("for-review.csv", csv);
        await StartAsync("/rollouts");
        await SignInAsync("kam@demo.test");
        await Expect(Page.GetByTestId("current-user")).ToContainTextAsync("Key Account Manager");
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Import", Exact = true })).ToHaveCountAsync(0);

        await Page.GetByRole(AriaRole.Link, new() { Name = "Reviews" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Import reviews" })).ToBeVisibleAsync();
        var first = Page.GetByTestId("reviews").Locator("tbody tr").First;
        await Expect(first).ToHaveAttributeAsync("data-import", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(first).ToContainTextAsync("Failed");
        await Expect(first).ToContainTextAsync("Windows 11 Refresh");
        await Expect(first).ToContainTextAsync("Max Manager");
        await Step("reviews");

        await first.GetByRole(AriaRole.Link, new() { Name = "for-review.csv" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex($"/reviews/W11/imports/{id}$"));
        await Expect(StatusBadge).ToHaveTextAsync("Failed");
        await Expect(Page.GetByTestId("review-notice")).ToContainTextAsync("Read-only review");
        await Expect(Page.GetByTestId("failed-rows")).ToContainTextAsync("\"Shipped\" is not a status of workflow");
        await Expect(Target("B")).ToBeDisabledAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Check" })).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Save mapping" })).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Apply file settings" })).ToHaveCountAsync(0);
        await Step("review-read-only");

        // The review's Check: the saved assignment against the current settings, read-only (decision 0080).
        await Page.GetByRole(AriaRole.Link, new() { Name = "Check", Exact = true }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex($"/reviews/W11/imports/{id}/check#check$"));
        await Expect(Page.GetByTestId("check-summary")).ToHaveTextAsync("1 of 2 rows would fail (1 error).");
        await Expect(Page.GetByTestId("check-errors")).ToContainTextAsync("\"Shipped\" is not a status of workflow");
        await Expect(StatusBadge).ToHaveTextAsync("Failed");
        await Step("review-check");

        await Page.GetByTestId("error-columns").GetByRole(AriaRole.Link, new() { Name = "B (Status)" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("[?&]column=B"));
        await Expect(Page.GetByTestId("failed-rows").Locator("tbody tr")).ToHaveCountAsync(1);
        await Step("failed-rows-of-status");

        var file = await Page.RunAndWaitForDownloadAsync(() => Page.GetByTestId("original-file").ClickAsync());
        // Offered under its name with the import's number, as the error report is.
        Assert.Matches("^for-review-import-[0-9]+\\.csv$", file.SuggestedFilename);
        Assert.Equal(csv, await File.ReadAllTextAsync(await file.PathAsync()));
        var report = await Page.RunAndWaitForDownloadAsync(() => Page.GetByTestId("error-report").ClickAsync());
        Assert.Matches("^for-review-import-[0-9]+-errors\\.xlsx$", report.SuggestedFilename);
        using (var content = File.OpenRead(await report.PathAsync()))
        using (var workbook = new XLWorkbook(content))
        {
            Assert.Equal(2, workbook.Worksheets.First().LastRowUsed().RowNumber());
        }

        // The wizard's own address sends a key account manager who is not a rollout manager to the review.
        var response = await GoToAsync($"/rollouts/W11/imports/{id}");
        Assert.Equal(200, response?.Status);
        await Expect(Page).ToHaveURLAsync(new Regex($"/reviews/W11/imports/{id}$"));
        await Expect(Page.GetByTestId("review-notice")).ToContainTextAsync("Read-only review");
        await Step("wizard-sent-to-review");
    }

    [Fact]
    public async Task Technician_HasNoImportOrReviews_AndIsRefusedTheWizard()
    {
        await StartAsync("/rollouts");
        await SignInAsync("technician@demo.test");
        await Expect(Page.GetByTestId("current-user")).ToContainTextAsync("Technician");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Windows 11 Refresh" }).First.ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Windows 11 Refresh", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Import", Exact = true })).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Reviews" })).ToHaveCountAsync(0);
        await Step("rollout-without-import");

        foreach (var path in new[] { "/rollouts/W11/imports/new", "/reviews" })
        {
            var response = await GoToAsync(path);
            Assert.Equal(403, response?.Status);
            await Expect(Page).ToHaveURLAsync(new Regex("/account/denied"));
            await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();
            await Expect(Page.Locator("main")).Not.ToContainTextAsync("New Import");
            await Step(path.Trim('/').Replace('/', '-') + "-denied");
        }
    }

    /// <summary>What a script does (the API): the manager uploads to Laptops and approves; the import ends Failed.</summary>
    private async Task<int> FailedImportThroughTheApiAsync(string fileName, string csv)
    {
        using var http = new HttpClient { BaseAddress = Fixture.App.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var login = await http.PostAsJsonAsync("api/auth/login", new { email = "manager@demo.test", password = DemoPassword });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var rollouts = await http.GetFromJsonAsync<JsonElement>("api/rollouts");
        var rollout = rollouts.EnumerateArray().Single(r => r.GetProperty("identifier").GetString() == "W11").GetProperty("id").GetInt32();
        var inventories = await http.GetFromJsonAsync<JsonElement>($"api/rollouts/{rollout}/inventories");
        var laptops = inventories.EnumerateArray().Single(i => i.GetProperty("name").GetString() == "Laptops").GetProperty("id").GetInt32();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(laptops.ToString(System.Globalization.CultureInfo.InvariantCulture)), "inventoryId" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", fileName },
        };
        var created = await http.PostAsync($"api/rollouts/{rollout}/imports", form);
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        (await http.PostAsync($"api/imports/{id}/approve", null)).EnsureSuccessStatusCode();
        await ImportWaiting.WaitForImportAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            async () => (await http.GetFromJsonAsync<JsonElement>($"api/imports/{id}")).GetProperty("status").GetString(),
            status =>
            {
                Assert.True(status is "InProgress" or "WaitingForApproval" or "Failed", $"Import {id} is {status}");
                return status == "Failed";
            },
            TimeSpan.FromMilliseconds(JobTimeout), status => $"status {status}", TimeSpan.FromMilliseconds(250));
        return id;
    }
}
