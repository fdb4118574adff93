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

/// <summary>Creating, editing, duplicating and deleting inventories on the pages.</summary>
public abstract class InventoryPagesTests(RolloutWebFactory factory)
{
    private static string Unique(string prefix) => $"{prefix} {Guid.NewGuid().ToString("N")[..6]}";

    private async Task<T> DbAsync<T>(Func<RolloutDbContext, Task<T>> query)
    {
        using var scope = factory.Services.CreateScope();
        return await query(scope.ServiceProvider.GetRequiredService<RolloutDbContext>());
    }

    private Task<int> WorkflowIdAsync() => DbAsync(db => db.Workflows.Where(w => w.Name == "Device rollout").Select(w => w.Id).SingleAsync());

    private Task<int> FieldIdAsync(string name) => DbAsync(db => db.CustomFields.Where(f => f.Name == name).Select(f => f.Id).SingleAsync());

    private Task<int> InventoryIdAsync(string name) => DbAsync(db => db.Inventories.Where(i => i.Name == name).Select(i => i.Id).SingleAsync());

    private Task<List<string>> FieldNamesAsync(int inventoryId) => DbAsync(db => db.InventoryCustomFields
        .Where(f => f.InventoryId == inventoryId).OrderBy(f => f.Position).Select(f => f.CustomField.Name).ToListAsync());

    private async Task<Dictionary<string, string>> FormAsync(string? name, int? workflowId, params (string Field, int Position)[] fields)
    {
        var form = new Dictionary<string, string> { ["Name"] = name ?? "", ["WorkflowId"] = workflowId?.ToString() ?? "" };
        for (var i = 0; i < fields.Length; i++)
        {
            form[$"Fields[{i}].Id"] = (await FieldIdAsync(fields[i].Field)).ToString();
            form[$"Fields[{i}].Selected"] = "true";
            form[$"Fields[{i}].Position"] = fields[i].Position.ToString();
        }

        return form;
    }

    [Fact]
    public async Task Create_WithFieldsInTheChosenOrder_OpensTheNewInventory()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var name = Unique("Docking stations");
        var form = await FormAsync(name, await WorkflowIdAsync(), ("Location", 2), ("Serial number", 1), ("Department", 3));

        var response = await RolloutWebFactory.PostFormAsync(manager, "/rollouts/W11/inventories/new", form);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var id = await InventoryIdAsync(name);
        Assert.Equal($"/rollouts/W11/inventories/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal(["Serial number", "Location", "Department"], await FieldNamesAsync(id));
        var page = await manager.GetStringAsync($"/rollouts/W11/inventories/{id}");
        Assert.Contains("0 clients", page);
        Assert.Contains(name, await manager.GetStringAsync("/rollouts/W11"));
    }

    [Fact]
    public async Task RolloutPage_CountsTheClientsOfEachInventory()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var (filled, empty) = (Unique("Counted"), Unique("Empty"));
        foreach (var name in new[] { filled, empty })
        {
            await RolloutWebFactory.PostFormAsync(manager, "/rollouts/W11/inventories/new",
                await FormAsync(name, await WorkflowIdAsync(), ("Location", 1)));
        }

        var id = await InventoryIdAsync(filled);
        await DbAsync(async db =>
        {
            var inventory = await db.Inventories.SingleAsync(i => i.Id == id);
            var status = await db.WorkflowStatuses.Where(s => s.WorkflowId == inventory.WorkflowId).Select(s => s.Id).FirstAsync();
            db.Clients.AddRange(Enumerable.Range(1, 3).Select(i => new Client
            {
                InventoryId = id, RolloutId = inventory.RolloutId, Name = $"{filled}-{i}", StatusId = status,
                CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            }));
            return await db.SaveChangesAsync();
        });

        var page = await manager.GetPageAsync("/rollouts/W11");

