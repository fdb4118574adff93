using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// A user's page lists the user's rollouts a page at a time, each with a Remove button, and finds another rollout to add
/// them to by a part of its name or identifier (decision 0131). It showed every rollout the editor sees as a checkbox: an
/// administrator of 2,000 rollouts had a 620 KB page.
/// </summary>
public abstract class UserRolloutsTests(RolloutWebFactory factory)
{
    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary><paramref name="count"/> rollouts "{tag} 001"…, identifiers "{tag}-001"…; the user is in the first <paramref name="member"/>.</summary>
    private Task<List<int>> RolloutsAsync(string tag, int count, int member, params int[] members) => factory.WithDbAsync(async db =>
    {
        var rollouts = Enumerable.Range(1, count).Select(i => new Rollout
        {
            Name = $"{tag} {i:000}", Identifier = $"{tag}-{i:000}",
            Members = i <= member ? [.. members.Select(m => new RolloutMember { UserId = m })] : [],
        }).ToList();
        db.Rollouts.AddRange(rollouts);
        await db.SaveChangesAsync();
        return rollouts.Select(r => r.Id).ToList();
    });

    private Task<int> UserAsync(string tag) => factory.WithDbAsync(async db =>
    {
        var email = $"{tag}@rollouts.test".ToLowerInvariant();
        var user = new User
        {
            UserName = email, Email = email, NormalizedEmail = email.ToUpperInvariant(), NormalizedUserName = email.ToUpperInvariant(),
            DisplayName = "Rita " + tag, UserCode = tag, Role = Role.Technician, SecurityStamp = Guid.NewGuid().ToString(),
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    });

    private Task<int> UserIdAsync(string email) => factory.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    private Task<List<int>> MembershipsAsync(int userId) =>
        factory.WithDbAsync(db => db.RolloutMembers.Where(m => m.UserId == userId).Select(m => m.RolloutId).OrderBy(i => i).ToListAsync());

    private static int Rows(string page, string testId) =>
        new AngleSharp.Html.Parser.HtmlParser().ParseDocument(page).QuerySelectorAll($"[data-testid={testId}] tbody tr, [data-testid={testId}] li").Length;

    private static string Text(string page, string testId) => string.Join(' ',
        (new AngleSharp.Html.Parser.HtmlParser().ParseDocument(page).QuerySelector($"[data-testid={testId}]")?.TextContent ?? "")
            .Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public async Task AUsersPage_WithManyRollouts_ListsAHundredOfTheirs_AndFindsOthersByName()
    {
        var tag = "UR" + Guid.NewGuid().ToString("N")[..6];
        var userId = await UserAsync(tag);
        await RolloutsAsync(tag, 130, 105, userId);
        var admin = await factory.SignInAsync("admin@demo.test");

        var first = await admin.PageAsync($"/settings/users/{Id(userId)}");
        var second = await admin.PageAsync($"/settings/users/{Id(userId)}?page=2");
        var searched = await admin.PageAsync($"/settings/users/{Id(userId)}?q={tag}-10");
        var found = await admin.PageAsync($"/settings/users/{Id(userId)}?find={tag.ToLowerInvariant()}");
        var foundOne = await admin.PageAsync($"/settings/users/{Id(userId)}?find={tag}-12");

        // No checkbox per rollout any more: the page is one page of the user's rollouts, whatever the installation holds.
        Assert.DoesNotContain("name=\"RolloutIds\"", first);
        Assert.Equal(100, Rows(first, "user-rollouts-list"));
        Assert.Equal("Rollouts 1–100 of 105", Text(first, "user-rollouts-count"));
        Assert.True(first.Length < 80_000, $"{first.Length} characters");
        Assert.Equal(5, Rows(second, "user-rollouts-list"));
        Assert.Contains($"{tag}-105", second);
        // 100 to 105: "-10" in the identifier.
        Assert.Equal(6, Rows(searched, "user-rollouts-list"));
        // 25 rollouts the user is not in match: the first 20 are offered, with a note.
        Assert.Equal(20, Rows(found, "user-rollouts-found"));
        Assert.Contains($"{tag} 106", found);
        Assert.DoesNotContain($"{tag} 105", Text(found, "user-rollouts-found"));
        Assert.Contains("The first 20 matches are listed", Text(found, "user-rollouts-found-more"));
        // 120 to 129, of the rollouts the user is not in.
        Assert.Equal(10, Rows(foundOne, "user-rollouts-found"));
    }

    [Fact]
    public async Task AddingAndRemovingOneRollout_ChangesOnlyThatMembership_AndSavingTheAccountKeepsThem()
    {
        var tag = "UA" + Guid.NewGuid().ToString("N")[..6];
        var userId = await UserAsync(tag);
        var rollouts = await RolloutsAsync(tag, 3, 2, userId);
        var admin = await factory.SignInAsync("admin@demo.test");
        var page = $"/settings/users/{Id(userId)}";

        var (addStatus, added, _) = await admin.SubmitAsync($"{page}/rollouts", new() { ["rolloutId"] = Id(rollouts[2]) },
            $"{page}?find={tag}-003");
        var afterAdd = await MembershipsAsync(userId);
        var (removeStatus, removed, _) = await admin.SubmitAsync($"{page}/rollouts/remove", new() { ["rolloutId"] = Id(rollouts[0]) }, page);
        var afterRemove = await MembershipsAsync(userId);
        var (_, saved, _) = await admin.SubmitAsync(page, new()
        {
            ["DisplayName"] = "Rita Renamed " + tag, ["Email"] = $"{tag}@rollouts.test".ToLowerInvariant(), ["UserCode"] = tag,
            ["Role"] = "Technician", ["keepRollouts"] = "true",
        });

        Assert.Equal(HttpStatusCode.OK, addStatus);
        Assert.Contains($"Rita {tag} was added to {tag} 003 ({tag}-003).", added);
        Assert.Equal(rollouts.Order(), afterAdd);
        Assert.Equal(HttpStatusCode.OK, removeStatus);
        Assert.Contains($"Rita {tag} was removed from {tag} 001 ({tag}-001).", removed);
        Assert.Equal([rollouts[1], rollouts[2]], afterRemove);
        Assert.Contains($"Rita Renamed {tag} was saved.", saved);
        Assert.Equal([rollouts[1], rollouts[2]], await MembershipsAsync(userId));
    }

    [Fact]
    public async Task AddingOrRemoving_IsRefusedWithAReason_ForAnotherManagersRollout_AnUnknownOne_OrOneTheUserIsAlreadyIn()
    {
        var tag = "UX" + Guid.NewGuid().ToString("N")[..6];
        var userId = await UserAsync(tag);
        var managerId = await UserIdAsync("manager@demo.test");
        // The manager and the user share the first two; the third is not the manager's.
        var shared = await RolloutsAsync(tag + "m", 2, 1, userId, managerId);
        await factory.WithDbAsync(async db =>
        {
            db.RolloutMembers.Add(new RolloutMember { RolloutId = shared[1], UserId = managerId });
            return await db.SaveChangesAsync();
        });
        var others = await RolloutsAsync(tag + "o", 1, 0);
        var manager = await factory.SignInAsync("manager@demo.test");
        var technician = await factory.SignInAsync("technician@demo.test");
        var page = $"/settings/users/{Id(userId)}";

        var notTheirs = await RolloutWebFactory.PostFormAsync(manager, $"{page}/rollouts", new() { ["rolloutId"] = Id(others[0]) }, page);
        var unknown = await RolloutWebFactory.PostFormAsync(manager, $"{page}/rollouts", new() { ["rolloutId"] = "99999999" }, page);
        var already = await RolloutWebFactory.PostFormAsync(manager, $"{page}/rollouts", new() { ["rolloutId"] = Id(shared[0]) }, page);
        var removeOther = await RolloutWebFactory.PostFormAsync(manager, $"{page}/rollouts/remove", new() { ["rolloutId"] = Id(others[0]) }, page);
        var removeNotMember = await RolloutWebFactory.PostFormAsync(manager, $"{page}/rollouts/remove", new() { ["rolloutId"] = Id(shared[1]) }, page);
        var byTechnician = await RolloutWebFactory.PostFormAsync(technician, $"{page}/rollouts", new() { ["rolloutId"] = Id(shared[1]) },
            "/rollouts");
        var adminId = await UserIdAsync("admin@demo.test");
        var adminsPage = await RolloutWebFactory.PostFormAsync(manager, $"/settings/users/{Id(adminId)}/rollouts",
            new() { ["rolloutId"] = Id(shared[1]) }, page);
        var found = await manager.PageAsync($"{page}?find={tag}");

        Assert.Equal(HttpStatusCode.BadRequest, notTheirs.StatusCode);
        Assert.Contains("There is no such rollout among the rollouts you manage", SettingsTestSupport.Text(await notTheirs.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("There is no such rollout among the rollouts you manage", SettingsTestSupport.Text(await unknown.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Conflict, already.StatusCode);
        Assert.Contains($"Rita {tag} is already a member of {tag}m 001 ({tag}m-001).",
            SettingsTestSupport.Text(await already.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.NotFound, removeOther.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, removeNotMember.StatusCode);
        Assert.Contains($"Rita {tag} is not a member of {tag}m 002 ({tag}m-002).",
            SettingsTestSupport.Text(await removeNotMember.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Redirect, byTechnician.StatusCode);
        Assert.StartsWith("/account/denied", byTechnician.Headers.Location?.PathAndQuery);
        Assert.Equal(HttpStatusCode.NotFound, adminsPage.StatusCode);
        // The manager is offered only their own rollout the user is not in.
        Assert.Contains($"{tag}m-002", Text(found, "user-rollouts-found"));
        Assert.DoesNotContain($"{tag}o-001", found);
        Assert.Equal([shared[0]], await MembershipsAsync(userId));
    }
}

public sealed class SqliteUserRolloutsTests(RolloutWebFactory factory)
    : UserRolloutsTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresUserRolloutsTests(PostgresWebFactory factory)
    : UserRolloutsTests(factory), IClassFixture<PostgresWebFactory>;
