using System.Net.Http.Json;
using System.Net;
using System.Text;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Reports;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using static Rollouter.Import.Tests.Reports.ReportTestData;

namespace Rollouter.Import.Tests.Reports;

/// <summary>
/// QA finding 4 (decision 0101): the failed rows report, fixed and uploaded again, imported only its rows and said "all
/// clients have been created", the other rows of the failed import never imported. The upload now says what the file
/// is, and its values can be applied to the import it came from, which then imports every row.
/// </summary>
public sealed class ErrorReportUploadedAgainTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private const int Rows = 21;

    /// <summary>21 rows, the 8th with a status the workflow does not have: the import fails on that row alone.</summary>
    private async Task<(HttpClient Api, int RolloutId, int Laptops, int ImportId, string[] Names)> FailedImportAsync()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptops = await api.InventoryIdAsync(rolloutId, "Laptops");
        var names = Enumerable.Range(1, Rows).Select(i => Unique($"REP{i}")).ToArray();
        var csv = new StringBuilder("Name,Status,Department\n");
        for (var i = 0; i < Rows; i++)
        {
            csv.Append(names[i]).Append(i == 7 ? ",Shipped" : ",New").Append(",IT\n");
        }

        var import = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, "one-bad-row.csv", csv.ToString()));
        Assert.Equal("WaitingForApproval", import.Status());
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        var failed = await api.WaitForResultAsync(import.Id());
        Assert.Equal("Failed", failed.Status());
        Assert.Equal(1, failed["counts"]!["failedRows"]!.GetValue<int>());
        return (api, rolloutId, laptops, import.Id(), names);
    }

    /// <summary>The import's report, its failed row's Status fixed (and, with <paramref name="addedRow"/>, a row added without a number).</summary>
    private static async Task<byte[]> FixedReportAsync(HttpClient api, int importId, string? addedRow = null)
    {
        var response = await api.GetAsync($"/api/imports/{importId}/error-report");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var workbook = Open(await response.Content.ReadAsByteArrayAsync());
        var sheet = workbook.Worksheets.First();
        Assert.Equal(["Row", "Name", "Status", "Department", "Import errors"], Row(sheet, 1, 5));
        Assert.Equal("9", sheet.Cell(2, 1).GetString());
        Assert.Equal("Shipped", sheet.Cell(2, 3).GetString());
        sheet.Cell(2, 3).SetValue("Scheduled");
        if (addedRow is not null)
        {
            sheet.Cell(3, 2).SetValue(addedRow);
            sheet.Cell(3, 3).SetValue("New");
            sheet.Cell(3, 4).SetValue("IT");
        }

        return Save(workbook);
    }

    private async Task<int> CountAsync(string[] names)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return await db.Clients.CountAsync(c => names.Contains(c.Name));
    }

    [Fact]
    public async Task Api_FixedReportUploadedAgain_NamesItsImport_AndAppliedToIt_TheImportCompletesWithEveryRow()
    {
        var (api, rolloutId, laptops, importId, names) = await FailedImportAsync();
        var report = await FixedReportAsync(api, importId);

        var uploaded = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, "one-bad-row-import-errors.xlsx", report));

        var reportOf = uploaded["reportOf"]!;
        Assert.Equal((importId, 1, Rows, true), (reportOf["importId"]!.GetValue<int>(), reportOf["rows"]!.GetValue<int>(),
            reportOf["rowsInImport"]!.GetValue<int>(), reportOf["canApply"]!.GetValue<bool>()));
        Assert.Equal($"This file is the failed rows report of import #{importId}: it holds 1 of its 21 rows. Importing it alone " +
                     $"creates only those clients; import #{importId}'s other 20 rows stay unimported.",
            reportOf["message"]!.GetValue<string>());

        var applied = await api.PostAsync($"/api/imports/{uploaded.Id()}/apply-report", null);
        Assert.True(applied.StatusCode == HttpStatusCode.OK, await applied.Content.ReadAsStringAsync());
        var answer = await ApiTestClient.ReadAsync(applied);
        Assert.Equal((importId, 1), (answer["importId"]!.GetValue<int>(), answer["applied"]!.GetValue<int>()));
        Assert.Equal("1 value from the report applied as a correction: check or approve again.", answer["message"]!.GetValue<string>());
        Assert.Equal(1, answer["import"]!["corrections"]!["cells"]!.GetValue<int>());
        // The upload was the report's vehicle only: discarded.
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/imports/{uploaded.Id()}")).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
        var result = await api.WaitForResultAsync(importId);
        Assert.True("Completed" == result.Status(), result.Json());
        Assert.Equal(Rows, result["counts"]!["created"]!.GetValue<int>());
        Assert.Equal(Rows, await CountAsync(names));
    }

    /// <summary>
    /// The report opened in LibreOffice and saved as .ods, or as flat .fods: LibreOffice keeps the workbook's custom
    /// properties as <c>meta:user-defined</c> (in meta.xml, or in the flat document's office:meta). Before, only an
    /// .xlsx's docProps/custom.xml was read: such a report was only "looks like a failed rows report … saved again as
    /// CSV", and its values could not be applied. A flat document whose start is not <c>&lt;?</c> or <c>&lt;o</c> (a
    /// comment, or a line break, before its root and no declaration) is imported as .fods by the reader: its mark was not
    /// read (a 5-byte check of its own beside the reader's); one check (FileSniffer's) decides both now.
    /// </summary>
    [Theory]
    [InlineData("ods", "")]
    [InlineData("fods", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")]
    [InlineData("fods", "<!-- saved by a script -->\n")]
    [InlineData("fods", "\n")]
    public async Task FixedReportSavedAsOpenDocument_NamesItsImport_AndAppliesToIt(string format, string start)
    {
        var (api, rolloutId, laptops, importId, names) = await FailedImportAsync();
        const string Office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
        const string Ns = $"""xmlns:office="{Office}" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" """;
        static string Row(params string[] cells) => "<table:table-row>" + string.Concat(cells.Select(c =>
            $"<table:table-cell office:value-type=\"string\"><text:p>{System.Security.SecurityElement.Escape(c)}</text:p></table:table-cell>")) + "</table:table-row>";
        var table = "<table:table table:name=\"Import errors\">" + Row("Row", "Name", "Status", "Department", "Import errors") +
                    Row("9", names[7], "Scheduled", "IT", "C (Status): \"Shipped\" is not a status.") + "</table:table>";
        var meta = $"<meta:user-defined meta:name=\"{ErrorReportMark.ImportProperty}\">{importId}</meta:user-defined>" +
                   $"<meta:user-defined meta:name=\"{ErrorReportMark.RolloutProperty}\">{rolloutId}</meta:user-defined>";
        byte[] file;
        if (format == "fods")
        {
            file = Encoding.UTF8.GetBytes(start + $"""<office:document {Ns}office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:meta>{meta}</office:meta><office:body><office:spreadsheet>{table}</office:spreadsheet></office:body></office:document>""");
        }
        else
        {
            using var zipped = new MemoryStream();
            using (var zip = new System.IO.Compression.ZipArchive(zipped, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            {
                void Part(string name, string text)
                {
                    using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
                    writer.Write(text);
                }

                Part("mimetype", "application/vnd.oasis.opendocument.spreadsheet");
                Part("META-INF/manifest.xml", """<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/></manifest:manifest>""");
                Part("meta.xml", $"""<?xml version="1.0" encoding="UTF-8"?><office:document-meta {Ns}office:version="1.3"><office:meta>{meta}</office:meta></office:document-meta>""");
                Part("content.xml", $"""<?xml version="1.0" encoding="UTF-8"?><office:document-content {Ns}office:version="1.3"><office:body><office:spreadsheet>{table}</office:spreadsheet></office:body></office:document-content>""");
            }

            file = zipped.ToArray();
        }

        var uploaded = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, $"one-bad-row-import-errors.{format}", file));

        Assert.True(uploaded["reportOf"]?["importId"]?.GetValue<int>() == importId, uploaded.Json());
        var applied = await api.PostAsync($"/api/imports/{uploaded.Id()}/apply-report", null);
        Assert.True(applied.StatusCode == HttpStatusCode.OK, await applied.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
        var result = await api.WaitForResultAsync(importId);
        Assert.True("Completed" == result.Status(), result.Json());
        Assert.Equal(Rows, await CountAsync(names));
    }

    [Fact]
    public async Task Page_FixedReportUploadedAgain_SaysWhatItIsFirst_AndItsButtonAppliesItsValues_NotItsAddedRow()
    {
        var (api, rolloutId, laptops, importId, names) = await FailedImportAsync();
        var added = Unique("ADDED");
        var report = await FixedReportAsync(api, importId, addedRow: added);
        var uploaded = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, "one-bad-row-import-errors.xlsx", report));
        var browser = await factory.SignInAsync("manager@demo.test");
        var path = $"/rollouts/W11/imports/{uploaded.Id()}";

        var page = await browser.GetPageAsync(path);

        Assert.Equal($"This file is the failed rows report of import #{importId}: it holds 2 of its 21 rows. Importing it alone " +
                     $"creates only those clients; import #{importId}'s other 19 rows stay unimported.",
            page.TestId("report-origin").QuerySelector("p")!.NormalizedText());
        Assert.Equal($"Apply its values to import #{importId}", page.TestId("apply-report").NormalizedText());
        // Before anything else on the page: right under the title, before the status is explained.
        var text = page.Body!.TextContent;
        Assert.True(text.IndexOf("This file is the failed rows report", StringComparison.Ordinal)
                    < text.IndexOf(page.TestId("status-explanation").TextContent, StringComparison.Ordinal));

        // The form posts its own antiforgery token, as a browser sends it.
        var form = page.TestId("report-origin").QuerySelector("form")!;
        Assert.Equal(path + "/apply-report", form.GetAttribute("action"));
        var token = form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var posted = await browser.PostAsync(path + "/apply-report",
            new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var landed = await browser.GetAsync(posted.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.EndsWith($"/imports/{importId}", landed.RequestMessage!.RequestUri!.AbsolutePath);
        var original = await landed.ReadPageAsync();
        Assert.Equal("1 value from the report applied as a correction: check or approve again. 1 row without a row number was " +
                     "not applied: add it to a new import.", original.TestId("page-message").NormalizedText());
        Assert.False((await browser.GetAsync(path)).IsSuccessStatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
        var result = await api.WaitForResultAsync(importId);
        Assert.True("Completed" == result.Status(), result.Json());
        Assert.Equal(Rows, result["counts"]!["created"]!.GetValue<int>());
        Assert.Equal(Rows, await CountAsync(names));
        Assert.Equal(0, await CountAsync([added]));
    }

    [Fact]
    public async Task ReportOfAnImportCompletedSince_IsOnlyWarnedAbout_AndCannotBeApplied()
    {
        var (api, rolloutId, laptops, importId, _) = await FailedImportAsync();
        var report = await FixedReportAsync(api, importId);
        var corrected = await api.PutAsJsonAsync($"/api/imports/{importId}/corrections",
            new { cells = new[] { new { row = 9, column = "B", value = "Scheduled" } } });
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await api.WaitForResultAsync(importId)).Status());

        var uploaded = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, "one-bad-row-import-errors.xlsx", report));

        var reportOf = uploaded["reportOf"]!;
        Assert.False(reportOf["canApply"]!.GetValue<bool>());
        Assert.Equal($"This file is the failed rows report of import #{importId}, which has been approved again since and " +
                     "Completed: importing it creates the clients of its 1 row as a new import.", reportOf["message"]!.GetValue<string>());
        var page = await (await factory.SignInAsync("manager@demo.test")).GetPageAsync($"/rollouts/W11/imports/{uploaded.Id()}");
        Assert.Contains("which has been approved again since and Completed", page.TestId("report-origin").NormalizedText());
        Assert.False(page.HasTestId("apply-report"));
        var refused = await api.PostAsync($"/api/imports/{uploaded.Id()}/apply-report", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Nothing was applied.", await refused.Content.ReadAsStringAsync());
        Assert.Equal("WaitingForApproval", (await api.GetJsonAsync($"/api/imports/{uploaded.Id()}")).Status());
    }

    [Fact]
    public async Task ReportWrittenBeforeTheMark_IsRecognisedByItsColumns_AndOnlyWarnedAbout()
    {
        var (api, rolloutId, laptops, importId, _) = await FailedImportAsync();
        var fixedReport = await FixedReportAsync(api, importId);
        Assert.Contains(ErrorReportMark.ImportProperty, Part(fixedReport, "docProps/custom.xml"));
        byte[] old;
        using (var workbook = Open(fixedReport))
        {
            workbook.CustomProperties.Delete(ErrorReportMark.ImportProperty);
            workbook.CustomProperties.Delete(ErrorReportMark.RolloutProperty);
            old = Save(workbook);
        }

        var uploaded = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, laptops, "old-report.xlsx", old));

        var reportOf = uploaded["reportOf"]!;
        Assert.Null(reportOf["importId"]);
        Assert.False(reportOf["canApply"]!.GetValue<bool>());
        Assert.StartsWith("This file looks like a failed rows report", reportOf["message"]!.GetValue<string>());
        var refused = await api.PostAsync($"/api/imports/{uploaded.Id()}/apply-report", null);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("does not say which import it is the failed rows report of", await refused.Content.ReadAsStringAsync());
        Assert.Equal("Failed", (await api.GetJsonAsync($"/api/imports/{importId}")).Status());
    }

    [Fact]
    public async Task ReportOfAnotherRolloutsImport_IsNotNamed_AndItsValuesAreRefused()
    {
        var (api, _, _, importId, _) = await FailedImportAsync();
        var report = await FixedReportAsync(api, importId);
        var (other, desks) = await OwnRollouts.AddAsync(factory, clientLimit: null);
        var otherId = await api.RolloutIdAsync(other);

        var uploaded = await ApiTestClient.ReadAsync(await api.UploadAsync(otherId, desks, "one-bad-row-import-errors.xlsx", report));

        var reportOf = uploaded["reportOf"]!;
        Assert.Null(reportOf["importId"]);
        Assert.Null(reportOf["rowsInImport"]);
        Assert.False(reportOf["canApply"]!.GetValue<bool>());
        Assert.DoesNotContain(importId.ToString(System.Globalization.CultureInfo.InvariantCulture), reportOf["message"]!.GetValue<string>());
        var refused = await api.PostAsync($"/api/imports/{uploaded.Id()}/apply-report", null);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("another inventory or rollout", await refused.Content.ReadAsStringAsync());
        Assert.Equal("Failed", (await api.GetJsonAsync($"/api/imports/{importId}")).Status());
        Assert.Equal(0, (await api.GetJsonAsync($"/api/imports/{importId}"))["corrections"]!["cells"]!.GetValue<int>());
    }
}
