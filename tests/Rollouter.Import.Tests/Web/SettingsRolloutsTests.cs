using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>Rollouts: administrators create and edit them; members by administrators and member rollout managers.</summary>
public abstract class SettingsRolloutsTests(RolloutWebFactory factory)
{
    private Task<int> UserIdAsync(string email) =>
        factory.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    private Task<int> RolloutIdAsync(string identifier) =>
        factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == identifier).Select(r => r.Id).SingleAsync());

    [Fact]
    public async Task Administrator_CreatesARollout_AddsAndRemovesMembers_AndTheMemberSeesIt()
    {
        var admin = await factory.SignInAsync("admin@demo.test");

        var (status, page, location) = await admin.SubmitAsync("/settings/rollouts/new",
            new() { ["Name"] = "Printer Swap", ["Identifier"] = "PRN-26", ["ClientLimit"] = "250" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("The rollout Printer Swap was created.", page);
        var id = await RolloutIdAsync("PRN-26");
        Assert.Equal($"/settings/rollouts/{id}#page-message", location);
        var technician = await UserIdAsync("technician@demo.test");
        var (_, added, _) = await admin.SubmitAsync($"/settings/rollouts/{id}/members",
            new() { ["UserId"] = technician.ToString(System.Globalization.CultureInfo.InvariantCulture) }, location);
        Assert.Contains("The member was added.", added);
        Assert.Contains("Tina Technician", added);
        var tina = await factory.SignInAsync("technician@demo.test");
        Assert.Contains("Printer Swap", await tina.GetStringAsync("/rollouts"));
        Assert.Equal(HttpStatusCode.OK, (await tina.GetAsync("/rollouts/PRN-26")).StatusCode);

        await admin.SubmitAsync($"/settings/rollouts/{id}/members/{technician}/remove", [], location);

        Assert.DoesNotContain("Printer Swap", await tina.GetStringAsync("/rollouts"));
        Assert.Equal(HttpStatusCode.NotFound, (await tina.GetAsync("/rollouts/PRN-26")).StatusCode);
    }

    [Fact]
    public async Task Administrator_EditsARollout_AndItsAddressFollowsTheIdentifier()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        await admin.SubmitAsync("/settings/rollouts/new", new() { ["Name"] = "Phones", ["Identifier"] = "PHN" });
        var id = await RolloutIdAsync("PHN");

        var (_, page, _) = await admin.SubmitAsync($"/settings/rollouts/{id}",
            new() { ["Name"] = "Phones 2026", ["Identifier"] = "PHN26", ["ClientLimit"] = "" });

        Assert.Contains("The rollout Phones 2026 was saved.", page);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/rollouts/PHN26")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/rollouts/PHN")).StatusCode);
    }

    [Theory]
    [InlineData("", "W12", "", "Enter the rollout's name.")]
    [InlineData("Bad", "has space", "", "The identifier is 1 to 32 letters")]
    [InlineData("Bad", "-dash", "", "The identifier is 1 to 32 letters")]
    [InlineData("Bad", "ThisIdentifierIsFarTooLongForAnAddress", "", "The identifier is 1 to 32 letters")]
    [InlineData("Bad", "w11", "", "Another rollout already has the identifier \"w11\".")]
    [InlineData("Bad", "BAD1", "-1", "The client limit is a whole number, 0 or more")]
    [InlineData("Bad", "BAD2", "many", "The value 'many' is not valid for Client limit.")]
    public async Task Create_WithBadInput_ShowsTheMessage_AndCreatesNothing(string name, string identifier, string limit, string message)
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var before = await factory.WithDbAsync(db => db.Rollouts.CountAsync());

        var (status, page, _) = await admin.SubmitAsync("/settings/rollouts/new",
            new() { ["Name"] = name, ["Identifier"] = identifier, ["ClientLimit"] = limit });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(message, page);
        Assert.Equal(before, await factory.WithDbAsync(db => db.Rollouts.CountAsync()));
    }

    [Fact]
    public async Task ClientLimit_SavedWhileAnImportCommits_IsComparedWithTheClientsItCommitted()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var identifier = "LR" + Guid.NewGuid().ToString("N")[..6];
        await admin.SubmitAsync("/settings/rollouts/new", new() { ["Name"] = "Limit race " + identifier, ["Identifier"] = identifier, ["ClientLimit"] = "" });
        var rolloutId = await RolloutIdAsync(identifier);
        var inventoryId = await factory.WithDbAsync(async db =>
        {
            var inventory = new Rollouter.Import.Data.Entities.Inventory
            {
                Name = "Desks", RolloutId = rolloutId, WorkflowId = await db.Workflows.Select(w => w.Id).FirstAsync(), ClientCount = 5,
            };
            db.Inventories.Add(inventory);
            await db.SaveChangesAsync();
            return inventory.Id;
        });

        // An import's writer: the rollout's write lock, its clients counted (10 more), not committed yet.
        using var scope = factory.Services.CreateScope();
        var importDb = scope.ServiceProvider.GetRequiredService<Rollouter.Import.Data.RolloutDbContext>();
        await using var import = await importDb.Database.BeginTransactionAsync();
        await Rollouter.Import.Importing.Writing.RolloutWriteLock.AcquireAsync(importDb, rolloutId, CancellationToken.None);
        await importDb.Inventories.Where(i => i.Id == inventoryId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.ClientCount, i => i.ClientCount + 10));

        // A limit of 5, the clients committed so far, is saved meanwhile: it waits for the import's commit.
        var saving = admin.SubmitAsync($"/settings/rollouts/{rolloutId}",
            new() { ["Name"] = "Limit race " + identifier, ["Identifier"] = identifier, ["ClientLimit"] = "5" });
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.False(saving.IsCompleted, "The limit was saved while an import of the rollout was committing its clients.");
        await import.CommitAsync();

        var (_, page, _) = await saving;
        Assert.Contains("The rollout already holds 15 clients: the client limit cannot be lower.", page);
        Assert.Null(await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Id == rolloutId).Select(r => r.ClientLimit).SingleAsync()));
    }

    [Fact]
    public async Task ARolloutOfOneClient_SaysOneClient_OnItsPage_AndWhenTheLimitIsSetBelowIt()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var identifier = "ONE" + Guid.NewGuid().ToString("N")[..6];
        await admin.SubmitAsync("/settings/rollouts/new", new() { ["Name"] = "One " + identifier, ["Identifier"] = identifier, ["ClientLimit"] = "" });
        var rolloutId = await RolloutIdAsync(identifier);
        await factory.WithDbAsync(async db =>
        {
            db.Inventories.Add(new Rollouter.Import.Data.Entities.Inventory
            {
                Name = "Desks", RolloutId = rolloutId, WorkflowId = await db.Workflows.Select(w => w.Id).FirstAsync(), ClientCount = 1,
            });
            return await db.SaveChangesAsync();
        });

        var (_, refused, _) = await admin.SubmitAsync($"/settings/rollouts/{rolloutId}",
            new() { ["Name"] = "One " + identifier, ["Identifier"] = identifier, ["ClientLimit"] = "0" });
        Assert.Contains("The rollout already holds 1 client: the client limit cannot be lower.", refused);

        var page = (await admin.GetPageAsync($"/rollouts/{identifier}")).Body!.NormalizedText();
        Assert.Contains("1 client.", page, StringComparison.Ordinal);
        Assert.DoesNotContain("1 clients", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientLimit_BelowTheRolloutsClients_IsRefused()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var id = await RolloutIdAsync("W11");

        var (_, page, _) = await admin.SubmitAsync($"/settings/rollouts/{id}",
            new() { ["Name"] = "Windows 11 Refresh", ["Identifier"] = "W11", ["ClientLimit"] = "10" });

        Assert.Contains("The rollout already holds 50 clients: the client limit cannot be lower.", page);
        Assert.Equal(5000, await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Id == id).Select(r => r.ClientLimit).SingleAsync()));
    }

    [Fact]
    public async Task RolloutManager_ManagesMembersOfOwnRollout_ButCreatesAndEditsNothing_AndForeignRolloutsDoNotExist()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var w11 = await RolloutIdAsync("W11");
        var srv = await RolloutIdAsync("SRV");

        var list = await manager.PageAsync("/settings/rollouts");
        var page = await manager.PageAsync($"/settings/rollouts/{w11}");
        var create = await RolloutWebFactory.PostFormAsync(manager, "/settings/rollouts/new",
            new() { ["Name"] = "Sneaky", ["Identifier"] = "SNK" }, "/settings/rollouts");
        var edit = await RolloutWebFactory.PostFormAsync(manager, $"/settings/rollouts/{w11}",
            new() { ["Name"] = "Renamed", ["Identifier"] = "W11" }, "/settings/rollouts");

        Assert.DoesNotContain("Server Migration", list);
        Assert.DoesNotContain("/settings/rollouts/new", list);
        // The members' search box is a GET form to the same address (decision 0129): only a form that posts there saves.
        Assert.False(HtmlPage.Parse(page).Has($"form:not([method=get])[action='/settings/rollouts/{w11}'], [formaction='/settings/rollouts/{w11}']"), "the rollout can be saved");
        Assert.Contains($"/settings/rollouts/{w11}/members", page);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/settings/rollouts/{srv}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await RolloutWebFactory.PostFormAsync(manager, $"/settings/rollouts/{srv}/members",
            new() { ["UserId"] = "1" }, "/settings/rollouts")).StatusCode);
        foreach (var response in new[] { create, edit })
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/denied", response.Headers.Location!.PathAndQuery);
        }

        Assert.Equal("Windows 11 Refresh", await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Id == w11).Select(r => r.Name).SingleAsync()));
        Assert.False(await factory.WithDbAsync(db => db.Rollouts.AnyAsync(r => r.Identifier == "SNK")));

        // A user of W11 joins another rollout of the manager's through its members page (users of other rollouts are
        // not offered: UserAccessTests).
        var second = await factory.WithDbAsync(async db =>
        {
            var rollout = new Rollouter.Import.Data.Entities.Rollout { Name = "Second Wave", Identifier = "W12", CreatedAt = DateTimeOffset.UtcNow };
            db.Rollouts.Add(rollout);
            await db.SaveChangesAsync();
            var managerId = await db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync();
            db.RolloutMembers.Add(new Rollouter.Import.Data.Entities.RolloutMember { RolloutId = rollout.Id, UserId = managerId });
            await db.SaveChangesAsync();
            return rollout.Id;
        });
        var technician = await factory.WithDbAsync(db => db.Users.Where(u => u.Email == "technician@demo.test").Select(u => u.Id).SingleAsync());
        var (_, added, _) = await manager.SubmitAsync($"/settings/rollouts/{second}/members",
            new() { ["UserId"] = technician.ToString(System.Globalization.CultureInfo.InvariantCulture) }, $"/settings/rollouts/{second}");
        Assert.Contains("The member was added.", added);
        Assert.True(await factory.WithDbAsync(db => db.RolloutMembers.AnyAsync(m => m.RolloutId == second && m.UserId == technician)));
    }
}

public sealed class SqliteSettingsRolloutsTests(RolloutWebFactory factory)
    : SettingsRolloutsTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresSettingsRolloutsTests(PostgresWebFactory factory)
    : SettingsRolloutsTests(factory), IClassFixture<PostgresWebFactory>;
