using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Reports;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using static Rollouter.Import.Tests.Reports.ReportTestData;

namespace Rollouter.Import.Tests.Reports;

/// <summary>
/// The failed rows of a big failing import, as the page, the API and the error report list them (QA at scale: the
/// 100,000 kept were errors, not rows, so a file failing in one and a half cells a row listed two thirds of its failed
/// rows, and every count and the report were partial without saying so). Every error of the first 100,000 failed rows
/// is listed; past them, every count says it is of the rows listed.
/// </summary>
public sealed class FailedRowsListTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private static readonly string[] Header = ["Name", "Status", "Model", "Department", "Serial number"];

    /// <summary>
    /// An import of <paramref name="rows"/> rows, each failing on Status, every second also on Model (a Selection),
    /// every thousandth also on Serial number's pattern; in the demo rollout without its client limit, so that only the
    /// rows fail. Its page's path, the API and browser clients.
    /// </summary>
    private async Task<(HttpClient Api, HttpClient Browser, int ImportId, string Path)> FailedImportAsync(int rows)
    {
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            await db.Rollouts.Where(r => r.Identifier == "W11").ExecuteUpdateAsync(s => s.SetProperty(r => r.ClientLimit, (int?)null));
        }

        var prefix = Unique("CAP");
        var file = new Rollouter.Import.TestData.ClientFile(Header).Rows(rows, i =>
        [
            $"{prefix}-{i}", "Lost", i % 2 == 0 ? "Latitude 9999" : "ThinkPad T14", "IT",
            i % 1_000 == 0 ? "bad" : $"SN{i % 1_000_000:000000}",
        ]);
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptops = await api.InventoryIdAsync(rolloutId, "Laptops");
        var created = await api.UploadAsync(rolloutId, laptops, "big.csv", file.ToCsvBytes());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var import = await ApiTestClient.ReadAsync(created);
        Assert.Equal("WaitingForApproval", import.Status());
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        var result = await api.WaitForImportAsync(import.Id(), i => i.Status() is "Completed" or "Failed", TimeSpan.FromMinutes(5));
        Assert.True("Failed" == result.Status(), result.Json());
        return (api, await factory.SignInAsync("manager@demo.test"), import.Id(), $"/rollouts/W11/imports/{import.Id()}");
    }

    private static async Task<byte[]> DownloadAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>The report read as an upload is: its header and every row below it (the Row column first).</summary>
    private static (IReadOnlyList<string?> Header, List<string?[]> Rows) ReadReport(byte[] report)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("rollouter-report-").FullName, "report.xlsx");
        File.WriteAllBytes(path, report);
        try
        {
            var opened = ImportFileReader.Open(path, "report.xlsx");
            Assert.True(opened.Succeeded, opened.Problem?.Message);
            using var file = opened.File!;
            return (file.HeaderTexts, [.. file.ReadRows().Select(r => r.Cells.ToArray())]);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static Task<JsonNode> ErrorsAsync(HttpClient api, int importId, string query) =>
        api.GetJsonAsync($"/api/imports/{importId}/errors?{query}");

    [Fact]
    public async Task AnImportFailingInMoreThan100000CellsOfFewerRows_ListsEveryFailedRow_InTheCounts_TheApiAndTheReport()
    {
        // 70,000 rows: 70,000 fail on Status, 35,000 on Model and 70 on Serial number: 105,070 errors.
        var (api, browser, importId, path) = await FailedImportAsync(70_000);

        var page = await browser.GetPageAsync(path);
        Assert.Contains("70,000 of 70,000 rows could not be imported", page.Body!.NormalizedText());
        Assert.False(page.HasTestId("failed-rows-partial"));
        var columns = page.TestId("error-columns");
        Assert.Equal("70,000 failing rows", columns.Link("B (Status) 70,000 failing rows").One(".badge").NormalizedText());
        Assert.Equal("35,000 failing rows", columns.Link("C (Model) 35,000 failing rows").One(".badge").NormalizedText());
        Assert.Equal("70 failing rows", columns.Link("E (Serial number) 70 failing rows").One(".badge").NormalizedText());
        Assert.Equal("105,070 errors in 70,000 rows", page.TestId("failed-rows-total").NormalizedText());
        var status = await browser.GetPageAsync(path + "?column=B");
        Assert.Equal("70,000 errors in column B", status.TestId("failed-rows-total").NormalizedText());

        var all = await ErrorsAsync(api, importId, "pageSize=1");
        Assert.Equal(105_070, all["total"]!.GetValue<int>());
        Assert.Equal(70_000, all["failedRows"]?.GetValue<int>());
        Assert.Equal(70_000, all["listedRows"]?.GetValue<int>());
        Assert.True(all["complete"]?.GetValue<bool>());
        var lastOfStatus = await ErrorsAsync(api, importId, "column=B&pageSize=1000&page=70");
        Assert.Equal(70_000, lastOfStatus["total"]!.GetValue<int>());
        Assert.Equal(70_001, lastOfStatus["items"]!.AsArray()[^1]!["row"]!.GetValue<int>());
        Assert.Equal(35_000, (await ErrorsAsync(api, importId, "column=C&pageSize=1"))["total"]!.GetValue<int>());

        var (header, rows) = ReadReport(await DownloadAsync(api, $"/api/imports/{importId}/error-report"));
        Assert.Equal([ErrorReport.RowHeader, .. Header, ErrorReport.ErrorsHeader], header);
        Assert.Equal(70_000, rows.Count);
        Assert.Equal(Enumerable.Range(2, 70_000).Select(r => r.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            rows.Select(r => r[0]));
        Assert.StartsWith("C (Status): ", rows[^1][6]);
        Assert.Matches("^C \\(Status\\): .+\\. D \\(Model\\): .+\\. F \\(Serial number\\): .+$", rows[999][6]);
    }

    [Fact]
    public async Task AnImportOfMoreFailedRowsThanAreListed_ListsTheFirst100000_AndSaysSoInEveryCount_TheApiAndTheReport()
    {
        // 100,050 rows: 100,050 fail on Status, 50,025 on Model and 100 on Serial number: 150,175 errors. The first
        // 100,000 rows are listed, with their 150,100 errors.
        var (api, browser, importId, path) = await FailedImportAsync(100_050);

        var page = await browser.GetPageAsync(path);
        var text = page.Body!.NormalizedText();
        Assert.Contains("100,050 of 100,050 rows could not be imported. The import was cancelled and no clients have been created or changed. " +
            "Only the first 100,000 of the 100,050 failed rows are listed, with their 150,100 of the 150,175 errors " +
            "(an import lists at most 100,000 failed rows and 1,000,000 errors): correct them and approve again to see the rest.", text);
        Assert.StartsWith("Only the first 100,000 of the 100,050 failed rows are listed",
            page.TestId("failed-rows-partial").NormalizedText());
        var columns = page.TestId("error-columns");
        Assert.Equal("100,000 failing rows listed", columns.Link("B (Status) 100,000 failing rows listed").One(".badge").NormalizedText());
        Assert.Equal("50,000 failing rows listed", columns.Link("C (Model) 50,000 failing rows listed").One(".badge").NormalizedText());
        Assert.Equal("150,100 errors in the first 100,000 of the 100,050 failed rows", page.TestId("failed-rows-total").NormalizedText());
        var status = await browser.GetPageAsync(path + "?column=B");
        Assert.Equal("100,000 errors in column B, in the first 100,000 of the 100,050 failed rows",
            status.TestId("failed-rows-total").NormalizedText());

        var all = await ErrorsAsync(api, importId, "pageSize=1");
        Assert.Equal(150_100, all["total"]!.GetValue<int>());
        Assert.Equal(100_050, all["failedRows"]?.GetValue<int>());
        Assert.Equal(100_000, all["listedRows"]?.GetValue<int>());
        Assert.False(all["complete"]?.GetValue<bool>());
        var lastOfStatus = await ErrorsAsync(api, importId, "column=B&pageSize=1000&page=100");
        Assert.Equal(100_000, lastOfStatus["total"]!.GetValue<int>());
        Assert.False(lastOfStatus["complete"]?.GetValue<bool>());
        Assert.Equal(100_001, lastOfStatus["items"]!.AsArray()[^1]!["row"]!.GetValue<int>());

        // The report says first that it is partial, in the Row column alone: read as an upload, that row is no data row.
        var report = await DownloadAsync(api, $"/api/imports/{importId}/error-report");
        using (var workbook = Open(report))
        {
            var sheet = workbook.Worksheets.First();
            Assert.StartsWith($"This report holds the first 100,000 of the 100,050 failed rows of import {importId}", sheet.Cell(2, 1).GetString());
            Assert.All(Row(sheet, 2, Header.Length + 2).Skip(1), cell => Assert.Equal("", cell));
            Assert.Equal(100_002, sheet.LastRowUsed().RowNumber());
        }

        var (header, rows) = ReadReport(report);
        Assert.Equal([ErrorReport.RowHeader, .. Header, ErrorReport.ErrorsHeader], header);
        Assert.Equal(100_000, rows.Count);
        Assert.Equal(["2", "3"], rows.Take(2).Select(r => r[0]));
        Assert.Equal("100001", rows[^1][0]);

        var rolloutId = await api.RolloutIdAsync("W11");
        var laptops = await api.InventoryIdAsync(rolloutId, "Laptops");
        var again = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, "big-errors.xlsx", report));
        Assert.Equal(100_000, again["rowCount"]!.GetValue<int>());
        var targets = again["mapping"]!["columns"]!.AsArray().Select(c => c!["target"]?.GetValue<string>()).ToArray();
        Assert.Equal(Header.Cast<string?>().Prepend(null).Append(null), targets);
        var check = await api.PostAsync($"/api/imports/{again.Id()}/check", null);
        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        var dryRun = await ApiTestClient.ReadAsync(check);
        Assert.Equal(100_000, dryRun["rowCount"]!.GetValue<int>());
        Assert.Equal(100_000, dryRun["failedRows"]!.GetValue<int>());
    }

    /// <summary>
    /// Failed rows paged while the import is approved again: the new run deletes the last run's errors and writes its
    /// own with new ids, and the walk went on from the old cursor's id, listing its row again. The API refuses the old
    /// cursor (400, after) and the page says so with a link to the first page (decision 0109).
    /// </summary>
    [Fact]
    public async Task FailedRowsPagedWhileTheImportRunsAgain_SayToStartAgain_InsteadOfListingARowTwice()
    {
        var (api, browser, importId, path) = await FailedImportAsync(600);
        var first = await ErrorsAsync(api, importId, "pageSize=50");
        var second = await ErrorsAsync(api, importId, "pageSize=50&after=" + Uri.EscapeDataString(first["next"]!.GetValue<string>()));
        var next = second["next"]!.GetValue<string>();
        var finished = (await api.GetJsonAsync($"/api/imports/{importId}"))["finishedAt"]?.ToJsonString();

        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
        await api.WaitForImportAsync(importId, i => i.Status() == "Failed" && i["finishedAt"]?.ToJsonString() != finished,
            TimeSpan.FromMinutes(2));
        var third = await api.GetAsync($"/api/imports/{importId}/errors?pageSize=50&after={Uri.EscapeDataString(next)}");
        var page = await browser.GetPageAsync($"{path}?after={Uri.EscapeDataString(next)}");

        Assert.Equal(HttpStatusCode.BadRequest, third.StatusCode);
        var problem = await ApiTestClient.ReadAsync(third);
        Assert.Equal("after", problem["field"]?.GetValue<string>());
        Assert.Equal("The import ran again since this page was read: start again from the first page of its failed rows.",
            problem["detail"]?.GetValue<string>());
        var notice = page.TestId("failed-rows-restart");
        Assert.StartsWith("The import ran again since this page was read: start again from the first page of its failed rows.",
            notice.NormalizedText(), StringComparison.Ordinal);
        Assert.Equal($"{path}#failed-rows", notice.QuerySelector("a")?.GetAttribute("href"));
    }
}
