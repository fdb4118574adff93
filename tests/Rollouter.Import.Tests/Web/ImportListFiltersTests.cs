using System.Net;
using System.Text;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Features.Imports;
using Rollouter.Import.Web.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>The rollout's Imports page filtered by status and by a part of the file name (parity QA, decision 0107).</summary>
public sealed class ImportListFiltersTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    [Fact]
    public async Task TheImportsPage_FiltersByStatusAndFileName_SaysItsCount_AndKeepsTheFiltersInItsPager()
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var laptops = await Reports.ReportTestData.InventoryIdAsync(factory, "Laptops");
        var part = Guid.NewGuid().ToString("N")[..10];
        foreach (var name in new[] { $"q3-{part}-a.csv", $"Q3-{part.ToUpperInvariant()}-b.csv" })
        {
            var response = await ImportPagesTests.UploadAsync(client, laptops, name, Encoding.UTF8.GetBytes($"Name,Department\n{part}-{name[^5]},IT\n"));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        var byFile = await client.GetPageAsync($"/rollouts/W11/imports?file={part}");
        var waiting = await client.GetPageAsync($"/rollouts/W11/imports?status=WaitingForApproval&file={part}");
        var failed = await client.GetPageAsync($"/rollouts/W11/imports?status=failed&file={part}");

        Assert.Equal($"2 imports whose file name contains “{part}”", byFile.TestId("imports-count").NormalizedText());
        Assert.Equal(2, byFile.QuerySelectorAll("[data-testid=imports] tbody tr").Length);
        Assert.Equal(part, byFile.TestId("imports-file").GetAttribute("value"));
        Assert.Equal($"2 imports with status Waiting for Approval whose file name contains “{part}”",
            waiting.TestId("imports-count").NormalizedText());
        Assert.Equal("WaitingForApproval", waiting.One("[data-testid=imports-status] option[selected]").GetAttribute("value"));
        Assert.Equal($"0 imports with status Failed whose file name contains “{part}”", failed.TestId("imports-count").NormalizedText());
        Assert.True(failed.HasTestId("no-matching-imports"));
        Assert.Equal("/rollouts/W11/imports", byFile.Href("imports-clear"));
        Assert.False((await client.GetPageAsync("/rollouts/W11/imports")).HasTestId("imports-count"));

        // The pager's links (Shared/_KeysetPager) start from the list's path, filters included.
        var list = new ImportList(new Rollout { Identifier = "W11", Name = "W11" }, new KeysetPage<ImportListItem>([], null, "7"),
            Inventory: new ImportListInventory(4, "Laptops"), Status: ImportStatus.Failed, File: "q 3");
        Assert.Equal("/rollouts/W11/imports?inventory=4&status=Failed&file=q%203", list.Path);
        Assert.Equal("/rollouts/W11/imports?inventory=4", list.Unfiltered);
    }
}
