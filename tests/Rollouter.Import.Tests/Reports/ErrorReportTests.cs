using System.Net.Http.Json;
using System.Net;
using System.Text.RegularExpressions;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Reports;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using static Rollouter.Import.Tests.Reports.ReportTestData;

namespace Rollouter.Import.Tests.Reports;

/// <summary>The error report of a failed import: what it holds, that nothing in it runs, and that fixed it imports.</summary>
public abstract class ErrorReportTests(RolloutWebFactory factory)
{
    private static readonly string[] Header = ["Name", "Status", "Description", "Department", "Serial number"];

    private async Task<(HttpClient Client, int ImportId, string[] Names)> FailedImportAsync()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        string[] names = [Unique("OK"), Unique("BAD1"), Unique("BAD2"), Unique("BAD3"), Unique("BAD4"), Unique("OK")];
        var csv = $"""
            Name,Status,Description,Department,Serial number
            {names[0]},New,fine,IT,SN000001
            {names[1]},Nope,=1+1,IT,SN000002
            {names[2]},New,+cmd,IT,SN12
            {names[3]},New,-2,Nowhere,SN000004
            {names[4]},Nope,@SUM(A1),IT,bad
            {names[5]},Prepared,fine,HR,SN000005

            """;
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "laptops.csv", csv));
        Assert.Equal("WaitingForApproval", import.Status());
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await client.WaitForResultAsync(import.Id())).Status());
        return (client, import.Id(), names);
    }

    private static async Task<byte[]> DownloadAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(Rollouter.Import.Exporting.XlsxStreamWriter.ContentType, response.Content.Headers.ContentType!.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    [Fact]
    public async Task ErrorReport_StartsWithTheRowNumber_HoldsOnlyTheFailingRows_UnderTheOriginalHeader_WithAllMessagesInAnErrorsColumn()
    {
        var (client, importId, names) = await FailedImportAsync();

        var content = await DownloadAsync(client, $"/api/imports/{importId}/error-report");

        using var workbook = Open(content);
        var sheet = workbook.Worksheets.First();
        Assert.Equal([ErrorReport.RowHeader, .. Header, ErrorReport.ErrorsHeader], Row(sheet, 1, 7));
        Assert.Equal(5, sheet.LastRowUsed().RowNumber());
        Assert.Equal(["3", names[1], "Nope", "=1+1", "IT", "SN000002"], Row(sheet, 2, 6));
        Assert.Equal(["4", names[2], "New", "+cmd", "IT", "SN12"], Row(sheet, 3, 6));
        Assert.Equal(["5", names[3], "New", "-2", "Nowhere", "SN000004"], Row(sheet, 4, 6));
        Assert.Equal(["6", names[4], "Nope", "@SUM(A1)", "IT", "bad"], Row(sheet, 5, 6));
        // A message names the column where the report shows it (after "Row"): its letter there and its header.
        Assert.StartsWith("C (Status): ", sheet.Cell(2, 7).GetString());
        Assert.StartsWith("F (Serial number): ", sheet.Cell(3, 7).GetString());
        Assert.StartsWith("E (Department): ", sheet.Cell(4, 7).GetString());
        Assert.Equal(["Status", "Serial number", "Department"], [sheet.Cell("C1").GetString(), sheet.Cell("F1").GetString(), sheet.Cell("E1").GetString()]);
        Assert.Equal(["Nope", "SN12", "Nowhere"], [sheet.Cell("C2").GetString(), sheet.Cell("F3").GetString(), sheet.Cell("E4").GetString()]);
        var both = sheet.Cell(5, 7).GetString();
        Assert.Matches("^C \\(Status\\): .+\\. F \\(Serial number\\): .+$", both);
        Assert.DoesNotContain(".;", both, StringComparison.Ordinal);
        Assert.NotEqual(sheet.Cell(2, 2).Style.Fill.BackgroundColor, sheet.Cell(2, 3).Style.Fill.BackgroundColor);
    }

    [Fact]
    public async Task ErrorReport_ShowsTheValuesTheRunChecked_WithTheCorrectionsMadeInTheBrowser_EachMarkedWithTheFilesValue()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        string[] names = [Unique("COR"), Unique("COR")];
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "cor.csv",
            $"Name,Status,Department\n{names[0]},Shipped,Marketing\n{names[1]},New,IT\n"));
        var id = import.Id();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await client.WaitForResultAsync(id)).Status());
        var put = await client.PutAsJsonAsync($"/api/imports/{id}/corrections", new
        {
            cells = new[] { new { row = 2, column = "B", value = "Shiped" } },
            replacements = new[] { new { column = "C", from = "Marketing", to = "IT" } },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{id}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await client.WaitForResultAsync(id)).Status());

        var kam = await factory.SignInAsync("kam@demo.test");
        foreach (var (reader, url) in new[] { (kam, $"/reviews/W11/imports/{id}/error-report"), (client, $"/api/imports/{id}/error-report") })
        {
            using var workbook = Open(await DownloadAsync(reader, url));
            var sheet = workbook.Worksheets.First();
            Assert.Equal([ErrorReport.RowHeader, "Name", "Status", "Department", ErrorReport.ErrorsHeader], Row(sheet, 1, 5));
            Assert.Equal(2, sheet.LastRowUsed().RowNumber());
            // The values the run checked, which the message names: the corrected status, the replaced department.
            Assert.Equal(["2", names[0], "Shiped", "IT"], Row(sheet, 2, 4));
            var errors = sheet.Cell(2, 5).GetString();
            Assert.StartsWith("C (Status): \"Shiped\" ", errors, StringComparison.Ordinal);
            Assert.EndsWith("Corrected in the browser, not in the file: C (Status) 'Shipped' → 'Shiped'; D (Department) 'Marketing' → 'IT'.",
                errors, StringComparison.Ordinal);
            // The failing cell stays red; the corrected cell that passes has a fill of its own; an untouched one none.
            var red = sheet.Cell(2, 3).Style.Fill.BackgroundColor;
            var corrected = sheet.Cell(2, 4).Style.Fill.BackgroundColor;
            var plain = sheet.Cell(2, 2).Style.Fill.BackgroundColor;
            Assert.NotEqual(plain, red);
            Assert.NotEqual(plain, corrected);
            Assert.NotEqual(red, corrected);
        }

        // The failed rows listed on the review page name the same value.
        var page = await kam.GetPageAsync($"/reviews/W11/imports/{id}");
        var failed = page.TestId("failed-rows-table");
        Assert.Contains(failed.QuerySelectorAll("td[data-label=Value]"), cell => cell.TextContent == "Shiped");
        Assert.DoesNotContain(failed.QuerySelectorAll("td[data-label=Value]"), cell => cell.TextContent == "Shipped");
    }

    [Fact]
    public async Task ErrorReport_NeutralisesFormulaLikeValues_SoNoneRunsAsAFormula()
    {
        var (client, importId, _) = await FailedImportAsync();

        var content = await DownloadAsync(client, $"/api/imports/{importId}/error-report");

        using (var workbook = Open(content))
        {
            var sheet = workbook.Worksheets.First();
            string[] expected = ["=1+1", "+cmd", "-2", "@SUM(A1)"];
            for (var i = 0; i < expected.Length; i++)
            {
                var cell = sheet.Cell(i + 2, 4);
                Assert.False(cell.HasFormula, $"D{i + 2} is a formula");
                Assert.Equal(XLDataType.Text, cell.DataType);
                Assert.Equal(expected[i], cell.GetString());
                Assert.True(cell.Style.IncludeQuotePrefix, $"D{i + 2} has no quote prefix");
            }
        }

        foreach (var part in Parts(content, "xl/worksheets/"))
        {
            Assert.DoesNotMatch(new Regex("<(\\w+:)?f[ >/]"), Part(content, part));
        }

        Assert.Contains("quotePrefix=\"1\"", Part(content, "xl/styles.xml"));
    }

    [Fact]
    public async Task ErrorReport_FixedAndUploadedAsANewImport_IsMappedAutomatically_LeavingRowAndErrorsUnmapped_AndCompletes()
    {
        var (client, importId, names) = await FailedImportAsync();
        var content = await DownloadAsync(client, $"/api/imports/{importId}/error-report");
        using var workbook = Open(content);
        var sheet = workbook.Worksheets.First();
        sheet.Cell(2, 3).SetValue("New");
        sheet.Cell(3, 6).SetValue("SN000003");
        sheet.Cell(4, 5).SetValue("IT");
        sheet.Cell(5, 3).SetValue("Scheduled");
        sheet.Cell(5, 6).SetValue("SN000006");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");

        var created = await client.UploadAsync(rolloutId, laptops, "laptops-errors.xlsx", Save(workbook));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var import = await ApiTestClient.ReadAsync(created);
        var targets = import["mapping"]!["columns"]!.AsArray().Select(c => c!["target"]?.GetValue<string>()).ToArray();
        Assert.Equal(Header.Cast<string?>().Prepend(null).Append(null), targets);
        Assert.Equal("WaitingForApproval", import.Status());
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        var result = await client.WaitForResultAsync(import.Id());
        Assert.True("Completed" == result.Status(), result.Json());
        Assert.Equal(4, result["counts"]!["created"]!.GetValue<int>());
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var descriptions = await db.Clients.Where(c => names.Contains(c.Name)).OrderBy(c => c.Name)
            .Select(c => c.Description).ToListAsync();
        Assert.Equal(["=1+1", "+cmd", "-2", "@SUM(A1)"], descriptions);
    }

    /// <summary>
    /// Leftover of decision 0054: a partial report's note (its first row, in the Row column alone) was counted among the
    /// rows of the report uploaded again ("100,001 rows", and a progress that never reached its total) though the
    /// import skipped it. The rows shown, checked and run are the report's failed rows.
    /// </summary>
    [Fact]
    public async Task PartialErrorReport_UploadedAgain_CountsOnlyItsFailedRows_NotItsNote_InTheRowsShownCheckedAndRun()
    {
        var (client, importId, _) = await FailedImportAsync();
        // As a run leaves an import that failed in more rows than it lists: the report then starts with its note.
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            await db.Imports.Where(i => i.Id == importId).ExecuteUpdateAsync(s => s.SetProperty(i => i.FailedRowCount, 150_000));
        }

        var content = await DownloadAsync(client, $"/api/imports/{importId}/error-report");
        using (var workbook = Open(content))
        {
            var sheet = workbook.Worksheets.First();
            Assert.StartsWith($"This report holds the first 4 of the 150,000 failed rows of import {importId}", sheet.Cell(2, 1).GetString());
            Assert.Equal(6, sheet.LastRowUsed().RowNumber());
        }

        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var again = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "laptops-errors.xlsx", content));

        Assert.Equal(4, again["rowCount"]!.GetValue<int>());
        var browser = await factory.SignInAsync("manager@demo.test");
        var page = await browser.GetPageAsync($"/rollouts/W11/imports/{again.Id()}");
        Assert.Equal("4", page.TestId("row-count").NormalizedText());
        var check = await ApiTestClient.ReadAsync(await client.PostAsync($"/api/imports/{again.Id()}/check", null));
        Assert.Equal(4, check["rowCount"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{again.Id()}/approve", null)).StatusCode);
        var result = await client.WaitForResultAsync(again.Id());
        Assert.Equal("Failed", result.Status());
        Assert.Equal((4, 4), (result["progress"]!["processed"]!.GetValue<int>(), result["progress"]!["total"]!.GetValue<int>()));
        // The rows listed are the report's own, by their row numbers in the report (the note's row 2 is not one of them).
        var errors = await client.GetJsonAsync($"/api/imports/{again.Id()}/errors?pageSize=100");
        Assert.Equal([3, 4, 5, 6], errors["items"]!.AsArray().Select(e => e!["row"]!.GetValue<int>()).Distinct());
    }

    [Fact]
    public async Task ErrorReport_OfCellsWithHalfASurrogatePairOrUFFFE_ShowsU_FFFDWhereTheyWere_AsTheMessageDoes()
    {
        // Excel's LEFT() cutting an emoji saves _xD83D_; U+FFFE is _xFFFE_. The report keeps the file's own cells, and
        // XML cannot carry these characters: they are written as U+FFFD (decision 0044), not left out.
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var name = Unique("SUR");
        var file = new Rollouter.Import.TestData.ClientFile([.. Header, "Notes_xD83D_"])
            .Row(name, "New", "_xFFFE_ here", "IT", "BAD_xD800_", "cut _xDE00_");
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "sur.xlsx", file.ToXlsx()));
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await client.WaitForResultAsync(import.Id())).Status());

        var content = await DownloadAsync(client, $"/api/imports/{import.Id()}/error-report");

        using var workbook = Open(content);
        var sheet = workbook.Worksheets.First();
        Assert.Equal([ErrorReport.RowHeader, .. Header, "Notes\uFFFD", ErrorReport.ErrorsHeader], Row(sheet, 1, 8));
        Assert.Equal(["2", name, "New", "\uFFFD here", "IT", "BAD\uFFFD", "cut \uFFFD"], Row(sheet, 2, 7));
        var message = sheet.Cell(2, 8).GetString();
        Assert.StartsWith("F (Serial number): \"BAD\uFFFD\" ", message);
    }

    [Fact]
    public async Task ErrorReportPage_ForRolloutManager_DownloadsTheReport_BelowIsForbidden_ForeignRolloutIsNotFound()
    {
        var (_, importId, _) = await FailedImportAsync();
        var manager = await factory.SignInAsync("manager@demo.test");
        var technician = await factory.SignInAsync("technician@demo.test");

        var content = await DownloadAsync(manager, $"/rollouts/W11/imports/{importId}/error-report");
        using (var workbook = Open(content))
        {
            Assert.Equal(5, workbook.Worksheets.First().LastRowUsed().RowNumber());
        }

        var refused = await technician.GetAsync($"/rollouts/W11/imports/{importId}/error-report");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/account/denied", refused.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/rollouts/SRV/imports/{importId}/error-report")).StatusCode);
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync($"/api/imports/{importId}/error-report")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateBrowser().GetAsync($"/api/imports/{importId}/error-report")).StatusCode);
    }
}

