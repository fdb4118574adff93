using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// The import's page when many cells are corrected: the corrections card lists a page of them (the newest 50) with
/// their forms and links the older ones, so the page does not grow with the corrections (fourth QA pass, 2026-12-05).
/// </summary>
public abstract partial class ImportPagesTests
{
    [Fact]
    public async Task SixtyCorrectedCells_TheCardListsTheNewestFiftyWithTheirUndoForms_AndLinksTheOlderTen_AndEachFailedRowShowsItsOwn()
    {
        var csv = new StringBuilder("Name,Status,Department\n");
        for (var i = 0; i < 60; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{Unique("SIXTY")},Nope,IT\n");
        }

        var (client, path) = await UploadCsvAsync("Laptops", csv.ToString(), "sixty.csv");
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
        var importId = int.Parse(path[(path.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        var api = await ApiTestClient.LoginAsync(Factory, "manager@demo.test");
        // Rows 2 to 61 corrected, ten at a time: rows 52 to 61 are the newest.
        for (var first = 2; first <= 61; first += 10)
        {
            var put = await api.PutAsJsonAsync($"/api/imports/{importId}/corrections",
                new { cells = Enumerable.Range(first, 10).Select(row => new { row, column = "B", value = "New" }).ToArray() });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            await Task.Delay(20);
        }

        var page = await client.GetPageAsync(path);

        var card = page.TestId("corrections");
        Assert.Equal("60 cells corrected; the 50 newest shown.", card.TestId("corrected-cells-count").NormalizedText());
        var rows = card.TestId("corrected-cells").QuerySelectorAll("tbody tr").ToList();
        Assert.Equal(50, rows.Count);
        Assert.Equal(50, card.QuerySelectorAll($"form[action='{path}/corrections']").Length);
        Assert.Equal(Enumerable.Range(12, 50).Reverse().Select(r => r.ToString(CultureInfo.InvariantCulture)),
            rows.Select(r => r.QuerySelector("td")!.NormalizedText()).OrderByDescending(int.Parse));
        Assert.Contains(rows.Take(10), r => r.QuerySelector("td")!.NormalizedText() == "61");
        Assert.Equal("60 cells corrected, 0 values replaced in the browser (see below); the uploaded file is not changed.",
            page.TestId("summary-corrections").NormalizedText());
        // The failed rows listed (rows 2 to 51) show their own corrections, the older ones too.
        Assert.Equal(50, page.TestId("failed-rows-table").QuerySelectorAll("[data-testid=corrected]").Length);
        Assert.Empty(page.TestId("failed-rows-table").QuerySelectorAll("[data-testid=cell-editor]"));

        var olderLink = card.One("[data-testid=corrections-older]");
        Assert.True(olderLink.IsFollowable());
        var older = await client.GetPageAsync(olderLink.GetAttribute("href")!);
        var olderCard = older.TestId("corrections");
        Assert.Equal("60 cells corrected; 10 older ones shown.", olderCard.TestId("corrected-cells-count").NormalizedText());
        Assert.Equal(Enumerable.Range(2, 10).Select(r => r.ToString(CultureInfo.InvariantCulture)),
            olderCard.TestId("corrected-cells").QuerySelectorAll("tbody tr").Select(r => r.QuerySelector("td")!.NormalizedText()).OrderBy(int.Parse));
        Assert.Equal(10, olderCard.QuerySelectorAll($"form[action='{path}/corrections']").Length);
        Assert.False(olderCard.One("[data-testid=corrections-older]").IsFollowable());
        Assert.Equal($"{path}#corrections", olderCard.One("[data-testid=corrections-newest]").GetAttribute("href"));

        // An Undo of the older page works as on the first.
        var undo = olderCard.QuerySelectorAll<IHtmlFormElement>($"form[action='{path}/corrections']").First();
        var undone = await RolloutWebFactory.PostFormAsync(client, undo.GetAttribute("action")!,
            undo.HiddenFields().Where(f => f.Key != "__RequestVerificationToken").ToDictionary(f => f.Key, f => f.Value), path);
        Assert.Equal(HttpStatusCode.Redirect, undone.StatusCode);
        Assert.Equal("59 cells corrected; the 50 newest shown.", (await client.GetPageAsync(path)).TestId("corrected-cells-count").NormalizedText());
    }
}
