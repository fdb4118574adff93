using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// The client list of an inventory with 1,120 clients, on the page (First / Previous / Next / Last, a jump to a name,
/// sorts by custom fields, "1,000+" found) and in the API (after= and next, page= within its bound).
/// </summary>
public abstract class ClientListPagingTests(RolloutWebFactory factory)
{
    private const int Clients = 1_120;
    private static readonly SemaphoreSlim Seeding = new(1, 1);

    /// <summary>
    /// The inventory "Paging" of W11 (made once per app): PC-0001 … PC-1120, "Office" in the descriptions of all
    /// but the first 100, a Location (the custom field) counting down.
    /// </summary>
    private Task<(int Inventory, int Location)> PagingAsync() =>
        InventoryAsync("Paging", (name, location) => Enumerable.Range(1, Clients).Select(i =>
            (Name: $"PC-{i:0000}", Description: i <= 100 ? $"Desk {i}" : $"Office {i}", Location: $"Room {Clients - i:0000}")));

    /// <summary>
    /// The inventory "Cases" of W11 (made once per app): five clients whose Location and description differ in case,
    /// added in an order that is neither the byte order nor the order ignoring case.
    /// </summary>
    private Task<(int Inventory, int Location)> CasesAsync() =>
        InventoryAsync("Cases", (name, location) => new[] { "date", "Apple", "Elder", "banana", "Cherry" }
            .Select((value, i) => (Name: $"CASE-{i + 1}", Description: value, Location: value)));

    /// <summary>
    /// An inventory of W11 with the custom field Location, made once per app through the page, and its clients
    /// (name, description, Location) added directly.
    /// </summary>
    private async Task<(int Inventory, int Location)> InventoryAsync(string name,
        Func<string, int, IEnumerable<(string Name, string Description, string Location)>> clients)
    {
        await Seeding.WaitAsync();
        try
        {
            using var scope = factory.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            var location = await db.CustomFields.Where(f => f.Name == "Location").Select(f => f.Id).SingleAsync();
            if (await db.Inventories.Where(i => i.Name == name).Select(i => (int?)i.Id).SingleOrDefaultAsync() is { } existing)
            {
                return (existing, location);
            }

            var manager = await factory.SignInAsync("manager@demo.test");
            var workflow = await db.Workflows.OrderBy(w => w.Id).Select(w => w.Id).FirstAsync();
            using var created = await RolloutWebFactory.PostFormAsync(manager, "/rollouts/W11/inventories/new",
                new Dictionary<string, string>
                {
                    ["Name"] = name, ["WorkflowId"] = workflow.ToString(),
                    ["Fields[0].Id"] = location.ToString(), ["Fields[0].Selected"] = "true", ["Fields[0].Position"] = "1",
                });
            var inventory = await db.Inventories.SingleAsync(i => i.Name == name);
            var status = await db.WorkflowStatuses.Where(s => s.WorkflowId == workflow).Select(s => s.Id).FirstAsync();
            db.Clients.AddRange(clients(name, location).Select(c => new Client
            {
                RolloutId = inventory.RolloutId,
                InventoryId = inventory.Id,
                Name = c.Name,
                StatusId = status,
                Description = c.Description,
                Values = new Dictionary<int, string[]> { [location] = [c.Location] },
            }));
            await db.SaveChangesAsync();
            return (inventory.Id, location);
        }
        finally
        {
            Seeding.Release();
        }
    }

    /// <summary>The clients the page lists (each name links to its client page), in order.</summary>
    private static List<string> Names(string page) =>
        [.. HtmlPage.Parse(page).QuerySelectorAll("a[href^='/rollouts/W11/clients/']").Select(a => a.NormalizedText())];

    private static string? Link(string page, string testId) => HtmlPage.Parse(page).PagerLink(testId);