/// <summary>The "Import errors" cell of a row: its messages as sentences, one after the other.</summary>
public sealed class ErrorReportDescribeTests
{
    [Fact]
    public void Describe_JoinsTheRowsMessagesAsSentences_WithoutAStrayPunctuationMark_NamingTheReportsColumns()
    {
        SheetColumn[] columns = [new(0, "A", "Name"), new(1, "B", "Model"), new(4, "E", "Serial number")];
        ImportRowError[] errors =
        [
            new() { Row = 3, Column = "B", Value = "X1", Message = "\"X1\" is not an option of field \"Model\"; add it to the field's options or enable \"Create option if not exists\"." },
            new() { Row = 3, Column = "E", Value = "bad", Message = "\"bad\" does not match the pattern of field \"Serial number\" (^SN\\d+$)" },
            new() { Row = 3, Column = "A", Value = "pc-1", Message = "\"pc-1\" appears again in row 9. Did you mean \"PC-1\"?" },
            new() { Row = 3, Message = "\"Owner\" is required." },
        ];

        var text = ErrorReport.Describe(errors, columns);

        Assert.Equal(
            "C (Model): \"X1\" is not an option of field \"Model\"; add it to the field's options or enable \"Create option if not exists\". " +
            "F (Serial number): \"bad\" does not match the pattern of field \"Serial number\" (^SN\\d+$). " +
            "B (Name): \"pc-1\" appears again in row 9. Did you mean \"PC-1\"? " +
            "\"Owner\" is required.",
            text);
    }
}

public sealed class ErrorReportLetterTests
{
    [Fact]
    public void Describe_TheFilesColumnZ_IsTheReportsColumnAA()
    {
        SheetColumn[] columns = [new(25, "Z", "Notes")];
        ImportRowError[] errors = [new() { Row = 2, Column = "Z", Value = "x", Message = "Too long." }];

        Assert.Equal("AA (Notes): Too long.", ErrorReport.Describe(errors, columns));
    }
}

public sealed class SqliteErrorReportTests(RolloutWebFactory factory)
    : ErrorReportTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresErrorReportTests(PostgresWebFactory factory)
    : ErrorReportTests(factory), IClassFixture<PostgresWebFactory>;
