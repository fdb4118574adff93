using System.Globalization;
using System.Net;
using System.Text;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>A failed import's later imports, past the ten it lists, and the way back from a later import.</summary>
public abstract partial class ImportPagesTests
{
    /// <summary>A new inventory of Windows 11 Refresh on the demo workflow, without custom fields: no other test imports into it.</summary>
    private async Task<int> NewInventoryAsync(string name)
    {
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var rollout = await db.Rollouts.SingleAsync(r => r.Identifier == "W11");
        var inventory = new Inventory { Name = name, RolloutId = rollout.Id, Workflow = await db.Workflows.FirstAsync(), CreatedAt = DateTimeOffset.UtcNow };
        db.Inventories.Add(inventory);
        await db.SaveChangesAsync();
        return inventory.Id;
    }

    private static async Task<(string Path, int Id)> UploadIntoAsync(HttpClient client, int inventoryId, string fileName, string csv)
    {
        var response = await UploadAsync(client, inventoryId, fileName, Encoding.UTF8.GetBytes(csv));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var path = response.Headers.Location!.OriginalString;
        return (path, int.Parse(path[(path.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture));
    }

    private static List<int> ListedImportIds(IDocument page) =>
        [.. page.TestId("imports").QuerySelectorAll("tbody tr").Select(r => int.Parse(r.Children[0].NormalizedText(), CultureInfo.InvariantCulture))];

    /// <summary>
    /// QA: the later imports box of a failed import stopped at 10 without saying so, and a later import did not link back
    /// to the one it took up.
    /// </summary>
    [Fact]
    public async Task FailedImport_WithMoreLaterImportsThanItLists_SaysHowMany_AndLinksToThemAll_AndEachLaterImportLinksBack()
    {
        var inventoryName = Unique("Desks");
        var inventoryId = await NewInventoryAsync(inventoryName);
        var client = await Factory.SignInAsync("manager@demo.test");
        var (path, id) = await UploadIntoAsync(client, inventoryId, "first.csv", $"Name,Status\n{Unique("LIN")},Nope\n");
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
        var later = new List<int>();
        for (var i = 1; i <= 12; i++)
        {
            later.Add((await UploadIntoAsync(client, inventoryId, $"later-{i}.csv", $"Name\n{Unique("LIN")}\n")).Id);
        }

        var page = await client.GetPageAsync(path);

        var box = page.TestId("later-imports");
        Assert.Equal(later.Take(10).Select(l => $"/rollouts/W11/imports/{l}"),
            box.QuerySelectorAll("a").Select(a => a.GetAttribute("href")).Where(h => !h!.Contains('?', StringComparison.Ordinal)));
        var more = page.TestId("later-imports-more");
        Assert.StartsWith("10 of 12 later imports shown:", more.NormalizedText(), StringComparison.Ordinal);
        var all = more.Link($"all imports of {inventoryName}, from the ones after #{id}").GetAttribute("href")!;
        Assert.Equal($"/rollouts/W11/imports?inventory={inventoryId}&before={id}", all);
        var list = await client.GetPageAsync(all);
        Assert.Equal($"Imports of {inventoryName} in Windows 11 Refresh", list.One("h1").NormalizedText());
        Assert.Equal([.. Enumerable.Reverse(later), id], ListedImportIds(list));

        // The API's list of the rollout's imports keeps one inventory too.
        var api = await ApiTestClient.LoginAsync(Factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var listed = await api.GetJsonAsync($"/api/rollouts/{rolloutId}/imports?inventoryId={inventoryId}");
        Assert.Equal(13, listed["total"]!.GetValue<int>());
        Assert.Equal([.. Enumerable.Reverse(later), id], listed["items"]!.AsArray().Select(i => i!["id"]!.GetValue<int>()));

        // Each later import links back to the one just before it in the inventory; the first to the failed import.
        var firstLater = await client.GetPageAsync($"/rollouts/W11/imports/{later[0]}");
        Assert.Equal($"/rollouts/W11/imports/{id}", firstLater.TestId("earlier-import").Link($"#{id} first.csv").GetAttribute("href"));
        Assert.Contains("the inventory's import just before this one", firstLater.TestId("earlier-import").NormalizedText(), StringComparison.Ordinal);
        Assert.Contains("Failed", firstLater.TestId("earlier-import").NormalizedText(), StringComparison.Ordinal);
        var lastLater = await client.GetPageAsync($"/rollouts/W11/imports/{later[^1]}");
        Assert.Equal($"/rollouts/W11/imports/{later[^2]}", lastLater.TestId("earlier-import").Link($"#{later[^2]} later-11.csv").GetAttribute("href"));
        Assert.False(page.HasTestId("earlier-import"), "the inventory's first import has none before it");

        // The review says the same and links to the reviews of the inventory; a reviewer sent the wizard's list gets those.
        var kam = await Factory.SignInAsync("kam@demo.test");
        var review = await kam.GetPageAsync($"/reviews/W11/imports/{id}");
        var reviewAll = review.TestId("later-imports-more").Link($"all imports of {inventoryName} in the reviews").GetAttribute("href")!;
        Assert.Equal($"/reviews?rollout=W11&inventory={inventoryId}", reviewAll);
        var reviews = await kam.GetPageAsync(reviewAll);
        Assert.Equal([id, .. Enumerable.Reverse(later)],
            reviews.QuerySelectorAll("[data-testid=reviews] tbody tr[data-import]").Select(r => int.Parse(r.GetAttribute("data-import")!, CultureInfo.InvariantCulture)));
        Assert.Contains(inventoryName, reviews.TestId("review-inventory-filter").NormalizedText(), StringComparison.Ordinal);
        Assert.Equal($"/reviews/W11/imports/{id}",
            (await kam.GetPageAsync($"/reviews/W11/imports/{later[0]}")).TestId("earlier-import").Link($"#{id} first.csv").GetAttribute("href"));
        var sent = await kam.GetAsync(all);
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        Assert.Equal($"/reviews?rollout=W11&inventory={inventoryId}", sent.Headers.Location!.OriginalString);
    }
}
