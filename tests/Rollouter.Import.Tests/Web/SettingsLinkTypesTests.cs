using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>Client link types: administrators only; shared fields for advanced types.</summary>
public abstract class SettingsLinkTypesTests(RolloutWebFactory factory)
{
    private Task<int> FieldIdAsync(string name) =>
        factory.WithDbAsync(db => db.CustomFields.Where(f => f.Name == name).Select(f => f.Id).SingleAsync());

    [Fact]
    public async Task Administrator_CreatesAndEditsAnAdvancedLinkType_WithSharedFields()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var location = await FieldIdAsync("Location");
        var notes = await FieldIdAsync("Notes");

        var (status, page, _) = await admin.SubmitAsync("/settings/link-types/new", new()
        {
            ["OutwardName"] = "docks", ["InwardName"] = "is docked to", ["IsAdvanced"] = "true",
            ["SharedFieldIds"] = location.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("The link type docks / is docked to was created.", page);
        var type = await factory.WithDbAsync(db => db.ClientLinkTypes.AsNoTracking().Include(t => t.SharedFields).SingleAsync(t => t.OutwardName == "docks"));
        Assert.True(type.IsAdvanced);
        Assert.Equal([location], type.SharedFields.Select(f => f.CustomFieldId));

        var (_, saved, _) = await admin.SubmitAsync($"/settings/link-types/{type.Id}", new()
        {
            ["OutwardName"] = "docks onto", ["InwardName"] = "is docked to", ["IsAdvanced"] = "true",
            ["SharedFieldIds"] = notes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Assert.Contains("The link type docks onto / is docked to was saved.", saved);
        type = await factory.WithDbAsync(db => db.ClientLinkTypes.AsNoTracking().Include(t => t.SharedFields).SingleAsync(t => t.Id == type.Id));
        Assert.Equal("docks onto", type.OutwardName);
        Assert.Equal([notes], type.SharedFields.Select(f => f.CustomFieldId));
        Assert.Contains("docks onto", await admin.PageAsync("/settings/link-types"));
    }

    [Theory]
    [InlineData("", "x", false, "Enter the outward name")]
    [InlineData("x", "", false, "Enter the inward name")]
    [InlineData("REPLACES", "x", false, "Another link type is already named \"REPLACES\".")]
    [InlineData("shares", "shares", false, "Only advanced link types share fields")]
    public async Task Create_WithBadInput_IsRefused(string outward, string inward, bool advanced, string message)
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var location = await FieldIdAsync("Location");
        var before = await factory.WithDbAsync(db => db.ClientLinkTypes.CountAsync());
        var form = new Dictionary<string, string> { ["OutwardName"] = outward, ["InwardName"] = inward, ["IsAdvanced"] = advanced ? "true" : "false" };
        if (outward == "shares")
        {
            form["SharedFieldIds"] = location.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var (_, page, _) = await admin.SubmitAsync("/settings/link-types/new", form);

        Assert.Contains(message, page);
        Assert.Equal(before, await factory.WithDbAsync(db => db.ClientLinkTypes.CountAsync()));
    }

    [Fact]
    public async Task AdvancedFlag_OfATypeInUse_CannotChange()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var usedWith = await factory.WithDbAsync(db => db.ClientLinkTypes.SingleAsync(t => t.OutwardName == "is used with"));

        var response = await RolloutWebFactory.PostFormAsync(admin, $"/settings/link-types/{usedWith.Id}",
            new() { ["OutwardName"] = "is used with", ["InwardName"] = "is used with", ["IsAdvanced"] = "false" });

        Assert.Contains("whether it is advanced can no longer change", SettingsTestSupport.Text(await response.Content.ReadAsStringAsync()));
        Assert.True(await factory.WithDbAsync(db => db.ClientLinkTypes.Where(t => t.Id == usedWith.Id).Select(t => t.IsAdvanced).SingleAsync()));
    }

    private static string Of(int id) => id.ToString(CultureInfo.InvariantCulture);

    private async Task<int> CreateTypeAsync(HttpClient admin, string outward, string inward)
    {
        var (status, _, _) = await admin.SubmitAsync("/settings/link-types/new", new() { ["OutwardName"] = outward, ["InwardName"] = inward });
        Assert.Equal(HttpStatusCode.OK, status);
        return await factory.WithDbAsync(db => db.ClientLinkTypes.Where(t => t.OutwardName == outward).Select(t => t.Id).SingleAsync());
    }

    [Fact]
    public async Task ALinkTypeNoLinkUses_IsDeleted_AfterAConfirmation()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var type = await CreateTypeAsync(admin, "mistyped", "is mistyped");
        var path = $"/settings/link-types/{Of(type)}/delete";

        Assert.Contains($"/settings/link-types/{Of(type)}/delete", (await admin.GetPageAsync($"/settings/link-types/{Of(type)}")).Links());
        var confirmation = await admin.GetPageAsync(path);
        Assert.Contains("No link uses this link type.", confirmation.TestId("link-type-unused").NormalizedText());
        Assert.NotNull(confirmation.FindForm(path));
        var (status, page, redirectedTo) = await admin.SubmitAsync(path, new());

        Assert.Equal((HttpStatusCode.OK, "/settings/link-types#page-message"), (status, redirectedTo));
        Assert.Contains("The link type mistyped / is mistyped was deleted.", page);
        Assert.DoesNotContain("mistyped", SettingsTestSupport.ListText(page, "link-types"));
        Assert.False(await factory.WithDbAsync(db => db.ClientLinkTypes.AnyAsync(t => t.Id == type)));
        Assert.DoesNotContain((await api.GetJsonAsync("/api/link-types")).AsArray(), t => t!["id"]!.GetValue<int>() == type);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync($"/api/link-types/{Of(type)}")).StatusCode);
    }

    [Fact]
    public async Task ALinkTypeInUse_IsNotDeleted_TheConfirmationSaysHowManyLinksBetweenWhichInventories()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var type = await CreateTypeAsync(admin, "backs up", "is backed up by");
        async Task<List<int>> ClientsOfAsync(string inventory, int count) => await factory.WithDbAsync(async db =>
        {
            var id = await db.Inventories.Where(i => i.Name == inventory && i.Rollout.Identifier == "W11").Select(i => i.Id).SingleAsync();
            return await db.Clients.Where(c => c.InventoryId == id).OrderBy(c => c.Id).Select(c => c.Id).Take(count).ToListAsync();
        });
        var laptops = await ClientsOfAsync("Laptops", 3);
        var monitor = (await ClientsOfAsync("Monitors", 1))[0];
        var links = new List<(int Client, int Link)>();
        foreach (var (from, to) in new[] { (laptops[0], laptops[1]), (laptops[0], laptops[2]), (laptops[1], monitor) })
        {
            var linked = await api.PostAsJsonAsync($"/api/clients/{Of(from)}/links", new { otherClientId = to, linkTypeId = type });
            Assert.Equal(HttpStatusCode.Created, linked.StatusCode);
            var link = (await ApiTestClient.ReadAsync(linked))["links"]!.AsArray()
                .Single(l => l!["linkTypeId"]!.GetValue<int>() == type && l["otherClientId"]!.GetValue<int>() == to)!;
            links.Add((from, link.Id()));
        }

        var path = $"/settings/link-types/{Of(type)}/delete";
        var confirmation = await admin.GetPageAsync(path);
        var refusedByApi = await api.DeleteAsync($"/api/link-types/{Of(type)}");

        Assert.StartsWith("3 links use this link type, so it cannot be deleted:", confirmation.TestId("link-type-in-use").NormalizedText());
        Assert.Equal(["2 links within Laptops in Windows 11 Refresh", "1 link between Laptops and Monitors in Windows 11 Refresh"],
            confirmation.QuerySelectorAll("[data-testid=link-type-links-between]").Select(e => e.NormalizedText()));
        Assert.Equal(3, confirmation.TestId("link-type-links").QuerySelectorAll("tbody tr").Length);
        Assert.Null(confirmation.FindForm(path));
        Assert.Equal(HttpStatusCode.Conflict, refusedByApi.StatusCode);
        Assert.Equal("The link type \"backs up\" cannot be deleted: 3 links use it (2 links within Laptops in Windows 11 Refresh; " +
                     "1 link between Laptops and Monitors in Windows 11 Refresh). Remove those links on the clients' pages first, or rename the link type instead.",
            (await ApiTestClient.ReadAsync(refusedByApi))["detail"]!.GetValue<string>());
        Assert.True(await factory.WithDbAsync(db => db.ClientLinkTypes.AnyAsync(t => t.Id == type)));

        // A form posted anyway (the page offers none) is refused with the same words, and nothing is deleted.
        var posted = await RolloutWebFactory.PostFormAsync(admin, path, new(), $"/settings/link-types/{Of(type)}");
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Contains("cannot be deleted: 3 links use it", (await posted.ReadPageAsync()).One("[role=alert]").NormalizedText());
        Assert.Equal(3, await factory.WithDbAsync(db => db.ClientLinks.CountAsync(l => l.ClientLinkTypeId == type)));

        // Once its links are removed, it goes.
        foreach (var (client, link) in links)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/clients/{Of(client)}/links/{Of(link)}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/link-types/{Of(type)}")).StatusCode);
        Assert.False(await factory.WithDbAsync(db => db.ClientLinkTypes.AnyAsync(t => t.Id == type)));
    }

    [Fact]
    public async Task DeletingALinkType_IsForAdministrators_WithTheFormsToken()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var manager = await factory.SignInAsync("manager@demo.test");
        var managerApi = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var type = await CreateTypeAsync(admin, "guards", "is guarded by");
        var path = $"/settings/link-types/{Of(type)}/delete";

        var page = await manager.GetAsync(path);
        var posted = await RolloutWebFactory.PostFormAsync(manager, path, new(), "/rollouts");
        var byApi = await managerApi.DeleteAsync($"/api/link-types/{Of(type)}");
        var withoutToken = await admin.PostAsync(path, new FormUrlEncodedContent([]));

        Assert.StartsWith("/account/denied", page.Headers.Location!.PathAndQuery);
        Assert.StartsWith("/account/denied", posted.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Forbidden, byApi.StatusCode);
        Assert.Equal("Only administrators do this.", (await ApiTestClient.ReadAsync(byApi))["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        Assert.True(await factory.WithDbAsync(db => db.ClientLinkTypes.AnyAsync(t => t.Id == type)));
    }

    [Fact]
    public async Task RolloutManager_IsForbidden_AndSeesNoLinkTypesTab()
    {
        var manager = await factory.SignInAsync("manager@demo.test");

        var list = await manager.GetAsync("/settings/link-types");
        var create = await RolloutWebFactory.PostFormAsync(manager, "/settings/link-types/new",
            new() { ["OutwardName"] = "sneaks", ["InwardName"] = "is sneaked" }, "/settings/users");

        Assert.StartsWith("/account/denied", list.Headers.Location!.PathAndQuery);
        Assert.StartsWith("/account/denied", create.Headers.Location!.PathAndQuery);
        Assert.DoesNotContain("/settings/link-types", await manager.GetStringAsync("/settings/users"));
        Assert.False(await factory.WithDbAsync(db => db.ClientLinkTypes.AnyAsync(t => t.OutwardName == "sneaks")));
    }
}

public sealed class SqliteSettingsLinkTypesTests(RolloutWebFactory factory)
    : SettingsLinkTypesTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresSettingsLinkTypesTests(PostgresWebFactory factory)
    : SettingsLinkTypesTests(factory), IClassFixture<PostgresWebFactory>;
