using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

public abstract class ClientListTests(RolloutWebFactory factory)
{
    private async Task<int> LaptopsAsync()
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return (await db.Inventories.SingleAsync(i => i.Name == "Laptops")).Id;
    }

    [Fact]
    public async Task Clients_ShowCustomFieldColumnsAndValues_PagedByFifty()
    {
        var client = await factory.SignInAsync("technician@demo.test");
        var laptops = await LaptopsAsync();

        var page = await client.GetPageAsync($"/rollouts/W11/inventories/{laptops}");

        Assert.Contains("40 clients", page.Body!.NormalizedText());
        var sorts = page.QuerySelectorAll("th > a[data-testid^='sort-f']").ToList();
        foreach (var header in new[] { "Location", "Model", "Software", "Tags", "Serial number", "Department", "Notes" })
        {
            // Each custom field is a column, and sorts the list.
            var sort = Assert.Single(sorts, a => a.NormalizedText() == header);
            var field = sort.GetAttribute("data-testid")!["sort-".Length..];
            Assert.EndsWith($"sort={field}", sort.GetAttribute("href"), StringComparison.Ordinal);
        }

        Assert.Contains("LT-0001", page.Texts("tbody a"));
        Assert.Contains("Office, VPN, SAP GUI", page.Texts("tbody td"));
        Assert.True(page.Has("tbody .client-flag"));
    }

    [Fact]
    public async Task Clients_SearchIgnoresCase_AndMatchesDescription()
    {
        var client = await factory.SignInAsync("technician@demo.test");
        var laptops = await LaptopsAsync();

        var byName = await client.GetStringAsync($"/rollouts/W11/inventories/{laptops}?search=lt-003");
        var byDescription = await client.GetStringAsync($"/rollouts/W11/inventories/{laptops}?search=DESK%2017");
        var none = await client.GetStringAsync($"/rollouts/W11/inventories/{laptops}?search=%25");

        Assert.Contains("10 clients matching", byName);
        Assert.Contains("LT-0030", byName);
        Assert.DoesNotContain("LT-0029", byName);
        Assert.Contains("1 client matching", byDescription);
        Assert.Contains("LT-0017", byDescription);
        Assert.Contains("0 clients matching", none);
    }

    [Fact]
    public async Task Clients_OnOnePage_HaveNoPageLinks()
    {
        var client = await factory.SignInAsync("technician@demo.test");
        var laptops = await LaptopsAsync();

        var page = await client.GetStringAsync($"/rollouts/W11/inventories/{laptops}?sort=status&dir=desc");

        Assert.False(HtmlPage.Parse(page).Has("nav[aria-label=Pages]"));
        Assert.Contains("LT-0040", page);
    }
}

public sealed class SqliteClientListTests(RolloutWebFactory factory)
    : ClientListTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresClientListTests(PostgresWebFactory factory)
    : ClientListTests(factory), IClassFixture<PostgresWebFactory>;
