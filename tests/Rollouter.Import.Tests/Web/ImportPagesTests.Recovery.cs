using System.Net;
using System.Text;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>The way back from a Failed import, as its page and its review show it.</summary>
public abstract partial class ImportPagesTests
{
    [Fact]
    public async Task FailedImport_GivesTheThreeWaysInOrder_NeverSuggestsUploadingTheFailedRowsAlone_AndLinksLaterImports_AsDoesItsReview()
    {
        var (client, path) = await UploadCsvAsync("Laptops", $"Machine,Phase\n{Unique("WAY")},Nope\n", "three-ways.csv");
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "Status",
        }, path);
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await WaitUntilDoneAsync(client, path)).GetProperty("status").GetString());
        var later = await UploadAsync(client, await InventoryIdAsync("Laptops"), "fixed.csv",
            Encoding.UTF8.GetBytes($"Machine,Phase\n{Unique("WAY")},New\n"));
        var laterPath = later.Headers.Location!.OriginalString;
        var laterId = laterPath[(laterPath.LastIndexOf('/') + 1)..];
        var id = path[(path.LastIndexOf('/') + 1)..];

        var page = WebUtility.HtmlDecode(await client.GetStringAsync(path));
        var review = WebUtility.HtmlDecode(await (await Factory.SignInAsync("kam@demo.test")).GetStringAsync($"/reviews/W11/imports/{id}"));

        var correct = page.IndexOf("Correct the failing cells below", StringComparison.Ordinal);
        var mapping = page.IndexOf("Change the <a class=\"alert-link\" href=\"#mapping\">column-field assignment</a> and approve again", StringComparison.Ordinal);
        var newFile = page.IndexOf("Fix the whole file and upload it as a", StringComparison.Ordinal);
        Assert.True(correct > 0 && correct < mapping && mapping < newFile, $"{correct} < {mapping} < {newFile}");
        Assert.DoesNotContain("Fix them in the file and upload it as a new import", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"cell-editor\" data-row=\"2\" data-column=\"B\"", page, StringComparison.Ordinal);
        Assert.Contains($"<a class=\"ms-2\" href=\"{laterPath}\">#{laterId} fixed.csv</a>", page, StringComparison.Ordinal);
        Assert.Contains($"<a class=\"ms-2\" href=\"/reviews/W11/imports/{laterId}\">#{laterId} fixed.csv</a>", review, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"recovery\"", review, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"cell-editor\"", review, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(laterPath)).StatusCode);
    }
}
