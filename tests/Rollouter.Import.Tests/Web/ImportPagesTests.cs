using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Features.Imports;

namespace Rollouter.Import.Tests.Web;

/// <summary>The import wizard in the browser's terms: pages, forms with antiforgery tokens, redirects.</summary>
public abstract partial class ImportPagesTests(RolloutWebFactory factory)
{
    private const string Imports = "/rollouts/W11/imports";

    /// <summary>The factory, for the other parts of this class (a primary constructor's parameter is in scope in this part only).</summary>
    private RolloutWebFactory Factory => factory;

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<int> InventoryIdAsync(string name)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return (await db.Inventories.SingleAsync(i => i.Name == name)).Id;
    }

    /// <summary>Posts step 1 as a browser does: multipart, the page's antiforgery token first.</summary>
    internal static async Task<HttpResponseMessage> UploadAsync(HttpClient client, int inventoryId, string fileName, byte[] content,
        bool withToken = true, string rollout = "W11")
    {
        var page = await client.GetStringAsync($"/rollouts/{rollout}/imports/new");
        using var form = new MultipartFormDataContent();
        if (withToken)
        {
            form.Add(new StringContent(RolloutWebFactory.AntiforgeryToken(page)), "__RequestVerificationToken");
        }

        form.Add(new StringContent(inventoryId.ToString(CultureInfo.InvariantCulture)), "inventoryId");
        form.Add(new ByteArrayContent(content), "file", fileName);
        return await client.PostAsync($"/rollouts/{rollout}/imports/new", form);
    }

    private async Task<(HttpClient Client, string ImportPath)> UploadCsvAsync(string inventory, string csv, string fileName = "laptops.csv")
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var response = await UploadAsync(client, await InventoryIdAsync(inventory), fileName, Encoding.UTF8.GetBytes(csv));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.True(location.StartsWith("/rollouts/W11/imports/", StringComparison.Ordinal)
                    && int.TryParse(location["/rollouts/W11/imports/".Length..], CultureInfo.InvariantCulture, out _), location);
        return (client, location);
    }

    private static string? Status(IDocument page) => page.TestId("import-status").GetAttribute("data-status");

    /// <summary>What column <paramref name="letter"/> is mapped to, as the page's mapping table selects it.</summary>
    private static string? SelectedTarget(IDocument page, string letter) =>
        MappingRow(page, letter).One("select[name$='.Target']").SelectedOption()?.Value;

    private static IElement MappingRow(IDocument page, string letter) =>
        page.TestId("mapping").One($"tr[data-letter='{letter}']");

    /// <summary>The rows the failed rows card lists on this page.</summary>
    private static IReadOnlyList<string> FailedRows(IDocument page) => page.TestId("failed-rows-table").Rows();

    [Fact]
    public async Task UploadedCsv_ShowsColumnsAndSuggestedMapping_AndApprovedImportCompletesWithClientsInTheInventory()
    {
        string[] names = [Unique("WEB"), Unique("WEB")];
        var csv = $"Name,Status,Department,Serial number\n{names[0]},New,IT,SN910001\n{names[1]},Prepared,HR,SN910002\n";
        var (client, path) = await UploadCsvAsync("Laptops", csv);

        var page = await client.GetPageAsync(path);
        Assert.Equal("WaitingForApproval", Status(page));
        Assert.Equal("Waiting for Approval", page.TestId("import-status").NormalizedText());
        Assert.Contains("The import is ready to be started.", page.Body!.NormalizedText());
        Assert.Contains("laptops.csv", page.Body!.NormalizedText());
        Assert.Equal("2", RowCount(page));
        Assert.Contains("Comma (,)", page.Body!.NormalizedText());
        Assert.Contains(names[0], page.TestId("mapping").NormalizedText());
        Assert.Equal("Name", SelectedTarget(page, "A"));
        Assert.Equal("Status", SelectedTarget(page, "B"));
        Assert.Equal("Department", SelectedTarget(page, "C"));
        Assert.Equal("Serial number", SelectedTarget(page, "D"));
        var targets = MappingRow(page, "A").QuerySelectorAll<IHtmlOptionElement>("select[name$='.Target'] option").ToList();
        Assert.Contains(targets, o => o.IsDisabled && o.NormalizedText() == "──────────");
        Assert.Contains(targets, o => o.Value == "" && o.NormalizedText() == "Do not import");

        var approved = await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        Assert.Equal("Completed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());

        page = await client.GetPageAsync(path);
        Assert.Equal("Completed", Status(page));
        Assert.Contains("2 clients created, 0 updated", page.Body!.NormalizedText());
        Assert.DoesNotContain("Save mapping", page.Actions());
        Assert.DoesNotContain("Approve", page.Actions());
        var laptops = await InventoryIdAsync("Laptops");
        Assert.Contains($"/rollouts/W11/inventories/{laptops}", page.Links());
        var clients = await client.GetStringAsync($"/rollouts/W11/inventories/{laptops}?search={names[1]}");
        Assert.Contains(names[1], clients);
        Assert.Contains("SN910002", clients);

        var list = await client.GetPageAsync(Imports);
        Assert.Contains("New Import", list.Actions());
        var listed = Assert.Single(list.QuerySelectorAll("tbody tr"), row => row.Links().Contains(path));
        Assert.Contains("Completed", listed.NormalizedText());
        // Times say their zone, as the history's do: created and approved in the list, and on the import's page.
        Assert.Matches(@"\d{4}-\d\d-\d\d \d\d:\d\d UTC.*\d{4}-\d\d-\d\d \d\d:\d\d UTC", listed.NormalizedText());
        Assert.Matches(@"\d\d:\d\d:\d\d UTC", page.TestId("started").NormalizedText());
    }

    [Fact]
    public async Task CompletedImport_IsReadOnly_MappingChangeIsRefused()
    {
        var (client, path) = await UploadCsvAsync("Laptops", $"Name,Department\n{Unique("RO")},IT\n");
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Completed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());

        var response = await RolloutWebFactory.PostFormAsync(client, path + "/mapping",
            new() { ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "" }, path);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("can no longer be changed", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path)).StatusCode);
        Assert.Contains("cannot be approved", await client.GetStringAsync(path));
    }

    /// <summary>
    /// QA: a Failed import sent back to Waiting for Approval by the mapping form or the file settings form still listed
    /// "Failed rows 2", the old run's duration and its approver in the rollout's Imports list. It carries no verdict of
    /// the old run now, on its page or in the list.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FailedImport_MovedOnByTheMappingOrFileSettingsForm_ShowsNoFailedRowsOfTheOldRun(bool fileSettings)
    {
        var (client, path) = await UploadCsvAsync("Monitors", $"Name,Status,Department\nLT-0001,New,IT\n{Unique("REP")},Nope,IT\n", "rep.csv");
        Dictionary<string, string> mapping = new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "Status",
            ["Columns[2].Letter"] = "C", ["Columns[2].Target"] = "Department",
        };
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping", mapping, path);
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
        Assert.Equal(2, FailedRows((await client.GetPageAsync(path))).Count);
        var id = path[(path.LastIndexOf('/') + 1)..];
        Assert.Equal("2", (await client.GetPageAsync(Imports)).TestId($"failed-rows-{id}").NormalizedText());

        mapping["Columns[2].Target"] = "";
        var saved = fileSettings
            ? await RolloutWebFactory.PostFormAsync(client, path + "/parse-options",
                new() { ["HeaderRow"] = "1", ["Delimiter"] = ",", ["Encoding"] = "windows-1252" }, path)
            : await RolloutWebFactory.PostFormAsync(client, path + "/mapping", mapping, path);

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var page = await client.GetPageAsync(path);
        Assert.Equal("WaitingForApproval", Status(page));
        Assert.False(page.HasTestId("failed-rows"));
        Assert.DoesNotContain("Approved", page.QuerySelectorAll("dt").Select(dt => dt.NormalizedText()));
        Assert.DoesNotContain("Started", page.QuerySelectorAll("dt").Select(dt => dt.NormalizedText()));
        var listed = Assert.Single((await client.GetPageAsync(Imports)).QuerySelectorAll("tbody tr"), row => row.Links().Contains(path));
        Assert.Equal("", listed.TestId($"failed-rows-{id}").NormalizedText());
        // Approved (who, when) and Duration are empty: the import has not been approved in this state.
        Assert.Equal(["", ""], [listed.Children[5].NormalizedText(), listed.Children[9].NormalizedText()]);
    }

    /// <summary>QA: "The first 1 row of the file", "All 1 rows would be imported.": every count on the page agrees with its noun.</summary>
    [Fact]
    public async Task AFileOfOneRow_IsCountedInTheSingular_AcrossThePage()
    {
        var (client, path) = await UploadCsvAsync("Monitors", $"Name,Department\n{Unique("ONE")},IT\n", "one.csv");
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "Department",
        }, path);

        var page = await client.GetPageAsync(path);
        Assert.Equal("The first row of the file", page.TestId("preview").One("summary").NormalizedText());
        var passing = await (await RolloutWebFactory.PostFormAndFollowAsync(client, path + "/check", [], path)).ReadPageAsync();
        Assert.Contains("The 1 row would be imported.", passing.TestId("check-result").NormalizedText(), StringComparison.Ordinal);
        var settings = await (await RolloutWebFactory.PostFormAndFollowAsync(client, path + "/parse-options",
            new() { ["HeaderRow"] = "1", ["Delimiter"] = ",", ["Encoding"] = "utf-8" }, path)).ReadPageAsync();
        Assert.Contains("File settings unchanged: 1 row;", settings.Body!.NormalizedText(), StringComparison.Ordinal);

        // One row that fails: "1 of 1 row".
        var (other, failingPath) = await UploadCsvAsync("Monitors", "Name,Department\nLT-0001,IT\n", "one-failing.csv");
        await RolloutWebFactory.PostFormAsync(other, failingPath + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "Department",
        }, failingPath);
        var failing = await (await RolloutWebFactory.PostFormAndFollowAsync(other, failingPath + "/check", [], failingPath)).ReadPageAsync();
        Assert.Contains("1 of 1 row would fail (1 error)", failing.TestId("check-result").NormalizedText(), StringComparison.Ordinal);
        await RolloutWebFactory.PostFormAsync(other, failingPath + "/approve", [], failingPath);
        Assert.Equal("Failed", (await other.WaitForImportAsync(failingPath)).GetProperty("status").GetString());
        Assert.Contains("1 of 1 row could not be imported.", (await other.GetPageAsync(failingPath)).Body!.NormalizedText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SavedMapping_WithoutName_IsIncomplete_AndWithName_IsWaitingForApproval()
    {
        var (client, path) = await UploadCsvAsync("Monitors", $"Name,Description\n{Unique("MAP")},Desk 4\n");

        var saved = await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "Description",
        }, path);
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var page = await client.GetPageAsync(path);
        Assert.Equal("Incomplete", Status(page));
        Assert.Contains("It is required to import at least the names of the clients.", page.Body!.NormalizedText());
        Assert.Equal("", SelectedTarget(page, "A"));
        Assert.DoesNotContain("Approve", page.Actions());

        await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "Description",
            ["UpdateExisting"] = "true",
        }, path);
        page = await client.GetPageAsync(path);
        Assert.Equal("WaitingForApproval", Status(page));
        var updateExisting = (IHtmlInputElement)page.One("#UpdateExisting");
        Assert.Equal(("UpdateExisting", "true"), (updateExisting.Name, updateExisting.Value));
        Assert.True(updateExisting.HasAttribute("checked"));
        Assert.Contains("Approve", page.Actions());
    }

    /// <summary>
    /// A browser posts every row's options, shown or hidden: the separator box always holds ";", a ticked "create
    /// option" stays ticked when the target changes. Only what applies to the target is kept.
    /// </summary>
    [Fact]
    public async Task SavedMapping_AsABrowserPostsIt_WithEveryRowsOptions_KeepsOnlyTheOptionsOfEachTarget()
    {
        var (client, path) = await UploadCsvAsync("Laptops", $"Name,Department,Software,Model\n{Unique("FORM")},IT,Office,ThinkPad T14\n");
        var fields = new Dictionary<string, string>();
        string[] targets = ["Name", "Department", "Software", "Model"];
        for (var n = 0; n < targets.Length; n++)
        {
            fields[$"Columns[{n}].Letter"] = ((char)('A' + n)).ToString();
            fields[$"Columns[{n}].Target"] = targets[n];
            fields[$"Columns[{n}].Lookup"] = "Email";
            fields[$"Columns[{n}].Separator"] = ";";
            fields[$"Columns[{n}].CreateOptions"] = "true";
        }

        var saved = await RolloutWebFactory.PostFormAsync(client, path + "/mapping", fields, path);

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var page = await client.GetPageAsync(path);
        Assert.Equal("WaitingForApproval", Status(page));
        Assert.DoesNotContain("a value separator applies only", page.Body!.NormalizedText());
        var mapping = Importing.Mapping.ImportMapping.FromJson((await StoredImportAsync(path)).Mapping);
        Assert.Equal([null, null, ";", null], mapping.Columns.Select(c => c.Separator));
        Assert.Equal([false, true, true, true], mapping.Columns.Select(c => c.CreateOptions));
        Assert.All(mapping.Columns, c => Assert.Null(c.Lookup));
    }

    [Fact]
    public async Task Check_ListsWhatWouldFail_WithRowColumnValueAndMessage_AndWritesNothing()
    {
        var good = Unique("CHK");
        var (client, path) = await UploadCsvAsync("Laptops", $"Name,Status,Department\n{good},New,IT\n{Unique("CHK")},Nope,IT\n");

        var response = await RolloutWebFactory.PostFormAndFollowAsync(client, path + "/check", [], path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadPageAsync();
        Assert.Contains("1 of 2 rows would fail", page.TestId("check-result").NormalizedText());
        Assert.Contains(page.TestId("check-errors").Rows(), row => row.StartsWith("3 | B (Status) | Nope |", StringComparison.Ordinal));
        Assert.Equal("WaitingForApproval", Status(page));
        using var scope = factory.Services.CreateScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Clients.AnyAsync(c => c.Name == good));
    }

    [Fact]
    public async Task Check_AnswersWithARedirectToItsResult_SoThatReloadingTheResultPostsNothingAgain()
    {
        // The result was the answer to the POST: a reload posted the form again, Back and Forward ended on the browser's
        // "Confirm form resubmission".
        var (client, path) = await UploadCsvAsync("Laptops", $"Name,Status,Department\n{Unique("PRG")},Nope,IT\n");

        var posted = await RolloutWebFactory.PostFormAsync(client, path + "/check", [], path);
        var reloaded = await client.GetAsync(path + "/check");

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal(path + "/check#check", posted.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, reloaded.StatusCode);
        Assert.Contains("1 of 1 row would fail", (await reloaded.ReadPageAsync()).TestId("check-result").NormalizedText());
    }

    /// <summary>
    /// Check counts the rows that match existing clients and, of them, those that would change; the run writes only the
    /// values that differ, so a row that changes nothing updates nothing. The summary says "matches", never that the file
    /// updates them.
    /// </summary>
    [Fact]
    public async Task Check_WithUpdateExisting_SaysHowManyClientsTheFileMatches_AndThatOnlyDifferingValuesAreWritten()
    {
        var (client, path) = await UploadCsvAsync("Laptops", "Name\nLT-0002\nLT-0003\n");
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name", ["UpdateExisting"] = "true",
        }, path);

        var response = await RolloutWebFactory.PostFormAndFollowAsync(client, path + "/check", [], path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = (await response.ReadPageAsync()).TestId("summary-updated-clients").NormalizedText();
        Assert.Contains("the file matches 2 existing clients", summary, StringComparison.Ordinal);
        // Only the name is mapped, so neither client would change (decision 0091).
        Assert.Contains("2 existing clients: 0 would change, 2 are already as in the file; it creates 0 new clients.", summary, StringComparison.Ordinal);
        Assert.Contains("Only the values that differ are written", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("updates", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_OfAFileBeyondTheClientLimit_DoesNotSayEveryRowWouldBeImported_ButWhyTheImportWouldFail()
    {
        var (identifier, inventoryId) = await OwnRollouts.AddAsync(factory, clientLimit: 3);
        var client = await factory.SignInAsync("manager@demo.test");
        var csv = $"Name\n{Unique("LIM")}\n{Unique("LIM")}\n{Unique("LIM")}\n{Unique("LIM")}\n";
        var uploaded = await UploadAsync(client, inventoryId, "limit.csv", Encoding.UTF8.GetBytes(csv), rollout: identifier);
        Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        var path = uploaded.Headers.Location!.OriginalString;

        var response = await RolloutWebFactory.PostFormAndFollowAsync(client, path + "/check", [], path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadPageAsync();
        var card = page.TestId("check-result").NormalizedText();
        Assert.DoesNotContain("would be imported", card, StringComparison.Ordinal);
        Assert.Contains("The import would exceed the client limit (4 of 3)", page.TestId("check-import-errors").NormalizedText(), StringComparison.Ordinal);
        Assert.Equal("WaitingForApproval", Status(page));
    }

    [Fact]
    public async Task FailingImport_ListsItsRows_WithCountsPerColumn_AndFilterByColumn_AndCompletesWhenMappingIsFixedAndApprovedAgain()
    {
        // Headers of its own, so that the mapping this test leaves as the inventory's last one does not change what the
        // other tests' files are mapped to.
        var rows = new ClientFile("Hostname", "State", "Dept")
            .Rows(60, _ => [Unique("FAIL"), "Nope", "IT"])
            .Row(Unique("FAIL"), "New", "Nowhere");
        var (client, path) = await UploadCsvAsync("Laptops", rows.ToCsv(), "broken.csv");
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "Status",
            ["Columns[2].Letter"] = "C", ["Columns[2].Target"] = "Department",
        }, path);
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());

        var page = await client.GetPageAsync(path);
        Assert.Equal("Failed", Status(page));
        Assert.Contains("61 of 61 rows could not be imported", page.Body!.NormalizedText());
        var columns = page.TestId("error-columns");
        Assert.Equal("60 failing rows", columns.Link("B (State) 60 failing rows").One(".badge.text-bg-danger").NormalizedText());
        Assert.Equal("1 failing row", columns.Link("C (Dept) 1 failing row").One(".badge.text-bg-danger").NormalizedText());
        Assert.Equal(50, FailedRows(page).Count);
        Assert.Equal("61 errors in 61 rows", page.TestId("failed-rows-total").NormalizedText());
        var report = await client.GetAsync(path + "/error-report");
        Assert.Contains($"{path}/error-report", page.Links());
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", report.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Save mapping", page.Actions());

        var second = await client.GetPageAsync(page.Href("errors-next"));
        Assert.Equal(11, FailedRows(second).Count);
        Assert.True(second.TestId("errors-previous").IsFollowable());

        var department = await client.GetPageAsync(path + "?column=C");
        var errorRow = Assert.Single(FailedRows(department));
        Assert.StartsWith("62 | C (Dept) | Nowhere |", errorRow, StringComparison.Ordinal);

        // Fixed: Status not imported (clients get the workflow's first status), Department's missing option created.
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "",
            ["Columns[2].Letter"] = "C", ["Columns[2].Target"] = "Department", ["Columns[2].CreateOptions"] = "true",
        }, path);
        page = await client.GetPageAsync(path);
        Assert.Equal("WaitingForApproval", Status(page));
        Assert.Contains(page.QuerySelectorAll("li"),
            li => li.NormalizedText() == "C (Dept) → Department, create options" && li.One("strong").NormalizedText() == "Department");
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path)).StatusCode);
        Assert.Equal("Completed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
        Assert.Contains("61 clients created, 0 updated", await client.GetStringAsync(path));
        // The failed run's rows no longer count: the list shows none, and there is no error report any more.
        var importId = path[(path.LastIndexOf('/') + 1)..];
        var list = await client.GetPageAsync(path[..path.LastIndexOf('/')]);
        Assert.Equal("", list.TestId($"failed-rows-{importId}").TextContent);
        Assert.Equal(HttpStatusCode.Conflict, (await client.GetAsync(path + "/error-report")).StatusCode);
    }

    [Theory]
    [InlineData("", "empty.csv", HttpStatusCode.BadRequest)]
    [InlineData("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n", "inventory.xlsx", HttpStatusCode.UnsupportedMediaType)]
    public async Task RefusedFile_ShowsTheServiceMessageOnTheForm_WithItsStatusCode_AndStoresNothing(string content, string fileName,
        HttpStatusCode expected)
    {
        var client = await factory.SignInAsync("manager@demo.test");
        int before;
        using (var scope = factory.Services.CreateScope())
        {
            before = await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Imports.CountAsync();
        }

        var response = await UploadAsync(client, await InventoryIdAsync("Laptops"), fileName, Encoding.UTF8.GetBytes(content));

        Assert.Equal(expected, response.StatusCode);
        var page = await response.ReadPageAsync();
        Assert.False(string.IsNullOrWhiteSpace(page.TestId("upload-error").NormalizedText()), page.Source.Text);
        Assert.Equal("multipart/form-data", page.TestId("upload-form").GetAttribute("enctype"));
        using (var scope = factory.Services.CreateScope())
        {
            Assert.Equal(before, await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Imports.CountAsync());
        }
    }

    [Fact]
    public async Task Upload_WithoutAntiforgeryToken_IsRefused()
    {
        var client = await factory.SignInAsync("manager@demo.test");

        var response = await UploadAsync(client, await InventoryIdAsync("Laptops"), "x.csv", "Name\nX\n"u8.ToArray(), withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Upload_IntoAnInventoryOfAnotherRollout_IsRefusedOnTheForm()
    {
        var client = await factory.SignInAsync("manager@demo.test");

        var response = await UploadAsync(client, await InventoryIdAsync("Servers"), "x.csv", "Name\nX\n"u8.ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is not an inventory of rollout W11", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Technician_IsForbidden_OnEveryImportPage()
    {
        var (_, path) = await UploadCsvAsync("Monitors", $"Name\n{Unique("TECH")}\n");
        var technician = await factory.SignInAsync("technician@demo.test");

        foreach (var page in new[] { Imports, Imports + "/new", path })
        {
            var response = await technician.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/denied", response.Headers.Location!.PathAndQuery);
            Assert.Equal(HttpStatusCode.Forbidden, (await technician.GetAsync(response.Headers.Location)).StatusCode);
        }

        // What the page's script polls answers in JSON, which the script reads: 403, not a redirect to a page.
        await AssertProblemAsync(await technician.GetAsync(path + "/progress"), HttpStatusCode.Forbidden,
            "You no longer have access to this: your role does not allow it.");

        var denied = await (await technician.GetAsync("/account/denied")).Content.ReadAsStringAsync();
        foreach (var action in new[] { "/mapping", "/check", "/approve" })
        {
            var content = new FormUrlEncodedContent([new("__RequestVerificationToken", RolloutWebFactory.AntiforgeryToken(denied))]);
            var response = await technician.PostAsync(path + action, content);
            Assert.StartsWith("/account/denied", response.Headers.Location!.PathAndQuery);
        }

        var upload = await technician.PostAsync(Imports + "/new", new MultipartFormDataContent
        {
            { new StringContent(RolloutWebFactory.AntiforgeryToken(denied)), "__RequestVerificationToken" },
        });
        Assert.StartsWith("/account/denied", upload.Headers.Location!.PathAndQuery);
    }

    /// <summary>Problem details, as the API answers: the status, <c>application/problem+json</c>, the reason in <c>detail</c>.</summary>
    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(detail, problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Progress_SignedOutOrNoLongerAllowed_AnswersProblemDetails_WhileThePagesStillRedirect()
    {
        var (client, path) = await UploadCsvAsync("Monitors", $"Name\n{Unique("POLL")}\n");
        var progress = await client.GetAsync(path + "/progress");
        Assert.Equal(HttpStatusCode.OK, progress.StatusCode);
        Assert.Equal("application/json", progress.Content.Headers.ContentType?.MediaType);

        // Signed out in another tab: the progress says so in JSON (the script stops); the page still leads to the sign-in.
        Assert.Equal(HttpStatusCode.Redirect,
            (await RolloutWebFactory.PostFormAsync(client, "/account/logout", [], formPage: "/rollouts")).StatusCode);
        await AssertProblemAsync(await client.GetAsync(path + "/progress"), HttpStatusCode.Unauthorized,
            "You were signed out: sign in again, then reload the page.");
        var page = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/account/login", page.Headers.Location!.PathAndQuery);

        // An import this rollout does not hold (any more), or a rollout the user is not a member of: 404 in JSON.
        var manager = await factory.SignInAsync("manager@demo.test");
        foreach (var gone in new[] { "/rollouts/W11/imports/999999/progress", "/rollouts/SRV/imports/1/progress",
                     "/reviews/W11/imports/999999/progress" })
        {
            var reviewer = gone.StartsWith("/reviews", StringComparison.Ordinal) ? await factory.SignInAsync("kam@demo.test") : manager;
            await AssertProblemAsync(await reviewer.GetAsync(gone), HttpStatusCode.NotFound,
                "This no longer exists, or you are no longer a member of its rollout.");
        }

        Assert.Equal("text/html", (await manager.GetAsync("/rollouts/W11/imports/999999")).Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ForeignRollout_AndItsImports_AreNotFound_OnEveryImportPage()
    {
        int foreignImport;
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            var srv = await db.Rollouts.AsNoTracking().SingleAsync(r => r.Identifier == "SRV");
            var servers = await db.Inventories.SingleAsync(i => i.Name == "Servers");
            var admin = await db.Users.SingleAsync(u => u.Email == "admin@demo.test");
            var created = await TestImports.CreateAsync(scope.ServiceProvider, srv.Id, servers.Id, "servers.csv",
                Encoding.UTF8.GetBytes($"Name\n{Unique("SRV")}\n"), admin.Id);
            foreignImport = created.Import.Id;
        }

        var manager = await factory.SignInAsync("manager@demo.test");
        foreach (var page in new[]
                 {
                     "/rollouts/SRV/imports", "/rollouts/SRV/imports/new", $"/rollouts/SRV/imports/{foreignImport}",
                     $"/rollouts/SRV/imports/{foreignImport}/progress", $"/rollouts/W11/imports/{foreignImport}",
                     $"/rollouts/W11/imports/{foreignImport}/progress",
                 })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync(page)).StatusCode);
        }

        var token = RolloutWebFactory.AntiforgeryToken(await manager.GetStringAsync(Imports));
        foreach (var action in new[] { "/mapping", "/check", "/approve" })
        {
            foreach (var rollout in new[] { "SRV", "W11" })
            {
                var content = new FormUrlEncodedContent([new("__RequestVerificationToken", token)]);
                var response = await manager.PostAsync($"/rollouts/{rollout}/imports/{foreignImport}{action}", content);
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }
        }

        var upload = await manager.PostAsync("/rollouts/SRV/imports/new", new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
        });
        Assert.Equal(HttpStatusCode.NotFound, upload.StatusCode);
        using (var scope = factory.Services.CreateScope())
        {
            var status = await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Imports
                .Where(i => i.Id == foreignImport).Select(i => i.Status).SingleAsync();
            Assert.Equal(ImportStatus.WaitingForApproval, status);
        }
    }

    /// <summary>The column headers the mapping table shows, in order.</summary>
    private static string[] Headers(IDocument page) =>
        [.. page.TestId("mapping").QuerySelectorAll("tbody tr[data-letter]").Select(row => row.Children[1].NormalizedText())];

    private static string RowCount(IDocument page) => page.TestId("row-count").NormalizedText();

    /// <summary>The file settings' choice in <paramref name="field"/> (Delimiter, Sheet, …): its value and text.</summary>
    private static (string Value, string Text)? FileSetting(IDocument page, string field) =>
        page.TestId("file-settings").One($"select[name='{field}']").SelectedOption() is { } option ? (option.Value, option.NormalizedText()) : null;

    private async Task<ClientImport> StoredImportAsync(string importPath)
    {
        var id = int.Parse(importPath[(importPath.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Imports.AsNoTracking().SingleAsync(i => i.Id == id);
    }

    [Fact]
    public async Task FileSettings_SemicolonCsvForcedToComma_AndBackToSemicolon_ChangesTheColumns()
    {
        var (client, path) = await UploadCsvAsync("Monitors", $"Name;Description\n{Unique("SEMI")};Desk 1\n{Unique("SEMI")};Desk 2\n", "semi.csv");
        var page = await client.GetPageAsync(path);
        Assert.Equal((";", "Semicolon (;)"), FileSetting(page, "Delimiter"));
        Assert.Equal(["Name", "Description"], Headers(page));

        var comma = await RolloutWebFactory.PostFormAsync(client, path + "/parse-options",
            new() { ["HeaderRow"] = "1", ["Delimiter"] = ",", ["Encoding"] = "utf-8" }, path);
        Assert.Equal(HttpStatusCode.Redirect, comma.StatusCode);
        page = await client.GetPageAsync(path);
        Assert.Equal(["Name;Description"], Headers(page));
        Assert.Equal((",", "Comma (,)"), FileSetting(page, "Delimiter"));
        Assert.Equal("Incomplete", Status(page));
        Assert.Equal("2", RowCount(page));

        var semicolon = await RolloutWebFactory.PostFormAsync(client, path + "/parse-options",
            new() { ["HeaderRow"] = "1", ["Delimiter"] = ";", ["Encoding"] = "utf-8" }, path);
        Assert.Equal(HttpStatusCode.Redirect, semicolon.StatusCode);
        page = await client.GetPageAsync(path);
        Assert.Equal(["Name", "Description"], Headers(page));
        Assert.Equal("Name", SelectedTarget(page, "A"));
        Assert.Equal("Description", SelectedTarget(page, "B"));
        Assert.Equal("WaitingForApproval", Status(page));
        Assert.Equal(';', ParseOptions.FromJson((await StoredImportAsync(path)).ParseOptions).Delimiter);
    }

    internal static byte[] TwoSheetWorkbook(string firstName, string[] secondNames)
    {
        using var workbook = new ClosedXML.Excel.XLWorkbook();
        var first = workbook.AddWorksheet("First");
        first.Cell(1, 1).Value = "Name";
        first.Cell(1, 2).Value = "Description";
        first.Cell(2, 1).Value = firstName;
        first.Cell(2, 2).Value = "One";
        var second = workbook.AddWorksheet("Second");
        second.Cell(1, 1).Value = "Name";
        second.Cell(1, 2).Value = "Serial number";
        second.Cell(1, 3).Value = "Room";
        for (var i = 0; i < secondNames.Length; i++)
        {
            second.Cell(i + 2, 1).Value = secondNames[i];
            second.Cell(i + 2, 2).Value = $"SN-{i}";
            second.Cell(i + 2, 3).Value = $"R{i}";
        }

        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    [Fact]
    public async Task FileSettings_TwoSheetWorkbook_SwitchedToTheSecondSheet_ShowsItsColumnsAndRowCount()
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var content = TwoSheetWorkbook(Unique("XL"), [Unique("XL"), Unique("XL"), Unique("XL")]);
        var response = await UploadAsync(client, await InventoryIdAsync("Monitors"), "two-sheets.xlsx", content);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var path = response.Headers.Location!.OriginalString;
        var page = await client.GetPageAsync(path);
        Assert.Equal(["Name", "Description"], Headers(page));
        Assert.Equal("1", RowCount(page));
        Assert.Equal(("First", "First (2 rows)"), FileSetting(page, "Sheet"));
        Assert.Equal(["First (2 rows)", "Second (4 rows)"], page.TestId("file-settings").Texts("select[name='Sheet'] option"));

        var switched = await RolloutWebFactory.PostFormAsync(client, path + "/parse-options",
            new() { ["Sheet"] = "Second", ["HeaderRow"] = "1" }, path);

        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        page = await client.GetPageAsync(path);
        Assert.Equal(["Name", "Serial number", "Room"], Headers(page));
        Assert.Equal("3", RowCount(page));
        Assert.Equal(("Second", "Second (4 rows)"), FileSetting(page, "Sheet"));
        Assert.Equal("Name", SelectedTarget(page, "A"));
        var stored = await StoredImportAsync(path);
        Assert.Equal(3, stored.RowCount);
        Assert.Contains("\"sheet\":\"Second\"", stored.ParseOptions);
    }

    [Fact]
    public async Task FileSettings_HeaderRowBeyondTheData_ShowsAClearMessage_AndLeavesTheImportUnchanged()
    {
        var (client, path) = await UploadCsvAsync("Monitors", $"Name,Description\n{Unique("HDR")},Desk\n", "header.csv");
        var before = await StoredImportAsync(path);

        var response = await RolloutWebFactory.PostFormAsync(client, path + "/parse-options",
            new() { ["HeaderRow"] = "50", ["Delimiter"] = ",", ["Encoding"] = "utf-8" }, path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.ReadPageAsync();
        Assert.Equal("The file has no row 50; choose the row that holds the column names.", page.TestId("page-error").NormalizedText());
        var after = await StoredImportAsync(path);
        Assert.Equal(before.ParseOptions, after.ParseOptions);
        Assert.Equal(before.Mapping, after.Mapping);
        Assert.Equal(before.RowCount, after.RowCount);
        Assert.Equal(before.Status, after.Status);
        Assert.Equal(before.ConcurrencyStamp, after.ConcurrencyStamp);
    }

    [Fact]
    public async Task FileSettings_OfACompletedImport_AreRefusedWith409()
    {
        var (client, path) = await UploadCsvAsync("Laptops", $"Name,Department\n{Unique("DONE")},IT\n", "done.csv");
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Completed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
        var before = await StoredImportAsync(path);
        Assert.False((await client.GetPageAsync(path)).HasTestId("file-settings"));

        var response = await RolloutWebFactory.PostFormAsync(client, path + "/parse-options",
            new() { ["HeaderRow"] = "1", ["Delimiter"] = ";" }, path);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("file settings can no longer be changed", await response.Content.ReadAsStringAsync());
        Assert.Equal(before.ParseOptions, (await StoredImportAsync(path)).ParseOptions);
    }

    [Fact]
    public async Task FileSettings_WithoutAntiforgeryToken_AreRefused()
    {
        var (client, path) = await UploadCsvAsync("Monitors", $"Name;Description\n{Unique("CSRF")};Desk\n", "csrf.csv");
        var before = await StoredImportAsync(path);

        var response = await client.PostAsync(path + "/parse-options",
            new FormUrlEncodedContent([new("HeaderRow", "1"), new("Delimiter", ",")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before.ParseOptions, (await StoredImportAsync(path)).ParseOptions);
    }
}

public sealed class SqliteImportPagesTests(RolloutWebFactory factory)
    : ImportPagesTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresImportPagesTests(PostgresWebFactory factory)
    : ImportPagesTests(factory), IClassFixture<PostgresWebFactory>;

/// <summary>Step 1 on an installation that accepts 1 KB files.</summary>
public sealed class ImportPageUploadLimitTests(SmallUploadWebFactory factory) : IClassFixture<SmallUploadWebFactory>
{
    [Fact]
    public async Task FileAboveTheConfiguredLimit_IsRefusedOnTheFormWith413_NamingTheLimit()
    {
        var client = await factory.SignInAsync("manager@demo.test");
        int laptops;
        using (var scope = factory.Services.CreateScope())
        {
            laptops = (await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Inventories.SingleAsync(i => i.Name == "Laptops")).Id;
        }

        var csv = new ClientFile("Name", "Department").Rows(200, i => [$"BIG-{i}", "IT"], first: 0).ToCsvBytes();

        var response = await ImportPagesTests.UploadAsync(client, laptops, "big.csv", csv);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("1.0 KB", (await response.ReadPageAsync()).TestId("upload-error").NormalizedText());
        var small = await ImportPagesTests.UploadAsync(client, laptops, "small.csv", "Name,Department\nSMALL-1,IT\n"u8.ToArray());
        Assert.Equal(HttpStatusCode.Redirect, small.StatusCode);
    }
}
