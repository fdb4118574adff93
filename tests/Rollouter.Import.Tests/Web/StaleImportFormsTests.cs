using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// QA, "things changing under a user's feet": a tab of the import's page opened before the file settings changed in
/// another tab approved, checked and corrected another sheet's rows, and one opened before a custom field's rename
/// overwrote the mapping the rename carried along. The page's forms carry what the page showed (decision 0056).
/// </summary>
public abstract class StaleImportFormsTests(RolloutWebFactory factory)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>"two.xlsx": sheet Laptops (Name, Department, Notes) and sheet Rooms (Room, Department, Name of owner).</summary>
    private static byte[] TwoSheets(string[] laptops, string[] rooms, string secondDepartment = "HR")
    {
        using var workbook = new ClosedXML.Excel.XLWorkbook();
        var first = workbook.AddWorksheet("Laptops");
        first.Cell(1, 1).Value = "Name";
        first.Cell(1, 2).Value = "Department";
        first.Cell(1, 3).Value = "Notes";
        var second = workbook.AddWorksheet("Rooms");
        second.Cell(1, 1).Value = "Room";
        second.Cell(1, 2).Value = "Department";
        second.Cell(1, 3).Value = "Name of owner";
        for (var i = 0; i < laptops.Length; i++)
        {
            first.Cell(i + 2, 1).Value = laptops[i];
            first.Cell(i + 2, 2).Value = i == 0 ? "IT" : secondDepartment;
            first.Cell(i + 2, 3).Value = $"desk {i + 1}";
            second.Cell(i + 2, 1).Value = rooms[i];
            second.Cell(i + 2, 2).Value = i == 0 ? "IT" : "HR";
            second.Cell(i + 2, 3).Value = i == 0 ? "Alice" : "Bob";
        }

        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    private async Task<int> InventoryIdAsync(string name) =>
        await factory.WithDbAsync(db => db.Inventories.Where(i => i.Name == name).Select(i => i.Id).SingleAsync());

    private async Task<(HttpClient Client, string Path)> UploadAsync(string inventory, string fileName, byte[] content)
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var response = await ImportPagesTests.UploadAsync(client, await InventoryIdAsync(inventory), fileName, content);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return (client, response.Headers.Location!.OriginalString);
    }

    private static int ImportId(string path) => int.Parse(path[(path.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);

    private Task<ClientImport> StoredAsync(string path)
    {
        var id = ImportId(path);
        return factory.WithDbAsync(db => db.Imports.AsNoTracking().SingleAsync(i => i.Id == id));
    }

    private Task<bool> ClientExistsAsync(string name) => factory.WithDbAsync(db => db.Clients.AnyAsync(c => c.Name == name));

    /// <summary>
    /// What a browser posts with a button of the form <paramref name="form"/> (and of the fields outside it that name
    /// it with <c>form=</c>): its hidden and text fields, the ticked boxes, and each list's selected option or, with none
    /// selected, its first that is not disabled (what the browser shows). <paramref name="changes"/> are what the user
    /// changed before clicking.
    /// </summary>
    private static List<KeyValuePair<string, string>> BrowserPost(IDocument page, IElement form, params (string Name, string Value)[] changes)
    {
        var id = form.GetAttribute("id");
        var controls = form.QuerySelectorAll("input[name], select[name], textarea[name]")
            .Concat(id is null ? [] : page.QuerySelectorAll($"[form='{id}'][name]"));
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var control in controls)
        {
            var name = control.GetAttribute("name")!;
            switch (control)
            {
                case IHtmlInputElement { Type: "checkbox" or "radio" } box:
                    if (box.IsChecked)
                    {
                        fields.Add(new(name, box.Value));
                    }

                    break;
                case IHtmlInputElement input:
                    fields.Add(new(name, input.Value));
                    break;
                case IHtmlTextAreaElement area:
                    fields.Add(new(name, area.Value));
                    break;
                case IHtmlSelectElement select:
                    var shown = select.SelectedOption()
                                ?? select.QuerySelectorAll<IHtmlOptionElement>("option").FirstOrDefault(o => !o.IsDisabled);
                    fields.Add(new(name, shown?.Value ?? ""));
                    break;
            }
        }

        foreach (var (name, value) in changes)
        {
            fields.RemoveAll(f => f.Key == name);
            fields.Add(new(name, value));
        }

        return fields;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, List<KeyValuePair<string, string>> fields) =>
        client.PostAsync(url, new FormUrlEncodedContent(fields));

    private static string Error(IDocument page) => page.TestId("page-error").NormalizedText();

    /// <summary>The column headers the mapping table shows, in order.</summary>
    private static string[] Headers(IDocument page) =>
        [.. page.TestId("mapping").QuerySelectorAll("tbody tr[data-letter]").Select(row => row.Children[1].NormalizedText())];

    /// <summary>Tab 2 (same user): File settings → Sheet "Rooms" → Apply.</summary>
    private static async Task ChooseRoomsAsync(HttpClient client, string path)
    {
        var tab2 = await client.GetPageAsync(path);
        var applied = await PostAsync(client, path + "/parse-options",
            BrowserPost(tab2, tab2.Form(path + "/parse-options"), ("Sheet", "Rooms")));
        Assert.Equal(HttpStatusCode.Redirect, applied.StatusCode);
        Assert.Contains("File settings saved", (await client.GetPageAsync(path)).TestId("page-message").NormalizedText());
    }

    [Fact]
    public async Task Approve_FromATabOpenedBeforeAnotherSheetWasChosen_IsRefused_AndWritesNothing()
    {
        string[] laptops = [Unique("TS"), Unique("TS")];
        string[] rooms = [Unique("Berlin"), Unique("Munich")];
        var (client, path) = await UploadAsync("Laptops", "two.xlsx", TwoSheets(laptops, rooms));
        var tab1 = await client.GetPageAsync(path);
        Assert.Equal(["Name", "Department", "Notes"], Headers(tab1));
        await ChooseRoomsAsync(client, path);

        // Tab 1, still showing the laptops, clicks Approve (a button of the mapping form).
        var approved = await PostAsync(client, path + "/approve", BrowserPost(tab1, tab1.Form(path + "/mapping")));

        Assert.Equal(HttpStatusCode.Conflict, approved.StatusCode);
        var page = await approved.ReadPageAsync();
        Assert.StartsWith("The file settings changed since this page was loaded: the file is now read from sheet \"Rooms\", " +
                          "with the header in row 1", Error(page));
        Assert.Contains("Nothing was saved: review the columns below and make your change again.", Error(page));
        // The page as it is now: the sheet the other tab chose.
        Assert.Equal(["Room", "Department", "Name of owner"], Headers(page));
        var stored = await StoredAsync(path);
        Assert.NotEqual(ImportStatus.InProgress, stored.Status);
        Assert.NotEqual(ImportStatus.Completed, stored.Status);
        Assert.Null(stored.ApprovedAt);
        Assert.DoesNotContain("\"Notes\"", stored.Mapping);
        Assert.False(await ClientExistsAsync(rooms[0]));

        // Its forms are the current page's: saving its mapping is taken.
        var saved = await PostAsync(client, path + "/mapping", BrowserPost(page, page.Form(path + "/mapping")));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
    }

    [Fact]
    public async Task Check_FromATabOpenedBeforeAnotherSheetWasChosen_IsRefused_AndSavesNothing()
    {
        var (client, path) = await UploadAsync("Laptops", "two.xlsx", TwoSheets([Unique("TS"), Unique("TS")], [Unique("Berlin"), Unique("Munich")]));
        var tab1 = await client.GetPageAsync(path);
        await ChooseRoomsAsync(client, path);
        var before = await StoredAsync(path);

        var checkedResponse = await PostAsync(client, path + "/check", BrowserPost(tab1, tab1.Form(path + "/mapping")));

        Assert.Equal(HttpStatusCode.Conflict, checkedResponse.StatusCode);
        Assert.StartsWith("The file settings changed since this page was loaded", Error(await checkedResponse.ReadPageAsync()));
        Assert.Equal(before.Mapping, (await StoredAsync(path)).Mapping);
    }

    [Fact]
    public async Task Correction_FromATabOpenedBeforeAnotherSheetWasChosen_IsRefused_AndStoredNowhere()
    {
        // Row 3 of the laptops fails (Marketing is no department); tab 1's Check offers its editor.
        var (client, path) = await UploadAsync("Laptops", "two.xlsx",
            TwoSheets([Unique("TS"), Unique("TS")], [Unique("Berlin"), Unique("Munich")], secondDepartment: "Marketing"));
        var checkedResponse = await RolloutWebFactory.PostFormAndFollowAsync(client, path + "/check", [], path);
        var tab1 = await checkedResponse.ReadPageAsync();
        var editor = tab1.QuerySelectorAll("[data-testid=cell-editor]")
            .Single(f => f.GetAttribute("data-row") == "3" && f.GetAttribute("data-column") == "B");
        await ChooseRoomsAsync(client, path);

        var corrected = await PostAsync(client, path + "/corrections", BrowserPost(tab1, editor, ("Value", "Sales")));

        Assert.Equal(HttpStatusCode.Conflict, corrected.StatusCode);
        Assert.StartsWith("The file settings changed since this page was loaded", Error(await corrected.ReadPageAsync()));

        // "Replace every 'Marketing' in column B with Sales" from the same tab: its preview is refused too.
        var offer = tab1.QuerySelectorAll("[data-testid=replacement-form]").Single(f => f.GetAttribute("data-from") == "Marketing");
        var previewed = await PostAsync(client, path + "/replacements/preview", BrowserPost(tab1, offer, ("To", "Sales")));
        Assert.Equal(HttpStatusCode.Redirect, previewed.StatusCode);
        var preview = await client.GetAsync(previewed.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Conflict, preview.StatusCode);
        var refused = await preview.ReadPageAsync();
        Assert.StartsWith("The file settings changed since this page was loaded", Error(refused));
        Assert.False(refused.HasTestId("replacement-proposal"));

        var id = ImportId(path);
        Assert.Equal(0, await factory.WithDbAsync(db => db.ImportCellCorrections.CountAsync(c => c.ImportId == id)));
        Assert.Equal(0, await factory.WithDbAsync(db => db.ImportValueReplacements.CountAsync(r => r.ImportId == id)));
    }

    [Fact]
    public async Task SaveMapping_FromATabOpenedBeforeACustomFieldsRename_IsRefused_AndKeepsTheRenamedAssignment()
    {
        var (name, fieldId, inventory, _, _) = await InventoryWithOwnFieldAsync();
        var (client, path) = await UploadAsync(inventory, "desks.csv", Encoding.UTF8.GetBytes($"Name,{name}\n{Unique("D")},by the window\n"));
        var tab1 = await client.GetPageAsync(path);
        Assert.Equal(name, tab1.TestId("mapping").One("tr[data-letter='B'] select").SelectedOption()?.Value);

        // Someone renames the field; the import's mapping follows the new name.
        var page = $"/settings/custom-fields/{fieldId}";
        var settings = await factory.SignInAsync("admin@demo.test");
        var edit = await settings.GetPageAsync(page);
        var renamed = await PostAsync(settings, page, BrowserPost(edit, edit.Form(page), ("Name", name + " (desk)")));
        Assert.Equal(HttpStatusCode.Redirect, renamed.StatusCode);
        Assert.Contains($"\"{name} (desk)\"", (await StoredAsync(path)).Mapping);

        var saved = await PostAsync(client, path + "/mapping", BrowserPost(tab1, tab1.Form(path + "/mapping")));

        Assert.Equal(HttpStatusCode.Conflict, saved.StatusCode);
        var refused = await saved.ReadPageAsync();
        Assert.StartsWith("The column-field assignment was saved since this page was loaded", Error(refused));
        var stored = await StoredAsync(path);
        Assert.Contains($"\"{name} (desk)\"", stored.Mapping);
        Assert.Equal(ImportStatus.WaitingForApproval, stored.Status);
        Assert.Equal(name + " (desk)", refused.TestId("mapping").One("tr[data-letter='B'] select").SelectedOption()?.Value);
    }

    /// <summary>An own TextArea field, an inventory of the demo rollout with it, and the field's id.</summary>
    private async Task<(string Field, int FieldId, string Inventory, int InventoryId, int WorkflowId)> InventoryWithOwnFieldAsync()
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var name = Unique("Remarks");
        var created = await admin.PostAsJsonAsync("/api/custom-fields", new { name, type = "TextArea" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var fieldId = (await ApiTestClient.ReadAsync(created)).Id();
        var workflow = await factory.WithDbAsync(db => db.Workflows.OrderBy(w => w.Id).Select(w => w.Id).FirstAsync());
        var inventory = Unique("Desks");
        var inventoryId = await factory.AddInventoryAsync(inventory, workflow, [fieldId]);
        return (name, fieldId, inventory, inventoryId, workflow);
    }

    [Fact]
    public async Task MappingToAFieldTakenOffTheInventory_ShowsThatField_NotName_AndSaysTheMappingNeedsAttention()
    {
        var (field, _, inventory, inventoryId, workflow) = await InventoryWithOwnFieldAsync();
        var (client, path) = await UploadAsync(inventory, "desks.csv", Encoding.UTF8.GetBytes($"Name,{field}\n{Unique("D")},by the window\n"));
        // The inventory's edit page, every field unticked: the field is taken off.
        var edited = await RolloutWebFactory.PostFormAsync(client, $"/rollouts/W11/inventories/{inventoryId}/edit",
            new() { ["Name"] = inventory, ["WorkflowId"] = workflow.ToString(CultureInfo.InvariantCulture) });
        Assert.Equal(HttpStatusCode.Redirect, edited.StatusCode);

        var page = await client.GetPageAsync(path);

        Assert.Equal("WaitingForApproval", page.TestId("import-status").GetAttribute("data-status"));
        var chosen = page.TestId("mapping").One("tr[data-letter='B'] select").SelectedOption();
        Assert.Equal((field, $"{field} (not a field of {inventory})"), (chosen?.Value, chosen?.NormalizedText()));
        Assert.StartsWith("The column-field assignment needs attention", page.TestId("status-explanation").NormalizedText());
        Assert.Contains($"\"{field}\" is neither a default field nor a custom field of inventory \"{inventory}\"",
            page.TestId("mapping-issues").NormalizedText());

        // Check posts the assignment as the page shows it: the field, not Name; nothing is saved in its place.
        var checkedResponse = await PostAsync(client, path + "/check", BrowserPost(page, page.Form(path + "/mapping")));
        Assert.Equal(HttpStatusCode.Redirect, checkedResponse.StatusCode);
        var stored = await StoredAsync(path);
        Assert.Equal(ImportStatus.WaitingForApproval, stored.Status);
        Assert.Contains($"\"target\":\"{field}\"", stored.Mapping);

        // The API says it too.
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var import = await api.GetJsonAsync($"/api/imports/{ImportId(path)}");
        var error = Assert.Single(import["mappingErrors"]!.AsArray());
        Assert.Equal("B", error!["column"]!.GetValue<string>());
        Assert.Contains($"\"{field}\" is neither a default field", error["message"]!.GetValue<string>());
    }

    /// <summary>
    /// QA: approving an import whose assignment imports into a field taken off the inventory since it was saved was taken:
    /// the run then failed as a whole, with nothing written. The page's status line and the API's mappingErrors named the
    /// field already; Approve now refuses at once with those errors (409), the import unchanged and no run queued, on the
    /// page and through the API, also for a Failed import approved again.
    /// </summary>
    [Fact]
    public async Task Approve_OfAnImportIntoAFieldTakenOffTheInventory_IsRefusedAtOnce_OnThePageAndThroughTheApi_FailedImportsToo()
    {
        var (field, _, inventory, inventoryId, workflow) = await InventoryWithOwnFieldAsync();
        var (client, path) = await UploadAsync(inventory, "desks.csv",
            Encoding.UTF8.GetBytes($"Name,Status,{field}\n{Unique("D")},New,by the window\n"));
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        // A second import of the same inventory, which fails (a status that does not exist) while the field is there.
        var failing = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, inventoryId, "failing.csv",
            $"Name,Status,{field}\n{Unique("D")},Nope,by the door\n"));
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{failing.Id()}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await api.WaitForResultAsync(failing.Id())).Status());
        var edited = await RolloutWebFactory.PostFormAsync(client, $"/rollouts/W11/inventories/{inventoryId}/edit",
            new() { ["Name"] = inventory, ["WorkflowId"] = workflow.ToString(CultureInfo.InvariantCulture) });
        Assert.Equal(HttpStatusCode.Redirect, edited.StatusCode);
        var message = $"Import {ImportId(path)} cannot be approved: its column-field assignment has errors. Column C (\"{field}\"): " +
            $"\"{field}\" is neither a default field nor a custom field of inventory \"{inventory}\". Correct the assignment and save it, " +
            "then approve; nothing was changed.";

        // The page: Approve, a button of the mapping form, as the page shows it.
        var page = await client.GetPageAsync(path);
        var approved = await PostAsync(client, path + "/approve", BrowserPost(page, page.Form(path + "/mapping")));
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        var refused = await client.GetPageAsync(approved.Headers.Location!.OriginalString);
        Assert.Equal(message, Error(refused));
        Assert.Equal("WaitingForApproval", refused.TestId("import-status").GetAttribute("data-status"));
        var stored = await StoredAsync(path);
        Assert.Equal((ImportStatus.WaitingForApproval, null, 0), (stored.Status, stored.ApprovedAt, stored.Attempt));

        // The API: 409, the errors as mappingErrors gives them, the import unchanged.
        var byApi = await api.PostAsync($"/api/imports/{ImportId(path)}/approve", null);
        Assert.Equal(HttpStatusCode.Conflict, byApi.StatusCode);
        var problem = await ApiTestClient.ReadAsync(byApi);
        Assert.Equal(message, problem["detail"]?.GetValue<string>());
        Assert.Equal("C", problem["field"]?.GetValue<string>());
        var listed = Assert.Single(problem["mappingErrors"]!.AsArray());
        var named = Assert.Single((await api.GetJsonAsync($"/api/imports/{ImportId(path)}"))["mappingErrors"]!.AsArray());
        Assert.Equal(named!.ToJsonString(), listed!.ToJsonString());
        Assert.Equal(ImportStatus.WaitingForApproval, (await StoredAsync(path)).Status);

        // A Failed import approved again: refused the same way, still Failed with its failed rows.
        var again = await api.PostAsync($"/api/imports/{failing.Id()}/approve", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.StartsWith($"Import {failing.Id()} cannot be approved: its column-field assignment has errors. Column C",
            (await ApiTestClient.ReadAsync(again))["detail"]?.GetValue<string>());
        var failed = await api.GetJsonAsync($"/api/imports/{failing.Id()}");
        Assert.Equal(("Failed", 1), (failed.Status(), failed["counts"]!["failedRows"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Api_StepsGivenTheFileStampTheyWereMadeFor_AreRefusedAfterTheFileSettingsChanged_AndTakenWithTheNewOne()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rollout = await api.RolloutIdAsync("W11");
        string[] rooms = [Unique("Berlin"), Unique("Munich")];
        var uploaded = await api.UploadAsync(rollout, await api.InventoryIdAsync(rollout, "Laptops"), "two.xlsx",
            TwoSheets([Unique("TS"), Unique("TS")], rooms));
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var import = await ApiTestClient.ReadAsync(uploaded);
        var id = import.Id();
        var (fileStamp, mappingStamp) = (import["fileStamp"]!.GetValue<string>(), import["mappingStamp"]!.GetValue<string>());

        // Another script (or the page) reads the rooms instead, and maps them.
        var other = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var sheet = await other.PutAsJsonAsync($"/api/imports/{id}/parse-options", new { sheet = "Rooms", headerRow = 1 });
        Assert.Equal(HttpStatusCode.OK, sheet.StatusCode);
        var roomsMapped = await other.PutAsJsonAsync($"/api/imports/{id}/mapping", new
        {
            updateExisting = false,
            columns = new[] { new { letter = "A", target = "Name" }, new { letter = "B", target = "Department" } },
        });
        Assert.Equal("WaitingForApproval", (await ApiTestClient.ReadAsync(roomsMapped)).Status());
        var current = (await ApiTestClient.ReadAsync(roomsMapped))["fileStamp"]!.GetValue<string>();

        var corrected = await api.PutAsJsonAsync($"/api/imports/{id}/corrections?fileStamp={fileStamp}",
            new { cells = new[] { new { row = 3, column = "B", value = "Sales" } } });
        var mapped = await api.PutAsJsonAsync($"/api/imports/{id}/mapping?fileStamp={fileStamp}", new
        {
            updateExisting = false,
            columns = new[] { new { letter = "A", target = "Name" }, new { letter = "B", target = "Department" }, new { letter = "C", target = "Notes" } },
        });
        var approvedOnFile = await api.PostAsync($"/api/imports/{id}/approve?fileStamp={fileStamp}", null);
        var approvedOnMapping = await api.PostAsync($"/api/imports/{id}/approve?fileStamp={current}&mappingStamp={mappingStamp}", null);

        foreach (var (response, field) in new[] { (corrected, "fileStamp"), (mapped, "fileStamp"), (approvedOnFile, "fileStamp"), (approvedOnMapping, "mappingStamp") })
        {
            var problem = await ApiTestClient.ReadAsync(response);
            Assert.True(response.StatusCode == HttpStatusCode.Conflict, problem.Json());
            Assert.True(problem["field"]?.GetValue<string>() == field, problem.Json());
            Assert.Contains($"changed since {field} was read", problem["detail"]!.GetValue<string>());
        }

        var now = await api.GetJsonAsync($"/api/imports/{id}");
        Assert.Equal("WaitingForApproval", now.Status());
        Assert.Equal(0, now["corrections"]!["cells"]!.GetValue<int>());
        Assert.DoesNotContain("Notes", now["mapping"]!.Json());
        Assert.Null(now["approvedAt"]?.GetValue<DateTimeOffset?>());
        Assert.Equal(current, now["fileStamp"]!.GetValue<string>());

        // Read again, the script approves the rooms knowingly.
        var approved = await api.PostAsync(
            $"/api/imports/{id}/approve?fileStamp={current}&mappingStamp={now["mappingStamp"]!.GetValue<string>()}", null);
        Assert.Equal(HttpStatusCode.Accepted, approved.StatusCode);
        Assert.Equal("Completed", (await api.WaitForResultAsync(id)).Status());
        Assert.True(await ClientExistsAsync(rooms[0]));
    }

    // QA "the wizard under a browser's habits" (decisions 0145, 0146): a double click on a button posts its form twice
    // (the browser shows the second answer), and Back after a post shows a page whose form can be sent again.

    /// <summary>
    /// A file whose third column no header rule maps, nor the inventory's last approved mapping (decision 0112: its header
    /// is new each time): the tests map it to Description on the page.
    /// </summary>
    private static byte[] ThreeColumns(string name) =>
        Encoding.UTF8.GetBytes($"Name,Department,{Unique("Xyz")}\n{name},IT,by the window\n");

    private const string ColumnC = "Columns[2].Target";

    private static bool ShowsARefusal(IDocument page) => page.QuerySelector("[data-testid='page-error']") is not null;

    [Fact]
    public async Task SaveMapping_PostedTwice_AsADoubleClickSendsIt_IsSaved_AndTheSecondAnswerIsNoRefusal()
    {
        // QA: the user maps column C and double-clicks Save mapping. The first post saved the assignment; the second, made
        // for the page loaded before that save, was refused with "The column-field assignment was saved since this page was
        // loaded … Nothing was saved", the answer the browser shows: the user believed their change was lost.
        var (client, path) = await UploadAsync("Laptops", "twice.csv", ThreeColumns(Unique("TW")));
        var page = await client.GetPageAsync(path);
        var form = BrowserPost(page, page.Form(path + "/mapping"), (ColumnC, "Description"));

        var first = await PostAsync(client, path + "/mapping", form);
        var second = await PostAsync(client, path + "/mapping", form);

        Assert.Equal((HttpStatusCode.Redirect, HttpStatusCode.Redirect), (first.StatusCode, second.StatusCode));
        var shown = await client.GetPageAsync(path);
        Assert.False(ShowsARefusal(shown));
        Assert.StartsWith("Mapping saved.", shown.TestId("page-message").NormalizedText(), StringComparison.Ordinal);
        Assert.Equal("Description", shown.TestId("mapping").One("tr[data-letter='C'] select").SelectedOption()?.Value);

        // The page's form with the assignment it was loaded with (C not imported) would undo the save: still refused (0056).
        var undoing = await PostAsync(client, path + "/mapping", BrowserPost(page, page.Form(path + "/mapping")));
        Assert.Equal(HttpStatusCode.Conflict, undoing.StatusCode);
        Assert.StartsWith("The column-field assignment was saved since this page was loaded", Error(await undoing.ReadPageAsync()));
        Assert.Contains("\"Description\"", (await StoredAsync(path)).Mapping);
    }

    [Fact]
    public async Task Approve_PostedTwice_StartsOneRun_AndTheSecondAnswerIsTheImportRunning_NotARefusal()
    {
        // QA: a double click on Approve (after mapping column C on the page) showed "Import N is already In Progress." (or
        // "… Completed and cannot be approved") in the page's summary of reasons, though the approval had worked. The page's
        // Approve now carries a key of its own, as a script's Idempotency-Key (decision 0122): the second post is answered
        // as the first.
        var name = Unique("AP2");
        var (client, path) = await UploadAsync("Laptops", "approve-twice.csv", ThreeColumns(name));
        var page = await client.GetPageAsync(path);
        var form = BrowserPost(page, page.Form(path + "/mapping"), (ColumnC, "Description"));

        var first = await PostAsync(client, path + "/approve", form);
        var second = await PostAsync(client, path + "/approve", form);

        Assert.Equal((HttpStatusCode.Redirect, HttpStatusCode.Redirect), (first.StatusCode, second.StatusCode));
        var shown = await client.GetPageAsync(second.Headers.Location!.OriginalString);
        Assert.False(ShowsARefusal(shown), shown.QuerySelector("[data-testid='page-error']")?.NormalizedText());
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var done = await api.WaitForResultAsync(ImportId(path));
        Assert.Equal("Completed", done.Status());
        Assert.Single(done["runs"]!.AsArray());
        Assert.True(await ClientExistsAsync(name));

        // A page loaded afterwards has a key of its own: the key is the page's, not the import's.
        Assert.NotEqual(page.One("input[name='ApprovalKey']").GetAttribute("value"),
            (await client.GetPageAsync(path)).QuerySelector("input[name='ApprovalKey']")?.GetAttribute("value"));
    }

    [Fact]
    public async Task Revert_ConfirmedTwice_AsksForOneRevert_AndTheSecondAnswerIsItsProgress_NotARefusal()
    {
        // QA: a double click on "Revert import #N" answered the second post with 409 "Import N is already being
        // reverted." on the import's page, though the revert had started. The confirmation page's form carries a key of its
        // own (decision 0146): the second post is answered as the first.
        var name = Unique("RV2");
        var (client, path) = await UploadAsync("Laptops", "revert-twice.csv", ThreeColumns(name));
        var page = await client.GetPageAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(client, path + "/approve", BrowserPost(page, page.Form(path + "/mapping")))).StatusCode);
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        Assert.Equal("Completed", (await api.WaitForResultAsync(ImportId(path))).Status());
        var confirm = await client.GetPageAsync(path + "/revert");
        var form = BrowserPost(confirm, confirm.Form(path + "/revert"));

        var first = await PostAsync(client, path + "/revert", form);
        var second = await PostAsync(client, path + "/revert", form);

        Assert.Equal((HttpStatusCode.Redirect, HttpStatusCode.Redirect), (first.StatusCode, second.StatusCode));
        Assert.False(ShowsARefusal(await client.GetPageAsync(second.Headers.Location!.OriginalString)));
        var reverted = await api.WaitForImportAsync(ImportId(path), i => i["revert"]?["running"]?.GetValue<bool>() != true,
            TimeSpan.FromMinutes(1));
        Assert.Equal("Reverted", reverted.Status());
        Assert.False(await ClientExistsAsync(name));

        // Another page's form (reloaded since) is another request: refused, saying why.
        var later = await PostAsync(client, path + "/revert", BrowserPost(confirm, confirm.Form(path + "/revert"),
            ("requestKey", Guid.NewGuid().ToString("N"))));
        Assert.Equal(HttpStatusCode.Conflict, later.StatusCode);
        Assert.Equal($"Import {ImportId(path)} has already been reverted.", Error(await later.ReadPageAsync()));
    }

    /// <summary>What a browser without script posts with the upload page <paramref name="page"/>: its fields in order, then the file.</summary>
    private static async Task<HttpResponseMessage> PostUploadAsync(HttpClient client, IDocument page, int inventoryId, string fileName,
        byte[] content)
    {
        using var form = new MultipartFormDataContent();
        foreach (var field in BrowserPost(page, page.TestId("upload-form"), ("inventoryId", inventoryId.ToString(CultureInfo.InvariantCulture))))
        {
            if (field.Key != "file")
            {
                form.Add(new StringContent(field.Value), field.Key);
            }
        }

        form.Add(new ByteArrayContent(content), "file", fileName);
        return await client.PostAsync("/rollouts/W11/imports/new", form);
    }

    private Task<int> ImportsNamedAsync(string fileName) => factory.WithDbAsync(db => db.Imports.CountAsync(i => i.FileName == fileName));

    [Fact]
    public async Task Upload_PostedTwice_MakesOneImport_AndTheSecondOpensIt_ANewPageLoadANewOne()
    {
        // QA: without script (or Back and Upload again) the upload form sent twice made two imports of the same file,
        // both waiting in the rollout. The page's key (decision 0147) makes the second post open the first's import.
        var fileName = Unique("twice") + ".csv";
        var content = ThreeColumns(Unique("UP2"));
        var client = await factory.SignInAsync("manager@demo.test");
        var inventoryId = await InventoryIdAsync("Laptops");
        var page = await client.GetPageAsync("/rollouts/W11/imports/new");

        var first = await PostUploadAsync(client, page, inventoryId, fileName, content);
        var second = await PostUploadAsync(client, page, inventoryId, fileName, content);

        Assert.Equal((HttpStatusCode.Redirect, HttpStatusCode.Redirect), (first.StatusCode, second.StatusCode));
        Assert.Equal(first.Headers.Location!.OriginalString, second.Headers.Location!.OriginalString);
        Assert.Equal(1, await ImportsNamedAsync(fileName));
        Assert.False(ShowsARefusal(await client.GetPageAsync(second.Headers.Location!.OriginalString)));

        // Back, another file chosen, Upload: that file's import, not a refusal of the key.
        var otherName = Unique("other") + ".csv";
        var other = await PostUploadAsync(client, page, inventoryId, otherName, ThreeColumns(Unique("UP2")));
        Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
        Assert.NotEqual(first.Headers.Location!.OriginalString, other.Headers.Location!.OriginalString);
        Assert.Equal(1, await ImportsNamedAsync(otherName));

        // The same file uploaded again from a page loaded anew is a second import, as the user asked.
        var again = await PostUploadAsync(client, await client.GetPageAsync("/rollouts/W11/imports/new"), inventoryId, fileName, content);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.NotEqual(first.Headers.Location!.OriginalString, again.Headers.Location!.OriginalString);
        Assert.Equal(2, await ImportsNamedAsync(fileName));
    }

    [Fact]
    public async Task Discard_ConfirmedTwice_TheSecondLandsWhereTheFirstDid_NotOnANotFoundPage()
    {
        // QA: a double click on "Discard import #N" answered the second post with a 404 page, "There is no import #N in …",
        // though the first had discarded it. The form names what it discards (decision 0148): the second post is answered
        // as the first, and nothing of the import is kept.
        var (client, path) = await UploadAsync("Laptops", "discard-twice.csv", ThreeColumns(Unique("DI2")));
        var id = ImportId(path);
        var confirm = await client.GetPageAsync(path + "/discard");
        var form = BrowserPost(confirm, confirm.Form(path + "/discard"));

        var first = await PostAsync(client, path + "/discard", form);
        var second = await PostAsync(client, path + "/discard", form);

        Assert.Equal((HttpStatusCode.Redirect, HttpStatusCode.Redirect), (first.StatusCode, second.StatusCode));
        Assert.Equal(("/rollouts/W11/imports#page-message", "/rollouts/W11/imports#page-message"),
            (first.Headers.Location!.OriginalString, second.Headers.Location!.OriginalString));
        Assert.Contains($"Import #{id} (discard-twice.csv) was discarded with its file.",
            (await client.GetPageAsync("/rollouts/W11/imports")).QuerySelector("[role='status']")?.TextContent.Trim());
        Assert.False(await factory.WithDbAsync(db => db.Imports.AnyAsync(i => i.Id == id)));

        // The form's token names its import: posted to another number that is not there, it is that number's 404.
        var elsewhere = await PostAsync(client, $"/rollouts/W11/imports/{id + 100000}/discard", form);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
    }

    /// <summary>
    /// QA (decision 0152): the discard form's token never expired, and a form posted after the import's inventory was
    /// deleted (which deletes its imports) said "was discarded". Now a token older than a day is not honoured (that
    /// number's 404, as a form without one), and an import gone with its inventory is said to be.
    /// </summary>
    [Fact]
    public async Task Discard_ASecondPostADayLater_IsNotFound_AndOneAfterTheInventoryWasDeleted_SaysSo()
    {
        var (client, path) = await UploadAsync("Laptops", "discard-late.csv", ThreeColumns(Unique("DL")));
        var id = ImportId(path);
        var confirm = await client.GetPageAsync(path + "/discard");
        var form = BrowserPost(confirm, confirm.Form(path + "/discard"));
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(client, path + "/discard", form)).StatusCode);
        var (rolloutId, inventoryId, userId) = await factory.WithDbAsync(async db => (
            await db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync(),
            await db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.Id).SingleAsync(),
            await db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync()));
        var protection = factory.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>();
        List<KeyValuePair<string, string>> WithToken(DateTimeOffset issuedAt, int inventory) =>
        [
            .. form.Where(f => f.Key != "discardToken"),
            new("discardToken", new Rollouter.Import.Web.Features.Imports.DiscardedImport(rolloutId, id, userId, "discard-late.csv",
                inventory, issuedAt).Protect(protection)),
        ];

        // Within the day: as the first post; a day and an hour later: that number's 404.
        var soon = await PostAsync(client, path + "/discard", WithToken(DateTimeOffset.UtcNow.AddHours(-23), inventoryId));
        var late = await PostAsync(client, path + "/discard", WithToken(DateTimeOffset.UtcNow.AddHours(-25), inventoryId));

        Assert.Equal(HttpStatusCode.Redirect, soon.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, late.StatusCode);
        Assert.Contains($"There is no import #{id}", (await late.ReadPageAsync()).Body?.TextContent);

        // An import deleted with its inventory: the form says that, not "was discarded".
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var workflowId = await factory.WithDbAsync(db => db.Inventories.Where(i => i.Id == inventoryId).Select(i => i.WorkflowId).SingleAsync());
        var created = await api.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories", new { name = Unique("Gone"), workflowId });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var goneInventory = ApiTestClient.Id(await ApiTestClient.ReadAsync(created));
        var goneName = await factory.WithDbAsync(db => db.Inventories.Where(i => i.Id == goneInventory).Select(i => i.Name).SingleAsync());
        var (_, goneImport) = await UploadAsync(goneName, "with-inventory.csv", ThreeColumns(Unique("DG")));
        var goneConfirm = await client.GetPageAsync(goneImport + "/discard");
        var goneForm = BrowserPost(goneConfirm, goneConfirm.Form(goneImport + "/discard"));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var deleted = await scope.ServiceProvider.GetRequiredService<Rollouter.Import.Web.Features.Inventories.InventoryService>()
                .DeleteAsync(rolloutId, goneInventory, userId, CancellationToken.None);
            Assert.False(deleted.Failed);
        }

        var afterDeletion = await PostAsync(client, goneImport + "/discard", goneForm);

        Assert.Equal(HttpStatusCode.Redirect, afterDeletion.StatusCode);
        var message = (await client.GetPageAsync("/rollouts/W11/imports")).QuerySelector("[role='status']")?.TextContent.Trim();
        Assert.Contains($"Import #{ImportId(goneImport)} (with-inventory.csv) is no longer here: its inventory was deleted, with its imports and their files.", message);
        Assert.DoesNotContain("was discarded", message);
    }
}

public sealed class SqliteStaleImportFormsTests(RolloutWebFactory factory)
    : StaleImportFormsTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresStaleImportFormsTests(PostgresWebFactory factory)
    : StaleImportFormsTests(factory), IClassFixture<PostgresWebFactory>;
