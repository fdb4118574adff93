using System.Net;
using System.Net.Http.Json;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>An import approved again keeps its earlier runs: on its page, its review and in the API (decision 0083).</summary>
public abstract partial class ImportPagesTests
{
    /// <summary>The earlier runs card's rows, by run number.</summary>
    private static Dictionary<int, IElement> EarlierRuns(IDocument page) =>
        page.TestId("earlier-runs-table").QuerySelectorAll("tbody tr[data-run]")
            .ToDictionary(r => int.Parse(r.GetAttribute("data-run")!, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>An import of one row with a status the workflow lacks, mapped and approved: Failed after its first run.</summary>
    private async Task<(HttpClient Client, string Path, int Id)> FailedRunAsync(string prefix, string fileName)
    {
        var (client, path) = await UploadCsvAsync("Laptops", $"Machine,Phase,Department\n{Unique(prefix)},Nope,IT\n", fileName);
        var id = int.Parse(path[(path.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "Status",
            ["Columns[2].Letter"] = "C", ["Columns[2].Target"] = "Department",
        }, path);
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
        return (client, path, id);
    }

    /// <summary>
    /// QA: a Failed import corrected and approved again lost its first run: the page, the review and the API showed only
    /// the last run's approver, times and counts, so nobody could tell that the first attempt failed, who approved it or why.
    /// </summary>
    [Fact]
    public async Task ImportApprovedAgain_KeepsEachEarlierRun_OnItsPageItsReviewAndInTheApi_NewestFirst()
    {
        var (client, path, id) = await FailedRunAsync("RUN", "runs.csv");
        var api = await ApiTestClient.LoginAsync(Factory, "manager@demo.test");
        // One run so far, the import's own: no earlier runs on the page.
        var first = await api.GetJsonAsync($"/api/imports/{id}");
        var only = Assert.Single(first["runs"]!.AsArray());
        Assert.Equal((1, true, "Failed"), (only!["number"]!.GetValue<int>(), only["latest"]!.GetValue<bool>(), only["outcome"]!.GetValue<string>()));
        Assert.False((await client.GetPageAsync(path)).HasTestId("earlier-runs"));

        // Run 2: corrected to another wrong status, it fails again.
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsJsonAsync($"/api/imports/{id}/corrections",
            new { cells = new[] { new { row = 2, column = "B", value = "Nah" } } })).StatusCode);
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());

        var failedAgain = await client.GetPageAsync(path);
        var run1 = Assert.Single(EarlierRuns(failedAgain)).Value;
        Assert.Equal("1", run1.Cell("Run"));
        Assert.StartsWith("Max Manager", run1.Cell("Approved"), StringComparison.Ordinal);
        Assert.Equal("Failed", run1.Cell("Outcome"));
        Assert.Equal(("1", "1"), (run1.Cell("Rows"), run1.Cell("Failed rows")));
        Assert.Contains("could not be imported", run1.Cell("Message"), StringComparison.Ordinal);
        Assert.Contains("This is run 2 of the import", failedAgain.TestId("earlier-runs-note").NormalizedText(), StringComparison.Ordinal);
        // The failed rows listed are the latest run's, and the page says so.
        Assert.Contains("These are the failed rows of run 2, the latest", failedAgain.TestId("failed-rows-run").NormalizedText(), StringComparison.Ordinal);
        Assert.Contains("Nah", failedAgain.TestId("failed-rows-table").NormalizedText(), StringComparison.Ordinal);

        // A changed mapping moves it back to Waiting for Approval: run 2 is kept too.
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "",
            ["Columns[2].Letter"] = "C", ["Columns[2].Target"] = "Department",
        }, path);
        var movedOn = await client.GetPageAsync(path);
        Assert.Equal("WaitingForApproval", Status(movedOn));
        Assert.Equal([2, 1], EarlierRuns(movedOn).Keys);
        Assert.Contains("has not been approved since run 2", movedOn.TestId("earlier-runs-note").NormalizedText(), StringComparison.Ordinal);

        // Run 3 completes; runs 2 and 1 stay readable, newest first.
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        var ended = await api.WaitForResultAsync(id);
        Assert.True(ended.Status() == "Completed", ended.Json());
        var completed = await client.GetPageAsync(path);
        var review = await (await Factory.SignInAsync("kam@demo.test")).GetPageAsync($"/reviews/W11/imports/{id}");
        foreach (var page in new[] { completed, review })
        {
            var runs = EarlierRuns(page);
            Assert.Equal([2, 1], runs.Keys);
            Assert.Equal(("Failed", "Failed"), (runs[2].Cell("Outcome"), runs[1].Cell("Outcome")));
            Assert.StartsWith("Max Manager", runs[2].Cell("Approved"), StringComparison.Ordinal);
            Assert.Contains("could not be imported", runs[2].Cell("Message"), StringComparison.Ordinal);
            Assert.Contains("This is run 3 of the import", page.TestId("earlier-runs-note").NormalizedText(), StringComparison.Ordinal);
        }

        var import = await api.GetJsonAsync($"/api/imports/{id}");
        var all = import["runs"]!.AsArray().Select(r => r!).ToList();
        Assert.Equal([3, 2, 1], all.Select(r => r["number"]!.GetValue<int>()));
        Assert.Equal([true, false, false], all.Select(r => r["latest"]!.GetValue<bool>()));
        Assert.Equal(["Completed", "Failed", "Failed"], all.Select(r => r["outcome"]!.GetValue<string>()));
        Assert.Equal([1, 0, 0], all.Select(r => r["counts"]!["created"]!.GetValue<int>()));
        Assert.Equal([0, 1, 1], all.Select(r => r["counts"]!["failedRows"]!.GetValue<int>()));
        Assert.All(all, r => Assert.Equal("Max Manager", r["approvedBy"]!["name"]!.GetValue<string>()));
        Assert.All(all, r => Assert.NotNull(r["finishedAt"]));
        Assert.Null(all[0]["failureMessage"]);
        Assert.All(all.Skip(1), r => Assert.Contains("could not be imported", r["failureMessage"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Equal(all[0]["approvedAt"]!.GetValue<DateTimeOffset>(), import["approvedAt"]!.GetValue<DateTimeOffset>());
    }

    /// <summary>
    /// An import approved again and again lists its 20 latest earlier runs, on its page, its review and in the API, and
    /// says how many older ones it does not list, instead of a card (and an API answer) that grows with every approval.
    /// </summary>
    [Theory]
    [InlineData(24, "4 older runs are not (runs 1–4).")]
    [InlineData(21, "1 older run is not (run 1).")]
    public async Task ManyEarlierRuns_TheLatestTwentyAreListed_AndTheOlderOnesCounted(int kept, string notShown)
    {
        var (client, path, id) = await FailedRunAsync("RUNS", "many-runs.csv");

        // Runs before this one, as as many earlier approvals would have kept them.
        using (var scope = Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            var import = await db.Imports.SingleAsync(i => i.Id == id);
            var approvedAt = import.ApprovedAt ?? DateTimeOffset.UtcNow;
            import.FirstApprovedAt = approvedAt.AddHours(-kept - 1);
            for (var number = 1; number <= kept; number++)
            {
                var run = ImportRun.Of(import, number, ImportStatus.Failed, 1);
                run.ApprovedAt = approvedAt.AddHours(number - kept - 1);
                db.ImportRuns.Add(run);
            }

            await db.SaveChangesAsync();
        }

        var review = await (await Factory.SignInAsync("kam@demo.test")).GetPageAsync($"/reviews/W11/imports/{id}");
        foreach (var page in new[] { await client.GetPageAsync(path), review })
        {
            Assert.Equal(Enumerable.Range(kept - 19, 20).Reverse(), EarlierRuns(page).Keys);
            Assert.Contains($"This is run {kept + 1} of the import", page.TestId("earlier-runs-note").NormalizedText(), StringComparison.Ordinal);
            Assert.Equal("The 20 latest earlier runs are listed; " + notShown, page.TestId("earlier-runs-not-shown").NormalizedText());
        }

        var api = await ApiTestClient.LoginAsync(Factory, "manager@demo.test");
        var json = await api.GetJsonAsync($"/api/imports/{id}");
        Assert.Equal([kept + 1, .. Enumerable.Range(kept - 19, 20).Reverse()], json["runs"]!.AsArray().Select(r => r!["number"]!.GetValue<int>()));
        Assert.Equal(kept - 20, json["runsNotShown"]!.GetValue<int>());
    }
}
