using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using static Rollouter.Import.Tests.Reports.ReportTestData;

namespace Rollouter.Import.Tests.Reports;

/// <summary>GET /api/inventories/{id}/clients: paging, search, the client's shape, and the membership rules.</summary>
public abstract class ClientsApiTests(RolloutWebFactory factory)
{
    [Fact]
    public async Task Clients_ArePagedByName_WithTheTotal()
    {
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var laptops = await InventoryIdAsync(factory, "Laptops");

        var first = await api.GetJsonAsync($"/api/inventories/{laptops}/clients?page=1&pageSize=15");
        var last = await api.GetJsonAsync($"/api/inventories/{laptops}/clients?page=3&pageSize=15");

        Assert.Equal(40, first["total"]!.GetValue<int>());
        Assert.Equal(15, first["items"]!.AsArray().Count);
        Assert.Equal("LT-0001", first["items"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(10, last["items"]!.AsArray().Count);
        Assert.Equal("LT-0040", last["items"]![9]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Clients_SearchFindsNameOrDescription_AndGiveUsersByEmail_AndMultiSelectionsAsArrays()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var laptops = await InventoryIdAsync(factory, "Laptops");

        var byName = await api.GetJsonAsync($"/api/inventories/{laptops}/clients?search=lt-0026");
        var byDescription = await api.GetJsonAsync($"/api/inventories/{laptops}/clients?search=DESK%2026");

        Assert.Equal(1, byName["total"]!.GetValue<int>());
        Assert.Equal(1, byDescription["total"]!.GetValue<int>());
        var client = byName["items"]![0]!;
        Assert.Equal("LT-0026", client["name"]!.GetValue<string>());
        Assert.Equal("Docking station missing", client["flag"]!.GetValue<string>());
        Assert.Equal("technician@demo.test", client["assignee"]!.GetValue<string>());
        Assert.Equal("clientuser@demo.test", client["clientUser"]!.GetValue<string>());
        Assert.Equal("Laptop of desk 26", client["description"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(client["status"]!.GetValue<string>()));
        Assert.Equal(["Office", "Teams"], client["values"]!["Software"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("SN100026", client["values"]!["Serial number"]!.GetValue<string>());
        Assert.Equal("HR", client["values"]!["Department"]!.GetValue<string>());
    }

    [Fact]
    public async Task ThePageNamesUsersByName_AndTheApiByEmail_WhicheverWasAskedFirst()
    {
        // Whether users are named by email is a value of each request, not of the first one that built (or, were the
        // rows statement compiled, compiled) it: decision 0125. The API first, then the page, then the API.
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var browser = await factory.SignInAsync("manager@demo.test");
        var laptops = await InventoryIdAsync(factory, "Laptops");

        var before = await api.GetJsonAsync($"/api/inventories/{laptops}/clients?search=lt-0026");
        var page = await browser.GetStringAsync($"/rollouts/W11/inventories/{laptops}?search=lt-0026");
        var after = await api.GetJsonAsync($"/api/inventories/{laptops}/clients?search=lt-0026");

        Assert.Contains("<td class=\"cell-name\">Tina Technician</td>", page, StringComparison.Ordinal);
        Assert.Contains("<td class=\"cell-name\">Clara Client</td>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("technician@demo.test", page, StringComparison.Ordinal);
        foreach (var answer in new[] { before, after })
        {
            var client = answer["items"]![0]!;
            Assert.Equal("LT-0026", client["name"]!.GetValue<string>());
            Assert.Equal("technician@demo.test", client["assignee"]!.GetValue<string>());
            Assert.Equal("clientuser@demo.test", client["clientUser"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Clients_NameEachClientsOwnStatus()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var laptops = await InventoryIdAsync(factory, "Laptops");
        Dictionary<string, string> expected;
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            expected = await db.Clients.Where(c => c.InventoryId == laptops)
                .Join(db.WorkflowStatuses, c => c.StatusId, s => s.Id, (c, s) => new { c.Name, Status = s.Name })
                .ToDictionaryAsync(c => c.Name, c => c.Status);
        }

        var page = await api.GetJsonAsync($"/api/inventories/{laptops}/clients?pageSize=100");

        var shown = page["items"]!.AsArray().ToDictionary(c => c!["name"]!.GetValue<string>(), c => c!["status"]!.GetValue<string>());
        Assert.Equal(40, shown.Count);
        Assert.Equal(expected.OrderBy(c => c.Key), shown.OrderBy(c => c.Key));
        Assert.True(shown.Values.Distinct().Count() > 1, "the demo's clients are on several statuses");
    }

    [Fact]
    public async Task Clients_OfAForeignRollout_AreNotFound_AndWithoutATokenUnauthorized()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var servers = await InventoryIdAsync(factory, "Servers");
        var laptops = await InventoryIdAsync(factory, "Laptops");

        var foreign = await api.GetAsync($"/api/inventories/{servers}/clients");
        var missing = await api.GetAsync("/api/inventories/999999/clients");
        var anonymous = await factory.CreateBrowser().GetAsync($"/api/inventories/{laptops}/clients");
        var cookie = await (await factory.SignInAsync("manager@demo.test")).GetAsync($"/api/inventories/{laptops}/clients");

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Contains("does not exist", await foreign.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, cookie.StatusCode);
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/inventories/{servers}/clients")).StatusCode);
    }
}

public sealed class SqliteClientsApiTests(RolloutWebFactory factory)
    : ClientsApiTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresClientsApiTests(PostgresWebFactory factory)
    : ClientsApiTests(factory), IClassFixture<PostgresWebFactory>;
