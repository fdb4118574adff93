using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text;
using AngleSharp.Dom;
using Rollouter.Import.Tests.Api;
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
        Assert.Equal("Failed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
        var later = await UploadAsync(client, await InventoryIdAsync("Laptops"), "fixed.csv",
            Encoding.UTF8.GetBytes($"Machine,Phase\n{Unique("WAY")},New\n"));
        var laterPath = later.Headers.Location!.OriginalString;
        var laterId = laterPath[(laterPath.LastIndexOf('/') + 1)..];
        var id = path[(path.LastIndexOf('/') + 1)..];

        var page = await client.GetPageAsync(path);
        var review = await (await Factory.SignInAsync("kam@demo.test")).GetPageAsync($"/reviews/W11/imports/{id}");

        var ways = page.TestId("recovery").QuerySelectorAll("li").ToList();
        Assert.Equal(["recovery-correct", "recovery-mapping", "recovery-new-file"], ways.Select(w => w.GetAttribute("data-testid")));
        Assert.StartsWith("Correct the failing cells below", ways[0].NormalizedText(), StringComparison.Ordinal);
        Assert.StartsWith("Change the column-field assignment and approve again", ways[1].NormalizedText(), StringComparison.Ordinal);
        Assert.Equal(("column-field assignment", "#mapping"), (ways[1].One("a").NormalizedText(), ways[1].One("a").GetAttribute("href")));
        Assert.StartsWith("Fix the whole file and upload it as a", ways[2].NormalizedText(), StringComparison.Ordinal);
        Assert.DoesNotContain("Fix them in the file and upload it as a new import", page.Body!.NormalizedText(), StringComparison.Ordinal);
        Assert.Contains(page.QuerySelectorAll("[data-testid=cell-editor]"),
            editor => editor.GetAttribute("data-row") == "2" && editor.GetAttribute("data-column") == "B");
        Assert.Equal(laterPath, page.TestId("later-imports").Link($"#{laterId} fixed.csv").GetAttribute("href"));
        Assert.Equal($"/reviews/W11/imports/{laterId}", review.TestId("later-imports").Link($"#{laterId} fixed.csv").GetAttribute("href"));
        Assert.False(review.HasTestId("recovery"));
        Assert.False(review.HasTestId("cell-editor"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(laterPath)).StatusCode);
    }
}

/// <summary>The way back from an import whose clients were deleted between its check and its write (decision 0055).</summary>
public abstract partial class ImportPagesTests
{
    /// <summary>
    /// QA: such an import's page gave the three ways back of a file with failing cells ("Correct the failing cells
    /// below …"), though nothing in the file is wrong: checked and approved again, the rows create their clients anew.
    /// </summary>
    [Fact]
    public async Task ImportFailedOnClientsDeletedMeanwhile_SaysToCheckAndApproveAgain_NotToCorrectCells()
    {
        var (client, path) = await UploadCsvAsync("Laptops", $"Machine,Phase\n{Unique("GONE")},Nope\n", "gone.csv");
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "Status",
        }, path);
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
        var id = int.Parse(path[(path.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        // The run's outcome as ImportProcessor leaves it when the clients its rows update were deleted meanwhile, past
        // the rows it lists (the message then goes on).
        using (var scope = Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Rollouter.Import.Data.RolloutDbContext>();
            await db.Imports.Where(i => i.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.FailureMessage, Rollouter.Import.Importing.ImportProcessor.ClientsDeletedFailure + " "
                    + Rollouter.Import.Importing.ImportProcessor.PartialRace(100_000, 150_000)));
        }

        var page = await client.GetPageAsync(path);

        var recovery = page.TestId("recovery");
        var way = Assert.Single(recovery.QuerySelectorAll("li"));
        Assert.Equal("recovery-check-again", way.GetAttribute("data-testid"));
        Assert.StartsWith("Check the import again", way.NormalizedText(), StringComparison.Ordinal);
        Assert.DoesNotContain("Correct the failing cells", recovery.NormalizedText(), StringComparison.Ordinal);
        // The button it names is there, after it.
        Assert.Equal("Check", page.TestId("check").NormalizedText());
        Assert.True(recovery.CompareDocumentPosition(page.TestId("check")).HasFlag(DocumentPositions.Following));
    }
}

