using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// A walk through the client list (the API's next, the page's Next) while someone changes the order it walks: a user
/// renamed, a workflow's status moved (decision 0108). Only clients whose own value changed may move; the others come
/// exactly once, or the walk is refused with a sentence that says to start again.
/// </summary>
public abstract class ClientListWalkTests(RolloutWebFactory factory)
{
    /// <summary>
    /// A workflow of its own (three statuses), three users of its own and an inventory of W11 with W-01 … W-30: W-01 …
    /// W-10 on the first status and of the first user, W-11 … W-20 the second's, W-21 … W-30 the third's.
    /// </summary>
    private async Task<(int Inventory, int Workflow, int[] Statuses, int[] Users)> WalkAsync(string name)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var workflow = new Workflow
        {
            Name = name + " flow",
            Statuses =
            [
                new WorkflowStatus { Name = "New", Position = 0 },
                new WorkflowStatus { Name = "Prepared", Position = 1 },
                new WorkflowStatus { Name = "Done", Position = 2 },
            ],
        };
        User Person(string person) => new()
        {
            DisplayName = $"{name} {person}",
            UserName = $"{name}.{person}@walk.test".ToLowerInvariant(),
            Email = $"{name}.{person}@walk.test".ToLowerInvariant(),
            UserCode = $"{name}-{person}",
            Role = Role.Technician,
        };
        User[] users = [Person("Anna"), Person("Bert"), Person("Carl")];
        db.Workflows.Add(workflow);
        db.Users.AddRange(users);
        await db.SaveChangesAsync();
        var manager = await factory.SignInAsync("manager@demo.test");
        using var created = await RolloutWebFactory.PostFormAsync(manager, "/rollouts/W11/inventories/new",
            new Dictionary<string, string> { ["Name"] = name, ["WorkflowId"] = workflow.Id.ToString() });
        var inventory = await db.Inventories.SingleAsync(i => i.Name == name);
        var statuses = workflow.Statuses.OrderBy(s => s.Position).Select(s => s.Id).ToArray();
        db.Clients.AddRange(Enumerable.Range(1, 30).Select(i => new Client
        {
            RolloutId = inventory.RolloutId,
            InventoryId = inventory.Id,
            // Names are unique in a rollout: each test's inventory has its own prefix, which Names leaves out.
            Name = $"{name}/W-{i:00}",
            StatusId = statuses[(i - 1) / 10],
            AssigneeId = users[(i - 1) / 10].Id,
        }));
        await db.SaveChangesAsync();
        return (inventory.Id, workflow.Id, statuses, [.. users.Select(u => u.Id)]);
    }

    private static List<string> Names(System.Text.Json.Nodes.JsonNode page) =>
        [.. page["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Select(n => n[(n.LastIndexOf('/') + 1)..])];

    /// <summary>
    /// Sorted by assignee, the first page ends among the second user's clients; that user is renamed to a name after
    /// the third's ("Zz": the walk went on after "Zz" and skipped the third user's clients) or before the first's ("Aa":
    /// it listed the first user's clients again). The walk goes on after the name the page showed: every client of the
    /// other users comes exactly once.
    /// </summary>
    [Theory]
    [InlineData("Zz Renamed", "assignee", "")]
    [InlineData("Aa Renamed", "assignee", "")]
    [InlineData("Zz Renamed", "assignee", "&dir=desc")]
    [InlineData("Aa Renamed", "assignee", "&dir=desc")]
    public async Task AUserRenamedDuringAWalk_MovesOnlyTheirClients(string renamed, string sort, string dir)
    {
        var name = $"Walk{renamed[..2]}{dir.Length}";
        var (inventory, _, _, users) = await WalkAsync(name);
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var path = $"/api/inventories/{inventory}/clients?sort={sort}{dir}&pageSize=15";

        var first = await api.GetJsonAsync(path);
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            await db.Users.Where(u => u.Id == users[1]).ExecuteUpdateAsync(u => u.SetProperty(x => x.DisplayName, renamed));
        }

        var seen = Names(first);
        var next = first["next"]?.GetValue<string>();
        for (var pages = 0; next is not null && pages < 10; pages++)
        {
            var page = await api.GetJsonAsync($"{path}&after={Uri.EscapeDataString(next)}");
            seen.AddRange(Names(page));
            next = page["next"]?.GetValue<string>();
        }

        // The second user's clients (W-11 … W-20) changed their place; the others did not.
        var unchanged = Enumerable.Range(1, 30).Where(i => i is <= 10 or > 20).Select(i => $"W-{i:00}").ToList();
        Assert.Equal(unchanged.Select(n => (n, 1)), unchanged.Select(n => (n, seen.Count(s => s == n))));
        Assert.All(Enumerable.Range(11, 10), i => Assert.Contains($"W-{i:00}", seen));
    }

    /// <summary>
    /// Sorted by status, the first page ends in "New"; an administrator moves "New" down (after "Prepared"): the walk
    /// went on from New's new place and skipped every Prepared client. The cursor carries the workflow's order: the API
    /// refuses it (400, after) and the page says so with a link to the first page.
    /// </summary>
    [Fact]
    public async Task AStatusMovedDuringAWalk_RefusesTheNextPage_SayingToStartAgain()
    {
        var (inventory, workflow, statuses, _) = await WalkAsync("WalkStatus");
        var api = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var browser = await factory.SignInAsync("technician@demo.test");
        var admin = await factory.SignInAsync("admin@demo.test");
        var path = $"/api/inventories/{inventory}/clients?sort=status&pageSize=5";
        var first = await api.GetJsonAsync(path);
        var next = first["next"]!.GetValue<string>();
        var unmoved = await api.GetJsonAsync($"{path}&after={Uri.EscapeDataString(next)}");

        var moved = await RolloutWebFactory.PostFormAsync(admin, $"/settings/workflows/{workflow}/statuses/{statuses[0]}/down", [],
            $"/settings/workflows/{workflow}");
        var answer = await api.GetAsync($"{path}&after={Uri.EscapeDataString(next)}");
        var page = await browser.GetAsync($"/rollouts/W11/inventories/{inventory}?sort=status&after={Uri.EscapeDataString(next)}");
        var fresh = await api.GetJsonAsync(path);

        Assert.Equal(["W-06", "W-07", "W-08", "W-09", "W-10"], Names(unmoved));
        Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var problem = await ApiTestClient.ReadAsync(answer);
        Assert.Equal("The workflow's statuses were reordered since this page was read: start again from the first page.",
            problem["detail"]?.GetValue<string>());
        Assert.Equal("after", problem["field"]?.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = HtmlPage.Parse(await page.Content.ReadAsStringAsync());
        var notice = html.QuerySelector("[data-testid='cursor-notice']");
        Assert.NotNull(notice);
        Assert.Contains("The workflow's statuses were reordered since this page was read: start again from the first page.",
            notice.NormalizedText(), StringComparison.Ordinal);
        Assert.Equal($"/rollouts/W11/inventories/{inventory}?sort=status",
            notice.QuerySelector("a")?.GetAttribute("href"));
        Assert.Equal(["W-11", "W-12", "W-13", "W-14", "W-15"], Names(fresh));
    }
}

public sealed class SqliteClientListWalkTests(RolloutWebFactory factory)
    : ClientListWalkTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresClientListWalkTests(PostgresWebFactory factory)
    : ClientListWalkTests(factory), IClassFixture<PostgresWebFactory>;
