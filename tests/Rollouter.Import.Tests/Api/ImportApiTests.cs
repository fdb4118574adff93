using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Api;

/// <summary>Scripted imports through the JSON API, as the README's curl example does them.</summary>
public abstract class ImportApiTests(RolloutWebFactory factory)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<(HttpClient Client, int RolloutId, int LaptopsId)> ManagerAsync()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        return (client, rolloutId, await client.InventoryIdAsync(rolloutId, "Laptops"));
    }

    private async Task<int> ClientCountAsync(params string[] names)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return await db.Clients.CountAsync(c => names.Contains(c.Name));
    }

    /// <summary>Maps A, B, C to Name, Status, Department, whatever another test left as the inventory's last mapping.</summary>
    private static async Task MapNameStatusDepartmentAsync(HttpClient client, int importId)
    {
        using var mapped = await client.PutAsJsonAsync($"/api/imports/{importId}/mapping", new
        {
            columns = new object[]
            {
                new { letter = "A", target = "Name" },
                new { letter = "B", target = "Status" },
                new { letter = "C", target = "Department" },
            },
        });
        Assert.Equal(HttpStatusCode.OK, mapped.StatusCode);
    }

    [Fact]
    public async Task ScriptedImport_FromCsv_IsMappedAutomatically_AndCompletesWithTheClients()
    {
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        string[] names = [Unique("API"), Unique("API")];
        var csv = $"Name,Status,Department,Serial number\n{names[0]},New,IT,SN900001\n{names[1]},Prepared,HR,SN900002\n";

        var created = await client.UploadAsync(rolloutId, laptopsId, "laptops.csv", csv);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var import = await ApiTestClient.ReadAsync(created);
        Assert.Equal("WaitingForApproval", import.Status());
        Assert.Equal(2, import["rowCount"]!.GetValue<int>());
        Assert.Equal("Name", import["columns"]![0]!["header"]!.GetValue<string>());
        Assert.Equal(names[0], import["columns"]![0]!["samples"]![0]!.GetValue<string>());
        var targets = import["mapping"]!["columns"]!.AsArray().Select(c => c!["target"]?.GetValue<string>()).ToArray();
        Assert.Equal(new string?[] { "Name", "Status", "Department", "Serial number" }, targets);
        Assert.Equal($"/api/imports/{import.Id()}", created.Headers.Location!.OriginalString);

        var approved = await client.PostAsync($"/api/imports/{import.Id()}/approve", null);
        Assert.Equal(HttpStatusCode.Accepted, approved.StatusCode);
        var result = await client.WaitForResultAsync(import.Id());

        Assert.Equal("Completed", result.Status());
        Assert.Equal(2, result["counts"]!["created"]!.GetValue<int>());
        Assert.Equal(2, result["progress"]!["processed"]!.GetValue<int>());
        Assert.Equal(2, await ClientCountAsync(names));
    }

    [Fact]
    public async Task AMappingsTargets_InAnotherCase_AreTheFields_SavedInTheirOwnSpelling()
    {
        // API pass: "target":"name" was saved as it was sent, and the import stayed Incomplete with a mapping error.
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var name = Unique("CASE");
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "case.csv",
            $"Name,Status,Department\n{name},New,IT\n"));

        using var mapped = await client.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping", new
        {
            columns = new object[]
            {
                new { letter = "A", target = "name" },
                new { letter = "B", target = "STATUS" },
                new { letter = "C", target = "department" },
            },
        });

        var saved = await ApiTestClient.ReadAsync(mapped);
        Assert.True(mapped.StatusCode == HttpStatusCode.OK, saved.ToJsonString());
        Assert.Equal("WaitingForApproval", saved.Status());
        Assert.Empty(saved["mappingErrors"]!.AsArray());
        Assert.Equal(["Name", "Status", "Department"],
            saved["mapping"]!["columns"]!.AsArray().Select(c => c!["target"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await client.WaitForResultAsync(import.Id())).Status());
        Assert.Equal(1, await ClientCountAsync(name));
    }

    [Fact]
    public async Task FailingFile_EndsFailed_WithEveryFailedRowListed_AndWritesNothing()
    {
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var good = Unique("OK");
        var csv = $"Name,Status,Department\n{good},New,IT\n{Unique("BAD")},Nope,IT\nLT-0001,New,HR\n";
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "broken.csv", csv));
        await MapNameStatusDepartmentAsync(client, import.Id());

        var check = await ApiTestClient.ReadAsync(await client.PostAsync($"/api/imports/{import.Id()}/check", null));
        Assert.True(2 == check["failedRows"]!.GetValue<int>(), check.Json());

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        var result = await client.WaitForResultAsync(import.Id());

        Assert.Equal("Failed", result.Status());
        Assert.Equal(2, result["counts"]!["failedRows"]!.GetValue<int>());
        var errors = await client.GetJsonAsync($"/api/imports/{import.Id()}/errors?page=1&pageSize=10");
        Assert.Equal(2, errors["total"]!.GetValue<int>());
        var items = errors["items"]!.AsArray();
        Assert.Equal(3, items[0]!["row"]!.GetValue<int>());
        Assert.Equal("B", items[0]!["column"]!.GetValue<string>());
        Assert.Equal("Nope", items[0]!["value"]!.GetValue<string>());
        Assert.Equal(4, items[1]!["row"]!.GetValue<int>());
        var byName = await client.GetJsonAsync($"/api/imports/{import.Id()}/errors?column=a%20");
        Assert.Equal(1, byName["total"]!.GetValue<int>());
        Assert.Equal((4, "A"), (byName["items"]![0]!["row"]!.GetValue<int>(), byName["items"]![0]!["column"]!.GetValue<string>()));
        Assert.Equal(0, await ClientCountAsync(good));
    }

    [Theory]
    [InlineData(false, "The import would exceed the client limit (2 of 1)")]
    [InlineData(true, "has no statuses, so no client can be created.")]
    public async Task Check_OfAnImportThatFailsAsAWhole_SaysWhy_AsApprovingItWould(bool emptyWorkflow, string reason)
    {
        var (identifier, inventoryId) = await OwnRollouts.AddAsync(factory, clientLimit: emptyWorkflow ? null : 1, emptyWorkflow);
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync(identifier);
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, inventoryId, "desks.csv",
            $"Name\n{Unique("LIM")}\n{Unique("LIM")}\n"));
        Assert.Equal("WaitingForApproval", import.Status());

        var check = await ApiTestClient.ReadAsync(await client.PostAsync($"/api/imports/{import.Id()}/check", null));

        Assert.True(0 == check["failedRows"]!.GetValue<int>(), check.ToJsonString());
        var importErrors = check["importErrors"]?.AsArray().Select(e => e!.GetValue<string>()).ToList() ?? [];
        Assert.Contains(reason, Assert.Single(importErrors), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        var result = await client.WaitForResultAsync(import.Id());
        Assert.Equal("Failed", result.Status());
        Assert.Equal(importErrors[0], result["failureMessage"]!.GetValue<string>());
    }

    [Fact]
    public async Task FailedImport_WithMappingChanged_CanBeApprovedAgain_AndCompletes()
    {
        // Monitors: its last mapping (Status not imported) must not change what the Laptops tests get suggested.
        var (client, rolloutId, _) = await ManagerAsync();
        var monitorsId = await client.InventoryIdAsync(rolloutId, "Monitors");
        var name = Unique("FIX");
        var csv = $"Name,Status,Department\n{name},Nope,IT\n";
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, monitorsId, "fix.csv", csv));
        await client.PostAsync($"/api/imports/{import.Id()}/approve", null);
        Assert.Equal("Failed", (await client.WaitForResultAsync(import.Id())).Status());

        var remapped = await client.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping", new
        {
            updateExisting = false,
            columns = new object[]
            {
                new { letter = "A", target = "Name" },
                new { letter = "B", target = (string?)null },
                new { letter = "C", target = "Department" },
            },
        });
        Assert.Equal(HttpStatusCode.OK, remapped.StatusCode);
        Assert.Equal("WaitingForApproval", (await ApiTestClient.ReadAsync(remapped)).Status());
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);

        Assert.Equal("Completed", (await client.WaitForResultAsync(import.Id())).Status());
        Assert.Equal(1, await ClientCountAsync(name));
    }

    [Fact]
    public async Task FailedImport_WithTheSameMappingOrFileSettingsSavedAgain_StaysFailed_WithItsFailedRowsAndReport()
    {
        // Monitors, as above: the Laptops tests' suggestions stay as they are.
        var (client, rolloutId, _) = await ManagerAsync();
        var monitorsId = await client.InventoryIdAsync(rolloutId, "Monitors");
        // LT-0001 is a laptop: its row fails whatever the mapping of the other columns.
        var csv = $"Name,Status,Department\nLT-0001,New,IT\n{Unique("SAME")},New,IT\n";
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, monitorsId, "same.csv", csv));
        await client.PostAsync($"/api/imports/{import.Id()}/approve", null);
        var failed = await client.WaitForResultAsync(import.Id());
        Assert.Equal("Failed", failed.Status());

        // The very mapping and file settings the import has, as the API gives them.
        var mapping = await client.PutAsync($"/api/imports/{import.Id()}/mapping",
            new StringContent(failed["mapping"]!.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, mapping.StatusCode);
        Assert.Equal("Failed", (await ApiTestClient.ReadAsync(mapping)).Status());
        var options = await client.PutAsync($"/api/imports/{import.Id()}/parse-options",
            new StringContent(failed["parseOptions"]!.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        var kept = await ApiTestClient.ReadAsync(options);
        Assert.Equal("Failed", kept.Status());
        Assert.Equal(failed["mapping"]!.ToJsonString(), kept["mapping"]!.ToJsonString());

        Assert.Equal(1, (await client.GetJsonAsync($"/api/imports/{import.Id()}/errors"))["total"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/imports/{import.Id()}/error-report")).StatusCode);

        // A changed mapping still moves it on (decision 0025).
        var changed = failed["mapping"]!.DeepClone();
        changed["updateExisting"] = !changed["updateExisting"]!.GetValue<bool>();
        var remapped = await client.PutAsync($"/api/imports/{import.Id()}/mapping",
            new StringContent(changed.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal("WaitingForApproval", (await ApiTestClient.ReadAsync(remapped)).Status());
    }

    /// <summary>
    /// QA: a Failed import sent back to Waiting for Approval by a changed mapping or changed file settings still showed
    /// the old run's failed rows (counts, the errors list, approver and duration), while its error report answered 409.
    /// Leaving Failed now resets what approval resets and deletes the failed rows; the corrections stay.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FailedImport_MovedOnByAChangedMappingOrFileSettings_CarriesNoVerdictOfTheOldRun(bool fileSettings)
    {
        // Monitors, as above: the Laptops tests' suggestions stay as they are. LT-0001 is a laptop, "Nope" no status.
        var (client, rolloutId, _) = await ManagerAsync();
        var monitorsId = await client.InventoryIdAsync(rolloutId, "Monitors");
        var csv = $"Name,Status,Department\nLT-0001,New,IT\n{Unique("REP")},Nope,IT\n{Unique("REP")},New,IT\n";
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, monitorsId, "rep.csv", csv));
        // Every column mapped, whatever another test of this class left as the inventory's last mapping.
        await MapNameStatusDepartmentAsync(client, import.Id());
        await client.PostAsync($"/api/imports/{import.Id()}/approve", null);
        var failed = await client.WaitForResultAsync(import.Id());
        Assert.Equal("Failed", failed.Status());
        Assert.Equal(2, failed["counts"]!["failedRows"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/imports/{import.Id()}/corrections",
            new { cells = new[] { new { row = 3, column = "C", value = "HR" } } })).StatusCode);

        var moved = fileSettings
            ? await client.PutAsJsonAsync($"/api/imports/{import.Id()}/parse-options",
                new { headerRow = 1, delimiter = ",", encoding = "windows-1252" })
            : await client.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping", new
            {
                columns = new object[]
                {
                    new { letter = "A", target = "Name" },
                    new { letter = "B", target = "Status" },
                    new { letter = "C", target = (string?)null },
                },
            });

        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var after = await client.GetJsonAsync($"/api/imports/{import.Id()}");
        Assert.Equal("WaitingForApproval", after.Status());
        Assert.Equal(0, after["counts"]!["failedRows"]!.GetValue<int>());
        Assert.Null(after["failureMessage"]);
        Assert.Null(after["approvedAt"]);
        Assert.Null(after["startedAt"]);
        Assert.Null(after["finishedAt"]);
        Assert.Equal(0, (await client.GetJsonAsync($"/api/imports/{import.Id()}/errors"))["total"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Conflict, (await client.GetAsync($"/api/imports/{import.Id()}/error-report")).StatusCode);
        // A changed mapping keeps the corrections (new file settings remove them, as before: decision 0025).
        var corrections = await client.GetJsonAsync($"/api/imports/{import.Id()}/corrections");
        Assert.Equal(fileSettings ? 0 : 1, corrections["cells"]!.AsArray().Count);
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var stored = await db.Imports.AsNoTracking().SingleAsync(i => i.Id == import.Id());
        Assert.Equal((null, 0, 0), (stored.ApprovedById, stored.Attempt, stored.RowsChecked));
    }

    [Fact]
    public async Task AMappingWithMoreEntriesThanTheFileHasColumns_OrALetterTwice_IsRefused_AndKeepsTheImportAsItWas()
    {
        // QA: 300,000 entries were stored and every poll of the import answered 47 MB of mapping errors.
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "two.csv",
            $"Name,Status\n{Unique("MAP")},New\n"));
        var many = new { columns = Enumerable.Range(0, 1000).Select(_ => new { letter = "A", target = "Name" }) };
        var twice = new { columns = new[] { new { letter = "A", target = "Name" }, new { letter = "a", target = "Status" } } };

        var refusedMany = await client.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping", many);
        var refusedTwice = await client.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping", twice);

        Assert.Equal(HttpStatusCode.BadRequest, refusedMany.StatusCode);
        Assert.Contains("The mapping has 1,000 entries and the file 2 columns", await refusedMany.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, refusedTwice.StatusCode);
        Assert.Contains("Column A appears more than once in the mapping", await refusedTwice.Content.ReadAsStringAsync());
        var after = await client.GetJsonAsync($"/api/imports/{import.Id()}");
        Assert.Equal(import["mapping"]!.ToJsonString(), after["mapping"]!.ToJsonString());
        Assert.Equal(import.Status(), after.Status());
    }

    private static string[] Headers(JsonNode import) =>
        [.. import["columns"]!.AsArray().Select(c => c!["header"]!.GetValue<string>())];

    /// <summary>
    /// QA: a CSV separated by ":" was read as one column "Name:Department", and the only message was "No column is
    /// mapped to Name". The warnings and the mapping errors now say the file was read as one column and which
    /// delimiter its rows look separated by; ":" (any one character) can be chosen.
    /// </summary>
    [Fact]
    public async Task ParseOptions_ColonCsvReadAsOneColumn_SaysWhichDelimiter_AndAColonSplitsIt()
    {
        var (client, rolloutId, _) = await ManagerAsync();
        var monitorsId = await client.InventoryIdAsync(rolloutId, "Monitors");
        var csv = $"Name:Department\n{Unique("COLON")}:IT\n{Unique("COLON")}:HR\n";
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, monitorsId, "colon.csv", csv));
        Assert.Equal(["Name:Department"], Headers(import));
        Assert.Contains("The file was read as one column, \"Name:Department\", but its rows look separated by \":\": choose Colon (:) as the delimiter under File settings.",
            import["warnings"]!.AsArray().Select(w => w!.GetValue<string>()));
        Assert.Contains(import["mappingErrors"]!.AsArray(), e => e!["message"]!.GetValue<string>().Contains(
            "The file was read as one column, \"Name:Department\": if \":\" separates its columns, choose it as the delimiter under File settings.", StringComparison.Ordinal));

        var colon = await client.PutAsJsonAsync($"/api/imports/{import.Id()}/parse-options", new { headerRow = 1, delimiter = ":" });
        Assert.Equal(HttpStatusCode.OK, colon.StatusCode);
        var split = await ApiTestClient.ReadAsync(colon);
        Assert.Equal(["Name", "Department"], Headers(split));
        Assert.Equal(":", split["parseOptions"]!["delimiter"]!.GetValue<string>());
        Assert.Equal("WaitingForApproval", split.Status());
        Assert.Empty(split["warnings"]!.AsArray());

        var quote = await client.PutAsJsonAsync($"/api/imports/{import.Id()}/parse-options", new { headerRow = 1, delimiter = "\"" });
        Assert.Equal(HttpStatusCode.BadRequest, quote.StatusCode);
        Assert.Contains("The delimiter must be one character: a tab", await quote.Content.ReadAsStringAsync());
        // The CSV parser splits on printable ASCII or a tab only: "§" was taken, then the intact file called damaged.
        var section = await client.PutAsJsonAsync($"/api/imports/{import.Id()}/parse-options", new { headerRow = 1, delimiter = "\u00A7" });
        Assert.Equal(HttpStatusCode.BadRequest, section.StatusCode);
        var refused = await section.Content.ReadAsStringAsync();
        Assert.Contains("The delimiter must be one character: a tab", refused);
        Assert.DoesNotContain("damaged", refused);
    }

    [Fact]
    public async Task ParseOptions_SemicolonCsvForcedToComma_AndBackToSemicolon_ChangesTheColumns()
    {
        var (client, rolloutId, _) = await ManagerAsync();
        var monitorsId = await client.InventoryIdAsync(rolloutId, "Monitors");
        var csv = $"Name;Description\n{Unique("SEMI")};Desk 1\n{Unique("SEMI")};Desk 2\n{Unique("SEMI")};Desk 3\n";
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, monitorsId, "semi.csv", csv));
        Assert.Equal(["Name", "Description"], Headers(import));
        Assert.Equal(";", import["parseOptions"]!["delimiter"]!.GetValue<string>());

        var comma = await client.PutAsJsonAsync($"/api/imports/{import.Id()}/parse-options",
            new { headerRow = 1, delimiter = ",", encoding = "utf-8", includeHiddenRows = false });
        Assert.Equal(HttpStatusCode.OK, comma.StatusCode);
        var changed = await ApiTestClient.ReadAsync(comma);
        Assert.Equal(["Name;Description"], Headers(changed));
        Assert.Equal(",", changed["parseOptions"]!["delimiter"]!.GetValue<string>());
        Assert.Equal(3, changed["rowCount"]!.GetValue<int>());

        var semicolon = await client.PutAsJsonAsync($"/api/imports/{import.Id()}/parse-options",
            new { headerRow = (int?)null, delimiter = ";", encoding = (string?)null, includeHiddenRows = false });
        Assert.Equal(HttpStatusCode.OK, semicolon.StatusCode);
        var back = await ApiTestClient.ReadAsync(semicolon);
        Assert.Equal(["Name", "Description"], Headers(back));
        Assert.Equal("WaitingForApproval", back.Status());
        Assert.Equal("Name", back["mapping"]!["columns"]![0]!["target"]!.GetValue<string>());
        Assert.Equal(1, back["parseOptions"]!["headerRow"]!.GetValue<int>());
        Assert.Equal("utf-8", back["parseOptions"]!["encoding"]!.GetValue<string>());
    }

    [Fact]
    public async Task ParseOptions_SecondSheetOfAWorkbook_GivesItsColumnsAndRowCount()
    {
        var (client, rolloutId, _) = await ManagerAsync();
        var monitorsId = await client.InventoryIdAsync(rolloutId, "Monitors");
        var content = Web.ImportPagesTests.TwoSheetWorkbook(Unique("XL"), [Unique("XL"), Unique("XL")]);
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, monitorsId, "two.xlsx", content));
        Assert.Equal("First", import["parseOptions"]!["sheet"]!.GetValue<string>());

        var response = await client.PutAsJsonAsync($"/api/imports/{import.Id()}/parse-options", new { sheet = "Second" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var changed = await ApiTestClient.ReadAsync(response);
        Assert.Equal(["Name", "Serial number", "Room"], Headers(changed));
        Assert.Equal(2, changed["rowCount"]!.GetValue<int>());
        Assert.Equal("Second", changed["parseOptions"]!["sheet"]!.GetValue<string>());
    }

    [Fact]
    public async Task ParseOptions_WithAProblem_Answer400WithTheReadersMessage_AndChangeNothing()
    {
        var (client, rolloutId, _) = await ManagerAsync();
        var monitorsId = await client.InventoryIdAsync(rolloutId, "Monitors");
        var content = Encoding.Latin1.GetBytes($"Name,Description\n{Unique("ENC")},Büro\n");
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, monitorsId, "enc.csv", content));

        var header = await client.PutAsJsonAsync($"/api/imports/{import.Id()}/parse-options", new { headerRow = 9 });
        Assert.Equal(HttpStatusCode.BadRequest, header.StatusCode);
        var headerProblem = await ApiTestClient.ReadAsync(header);
        Assert.Equal("The file has no row 9; choose the row that holds the column names.", headerProblem["error"]!.GetValue<string>());
        Assert.Equal("headerRow", headerProblem["field"]?.GetValue<string>());

        var encoding = await client.PutAsJsonAsync($"/api/imports/{import.Id()}/parse-options", new { encoding = "utf-8" });
        Assert.Equal(HttpStatusCode.BadRequest, encoding.StatusCode);
        Assert.Contains("not valid", (await ApiTestClient.ReadAsync(encoding))["error"]!.GetValue<string>());

        var delimiter = await client.PutAsJsonAsync($"/api/imports/{import.Id()}/parse-options", new { delimiter = "::" });
        Assert.Equal(HttpStatusCode.BadRequest, delimiter.StatusCode);

        var after = await client.GetJsonAsync($"/api/imports/{import.Id()}");
        Assert.Equal(import["parseOptions"]!.Json(), after["parseOptions"]!.Json());
        Assert.Equal(import["mapping"]!.Json(), after["mapping"]!.Json());
        Assert.Equal(import.Status(), after.Status());
    }

    [Fact]
    public async Task ParseOptions_OfACompletedImport_AreRefusedWith409()
    {
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "done.csv",
            $"Name,Department\n{Unique("DONE")},IT\n"));
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await client.WaitForResultAsync(import.Id())).Status());

        var response = await client.PutAsJsonAsync($"/api/imports/{import.Id()}/parse-options", new { delimiter = ";" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("can no longer be changed", (await ApiTestClient.ReadAsync(response))["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task MappingWithoutName_LeavesImportIncomplete_AndApprovalIsRefused()
    {
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var import = await ApiTestClient.ReadAsync(
            await client.UploadAsync(rolloutId, laptopsId, "x.csv", $"Name,Department\n{Unique("X")},IT\n"));

        var remapped = await ApiTestClient.ReadAsync(await client.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping",
            new { columns = new object[] { new { letter = "B", target = "Department" } } }));

        Assert.Equal("Incomplete", remapped.Status());
        Assert.Contains("Name", remapped["mappingErrors"]![0]!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
    }

    [Fact]
    public async Task CheckAndApprove_OfAnImportIncompleteForAnotherReasonThanName_NameThatReason()
    {
        // Name is mapped; two columns mapped to Department keep the import Incomplete. The refusal said "map a column
        // to Name" whatever the reason was.
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var import = await ApiTestClient.ReadAsync(
            await client.UploadAsync(rolloutId, laptopsId, "two.csv", $"Name,Department,Dept\n{Unique("TWO")},IT,HR\n"));
        var remapped = await ApiTestClient.ReadAsync(await client.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping",
            new { columns = new object[] { new { letter = "A", target = "Name" }, new { letter = "B", target = "Department" },
                new { letter = "C", target = "Department" } } }));
        Assert.Equal("Incomplete", remapped.Status());
        var reason = remapped["mappingErrors"]!.AsArray().Single()!["message"]!.GetValue<string>();
        Assert.Contains("both mapped to Department", reason);
        var page = await factory.SignInAsync("manager@demo.test");
        var path = $"/rollouts/W11/imports/{import.Id()}";

        var check = await client.PostAsync($"/api/imports/{import.Id()}/check", null);
        var approve = await client.PostAsync($"/api/imports/{import.Id()}/approve", null);
        var form = await RolloutWebFactory.PostFormAndFollowAsync(page, path + "/check", [], path);

        foreach (var response in new[] { check, approve })
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            var detail = (await ApiTestClient.ReadAsync(response))["detail"]!.GetValue<string>();
            Assert.Contains(reason, detail);
            Assert.DoesNotContain("map a column to Name", detail);
        }

        Assert.Equal(HttpStatusCode.Conflict, form.StatusCode);
        var html = await form.Content.ReadAsStringAsync();
        Assert.Contains("both mapped to Department", html);
        Assert.DoesNotContain("map a column to Name", html);
    }

    [Fact]
    public async Task ApprovingTwiceAtOnce_StartsOneRun()
    {
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var name = Unique("TWICE");
        var import = await ApiTestClient.ReadAsync(
            await client.UploadAsync(rolloutId, laptopsId, "twice.csv", $"Name,Department\n{name},IT\n"));
        var other = await ApiTestClient.LoginAsync(factory, "admin@demo.test");

        var responses = await Task.WhenAll(
            client.PostAsync($"/api/imports/{import.Id()}/approve", null),
            other.PostAsync($"/api/imports/{import.Id()}/approve", null));

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        var result = await client.WaitForResultAsync(import.Id());
        Assert.Equal("Completed", result.Status());
        Assert.Equal(1, result["counts"]!["created"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal(1, await ClientCountAsync(name));
    }

    [Fact]
    public async Task PdfNamedXlsx_IsRefusedWith415_AndNothingIsStored()
    {
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var before = await ImportCountAsync();

        var response = await client.UploadAsync(rolloutId, laptopsId, "inventory.xlsx",
            Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace((await ApiTestClient.ReadAsync(response))["error"]!.GetValue<string>()));
        Assert.Equal(before, await ImportCountAsync());
    }

    [Fact]
    public async Task EmptyFile_IsRefusedWith400()
    {
        var (client, rolloutId, laptopsId) = await ManagerAsync();

        var response = await client.UploadAsync(rolloutId, laptopsId, "empty.csv", "");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("error", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ImportOfAnotherRollout_IsNotFound_ForRolloutManager()
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var srv = await admin.RolloutIdAsync("SRV");
        var servers = await admin.InventoryIdAsync(srv, "Servers");
        var foreign = await ApiTestClient.ReadAsync(
            await admin.UploadAsync(srv, servers, "servers.csv", $"Name\n{Unique("SRV")}\n"));
        var (manager, _, _) = await ManagerAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/api/imports/{foreign.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.PostAsync($"/api/imports/{foreign.Id()}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/api/imports/{foreign.Id()}/errors")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/api/rollouts/{srv}/inventories")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/api/inventories/{servers}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await manager.UploadAsync(srv, servers, "servers.csv", $"Name\n{Unique("SRV")}\n")).StatusCode);
        Assert.DoesNotContain("SRV", (await manager.GetJsonAsync("/api/rollouts")).Json());
    }

    [Fact]
    public async Task Technician_IsForbiddenImports_ButSeesInventories()
    {
        var (manager, rolloutId, laptopsId) = await ManagerAsync();
        var import = await ApiTestClient.ReadAsync(
            await manager.UploadAsync(rolloutId, laptopsId, "t.csv", $"Name\n{Unique("T")}\n"));
        var technician = await ApiTestClient.LoginAsync(factory, "technician@demo.test");

        Assert.Equal(HttpStatusCode.Forbidden, (await technician.GetAsync($"/api/imports/{import.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await technician.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await technician.UploadAsync(rolloutId, laptopsId, "t.csv", $"Name\n{Unique("T")}\n")).StatusCode);
        var inventory = await technician.GetJsonAsync($"/api/inventories/{laptopsId}");
        Assert.Equal("Laptops", inventory["name"]!.GetValue<string>());
        Assert.Contains("New", inventory["statuses"]!.Json());
        Assert.Contains("\"type\":\"Selection\"", inventory["customFields"]!.Json());
    }

    [Fact]
    public async Task NoToken_OrACookie_IsUnauthorized()
    {
        var anonymous = factory.CreateBrowser();
        var cookie = await factory.SignInAsync("manager@demo.test");

        foreach (var client in new[] { anonymous, cookie })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/rollouts")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/imports/1/approve", null)).StatusCode);
        }
    }

    [Fact]
    public async Task Login_WithWrongPassword_IsRefused()
    {
        var response = await factory.CreateBrowser().PostAsJsonAsync("/api/auth/login",
            new { email = "manager@demo.test", password = "wrong" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheApi()
    {
        var document = await factory.CreateBrowser().GetStringAsync("/openapi/v1.json");

        Assert.Contains("/api/imports/{id}/approve", document);
        Assert.Contains("/api/auth/login", document);
        Assert.DoesNotContain("\"/rollouts/{rollout}/imports\"", document);
    }

    [Fact]
    public async Task Check_OfAnImportInProgressOrCompleted_IsAConflict_AsOnThePage()
    {
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var page = await factory.SignInAsync("manager@demo.test");
        var completed = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "done.csv",
            $"Name,Status,Department,Serial number\n{Unique("DONE")},New,IT,SN900003\n"));
        await client.PostAsync($"/api/imports/{completed.Id()}/approve", null);
        Assert.Equal("Completed", (await client.WaitForResultAsync(completed.Id())).Status());
        var running = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "running.csv",
            $"Name,Status,Department,Serial number\n{Unique("RUN")},New,IT,SN900004\n"));
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var managerId = await db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync();
        await TestImports.ApproveWithoutJobAsync(scope.ServiceProvider, running.Id(), managerId);

        foreach (var (id, status) in new[] { (completed.Id(), "Completed"), (running.Id(), "In Progress") })
        {
            var api = await client.PostAsync($"/api/imports/{id}/check", null);
            var path = $"/rollouts/W11/imports/{id}";
            var form = await RolloutWebFactory.PostFormAndFollowAsync(page, path + "/check", [], path);

            Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Conflict), (api.StatusCode, form.StatusCode));
            var message = (await ApiTestClient.ReadAsync(api))["detail"]!.GetValue<string>();
            Assert.Equal($"Import {id} is {status}: there is nothing to check.", message);
            Assert.Contains(System.Net.WebUtility.HtmlEncode(message), await form.Content.ReadAsStringAsync());
        }

        var run = await scope.ServiceProvider.GetRequiredService<Rollouter.Import.Importing.ImportLifecycle>()
            .RunAsync(running.Id(), null, CancellationToken.None);
        Assert.Equal(Rollouter.Import.Data.Entities.ImportStatus.Completed, run.Status);
    }

    private async Task<int> ImportCountAsync()
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Imports.CountAsync();
    }

    [Fact]
    public async Task AFileNameLongerThanTheColumn_IsCut_KeepingItsExtension()
    {
        // SQLite ignores a column's length; PostgreSQL and SQL Server refused the import's row (a 500).
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var csv = $"Name,Status\n{Unique("LONG")},New\n";
        var longName = new string('n', 300) + "\u00e9\U0001F600" + new string('m', 300) + ".csv";

        var created = await client.UploadAsync(rolloutId, laptopsId, longName, csv);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var import = await ApiTestClient.ReadAsync(created);
        var fileName = import["fileName"]!.GetValue<string>();
        Assert.Equal(400, fileName.Length);
        Assert.StartsWith(new string('n', 300) + "\u00e9\U0001F600", fileName, StringComparison.Ordinal);
        Assert.EndsWith("m.csv", fileName, StringComparison.Ordinal);
        Assert.Equal(fileName, (await client.GetJsonAsync($"/api/imports/{import.Id()}"))["fileName"]!.GetValue<string>());
        Assert.Equal("WaitingForApproval", import.Status());
    }

    [Theory]
    [InlineData(398)]
    [InlineData(399)]
    public async Task AFileNameCut_NeverSplitsACharacter(int before)
    {
        // A character outside the BMP is two UTF-16 units: cut between them, the name would not be valid text.
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        var longName = new string('n', before - 4) + "\U0001F600" + new string('m', 100) + ".csv";

        var created = await client.UploadAsync(rolloutId, laptopsId, longName, $"Name\n{Unique("LONG")}\n");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var fileName = (await ApiTestClient.ReadAsync(created))["fileName"]!.GetValue<string>();
        Assert.True(fileName.Length <= 400, fileName.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith(".csv", fileName, StringComparison.Ordinal);
        Assert.False(char.IsHighSurrogate(fileName[^5]), "the name ends in half a character");
    }

    [Fact]
    public async Task AFileNameWithAControlCharacter_IsKeptWithoutIt()
    {
        // filename* carries any character, percent-encoded: a NUL is text PostgreSQL refuses.
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(laptopsId.ToString(System.Globalization.CultureInfo.InvariantCulture)), "inventoryId" },
        };
        var file = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes($"Name\n{Unique("NUL")}\n"));
        file.Headers.ContentDisposition = new System.Net.Http.Headers.ContentDispositionHeaderValue("form-data")
        {
            Name = "file", FileNameStar = "lap\u0000tops\u0007.csv",
        };
        form.Add(file);

        var created = await client.PostAsync($"/api/rollouts/{rolloutId}/imports", form);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("laptops.csv", (await ApiTestClient.ReadAsync(created))["fileName"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(@"C:\Users\bob\Desktop\inv.csv", "inv.csv")]
    [InlineData(@"..\..\win.ini.csv", "win.ini.csv")]
    [InlineData(@"/etc/passwd.csv", "passwd.csv")]
    [InlineData(@"C:\fakepath/mixed\folders.csv", "folders.csv")]
    public async Task AFileNameWithAWindowsPath_IsKeptWithoutItsFolders_AndDownloadedSo(string sent, string kept)
    {
        // A browser on Windows, or a script, may send the whole path; only the part after the last \ or / is the name.
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        const string boundary = "PATHS";
        using var content = new StringContent(
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"inventoryId\"\r\n\r\n{laptopsId}\r\n" +
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{sent}\"\r\nContent-Type: text/csv\r\n\r\n" +
            $"Name\n{Unique("PATH")}\n\r\n--{boundary}--\r\n", Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");

        var created = await client.PostAsync($"/api/rollouts/{rolloutId}/imports", content);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var import = await ApiTestClient.ReadAsync(created);
        Assert.Equal(kept, import["fileName"]!.GetValue<string>());
        var browser = await factory.SignInAsync("manager@demo.test");
        var original = await browser.GetAsync($"/rollouts/W11/imports/{import.Id()}/file");
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        var disposition = original.Content.Headers.ContentDisposition;
        // Offered under the name kept, with the import's number.
        Assert.Equal($"{Path.GetFileNameWithoutExtension(kept)}-import-{import.Id()}{Path.GetExtension(kept)}",
            disposition?.FileNameStar ?? disposition?.FileName?.Trim('"'));
    }

    [Fact]
    public async Task Page_AFileNameWithAWindowsPath_IsKeptWithoutItsFolders()
    {
        var browser = await factory.SignInAsync("manager@demo.test");
        var (_, _, laptopsId) = await ManagerAsync();
        var token = RolloutWebFactory.AntiforgeryToken(await browser.GetStringAsync("/rollouts/W11/imports/new"));
        var name = Unique("PAGEPATH");
        const string boundary = "PAGEPATHS";
        using var content = new StringContent(
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"__RequestVerificationToken\"\r\n\r\n{token}\r\n" +
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"inventoryId\"\r\n\r\n{laptopsId}\r\n" +
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\Users\\bob\\Desktop\\page inv.csv\"\r\nContent-Type: text/csv\r\n\r\n" +
            $"Name\n{name}\n\r\n--{boundary}--\r\n", Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");

        var response = await browser.PostAsync("/rollouts/W11/imports/new", content);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var page = await browser.GetPageAsync(response.Headers.Location!.OriginalString);
        Assert.Contains("page inv.csv", page.Body!.NormalizedText(), StringComparison.Ordinal);
        Assert.DoesNotContain("Desktop", page.Body!.NormalizedText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileNameWithALineSeparatorOrADirectionOverride_IsKeptWithoutThem()
    {
        // U+2028 starts a new line in a log viewer as a line feed does; U+202E shows "xslx.exe" as "exe.xlsx".
        var (client, rolloutId, laptopsId) = await ManagerAsync();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(laptopsId.ToString(System.Globalization.CultureInfo.InvariantCulture)), "inventoryId" },
        };
        var file = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes($"Name\n{Unique("LS")}\n"));
        file.Headers.ContentDisposition = new System.Net.Http.Headers.ContentDispositionHeaderValue("form-data")
        {
            Name = "file", FileNameStar = "lap\u2028tops\u2029\u0085\u202E\u2066.csv",
        };
        form.Add(file);

        var created = await client.PostAsync($"/api/rollouts/{rolloutId}/imports", form);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("laptops.csv", (await ApiTestClient.ReadAsync(created))["fileName"]!.GetValue<string>());
    }
}

public sealed class SqliteImportApiTests(RolloutWebFactory factory)
    : ImportApiTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresImportApiTests(PostgresWebFactory factory)
    : ImportApiTests(factory), IClassFixture<PostgresWebFactory>;
