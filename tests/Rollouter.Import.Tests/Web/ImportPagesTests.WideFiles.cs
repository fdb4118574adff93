using System.Globalization;
using System.Net;
using System.Text;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// Files as wide as an import takes (500 columns) on the import's page: its mapping form posts about six values a column,
/// past ASP.NET Core's default of 1,024 values from 205 columns on, which answered Save mapping, Check and Approve with
/// "Bad request" (QA pass on wide files, 2026-12-06).
/// </summary>
public abstract partial class ImportPagesTests
{
    /// <summary>A CSV of Name, Department (required in Laptops) and <paramref name="more"/> columns "Col 0" …, three rows of new clients.</summary>
    private static string WideCsv(int more)
    {
        var csv = new StringBuilder("Name,Department");
        for (var c = 0; c < more; c++)
        {
            csv.Append(CultureInfo.InvariantCulture, $",Col {c}");
        }

        csv.Append('\n');
        for (var r = 0; r < 3; r++)
        {
            csv.Append(Unique("WIDE")).Append(",IT");
            for (var c = 0; c < more; c++)
            {
                csv.Append(CultureInfo.InvariantCulture, $",v{r}-{c}");
            }

            csv.Append('\n');
        }

        return csv.ToString();
    }

    /// <summary>Posts the page's mapping form as a browser does, with the button that sends it to <paramref name="action"/>.</summary>
    private static async Task<HttpResponseMessage> PostMappingFormAsync(HttpClient client, string path, string action)
    {
        var page = await client.GetPageAsync(path);
        var values = page.Form(path + "/mapping").Submission();
        using var content = new FormUrlEncodedContent(values);
        return await client.PostAsync(path + action, content);
    }

    [Fact]
    public async Task AFileOf500Columns_IsSavedCheckedAndApproved_ThroughThePagesMappingForm()
    {
        var (client, path) = await UploadCsvAsync("Laptops", WideCsv(498));
        var page = await client.GetPageAsync(path);
        Assert.Equal(500, page.TestId("mapping").QuerySelectorAll("tbody tr[data-letter]").Length);
        Assert.True(page.Form(path + "/mapping").Submission().Count > 2_500);

        var saved = await PostMappingFormAsync(client, path, "/mapping");
        Assert.True(saved.StatusCode == HttpStatusCode.Redirect, $"Save mapping: {(int)saved.StatusCode} {(await saved.ReadPageAsync()).Title}");

        var check = await PostMappingFormAsync(client, path, "/check");
        Assert.True(check.StatusCode == HttpStatusCode.Redirect, $"Check: {(int)check.StatusCode} {(await check.ReadPageAsync()).Title}");
        var checkedPage = await client.GetPageAsync(check.Headers.Location!.OriginalString);
        Assert.Contains("3 rows", checkedPage.TestId("check-summary").NormalizedText(), StringComparison.Ordinal);

        var approved = await PostMappingFormAsync(client, path, "/approve");
        Assert.True(approved.StatusCode == HttpStatusCode.Redirect, $"Approve: {(int)approved.StatusCode} {(await approved.ReadPageAsync()).Title}");
        Assert.Equal("Completed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AFormPastTheServersLimitOfValues_ShowsAPageNamingTheLimit_NotBadRequest()
    {
        var (client, path) = await UploadCsvAsync("Laptops", $"Name,Department\n{Unique("LIMIT")},IT\n");
        var page = await client.GetPageAsync(path);
        var values = page.Form(path + "/parse-options").Submission();
        values.AddRange(Enumerable.Range(0, 1_100).Select(i => KeyValuePair.Create($"extra{i.ToString(CultureInfo.InvariantCulture)}", "x")));
        using var content = new FormUrlEncodedContent(values);

        var response = await client.PostAsync(path + "/parse-options", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var refused = await response.ReadPageAsync();
        Assert.Equal("The form is too large", refused.QuerySelector("h1")?.NormalizedText());
        Assert.Equal("This form sent more values than the server takes in one form (at most 1,024), so it was not read and " +
                     "nothing was changed. Go back and send less at once; if the page itself holds that many fields, tell " +
                     "your administrator which page it was.", refused.TestId("error-message").NormalizedText());
    }
}