/// <summary>What a partial list of failed rows advises, on the page and in the error report (decisions 0054 and 0055).</summary>
public abstract partial class ImportPagesTests
{
    /// <summary>The run's failure (null: the check's own message), the page's advice and the report's.</summary>
    public static TheoryData<string?, string, string> PartialListAdvice => new()
    {
        {
            null,
            "Correct these and approve again to see the rest.",
            "The other rows failed too: correct these (on the import's page or in your file) and import again, and the next run lists the rest."
        },
        {
            Rollouter.Import.Importing.ImportProcessor.ClientsDeletedFailure,
            "The others failed the same way, and nothing in the file needs correcting: check the import again to see which " +
            "rows now create new clients, then approve it if that is what you want.",
            "The other rows failed the same way: the clients they update were deleted (by a revert or a user) while the import " +
            "ran, and nothing in the file needs correcting. Check the import again on its page to see which rows now create " +
            "new clients, then approve it if that is what you want."
        },
        {
            "Another import or user created clients with names from this file while it was being written. The import " +
            "was cancelled and no clients have been created or changed.",
            "The others failed the same way: check the import again, which reads every row against the clients as they are " +
            "now and lists each name that is taken.",
            "The other rows failed the same way: another import or user took their names while the import ran. Check the " +
            "import again on its page: it reads every row against the clients as they are now and lists each name that is taken."
        },
    };

    /// <summary>
    /// Leftover of decision 0055: an import failed by clients deleted meanwhile, past the rows it lists, said "Correct
    /// these and approve again to see the rest" above its failed rows, and its report "correct these … and import
    /// again", though nothing in the file is wrong: checked again, the rows create their clients anew. Names taken
    /// meanwhile likewise need a Check, which lists the names taken now, rather than a correction of the rows listed.
    /// </summary>
    [Theory]
    [MemberData(nameof(PartialListAdvice))]
    public async Task PartialListOfFailedRows_AdvisesWhatFitsWhatFailedThem_OnThePageAndInTheReport(
        string? failure, string pageAdvice, string reportAdvice)
    {
        var (client, path) = await UploadCsvAsync("Laptops", $"Machine,Phase\n{Unique("PART")},Nope\n", "partial.csv");
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "Status",
        }, path);
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
        var id = int.Parse(path[(path.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        // The run's outcome as ImportProcessor leaves it past the rows it lists: 150,000 rows failed, 1 listed.
        using (var scope = Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Rollouter.Import.Data.RolloutDbContext>();
            var imports = db.Imports.Where(i => i.Id == id);
            await imports.ExecuteUpdateAsync(s => s.SetProperty(i => i.FailedRowCount, 150_000));
            if (failure is not null)
            {
                await imports.ExecuteUpdateAsync(s => s.SetProperty(i => i.FailureMessage,
                    failure + " " + Rollouter.Import.Importing.ImportProcessor.PartialRace(1, 150_000)));
            }
        }

        var page = await client.GetPageAsync(path);

        Assert.Equal("Only the first 1 of the 150,000 failed rows are listed: an import lists at most 100,000 failed rows " +
                     $"and 1,000,000 errors. {pageAdvice} The counts below are of the rows listed.",
            page.TestId("failed-rows-partial").NormalizedText());
        var report = await client.GetAsync(path + "/error-report");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        using var workbook = new ClosedXML.Excel.XLWorkbook(await report.Content.ReadAsStreamAsync());
        Assert.Equal($"This report holds the first 1 of the 150,000 failed rows of import {id}: an import lists at most " +
                     $"100,000 failed rows and 1,000,000 errors. {reportAdvice}", workbook.Worksheets.First().Cell(2, 1).GetString());
    }
}
