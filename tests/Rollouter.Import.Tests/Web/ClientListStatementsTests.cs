using System.Text.RegularExpressions;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using static Rollouter.Import.Tests.Reports.ReportTestData;

namespace Rollouter.Import.Tests.Web;

/// <summary>What the API's client list asks the database for each page (issue 13: the list is its most frequent request).</summary>
public sealed partial class ClientListStatementsTests(StatementLoggingWebFactory factory) : IClassFixture<StatementLoggingWebFactory>
{
    [Fact]
    public async Task TheApiClientList_ReadsTheInventoryOnce()
    {
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var laptops = await InventoryIdAsync(factory, "Laptops");

        factory.Statements.Clear();
        var page = await api.GetJsonAsync($"/api/inventories/{laptops}/clients?pageSize=5");
        var inventoryReads = factory.Statements.Statements.Where(s => InventoriesTable().IsMatch(s)).ToList();

        Assert.Equal(40, page["total"]?.GetValue<int>());
        // The access check takes the rollout of the inventory the list reads (its count, its workflow): the whole row
        // was read for the check first.
        Assert.Single(inventoryReads);
    }

    [GeneratedRegex("""\bFROM\s+"Inventories"(\s|$)""", RegexOptions.IgnoreCase)]
    private static partial Regex InventoriesTable();
}
