using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Api;

/// <summary>The API's inventory creation, client details, links and export.</summary>
public abstract class InventoryAndClientApiTests(RolloutWebFactory factory)
{
    private async Task<T> DbAsync<T>(Func<RolloutDbContext, Task<T>> query)
    {
        using var scope = factory.Services.CreateScope();
        return await query(scope.ServiceProvider.GetRequiredService<RolloutDbContext>());
    }

    private Task<int> ClientIdAsync(string name) => DbAsync(db => db.Clients.Where(c => c.Name == name).Select(c => c.Id).SingleAsync());

    private Task<int> FieldIdAsync(string name) => DbAsync(db => db.CustomFields.Where(f => f.Name == name).Select(f => f.Id).SingleAsync());

    private Task<int> LinkTypeAsync(bool advanced) => DbAsync(db => db.ClientLinkTypes.Where(t => t.IsAdvanced == advanced).Select(t => t.Id).SingleAsync());

    private Task<int> WorkflowIdAsync() => DbAsync(db => db.Workflows.Select(w => w.Id).FirstAsync());

    [Fact]
    public async Task CreateInventory_Answers201WithTheFieldsInOrder_400ForBadInput_403ForTechnicians_404ForNonMembers()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var technician = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var rolloutId = await manager.RolloutIdAsync("W11");
        var srv = await DbAsync(db => db.Rollouts.Where(r => r.Identifier == "SRV").Select(r => r.Id).SingleAsync());
        var body = new { name = "Tablets", workflowId = await WorkflowIdAsync(), customFieldIds = new[] { await FieldIdAsync("Notes"), await FieldIdAsync("Location") } };

