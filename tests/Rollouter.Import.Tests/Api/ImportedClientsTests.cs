using System.Net;
using System.Net.Http.Json;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// "What did this import do?" (decision 0103): the client list filtered by an import (<c>?import=</c> on the page,
/// <c>importId=</c> in the API), linked from a Completed or Reverted import's page and from its revert confirmation.
/// </summary>
public abstract class ImportedClientsTests(RolloutWebFactory factory)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private static async Task<int> ImportAsync(HttpClient client, int rolloutId, int laptopsId, string csv, bool updateExisting = false)
    {
        var import = await ApiTestClient.ReadAsync(await client.UploadAsync(rolloutId, laptopsId, "imported.csv", csv));
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping", new
        {
            updateExisting,
            columns = new[] { new { letter = "A", target = "Name" }, new { letter = "B", target = "Department" } },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/imports/{import.Id()}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await client.WaitForResultAsync(import.Id())).Status());
        return import.Id();
    }

    private static List<string> Names(System.Text.Json.Nodes.JsonNode page) =>
        [.. page["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>())];

    [Fact]
    public async Task TheListFilteredByAnImport_ShowsTheClientsItCreatedAndThoseItChanged_NoOthers_OnTheApiAndThePage()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptopsId = await api.InventoryIdAsync(rolloutId, "Laptops");
        var (a, b, c) = (Unique("IMA"), Unique("IMB"), Unique("IMC"));
        var first = await ImportAsync(api, rolloutId, laptopsId, $"Name,Department\n{a},IT\n{b},IT\n");
        var second = await ImportAsync(api, rolloutId, laptopsId, $"Name,Department\n{a},HR\n{c},IT\n", updateExisting: true);

        var ofSecond = await api.GetJsonAsync($"/api/inventories/{laptopsId}/clients?importId={second}");
        var ofFirst = await api.GetJsonAsync($"/api/inventories/{laptopsId}/clients?importId={first}");
        var byStatus = await api.GetJsonAsync($"/api/inventories/{laptopsId}/clients?importId={second}&sort=status&pageSize=1");
        var searched = await api.GetJsonAsync($"/api/inventories/{laptopsId}/clients?importId={second}&search={c}");

        Assert.Equal((2, true), (ofSecond["total"]!.GetValue<int>(), ofSecond["totalExact"]!.GetValue<bool>()));
        Assert.Equal([a, c], Names(ofSecond));
        Assert.Equal([a, b], Names(ofFirst));
        Assert.Equal(2, byStatus["total"]!.GetValue<int>());
        Assert.Single(Names(byStatus));
        var next = await api.GetJsonAsync(
            $"/api/inventories/{laptopsId}/clients?importId={second}&sort=status&pageSize=1&after={byStatus["next"]!.GetValue<string>()}");
        Assert.Equal([a, c], Names(byStatus).Concat(Names(next)).Order());
        Assert.Equal([c], Names(searched));

        // The page: the import's link, then the list with its chip, count and the filter kept in its links.
        var browser = await factory.SignInAsync("manager@demo.test");
        var details = await browser.GetPageAsync($"/rollouts/W11/imports/{second}");
        Assert.Equal("Show the 2 clients it created or changed", details.TestId("imported-clients").NormalizedText());
        var link = details.Href("imported-clients");
        Assert.Equal($"/rollouts/W11/inventories/{laptopsId}?import={second}", link);
        var list = await browser.GetPageAsync(link);
        Assert.Equal($"2 clients created or changed by import #{second}", list.TestId("client-count").NormalizedText());
        Assert.StartsWith($"Created or changed by import #{second}", list.TestId("import-filter").NormalizedText(), StringComparison.Ordinal);
        Assert.Equal($"/rollouts/W11/inventories/{laptopsId}", list.Href("import-filter-remove"));
        Assert.Equal([a, c], list.Texts("[data-testid=clients] tbody td.cell-name a"));
        Assert.Contains($"import={second}", list.Href("sort-status"), StringComparison.Ordinal);

        var question = await browser.GetPageAsync($"/rollouts/W11/imports/{first}/revert");
        Assert.Equal("Show the 2 clients it created", question.TestId("imported-clients").NormalizedText());
        Assert.Equal($"/rollouts/W11/inventories/{laptopsId}?import={first}", question.Href("imported-clients"));
    }

    [Fact]
    public async Task AnImportOfAnotherRolloutOrInventory_IsRefused_AsOneThatDoesNotExist()
    {
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var laptopsId = await api.InventoryIdAsync(rolloutId, "Laptops");
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var srv = await admin.RolloutIdAsync("SRV");
        var foreign = (await ApiTestClient.ReadAsync(await admin.UploadAsync(srv, await admin.InventoryIdAsync(srv, "Servers"),
            "servers.csv", $"Name\n{Unique("SRV")}\n"))).Id();

        foreach (var id in new[] { foreign, int.MaxValue })
        {
            var response = await api.GetAsync($"/api/inventories/{laptopsId}/clients?importId={id}");

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal($"There is no import #{id} into the inventory \"Laptops\": give the number of one of its imports.",
                (await ApiTestClient.ReadAsync(response))["detail"]!.GetValue<string>());
        }

        var page = await (await factory.SignInAsync("manager@demo.test")).GetPageAsync($"/rollouts/W11/inventories/{laptopsId}?import={foreign}");
        Assert.StartsWith($"There is no import #{foreign} into the inventory", page.TestId("import-filter-notice").NormalizedText(),
            StringComparison.Ordinal);
        Assert.False(page.HasTestId("import-filter"));
    }
}

public sealed class SqliteImportedClientsTests(RolloutWebFactory factory)
    : ImportedClientsTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresImportedClientsTests(PostgresWebFactory factory)
    : ImportedClientsTests(factory), IClassFixture<PostgresWebFactory>;