        Assert.Equal("3", page.RowOf(filled).Cell("Clients"));
        Assert.Equal("0", page.RowOf(empty).Cell("Clients"));
    }

    [Fact]
    public async Task Create_WithoutNameOrWorkflow_OrWithATakenName_ShowsTheMessages_AndCreatesNothing()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var before = await DbAsync(db => db.Inventories.CountAsync());

        var empty = await RolloutWebFactory.PostFormAsync(manager, "/rollouts/W11/inventories/new", await FormAsync("  ", null));
        var taken = await RolloutWebFactory.PostFormAsync(manager, "/rollouts/W11/inventories/new",
            await FormAsync("laptops", await WorkflowIdAsync(), ("Location", 1)));

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var emptyPage = await empty.Content.ReadAsStringAsync();
        Assert.Contains("Enter a name.", emptyPage);
        Assert.Contains("Choose a workflow.", emptyPage);
        Assert.Equal(HttpStatusCode.BadRequest, taken.StatusCode);
        var takenPage = await taken.ReadPageAsync();
        Assert.Contains("This rollout already has an inventory named \"Laptops\".", takenPage.Body!.NormalizedText());
        Assert.True(takenPage.One($"#field-{await FieldIdAsync("Location")}").HasAttribute("checked"), "The ticked field stays ticked.");
        Assert.Equal(before, await DbAsync(db => db.Inventories.CountAsync()));
    }

    [Fact]
    public async Task InventoryPages_AreRefusedToTechnicians_AndDoNotExistForNonMembers()
    {
        var technician = await factory.SignInAsync("technician@demo.test");
        var manager = await factory.SignInAsync("manager@demo.test");
        var laptops = await InventoryIdAsync("Laptops");
        var servers = await InventoryIdAsync("Servers");
        var page = await technician.GetStringAsync($"/rollouts/W11/inventories/{laptops}");

        foreach (var path in new[] { "new", $"{laptops}/edit", $"{laptops}/duplicate", $"{laptops}/delete" })
        {
            var refused = await technician.GetAsync($"/rollouts/W11/inventories/{path}");
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            Assert.StartsWith("/account/denied", refused.Headers.Location!.PathAndQuery);
            Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/rollouts/SRV/inventories/{path.Replace(laptops.ToString(), servers.ToString())}")).StatusCode);
        }

        // A forged post, with a valid token from a page the technician may see, is refused too.
        var token = RolloutWebFactory.AntiforgeryToken(page);
        var post = await technician.PostAsync($"/rollouts/W11/inventories/{laptops}/delete",
            new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        Assert.StartsWith("/account/denied", post.Headers.Location!.PathAndQuery);
        Assert.Equal(1, await DbAsync(db => db.Inventories.CountAsync(i => i.Id == laptops)));
        Assert.DoesNotContain("duplicate-inventory", page);
        Assert.True(HtmlPage.Parse(page).HasTestId("export"));
    }

    [Fact]
    public async Task CreateEditAndDuplicate_TakeTheNameAsSeen_AndRefuseAnExistingNameWithAnInvisibleCharacter()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var workflow = await WorkflowIdAsync();
        var laptops = await InventoryIdAsync("Laptops");
        var name = Unique("Seen");
        await RolloutWebFactory.PostFormAsync(manager, "/rollouts/W11/inventories/new", await FormAsync(name + "\u200B", workflow));
        var id = await InventoryIdAsync(name);
        var before = await DbAsync(db => db.Inventories.CountAsync());

        var created = await RolloutWebFactory.PostFormAsync(manager, "/rollouts/W11/inventories/new", await FormAsync("Laptops\u200B", workflow));
        var edited = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/inventories/{id}/edit", await FormAsync("\uFEFFMonitors", workflow));
        var duplicated = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/inventories/{laptops}/duplicate",
            new() { ["name"] = "Monitors\u2060" }, $"/rollouts/W11/inventories/{laptops}/duplicate");

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Contains("This rollout already has an inventory named \"Laptops\".", (await created.ReadPageAsync()).Body!.NormalizedText());
        Assert.Equal(HttpStatusCode.BadRequest, edited.StatusCode);
        Assert.Contains("This rollout already has an inventory named \"Monitors\".", (await edited.ReadPageAsync()).Body!.NormalizedText());
        Assert.Equal(HttpStatusCode.BadRequest, duplicated.StatusCode);
        Assert.Contains("already has an inventory named \"Monitors\"", (await duplicated.ReadPageAsync()).Body!.NormalizedText());
        Assert.Equal(before, await DbAsync(db => db.Inventories.CountAsync()));
        Assert.Equal(name, await DbAsync(db => db.Inventories.Where(i => i.Id == id).Select(i => i.Name).SingleAsync()));
    }

    [Fact]
    public async Task Edit_RenamesAndReordersFields_ButKeepsTheWorkflowOfAnInventoryWithClients()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var name = Unique("Edited");
        var workflow = await WorkflowIdAsync();
        await RolloutWebFactory.PostFormAsync(manager, "/rollouts/W11/inventories/new", await FormAsync(name, workflow, ("Location", 1), ("Notes", 2)));
        var id = await InventoryIdAsync(name);
        var other = await DbAsync(async db =>
        {
            var w = TestSettings.Workflow(Unique("Other workflow"), "Open");
            db.Workflows.Add(w);
            await db.SaveChangesAsync();
            return w.Id;
        });

        var renamed = name + " renamed";
        var response = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/inventories/{id}/edit",
            await FormAsync(renamed, other, ("Notes", 1), ("Model", 2)));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(["Notes", "Model"], await FieldNamesAsync(id));
        Assert.Equal(renamed, await DbAsync(db => db.Inventories.Where(i => i.Id == id).Select(i => i.Name).SingleAsync()));
        Assert.Equal(other, await DbAsync(db => db.Inventories.Where(i => i.Id == id).Select(i => i.WorkflowId).SingleAsync()));

        var laptops = await InventoryIdAsync("Laptops");
        var refused = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/inventories/{laptops}/edit",
            await FormAsync("Laptops", other, ("Location", 1)));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("The workflow cannot change while the inventory has clients (40)", await refused.Content.ReadAsStringAsync());
        Assert.Equal(7, (await FieldNamesAsync(laptops)).Count);
        Assert.Contains("cannot change", await manager.GetStringAsync($"/rollouts/W11/inventories/{laptops}/edit"));
    }

    [Fact]
    public async Task Duplicate_KeepsWorkflowAndFieldsInOrder_ButNoClients_AndRefusesATakenName()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var laptops = await InventoryIdAsync("Laptops");
        var form = await manager.GetPageAsync($"/rollouts/W11/inventories/{laptops}/duplicate");
        Assert.Equal("Laptops (copy)", form.FieldValue("name"));
        var name = Unique("Laptops 2027");

        var response = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/inventories/{laptops}/duplicate", new() { ["name"] = name });
        var taken = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/inventories/{laptops}/duplicate",
            new() { ["name"] = "Monitors" }, $"/rollouts/W11/inventories/{laptops}/duplicate");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var copy = await InventoryIdAsync(name);
        Assert.Equal(await FieldNamesAsync(laptops), await FieldNamesAsync(copy));
        Assert.Equal(
            await DbAsync(db => db.Inventories.Where(i => i.Id == laptops).Select(i => i.WorkflowId).SingleAsync()),
            await DbAsync(db => db.Inventories.Where(i => i.Id == copy).Select(i => i.WorkflowId).SingleAsync()));
        Assert.Equal(0, await DbAsync(db => db.Clients.CountAsync(c => c.InventoryId == copy)));
        Assert.Equal(HttpStatusCode.BadRequest, taken.StatusCode);
        Assert.Contains("already has an inventory named \"Monitors\"", (await taken.ReadPageAsync()).Body!.NormalizedText());
    }

    [Fact]
    public async Task Delete_NamesTheClientCount_AndRemovesClientsLinksHistoryAndImports_KeepingTheLinkedClientElsewhere()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var name = Unique("Doomed");
        await RolloutWebFactory.PostFormAsync(manager, "/rollouts/W11/inventories/new",
            await FormAsync(name, await WorkflowIdAsync(), ("Location", 1), ("Department", 2)));
        var id = await InventoryIdAsync(name);
        var (doomed, monitor, importId) = await DbAsync(async db =>
        {
            var inventory = await db.Inventories.SingleAsync(i => i.Id == id);
            var status = await db.WorkflowStatuses.Where(s => s.WorkflowId == inventory.WorkflowId).Select(s => s.Id).FirstAsync();
            var clients = Enumerable.Range(1, 2).Select(i => new Client
            {
                InventoryId = id, RolloutId = inventory.RolloutId, Name = $"{name}-{i}", StatusId = status,
                CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            }).ToList();
            db.Clients.AddRange(clients);
            var user = await db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync();
            using var scope = factory.Services.CreateScope();
            var import = (await TestImports.CreateAsync(scope.ServiceProvider, inventory.RolloutId, id, "x.csv",
                System.Text.Encoding.UTF8.GetBytes($"Name\n{name}-3\n"), user)).Import;
            await db.SaveChangesAsync();
            var monitorId = await db.Clients.Where(c => c.Name == "MON-0010").Select(c => c.Id).SingleAsync();
            // The import changed the monitor through an advanced link: its history names the import.
            db.ClientHistory.Add(new ClientHistoryEntry
            {
                ClientId = monitorId, At = DateTimeOffset.UtcNow, UserId = user, ImportId = import.Id, Action = ClientHistoryAction.Changed,
                Changes = [new FieldChange("Location", "Bonn", "Berlin")],
            });
            await db.SaveChangesAsync();
            return (clients[0].Id, monitorId, import.Id);
        });
        // An advanced link to a monitor (another inventory), made on the client page, and a plain link inside.
        var usedWith = await DbAsync(db => db.ClientLinkTypes.Where(t => t.IsAdvanced).Select(t => t.Id).SingleAsync());
        var replaces = await DbAsync(db => db.ClientLinkTypes.Where(t => !t.IsAdvanced).Select(t => t.Id).SingleAsync());
        var linked = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/clients/{doomed}/links",
            new() { ["otherClientId"] = monitor.ToString(), ["linkType"] = $"{usedWith}:out", ["keep[" + await FieldIdAsync("Location") + "]"] = "other", ["keep[" + await FieldIdAsync("Department") + "]"] = "other" },
            $"/rollouts/W11/clients/{doomed}");
        Assert.Equal(HttpStatusCode.Redirect, linked.StatusCode);
        await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/clients/{doomed}/links",
            new() { ["otherClientId"] = (doomed + 1).ToString(), ["linkType"] = $"{replaces}:in" }, $"/rollouts/W11/clients/{doomed}");
        var monitorHistory = await DbAsync(db => db.ClientHistory.CountAsync(h => h.ClientId == monitor));

        var confirm = await manager.GetPageAsync($"/rollouts/W11/inventories/{id}/delete");
        Assert.Contains("2 clients", confirm.Texts("strong"));
        Assert.Contains("1 import", confirm.Body!.NormalizedText());
        var response = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/inventories/{id}/delete", []);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/rollouts/W11#page-message", response.Headers.Location!.OriginalString);
        Assert.Contains($"Inventory \"{name}\" was deleted.", (await manager.GetPageAsync("/rollouts/W11")).Body!.NormalizedText());
        Assert.False(await DbAsync(db => db.Inventories.AnyAsync(i => i.Id == id)));
        Assert.False(await DbAsync(db => db.Clients.AnyAsync(c => c.InventoryId == id)));
        Assert.False(await DbAsync(db => db.ClientHistory.AnyAsync(h => h.ClientId == doomed)));
        Assert.False(await DbAsync(db => db.Imports.AnyAsync(i => i.InventoryId == id)));
        Assert.False(await DbAsync(db => db.ClientLinks.AnyAsync(l => l.SourceClientId == monitor || l.TargetClientId == monitor)));
        Assert.False(await DbAsync(db => db.AdvancedLinkMemberships.AnyAsync(m => m.ClientId == monitor)));
        // The monitor's link went with the inventory: one entry says so (the link inside the inventory left none).
        Assert.Equal(monitorHistory + 1, await DbAsync(db => db.ClientHistory.CountAsync(h => h.ClientId == monitor)));
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/rollouts/W11/inventories/{id}")).StatusCode);
        // The monitor's history still says which import changed it, without a link to the deleted import.
        var monitorPage = await manager.GetPageAsync($"/rollouts/W11/clients/{monitor}");
        Assert.Contains(monitorPage.QuerySelectorAll("td"), td =>
            td.NormalizedText().StartsWith($"changed by import #{importId} (deleted with its inventory)", StringComparison.Ordinal)
            && td.QuerySelector("span.text-muted")?.NormalizedText() == "(deleted with its inventory)");
        Assert.DoesNotContain($"/rollouts/W11/imports/{importId}", monitorPage.Links());
    }

    /// <summary>
    /// QA: an import may change clients of other inventories (the shared values of an advanced link it imposes on the
    /// linked client); deleting its inventory deleted that import (its history, failed rows, review) without a word, while
    /// those clients kept its values. The confirmation page names each such import and the clients it changed elsewhere;
    /// the delete goes on as decided (decision 0075): the import goes, the other inventory's clients keep their values.
    /// </summary>
    [Fact]
    public async Task DeleteConfirmation_NamesTheImportsThatAlsoChangedClientsOfOtherInventories_AndTheDeleteKeepsThoseValues()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var (desks, chairs) = (Unique("Desks"), Unique("Chairs"));
        foreach (var name in new[] { desks, chairs })
        {
            await RolloutWebFactory.PostFormAsync(manager, "/rollouts/W11/inventories/new",
                await FormAsync(name, await WorkflowIdAsync(), ("Location", 1)));
        }

        var (desksId, chairsId) = (await InventoryIdAsync(desks), await InventoryIdAsync(chairs));
        var (desk, chair) = ($"DK-1 {desks[^6..]}", $"CH-1 {chairs[^6..]}");
        var (deskId, chairId) = await DbAsync(async db =>
        {
            var rollout = await db.Inventories.Where(i => i.Id == chairsId).Select(i => i.RolloutId).SingleAsync();
            var workflow = await db.Inventories.Where(i => i.Id == chairsId).Select(i => i.WorkflowId).SingleAsync();
            var status = await db.WorkflowStatuses.Where(s => s.WorkflowId == workflow).Select(s => s.Id).FirstAsync();
            Client New(int inventory, string name) => new()
            {
                InventoryId = inventory, RolloutId = rollout, Name = name, StatusId = status,
                CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            };
            var clients = new[] { New(desksId, desk), New(chairsId, chair) };
            db.Clients.AddRange(clients);
            await db.SaveChangesAsync();
            return (clients[0].Id, clients[1].Id);
        });
        // The desk "is used with" the chair: an advanced link sharing Location.
        var usedWith = await DbAsync(db => db.ClientLinkTypes.Where(t => t.IsAdvanced).Select(t => t.Id).SingleAsync());
        var linked = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/clients/{deskId}/links",
            new() { ["otherClientId"] = chairId.ToString(), ["linkType"] = $"{usedWith}:out" }, $"/rollouts/W11/clients/{deskId}");
        Assert.Equal(HttpStatusCode.Redirect, linked.StatusCode);

        // An import into Desks that gives the desk a room: the chair linked to it gets it too.
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await api.RolloutIdAsync("W11");
        var uploaded = await ApiTestClient.ReadAsync(await api.UploadAsync(rolloutId, desksId, "desks.csv",
            $"Name,Location\n{desk},Room 5\nDK-2 {desks[^6..]},Room 6\n"));
        var importId = uploaded["id"]!.GetValue<int>();
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsJsonAsync($"/api/imports/{importId}/mapping", new
        {
            updateExisting = true,
            columns = new[] { new { letter = "A", target = "Name" }, new { letter = "B", target = "Location" } },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"/api/imports/{importId}/approve", null)).StatusCode);
        Assert.Equal("Completed", (await api.WaitForResultAsync(importId))["status"]!.GetValue<string>());

        var question = await manager.GetPageAsync($"/rollouts/W11/inventories/{desksId}/delete");
        var named = question.TestId("delete-reaching-import").NormalizedText();
        Assert.Equal($"Import #{importId} (desks.csv, Completed) also changed 1 client in other inventories: 1 in {chairs}.", named);
        Assert.Contains("Those clients stay, with the values the imports gave them", question.TestId("delete-reaching-imports").NormalizedText(),
            StringComparison.Ordinal);
        // An inventory without such imports says nothing of it.
        Assert.False((await manager.GetPageAsync($"/rollouts/W11/inventories/{chairsId}/delete")).HasTestId("delete-reaching-imports"));

        var deleted = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/inventories/{desksId}/delete", []);
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Contains("Room 5", (await manager.GetPageAsync($"/rollouts/W11/clients/{chairId}")).One("main").NormalizedText(), StringComparison.Ordinal);
        Assert.False(await DbAsync(db => db.Imports.AnyAsync(i => i.Id == importId)));
    }

    [Fact]
    public async Task Delete_LeavesALinkRemovalEntry_OnEachClientOfAnotherInventoryThatWasLinkedToIt()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var (desks, chairs) = (Unique("Desks"), Unique("Chairs"));
        foreach (var name in new[] { desks, chairs })
        {
            await RolloutWebFactory.PostFormAsync(manager, "/rollouts/W11/inventories/new",
                await FormAsync(name, await WorkflowIdAsync(), ("Location", 1)));
        }

        var (desksId, chairsId) = (await InventoryIdAsync(desks), await InventoryIdAsync(chairs));
        // A name with a quote and a backslash: the entry's JSON is made by the database, and must read back as written.
        var desk = $"DK \"1\" \\ {desks[^6..]}";
        var (deskId, otherDeskId, chair1, chair2) = await DbAsync(async db =>
        {
            var rollout = await db.Inventories.Where(i => i.Id == desksId).Select(i => i.RolloutId).SingleAsync();
            var workflow = await db.Inventories.Where(i => i.Id == desksId).Select(i => i.WorkflowId).SingleAsync();
            var status = await db.WorkflowStatuses.Where(s => s.WorkflowId == workflow).Select(s => s.Id).FirstAsync();
            Client New(int inventory, string name) => new()
            {
                InventoryId = inventory, RolloutId = rollout, Name = name, StatusId = status,
                CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            };
            var clients = new[] { New(desksId, desk), New(desksId, $"DK-2 {desks[^6..]}"), New(chairsId, $"CH-1 {chairs[^6..]}"),
                New(chairsId, $"CH-2 {chairs[^6..]}") };
            db.Clients.AddRange(clients);
            await db.SaveChangesAsync();
            return (clients[0].Id, clients[1].Id, clients[2].Id, clients[3].Id);
        });
        var replaces = await DbAsync(db => db.ClientLinkTypes.Where(t => t.OutwardName == "replaces").Select(t => t.Id).SingleAsync());
        // The desk replaces CH-1 (which reads "is replaced by"), CH-2 replaces the desk, and the desk replaces DK-2 inside Desks.
        foreach (var (other, reading) in new[] { (chair1, "out"), (chair2, "in"), (otherDeskId, "out") })
        {
            var linked = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/clients/{deskId}/links",
                new() { ["otherClientId"] = other.ToString(), ["linkType"] = $"{replaces}:{reading}" }, $"/rollouts/W11/clients/{deskId}");
            Assert.Equal(HttpStatusCode.Redirect, linked.StatusCode);
        }

        var entries = await DbAsync(db => db.ClientHistory.CountAsync(h => h.ClientId == chair1 || h.ClientId == chair2));

        var deleted = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/inventories/{desksId}/delete", []);

        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        // One entry on each chair, by the manager who deleted the inventory, newest first on the client's page.
        Assert.Equal(entries + 2, await DbAsync(db => db.ClientHistory.CountAsync(h => h.ClientId == chair1 || h.ClientId == chair2)));
        foreach (var (chair, reading) in new[] { (chair1, "is replaced by"), (chair2, "replaces") })
        {
            var page = await manager.GetPageAsync($"/rollouts/W11/clients/{chair}");
            Assert.Empty(page.QuerySelectorAll("[data-testid=client-links] li"));
            var newest = page.TestId("client-history").QuerySelectorAll("tbody tr").First();
            Assert.Equal("Max Manager", newest.Cell("Who"));
            Assert.Equal($"Link: {reading} {desk} → (removed with inventory {desks})", newest.Cell("What"));
        }
    }

    [Fact]
    public async Task EveryFormOfTheInventoryAndClientPages_CarriesItsOwnAntiforgeryToken()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var laptops = await InventoryIdAsync("Laptops");
        var lt1 = await DbAsync(db => db.Clients.Where(c => c.Name == "LT-0001").Select(c => c.Id).SingleAsync());
        var forms = 0;

        foreach (var path in new[] { "inventories/new", $"inventories/{laptops}/edit", $"inventories/{laptops}/duplicate",
                     $"inventories/{laptops}/delete", $"clients/{lt1}?find=LT-000" })
        {
            var page = await manager.GetPageAsync($"/rollouts/W11/{path}");
            foreach (var form in page.QuerySelectorAll("form[method=post][action^='/rollouts']"))
            {
                forms++;
                Assert.True(form.Has("input[name=__RequestVerificationToken]"), $"{path}: the form posting to {form.GetAttribute("action")} has no token");
            }
        }

        Assert.True(forms >= 6, $"{forms} forms");
    }

    [Fact]
    public async Task ClientList_SortsByColumn_BothWays_AndLinksEachNameToItsPage()
    {
        var technician = await factory.SignInAsync("technician@demo.test");
        var laptops = await InventoryIdAsync("Laptops");
        var lt1 = await DbAsync(db => db.Clients.Where(c => c.Name == "LT-0001").Select(c => c.Id).SingleAsync());

        var byName = Names(await technician.GetPageAsync($"/rollouts/W11/inventories/{laptops}?sort=name&dir=desc"));
        var byStatus = Names(await technician.GetPageAsync($"/rollouts/W11/inventories/{laptops}?sort=status"));
        var byStatusDescPage = await technician.GetPageAsync($"/rollouts/W11/inventories/{laptops}?sort=status&dir=desc");
        var byStatusDesc = Names(byStatusDescPage);
        var byName2 = await technician.GetPageAsync($"/rollouts/W11/inventories/{laptops}");

        Assert.True(Before(byName, "LT-0040", "LT-0039"));
        // Statuses by the workflow's order: New (LT-0004, LT-0008 …) first, Done (LT-0003 …) last; names break ties.
        Assert.True(Before(byStatus, "LT-0004", "LT-0001"));
        Assert.True(Before(byStatus, "LT-0004", "LT-0008"));
        Assert.True(Before(byStatusDesc, "LT-0003", "LT-0002"));
        Assert.Equal("descending", byStatusDescPage.TestId("sort-status").Closest("th")!.GetAttribute("aria-sort"));
        Assert.Equal($"/rollouts/W11/clients/{lt1}", byName2.RowOf("LT-0001").One("a").GetAttribute("href"));
    }

    /// <summary>The clients the list shows, in its order.</summary>
    private static List<string> Names(IDocument page) => [.. page.QuerySelectorAll("tbody tr").Select(tr => tr.One("a").NormalizedText())];

    private static bool Before(List<string> names, string first, string second)
    {
        var (a, b) = (names.IndexOf(first), names.IndexOf(second));
        Assert.True(a >= 0 && b >= 0, $"{first} and {second} are not both listed: {string.Join(", ", names)}");
        return a < b;
    }
}

public sealed class SqliteInventoryPagesTests(RolloutWebFactory factory)
    : InventoryPagesTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresInventoryPagesTests(PostgresWebFactory factory)
    : InventoryPagesTests(factory), IClassFixture<PostgresWebFactory>;
