using System.Net;
using System.Security.Cryptography;
using System.Text;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using static Rollouter.Import.Tests.Reports.ReportTestData;

namespace Rollouter.Import.Tests.Reports;

/// <summary>
/// A failed rows report is written whole before it is sent, into the data folder's <c>reports</c> (the one place the
/// app writes, docs/operations.md), not the system's temporary folder, which may be small or shared; the file is gone
/// once the download ended.
/// </summary>
public sealed class ErrorReportFileTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private string[] ReportsWritten()
    {
        var folder = Path.Combine(factory.DataFolder, "reports");
        return Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
    }

    [Fact]
    public async Task TheErrorReport_IsWrittenInTheDataFolder_AndDeletedWhenItsDownloadEnds()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        // Rows that do not compress, so the report is larger than what the server sends ahead of the reader: while the
        // download is read, the report's file is still open.
        var csv = new StringBuilder("Name,Status,Description\n");
        for (var i = 0; i < 3_000; i++)
        {
            csv.Append(Unique("BIG")).Append(",Nope,").Append(Convert.ToHexString(RandomNumberGenerator.GetBytes(120))).Append('\n');
        }

        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "large.csv", csv.ToString()));
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Failed", (await client.WaitForResultAsync(import.Id())).Status());
        Assert.Empty(ReportsWritten());

        using (var response = await client.GetAsync($"/api/imports/{import.Id()}/error-report", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var written = Assert.Single(ReportsWritten());
            Assert.Matches(@"^report-[0-9a-f]{32}\.xlsx$", Path.GetFileName(written));

            using var workbook = Open(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(3_001, workbook.Worksheets.First().LastRowUsed()?.RowNumber());
        }

        // The server closes (and so deletes) the file once it has sent the last byte, just after the reader got it.
        var until = DateTime.UtcNow.AddSeconds(30);
        while (ReportsWritten().Length > 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        Assert.Empty(ReportsWritten());
    }
}
