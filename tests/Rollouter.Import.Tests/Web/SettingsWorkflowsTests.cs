using System.Net;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>Workflows: create, rename; statuses: add, rename, reorder, remove (moving their clients).</summary>
public abstract class SettingsWorkflowsTests(RolloutWebFactory factory)
{
    private async Task<(HttpClient Client, int Id)> CreateAsync(string name, string statuses)
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var (status, page, location) = await manager.SubmitAsync("/settings/workflows/new",
            new() { ["Name"] = name, ["Statuses"] = statuses });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"The workflow {name} was created.", page);
        return (manager, int.Parse(location!.Split('#')[0].Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private Task<List<WorkflowStatus>> StatusesAsync(int workflowId) => factory.WithDbAsync(db =>
        db.WorkflowStatuses.AsNoTracking().Where(s => s.WorkflowId == workflowId).OrderBy(s => s.Position).ToListAsync());

    [Fact]
    public async Task Create_WithStatusesInOrder_IsListed()
    {
        var (manager, id) = await CreateAsync("Monitor swap", "Ordered\n  Delivered \n\nInstalled\n");

        Assert.Equal(["Ordered", "Delivered", "Installed"], (await StatusesAsync(id)).Select(s => s.Name));
        Assert.Contains("Ordered → Delivered → Installed", await manager.PageAsync("/settings/workflows"));
    }

    [Theory]
    [InlineData("", "New", "Enter the workflow's name.")]
    [InlineData("No statuses", " \n ", "Enter at least one status")]
    [InlineData("Twice", "New\nDone\nnew", "The status \"New\" appears twice")]
    [InlineData("Twice as seen", "Gepr\u00FCft\nGepru\u0308ft", "The status \"Gepr\u00FCft\" appears twice")]
    [InlineData("device ROLLOUT", "New", "Another workflow is already named \"device ROLLOUT\".")]
    public async Task Create_WithBadInput_IsRefusedWithTheMessage(string name, string statuses, string message)
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var before = await factory.WithDbAsync(db => db.Workflows.CountAsync());

        var (status, page, _) = await manager.SubmitAsync("/settings/workflows/new", new() { ["Name"] = name, ["Statuses"] = statuses });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(message, page);
        Assert.Equal(before, await factory.WithDbAsync(db => db.Workflows.CountAsync()));
    }

    [Theory]
    [InlineData("No statuses", "", "Enter at least one status, one per line: a workflow needs a status for new clients.")]
    [InlineData("", "New", "Enter the workflow's name.")]
    public async Task Create_WithAnEmptyBox_SaysOnlyTheAppsMessage(string name, string statuses, string message)
    {
        // QA (onboarding): an empty box also showed ASP.NET Core's "The Statuses field is required.".
        var manager = await factory.SignInAsync("manager@demo.test");

        var (_, page, _) = await manager.SubmitAsync("/settings/workflows/new", new() { ["Name"] = name, ["Statuses"] = statuses });

        Assert.Equal([message], HtmlPage.Parse(page).QuerySelectorAll("[role=alert] li").Select(li => li.NormalizedText()));
    }

    [Fact]
    public async Task Statuses_AreAddedRenamedAndReordered_AndClientsKeepARenamedStatus()
    {
        var (manager, id) = await CreateAsync("Phone swap", "Open\nClosed");
        var statuses = await StatusesAsync(id);
        await factory.AddInventoryAsync("Phones", id, [], ("PH-1", statuses[0].Id, []));
        var page = $"/settings/workflows/{id}";

        var (_, added, _) = await manager.SubmitAsync($"{page}/statuses", new() { ["StatusName"] = "In progress" }, page);
        var (_, duplicate, _) = await manager.SubmitAsync($"{page}/statuses", new() { ["StatusName"] = "open" }, page);
        var (_, renamed, _) = await manager.SubmitAsync($"{page}/statuses/{statuses[0].Id}", new() { ["StatusName"] = "New" }, page);
        var (_, clash, _) = await manager.SubmitAsync($"{page}/statuses/{statuses[0].Id}", new() { ["StatusName"] = "CLOSED" }, page);
        var (_, empty, _) = await manager.SubmitAsync($"{page}/statuses/{statuses[0].Id}", new() { ["StatusName"] = " " }, page);
        var inProgress = (await StatusesAsync(id)).Single(s => s.Name == "In progress");
        await manager.SubmitAsync($"{page}/statuses/{inProgress.Id}/up", [], page);
        var (_, workflowRenamed, _) = await manager.SubmitAsync(page, new() { ["Name"] = "Phone rollout" });

        Assert.Contains("The status In progress was added.", added);
        Assert.Contains("The workflow already has the status \"Open\", which differs only by case.", duplicate);
        Assert.Contains("The status was renamed; its clients keep it.", renamed);
        Assert.Contains("The workflow already has the status \"Closed\", which differs only by case.", clash);
        Assert.Contains("Enter the status's name.", empty);
        // Of the page's five StatusName fields, only the one of the form that was sent is marked, with what was typed.
        var marked = HtmlPage.Parse(clash).QuerySelectorAll("[aria-invalid=true]");
        Assert.Equal(($"{page}/statuses/{statuses[0].Id}", "CLOSED"),
            (Assert.Single(marked).Closest("form")?.GetAttribute("action"), marked[0].GetAttribute("value")));
        var markedAdd = HtmlPage.Parse(duplicate).QuerySelectorAll("[aria-invalid=true]");
        Assert.Equal(($"{page}/statuses", "open"),
            (Assert.Single(markedAdd).Closest("form")?.GetAttribute("action"), markedAdd[0].GetAttribute("value")));
        Assert.Contains("The workflow was renamed.", workflowRenamed);
        Assert.Equal(["New", "In progress", "Closed"], (await StatusesAsync(id)).Select(s => s.Name));
        var client = await factory.WithDbAsync(db => db.Clients.SingleAsync(c => c.Name == "PH-1"));
        Assert.Equal(statuses[0].Id, client.StatusId);
        Assert.Equal("Phone rollout", await factory.WithDbAsync(db => db.Workflows.Where(w => w.Id == id).Select(w => w.Name).SingleAsync()));
    }

    [Fact]
    public async Task RemovingAStatusInUse_AsksWhereItsClientsGo_ThenMovesThemAndRemovesIt()
    {
        var (manager, id) = await CreateAsync("Tablet swap", "Waiting\nReady\nDone");
        var statuses = await StatusesAsync(id);
        await factory.AddInventoryAsync("Tablets", id, [],
            ("TB-1", statuses[0].Id, []), ("TB-2", statuses[0].Id, []), ("TB-3", statuses[1].Id, []));
        var remove = $"/settings/workflows/{id}/statuses/{statuses[0].Id}/remove";

        var question = await manager.PageAsync(remove);
        var missing = SettingsTestSupport.Text(await (await RolloutWebFactory.PostFormAsync(manager, remove, [])).Content.ReadAsStringAsync());
        var (_, done, _) = await manager.SubmitAsync(remove,
            new() { ["TargetStatusId"] = statuses[2].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Contains("2 clients have this status. Where do they go?", question);
        Assert.Contains("2 clients have the status \"Waiting\": choose the status they get instead.", missing);
        Assert.Contains("The status Waiting was removed; its clients now have the status Done.", done);
        Assert.Equal(["Ready", "Done"], (await StatusesAsync(id)).Select(s => s.Name));
        var clients = await factory.WithDbAsync(db => db.Clients.AsNoTracking().Where(c => c.Name.StartsWith("TB-")).OrderBy(c => c.Name)
            .Select(c => c.StatusId).ToListAsync());
        Assert.Equal([statuses[2].Id, statuses[2].Id, statuses[1].Id], clients);
        var history = await factory.WithDbAsync(db => db.ClientHistory.AsNoTracking()
            .Join(db.Clients, h => h.ClientId, c => c.Id, (h, c) => new { Client = c.Name, h.Changes, h.UserId })
            .Where(h => h.Client.StartsWith("TB-")).OrderBy(h => h.Client)
            .Select(h => new { h.Changes, Email = db.Users.Where(u => u.Id == h.UserId).Select(u => u.Email).FirstOrDefault() })
            .ToListAsync());
        Assert.Equal(2, history.Count);
        Assert.All(history, h =>
        {
            Assert.Equal("manager@demo.test", h.Email);
            Assert.Equal([new FieldChange("Status", "Waiting", "Done", Setting: "status \"Waiting\" removed from workflow \"Tablet swap\"")],
                h.Changes);
        });
        // The client's page says the change came from the settings, not from an edit of the client.
        var page = await manager.GetPageAsync($"/rollouts/W11/clients/{await ClientIdAsync("TB-1")}");
        var newest = page.TestId("client-history").QuerySelectorAll("tbody tr").First();
        Assert.Equal(("Max Manager", "Status: Waiting → Done (settings change: status \"Waiting\" removed from workflow \"Tablet swap\")"),
            (newest.Cell("Who"), newest.Cell("What")));
    }

    private Task<int> ClientIdAsync(string name) =>
        factory.WithDbAsync(db => db.Clients.Where(c => c.Name == name).Select(c => c.Id).SingleAsync());

    [Fact]
    public async Task RenamingAStatus_GivesEachOfItsClientsAHistoryEntry_SayingWhichSettingsChangeMadeIt()
    {
        // QA: renaming an option wrote an entry on each of its clients; renaming a status wrote none, so a client now
        // "Finished" still read "Done" as the last status its history named.
        var (manager, id) = await CreateAsync("Kiosk swap", "Open\nDone");
        var statuses = await StatusesAsync(id);
        await factory.AddInventoryAsync("Kiosks", id, [],
            ("KI-1", statuses[1].Id, []), ("KI-2", statuses[1].Id, []), ("KI-3", statuses[0].Id, []));
        var page = $"/settings/workflows/{id}";

        var (_, renamed, _) = await manager.SubmitAsync($"{page}/statuses/{statuses[1].Id}", new() { ["StatusName"] = "Finished" }, page);

        Assert.Contains("The status was renamed; its clients keep it.", renamed);
        foreach (var name in new[] { "KI-1", "KI-2" })
        {
            var client = await manager.GetPageAsync($"/rollouts/W11/clients/{await ClientIdAsync(name)}");
            var newest = client.TestId("client-history").QuerySelectorAll("tbody tr").First();
            Assert.Equal(("Max Manager", "Status: Done → Finished (settings change: status renamed in workflow \"Kiosk swap\")"),
                (newest.Cell("Who"), newest.Cell("What")));
        }

        // A client of another status has no entry: its status reads as it did.
        var other = await manager.GetPageAsync($"/rollouts/W11/clients/{await ClientIdAsync("KI-3")}");
        Assert.DoesNotContain(other.TestId("client-history").QuerySelectorAll("tbody tr"), r => r.Cell("What").Contains("Status", StringComparison.Ordinal));
        // The API gives the same entry, with the settings change in its own member.
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var details = await api.GetJsonAsync($"/api/clients/{await ClientIdAsync("KI-1")}");
        var change = Assert.Single(details["history"]!.AsArray()[0]!["changes"]!.AsArray());
        Assert.Equal(("Status", "Done", "Finished", "status renamed in workflow \"Kiosk swap\""),
            (change!["field"]!.GetValue<string>(), change["old"]!.GetValue<string>(), change["new"]!.GetValue<string>(),
                change["setting"]!.GetValue<string>()));
        // Renaming it to the name it has writes nothing more.
        var entries = await factory.WithDbAsync(db => db.ClientHistory.CountAsync());
        await manager.SubmitAsync($"{page}/statuses/{statuses[1].Id}", new() { ["StatusName"] = "Finished" }, page);
        Assert.Equal(entries, await factory.WithDbAsync(db => db.ClientHistory.CountAsync()));
    }

    [Fact]
    public async Task RenamingAStatus_WhileAnImportIntoAnInventoryOfTheWorkflowRuns_IsRefused_AndChangesNothing()
    {
        // The running import read the statuses by name: the clients it writes would read the old name, without the
        // rename's entry.
        var (manager, id) = await CreateAsync("Lamp swap", "Open\nDone");
        var statuses = await StatusesAsync(id);
        var inventoryId = await factory.AddInventoryAsync("Lamps", id, [], ("LA-1", statuses[1].Id, []));
        await factory.WithDbAsync(async db =>
        {
            var inventory = await db.Inventories.SingleAsync(i => i.Id == inventoryId);
            db.Imports.Add(new ClientImport
            {
                RolloutId = inventory.RolloutId, InventoryId = inventory.Id, FileName = "running.csv", Status = ImportStatus.InProgress,
                // A live worker's lease: without one the recovery check takes the import for interrupted and runs it.
                LeaseExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
                CreatedById = await db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync(),
            });
            await db.SaveChangesAsync();
        });
        var page = $"/settings/workflows/{id}";

        var (_, refused, _) = await manager.SubmitAsync($"{page}/statuses/{statuses[1].Id}", new() { ["StatusName"] = "Finished" }, page);

        Assert.Contains("An import into an inventory of this workflow is running: rename the status when it has finished.", refused);
        Assert.Equal(["Open", "Done"], (await StatusesAsync(id)).Select(s => s.Name));
        var client = await ClientIdAsync("LA-1");
        Assert.False(await factory.WithDbAsync(db => db.ClientHistory.AnyAsync(h => h.ClientId == client)));
    }

    [Fact]
    public async Task RemovingAnUnusedStatus_RemovesIt_ButTheLastStatusStays()
    {
        var (manager, id) = await CreateAsync("Badge swap", "Only\nExtra");
        var statuses = await StatusesAsync(id);

        var (_, removed, _) = await manager.SubmitAsync($"/settings/workflows/{id}/statuses/{statuses[1].Id}/remove", []);
        var last = $"/settings/workflows/{id}/statuses/{statuses[0].Id}/remove";
        var (_, refused, _) = await manager.SubmitAsync(last, []);

        Assert.Contains("The status Extra was removed.", removed);
        Assert.Contains("\"Only\" is the workflow's only status: a workflow needs at least one.", refused);
        Assert.Equal(["Only"], (await StatusesAsync(id)).Select(s => s.Name));
    }

    [Fact]
    public async Task MovingAStatusToAnotherWorkflowsStatus_IsRefused()
    {
        var (manager, id) = await CreateAsync("Dock swap", "A\nB");
        var statuses = await StatusesAsync(id);
        await factory.AddInventoryAsync("Docks", id, [], ("DK-1", statuses[0].Id, []));
        var foreign = await factory.WithDbAsync(db => db.WorkflowStatuses.Where(s => s.WorkflowId != id).Select(s => s.Id).FirstAsync());

        var (_, page, _) = await manager.SubmitAsync($"/settings/workflows/{id}/statuses/{statuses[0].Id}/remove",
            new() { ["TargetStatusId"] = foreign.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        // One client: "1 client has …, … it gets", not "1 clients have".
        Assert.Contains("1 client has the status", page);
        Assert.Contains("choose the status it gets instead", page);
        Assert.Equal(2, (await StatusesAsync(id)).Count);
        Assert.Equal(statuses[0].Id, await factory.WithDbAsync(db => db.Clients.Where(c => c.Name == "DK-1").Select(c => c.StatusId).SingleAsync()));
    }
}

public sealed class SqliteSettingsWorkflowsTests(RolloutWebFactory factory)
    : SettingsWorkflowsTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresSettingsWorkflowsTests(PostgresWebFactory factory)
    : SettingsWorkflowsTests(factory), IClassFixture<PostgresWebFactory>;
