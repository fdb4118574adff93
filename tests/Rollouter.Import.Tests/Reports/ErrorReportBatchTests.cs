using System.Net;
using System.Text;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using static Rollouter.Import.Tests.Reports.ReportTestData;

namespace Rollouter.Import.Tests.Reports;

/// <summary>
/// The error report of an import with more row errors than one batch (QA at scale: 100,000 failed rows doubled the
/// app's memory per download): the errors are read a batch at a time, each batch after the last, and merged with the
/// file's rows as it is read, so the report is whole, a row's errors split between two batches included.
/// </summary>
public abstract class ErrorReportBatchTests(StatementLoggingWebFactory factory)
{
    /// <summary>Three errors a row: 6,000 errors, two batches, the boundary inside row 1,667's errors.</summary>
    private const int Rows = 2_000;

    /// <summary>The errors a batch reads (ImportReports.ErrorBatch).</summary>
    private const int Batch = 5_000;

    [Fact]
    public async Task ErrorReport_ReadsTheErrorsInBatches_AndWritesEveryFailedRowWithAllItsMessages()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");
        var prefix = Unique("BATCH");
        var csv = new StringBuilder("Name,Status,Description,Department,Serial number\n");
        for (var i = 0; i < Rows; i++)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{prefix}-{i:D5},Nope,row {i},Nowhere,bad\n");
        }

        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptops, "batch.csv", csv.ToString()));
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        var result = await client.WaitForResultAsync(import.Id());
        Assert.True("Failed" == result.Status(), result.Json());
        Assert.Equal(Rows, result["counts"]!["failedRows"]!.GetValue<int>());

        factory.Statements.Clear();
        var response = await client.GetAsync($"/api/imports/{import.Id()}/error-report");
        var content = await response.Content.ReadAsByteArrayAsync();
        var reads = factory.Statements.Statements.Where(s => s.Contains("\"ImportRowErrors\"", StringComparison.Ordinal)
                                                              && s.Contains("\"Message\"", StringComparison.Ordinal)).ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // One statement a batch, each bounded: never every error at once.
        Assert.Equal((Rows * 3 + Batch - 1) / Batch, reads.Count);
        Assert.All(reads, sql => Assert.Contains("LIMIT", sql, StringComparison.OrdinalIgnoreCase));
        using var workbook = Open(content);
        var sheet = workbook.Worksheets.First();
        Assert.Equal(Rows + 1, sheet.LastRowUsed().RowNumber());
        for (var i = 0; i < Rows; i++)
        {
            var row = sheet.Row(i + 2);
            Assert.Equal((i + 2).ToString(System.Globalization.CultureInfo.InvariantCulture), row.Cell(1).GetString());
            Assert.Equal($"{prefix}-{i:D5}", row.Cell(2).GetString());
            Assert.Matches("^C \\(Status\\): .+\\. E \\(Department\\): .+\\. F \\(Serial number\\): .+$", row.Cell(7).GetString());
        }
    }
}

public sealed class SqliteErrorReportBatchTests(StatementLoggingWebFactory factory)
    : ErrorReportBatchTests(factory), IClassFixture<StatementLoggingWebFactory>;

public sealed class PostgresErrorReportBatchTests(PostgresStatementLoggingWebFactory factory)
    : ErrorReportBatchTests(factory), IClassFixture<PostgresStatementLoggingWebFactory>;