    [Fact]
    public async Task Page_FirstNextLastPreviousFirst_WalkTheListFiftyAtATime()
    {
        var (inventory, _) = await PagingAsync();
        var browser = await factory.SignInAsync("technician@demo.test");

        var first = await browser.GetStringAsync($"/rollouts/W11/inventories/{inventory}");
        var second = await browser.GetStringAsync(Link(first, "page-next")!);
        var last = await browser.GetStringAsync(Link(second, "page-last")!);
        var beforeLast = await browser.GetStringAsync(Link(last, "page-previous")!);
        var backToFirst = await browser.GetStringAsync(Link(beforeLast, "page-first")!);

        Assert.Contains("1,120 clients", first);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => $"PC-{i:0000}"), Names(first));
        Assert.Null(Link(first, "page-previous"));
        HtmlPage.Parse(first).AssertPagerItemDisabled("page-first");
        HtmlPage.Parse(first).AssertPagerItemDisabled("page-previous");
        Assert.Equal(Enumerable.Range(51, 50).Select(i => $"PC-{i:0000}"), Names(second));
        Assert.Equal(Enumerable.Range(1071, 50).Select(i => $"PC-{i:0000}"), Names(last));
        Assert.Null(Link(last, "page-next"));
        HtmlPage.Parse(last).AssertPagerItemDisabled("page-next");
        HtmlPage.Parse(last).AssertPagerItemDisabled("page-last");
        Assert.Equal(Enumerable.Range(1021, 50).Select(i => $"PC-{i:0000}"), Names(beforeLast));
        Assert.Equal(Names(first), Names(backToFirst));
    }

    [Fact]
    public async Task Page_JumpToAName_StartsThere_AndAStrangeCursorShowsTheFirstPage()
    {
        var (inventory, _) = await PagingAsync();
        var browser = await factory.SignInAsync("technician@demo.test");

        var jumped = await browser.GetStringAsync($"/rollouts/W11/inventories/{inventory}?from=pc-0700");
        var previous = await browser.GetStringAsync(Link(jumped, "page-previous")!);
        var strange = await browser.GetAsync($"/rollouts/W11/inventories/{inventory}?after=not-a-cursor&sort=status");

        Assert.Equal(Enumerable.Range(700, 50).Select(i => $"PC-{i:0000}"), Names(jumped));
        Assert.Equal(Enumerable.Range(650, 50).Select(i => $"PC-{i:0000}"), Names(previous));
        Assert.Equal(HttpStatusCode.OK, strange.StatusCode);
        Assert.Equal("PC-0001", Names(await strange.Content.ReadAsStringAsync())[0]);
    }

    [Theory]
    [InlineData("PC-0001")]
    [InlineData("A")]
    [InlineData("%")]
    public async Task Page_JumpToANameAtTheStart_OffersNoPrevious(string name)
    {
        // Previous led to the first page again, showing the same clients.
        var (inventory, _) = await PagingAsync();
        var browser = await factory.SignInAsync("technician@demo.test");

        var jumped = await browser.GetStringAsync($"/rollouts/W11/inventories/{inventory}?from={Uri.EscapeDataString(name)}");

        Assert.Equal("PC-0001", Names(jumped)[0]);
        Assert.Null(Link(jumped, "page-previous"));
        Assert.NotNull(Link(jumped, "page-next"));
    }

    [Fact]
    public async Task Page_SortsByACustomField_AndCountsASearchUpToAThousand()
    {
        var (inventory, location) = await PagingAsync();
        var browser = await factory.SignInAsync("technician@demo.test");

        var byRoom = await browser.GetStringAsync($"/rollouts/W11/inventories/{inventory}?sort=f{location}");
        var office = await browser.GetStringAsync($"/rollouts/W11/inventories/{inventory}?search=office");
        var desk = await browser.GetStringAsync($"/rollouts/W11/inventories/{inventory}?search=desk&sort=f{location}&dir=desc");

        // Room 0000 is PC-1120's; the header of the field links to its sort.
        Assert.Equal("PC-1120", Names(byRoom)[0]);
        Assert.Equal("Location", HtmlPage.Parse(byRoom).TestId($"sort-f{location}").NormalizedText());
        Assert.Contains("1,000+ clients matching", HtmlPage.Parse(office).Body!.NormalizedText());
        Assert.Contains("100 clients matching", desk);
        Assert.Equal("PC-0001", Names(desk)[0]);
    }

    [Fact]
    public async Task ACustomFieldAndTheDescription_SortIgnoringCase_OnThePageAndPageByPageInTheApi()
    {
        // QA: sorted by byte, a field read "B, Z, a, b, z" where the names read "a, B, b, Z".
        var (inventory, location) = await CasesAsync();
        var browser = await factory.SignInAsync("technician@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        // Apple (CASE-2), banana (4), Cherry (5), date (1), Elder (3): by byte it would be Apple, Cherry, Elder, banana, date.
        string[] expected = ["CASE-2", "CASE-4", "CASE-5", "CASE-1", "CASE-3"];

        var byField = Names(await browser.GetStringAsync($"/rollouts/W11/inventories/{inventory}?sort=f{location}"));
        var byDescription = Names(await browser.GetStringAsync($"/rollouts/W11/inventories/{inventory}?sort=description"));
        var walked = new List<string>();
        string? next = null;
        do
        {
            var page = await api.GetJsonAsync($"/api/inventories/{inventory}/clients?sort=f{location}&pageSize=2"
                + (next is null ? "" : "&after=" + Uri.EscapeDataString(next)));
            walked.AddRange(page["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
            next = page["next"]?.GetValue<string>();
        }
        while (next is not null);

        Assert.Equal(expected, byField);
        Assert.Equal(expected, byDescription);
        Assert.Equal(expected, walked);
    }

    [Fact]
    public async Task Api_NextWalksEveryClientOnce_InTheSortAskedFor()
    {
        var (inventory, location) = await PagingAsync();
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");

        var names = new List<string>();
        string? next = null;
        var answers = 0;
        do
        {
            var page = await api.GetJsonAsync($"/api/inventories/{inventory}/clients?sort=f{location}&dir=desc&pageSize=300"
                + (next is null ? "" : "&after=" + Uri.EscapeDataString(next)));
            Assert.Equal(Clients, page["total"]!.GetValue<int>());
            Assert.True(page["totalExact"]!.GetValue<bool>());
            names.AddRange(page["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
            next = page["next"]?.GetValue<string>();
            answers++;
        }
        while (next is not null);

        Assert.Equal(4, answers);
        Assert.Equal(Enumerable.Range(1, Clients).Select(i => $"PC-{i:0000}"), names);
    }

    [Fact]
    public async Task ASearchWithControlCharacters_SearchesTheTextWithoutThem_OnThePageTheApiAndTheLinkSearch()
    {
        // A NUL ended SQLite's string (500) and PostgreSQL refuses it in a parameter (500); a pasted tab is noise.
        var (inventory, _) = await PagingAsync();
        var manager = await factory.SignInAsync("manager@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var client = await ClientIdAsync("PC-0007");

        var page = await manager.GetAsync($"/rollouts/W11/inventories/{inventory}?search=%00desk%207%09");
        var items = await api.GetJsonAsync($"/api/inventories/{inventory}/clients?search=Desk%20%0097&sort=status");
        var from = await api.GetJsonAsync($"/api/inventories/{inventory}/clients?from=PC-11%0019");
        var nothing = await api.GetJsonAsync($"/api/inventories/{inventory}/clients?search=%00");
        var link = await manager.GetAsync($"/rollouts/W11/clients/{client}?find=PC-000%009");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(["PC-0007", "PC-0070", "PC-0071", "PC-0072"], Names(await page.Content.ReadAsStringAsync())[..4]);
        Assert.Equal(["PC-0097"], items["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("PC-1119", from["items"]!.AsArray()[0]!["name"]!.GetValue<string>());
        Assert.Equal(Clients, nothing["total"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, link.StatusCode);
        Assert.Contains("PC-0009", await link.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASortWithoutAnIndex_RefusedForALargeInventory_NamesTheSearchThatSortsByAnyColumn()
    {
        // The refusal said "a search that finds up to 1,000 clients sorts by any column", but a search sorts what it
        // collected itself: up to 5,000.
        var (pagingId, _) = await PagingAsync();
        int inventory, sorted;
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            var paging = await db.Inventories.AsNoTracking().SingleAsync(i => i.Id == pagingId);
            var large = new Inventory { RolloutId = paging.RolloutId, Name = "Large " + Guid.NewGuid().ToString("N")[..6], WorkflowId = paging.WorkflowId };
            db.Inventories.Add(large);
            await db.SaveChangesAsync();
            var status = await db.WorkflowStatuses.Where(s => s.WorkflowId == paging.WorkflowId).Select(s => s.Id).FirstAsync();
            db.Clients.AddRange(Enumerable.Range(1, 3).Select(i => new Client
            {
                RolloutId = large.RolloutId, InventoryId = large.Id, Name = $"{large.Name}-{i}", StatusId = status,
                Description = $"Shelf {4 - i}",
            }));
            await db.SaveChangesAsync();
            // As if it held more clients than a description sort may read whole: the count kept with the inventory.
            await db.Inventories.Where(i => i.Id == large.Id).ExecuteUpdateAsync(u => u.SetProperty(i => i.ClientCount, ClientPages.SortBound + 1));
            inventory = large.Id;
            sorted = new ClientPages(db).Bound;
        }

        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var refused = await api.GetAsync($"/api/inventories/{inventory}/clients?sort=description");
        var searched = await api.GetJsonAsync($"/api/inventories/{inventory}/clients?sort=description&search=shelf");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains($"a search that finds up to {sorted:N0} clients sorts by any column",
            await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["Shelf 1", "Shelf 2", "Shelf 3"],
            searched["items"]!.AsArray().Select(c => c!["description"]!.GetValue<string>()));
    }

    private async Task<int> ClientIdAsync(string name)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return await db.Clients.Where(c => c.Name == name).Select(c => c.Id).SingleAsync();
    }

    [Fact]
    public async Task Api_PageIsBounded_AndWrongArgumentsAreRefusedClearly()
    {
        var (inventory, _) = await PagingAsync();
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var path = $"/api/inventories/{inventory}/clients";

        var third = await api.GetJsonAsync($"{path}?page=3&pageSize=100");
        var beyond = await api.GetAsync($"{path}?page=102&pageSize=100");
        var cursor = await api.GetAsync($"{path}?after=bm90IGEgY3Vyc29y");
        var sort = await api.GetAsync($"{path}?sort=serial");
        var search = await api.GetJsonAsync($"{path}?search=office&pageSize=5");
        var from = await api.GetJsonAsync($"{path}?from=PC-1118");

        Assert.Equal("PC-0201", third["items"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(3, third["page"]!.GetValue<int>());
        Assert.NotNull(third["next"]);
        Assert.Equal(HttpStatusCode.BadRequest, beyond.StatusCode);
        Assert.Contains("after=", await beyond.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, cursor.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, sort.StatusCode);
        Assert.Contains("no sort", await sort.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((1000, false), (search["total"]!.GetValue<int>(), search["totalExact"]!.GetValue<bool>()));
        Assert.Equal(["PC-1118", "PC-1119", "PC-1120"], from["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Null(from["next"]);
    }

    /// <summary>
    /// from= jumps to a name in the name sort, in the direction asked for (it answered ascending for dir=desc, and
    /// following its next with dir=desc walked back over the clients shown); with another sort it is refused, naming from.
    /// </summary>
    [Fact]
    public async Task Api_FromHonoursDescending_AndIsRefusedWithAnotherSort()
    {
        var (inventory, _) = await PagingAsync();
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var path = $"/api/inventories/{inventory}/clients";

        var descending = await api.GetJsonAsync($"{path}?sort=name&dir=desc&from=PC-0005&pageSize=3");
        var next = await api.GetJsonAsync($"{path}?sort=name&dir=desc&pageSize=3&after="
            + Uri.EscapeDataString(descending["next"]!.GetValue<string>()));
        var status = await api.GetAsync($"{path}?sort=status&from=PC-0005");
        var name = await api.GetJsonAsync($"{path}?sort=name&from=PC-0005&pageSize=2");

        Assert.Equal(["PC-0005", "PC-0004", "PC-0003"], descending["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal(["PC-0002", "PC-0001"], next["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Null(next["next"]);
        Assert.Equal(HttpStatusCode.BadRequest, status.StatusCode);
        var problem = await ApiTestClient.ReadAsync(status);
        Assert.Equal("from", problem["field"]?.GetValue<string>());
        Assert.Equal("from= jumps to a name: it works with the name sort only.", problem["detail"]?.GetValue<string>());
        Assert.Equal(["PC-0005", "PC-0006"], name["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
    }

    /// <summary>A cursor as the list writes them: base64url of <c>[sort, key, id]</c>.</summary>
    private static string Cursor(string sort, string? key, int id) =>
        System.Buffers.Text.Base64Url.EncodeToString(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new object?[] { sort, key, id }));

    [Theory]
    [InlineData("status", "x")]
    [InlineData("status", null)]
    [InlineData("status", "007")]
    [InlineData("status", "-1")]
    [InlineData("assignee", "x")]
    [InlineData("assignee", " 1")]
    [InlineData("clientuser", "x")]
    [InlineData("name", null)]
    [InlineData("status", "999999")]
    [InlineData("assignee", "999999")]
    [InlineData("clientuser", "999999")]
    public async Task AMadeUpCursor_IsRefusedByTheApi_AndThePageShowsTheListsStart(string sort, string? key)
    {
        var (inventory, _) = await PagingAsync();
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var browser = await factory.SignInAsync("technician@demo.test");
        var after = Cursor(sort, key, 2);

        var answer = await api.GetAsync($"/api/inventories/{inventory}/clients?sort={sort}&after={after}");
        var page = await browser.GetAsync($"/rollouts/W11/inventories/{inventory}?sort={sort}&after={after}");

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains($"after is not a position in this list sorted by {sort}", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var first = await browser.GetStringAsync($"/rollouts/W11/inventories/{inventory}?sort={sort}");
        Assert.Equal(Names(first), Names(await page.Content.ReadAsStringAsync()));
    }

    /// <summary>
    /// Hand-edited cursors whose key no stored text can hold: an escaped lone surrogate (the JSON reader threw) or a NUL
    /// (PostgreSQL refused it, 22021): both were a 500; the API names after=, the page (after= or before=) shows the list's start.
    /// </summary>
    [Theory]
    [InlineData("name", "\\ud800", "after")]
    [InlineData("name", "a\\udfffb", "before")]
    [InlineData("name", "a\\u0000b", "after")]
    [InlineData("name", "a\\u0000b", "before")]
    [InlineData("description", "\\ud800x", "after")]
    [InlineData("description", "a\\u0000", "after")]
    [InlineData("f", "\\ud800", "before")]
    [InlineData("f", "x\\u0000", "after")]
    public async Task ACursorWithAKeyNoClientCanHold_IsRefusedByTheApi_AndThePageShowsTheListsStart(string sort, string escapedKey,
        string field)
    {
        var (inventory, location) = await PagingAsync();
        sort = sort == "f" ? $"f{location}" : sort;
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var browser = await factory.SignInAsync("technician@demo.test");
        var cursor = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes($"[\"{sort}\",\"{escapedKey}\",2]"));

        // The API pages forward only (after=); the page takes both.
        var answer = await api.GetAsync($"/api/inventories/{inventory}/clients?sort={sort}&after={cursor}");
        var page = await browser.GetAsync($"/rollouts/W11/inventories/{inventory}?sort={sort}&{field}={cursor}");

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains($"after is not a position in this list sorted by {sort}", await answer.Content.ReadAsStringAsync(),
            StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var first = await browser.GetStringAsync($"/rollouts/W11/inventories/{inventory}?sort={sort}");
        Assert.Equal(Names(first), Names(await page.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("status")]
    [InlineData("assignee")]
    [InlineData("clientuser")]
    public async Task TheCursorsOfTheIdSorts_StillWalkOn(string sort)
    {
        var (inventory, _) = await PagingAsync();
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");

        var first = await api.GetJsonAsync($"/api/inventories/{inventory}/clients?sort={sort}&pageSize=10");
        var second = await api.GetJsonAsync($"/api/inventories/{inventory}/clients?sort={sort}&pageSize=10&after="
            + Uri.EscapeDataString(first["next"]!.GetValue<string>()));

        Assert.Equal(Enumerable.Range(11, 10).Select(i => $"PC-{i:0000}"),
            second["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
    }
}

public sealed class SqliteClientListPagingTests(RolloutWebFactory factory)
    : ClientListPagingTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresClientListPagingTests(PostgresWebFactory factory)
    : ClientListPagingTests(factory), IClassFixture<PostgresWebFactory>;