        var created = await manager.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories", body);
        var again = await manager.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories", body);
        var invalid = await manager.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories", new { name = "", workflowId = 999999, customFieldIds = new[] { 888888 } });
        var forbidden = await technician.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories", body with { name = "Other" });
        var foreign = await manager.PostAsJsonAsync($"/api/rollouts/{srv}/inventories", body with { name = "Other" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var inventory = await ApiTestClient.ReadAsync(created);
        Assert.Equal("Tablets", inventory["name"]!.GetValue<string>());
        Assert.Equal(["Notes", "Location"], inventory["customFields"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()));
        Assert.Equal($"/api/inventories/{inventory.Id()}", created.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("already has an inventory named \"Tablets\"", (await ApiTestClient.ReadAsync(again))["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var error = (await ApiTestClient.ReadAsync(invalid))["error"]!.GetValue<string>();
        Assert.Contains("Enter a name.", error);
        Assert.Contains("Workflow 999999 does not exist.", error);
        Assert.Contains("No custom field with id 888888.", error);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(1, await DbAsync(db => db.Inventories.CountAsync(i => i.Name == "Tablets" || i.Name == "Other")));
    }

    [Fact]
    public async Task CreateInventory_NamedAsSeen_RefusesAnExistingNameWithAnInvisibleCharacter_AndDropsADirectionOverride()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await manager.RolloutIdAsync("W11");
        var workflowId = await WorkflowIdAsync();
        var tag = Guid.NewGuid().ToString("N")[..6];
        object Body(string name) => new { name, workflowId, customFieldIds = Array.Empty<int>() };

        var laptops = await manager.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories", Body("Laptops\u200B"));
        var monitors = await manager.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories", Body("Monitors\u2060"));
        var overridden = await manager.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories", Body($"Inv {tag} \u202Egnp.exe"));

        Assert.Equal(HttpStatusCode.BadRequest, laptops.StatusCode);
        Assert.Contains("already has an inventory named \"Laptops\"", (await ApiTestClient.ReadAsync(laptops))["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, monitors.StatusCode);
        Assert.Contains("already has an inventory named \"Monitors\"", (await ApiTestClient.ReadAsync(monitors))["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, overridden.StatusCode);
        Assert.Equal($"Inv {tag} gnp.exe", (await ApiTestClient.ReadAsync(overridden))["name"]!.GetValue<string>());
        Assert.Equal(1, await DbAsync(db => db.Inventories.CountAsync(i => i.Name.StartsWith("Laptops") && i.RolloutId == rolloutId)));
    }

    [Fact]
    public async Task Client_GivesValuesLinksAndHistory_ToAnyMember_AndIsNotFoundForOthers()
    {
        var clientUser = await ApiTestClient.LoginAsync(factory, "clientuser@demo.test");
        var lt1 = await ClientIdAsync("LT-0001");

        var client = await clientUser.GetJsonAsync($"/api/clients/{lt1}");

        Assert.Equal("LT-0001", client["name"]!.GetValue<string>());
        Assert.Equal("Laptops", client["inventory"]!.GetValue<string>());
        Assert.Equal("Prepared", client["status"]!.GetValue<string>());
        Assert.Equal("technician@demo.test", client["assignee"]!["email"]!.GetValue<string>());
        Assert.Equal(["Office", "VPN", "SAP GUI"], client["values"]!["Software"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("Building B, room 101", client["values"]!["Location"]!.GetValue<string>());
        var link = client["links"]!.AsArray().Single()!;
        Assert.Equal("is used with", link["reading"]!.GetValue<string>());
        Assert.Equal("MON-0001", link["otherClientName"]!.GetValue<string>());
        Assert.True(link["advanced"]!.GetValue<bool>());
        Assert.Equal("Created", client["history"]!.AsArray().Last()!["action"]!.GetValue<string>());

        var srvClient = await DbAsync(async db =>
        {
            var servers = await db.Inventories.SingleAsync(i => i.Name == "Servers");
            var status = await db.WorkflowStatuses.Where(s => s.WorkflowId == servers.WorkflowId).Select(s => s.Id).FirstAsync();
            var c = new ServerClient(servers.Id, servers.RolloutId, status).Client;
            db.Clients.Add(c);
            await db.SaveChangesAsync();
            return c.Id;
        });
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/api/clients/{srvClient}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync("/api/clients/999999")).StatusCode);
    }

    private sealed class ServerClient(int inventoryId, int rolloutId, int statusId)
    {
        public Rollouter.Import.Data.Entities.Client Client { get; } = new()
        {
            InventoryId = inventoryId, RolloutId = rolloutId, Name = "SRV-0001", StatusId = statusId,
            CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        };
    }

    [Fact]
    public async Task AdvancedLink_Answers409WithTheConflicts_ThenLinksWithKeep_AndRefusesASecondAdvancedLink()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var technician = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        // LT-0004: Building B, room 104, Operations. MON-0006 (as LT-0006): Building A, room 106, HR.
        var (lt4, mon6) = (await ClientIdAsync("LT-0004"), await ClientIdAsync("MON-0006"));
        var usedWith = await LinkTypeAsync(true);

        var forbidden = await technician.PostAsJsonAsync($"/api/clients/{lt4}/links", new { otherClientId = mon6, linkTypeId = usedWith });
        var conflict = await manager.PostAsJsonAsync($"/api/clients/{lt4}/links", new { otherClientId = mon6, linkTypeId = usedWith });

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        var conflicts = (await ApiTestClient.ReadAsync(conflict))["conflicts"]!.AsArray();
        Assert.Equal(["Department", "Location"], conflicts.Select(c => c!["field"]!.GetValue<string>()));
        Assert.Equal("Operations", conflicts[0]!["this"]!.GetValue<string>());
        Assert.Equal("HR", conflicts[0]!["other"]!.GetValue<string>());

        var badKeep = await manager.PostAsJsonAsync($"/api/clients/{lt4}/links",
            new { otherClientId = mon6, linkTypeId = usedWith, keep = new Dictionary<string, string> { ["Department"] = "mine" } });
        Assert.Equal(HttpStatusCode.BadRequest, badKeep.StatusCode);

        var linked = await manager.PostAsJsonAsync($"/api/clients/{lt4}/links", new
        {
            otherClientId = mon6, linkTypeId = usedWith,
            keep = new Dictionary<string, string> { ["Department"] = "other", ["Location"] = "this" },
        });

        Assert.Equal(HttpStatusCode.Created, linked.StatusCode);
        var client = await ApiTestClient.ReadAsync(linked);
        Assert.Equal("HR", client["values"]!["Department"]!.GetValue<string>());
        Assert.Contains(client["links"]!.AsArray(), l => l!["otherClientName"]!.GetValue<string>() == "MON-0006");
        var history = client["history"]!.AsArray()[0]!["changes"]!.AsArray();
        Assert.Contains(history, c => c!["field"]!.GetValue<string>() == "Department" && c["old"]!.GetValue<string>() == "Operations" && c["new"]!.GetValue<string>() == "HR");
        var monitor = await manager.GetJsonAsync($"/api/clients/{mon6}");
        Assert.Equal("Building B, room 104", monitor["values"]!["Location"]!.GetValue<string>());

        var second = await manager.PostAsJsonAsync($"/api/clients/{await ClientIdAsync("MON-0007")}/links",
            new { otherClientId = lt4, linkTypeId = usedWith, direction = "inward" });
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Contains("\"LT-0004\" already has an advanced link (to \"MON-0006\")", (await ApiTestClient.ReadAsync(second))["error"]!.GetValue<string>());

        var linkId = client["links"]!.AsArray().Single(l => l!["otherClientName"]!.GetValue<string>() == "MON-0006")!["id"]!.GetValue<int>();
        Assert.Equal(HttpStatusCode.NoContent, (await manager.DeleteAsync($"/api/clients/{lt4}/links/{linkId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.DeleteAsync($"/api/clients/{lt4}/links/{linkId}")).StatusCode);
        Assert.False(await DbAsync(db => db.AdvancedLinkMemberships.AnyAsync(m => m.ClientId == lt4 || m.ClientId == mon6)));
    }

    /// <summary>A link needs a <c>linkTypeId</c>: the API lists the types, as the client page offers them, to those who may link.</summary>
    [Fact]
    public async Task LinkTypes_AreListedWithTheirReadingsAndSharedFields_ForThoseWhoMayLink()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var technician = await ApiTestClient.LoginAsync(factory, "technician@demo.test");

        var types = (await manager.GetJsonAsync("/api/link-types")).AsArray();
        var refused = await technician.GetAsync("/api/link-types");

        var usedWith = types.Single(t => t!["outwardName"]!.GetValue<string>() == "is used with")!;
        Assert.Equal(await LinkTypeAsync(true), usedWith.Id());
        Assert.Equal(("is used with", true), (usedWith["inwardName"]!.GetValue<string>(), usedWith["advanced"]!.GetValue<bool>()));
        Assert.Equal(["Department", "Location"], usedWith["sharedFields"]!.AsArray().Select(f => f!.GetValue<string>()));
        var replaces = types.Single(t => t!["outwardName"]!.GetValue<string>() == "replaces")!;
        Assert.Equal(await LinkTypeAsync(false), replaces.Id());
        Assert.Equal(("is replaced by", false), (replaces["inwardName"]!.GetValue<string>(), replaces["advanced"]!.GetValue<bool>()));
        Assert.Empty(replaces["sharedFields"]!.AsArray());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(await DbAsync(db => db.ClientLinkTypes.CountAsync()), types.Count);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheNewCalls()
    {
        var document = await factory.CreateBrowser().GetStringAsync("/openapi/v1.json");

        Assert.Contains("/api/rollouts/{id}/inventories", document);
        Assert.Contains("/api/clients/{id}/links", document);
        Assert.Contains("/api/clients/{id}\"", document);
        Assert.Contains("/api/inventories/{id}/export", document);
        Assert.Contains("\"/api/link-types\"", document);
    }
}

public sealed class SqliteInventoryAndClientApiTests(RolloutWebFactory factory)
    : InventoryAndClientApiTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresInventoryAndClientApiTests(PostgresWebFactory factory)
    : InventoryAndClientApiTests(factory), IClassFixture<PostgresWebFactory>;
