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

    private static int Boxes(string page, string testId, bool? ticked = null) =>
        new AngleSharp.Html.Parser.HtmlParser().ParseDocument(page)
            .QuerySelectorAll($"[data-testid={testId}] input[name=RolloutIds]")
            .Count(i => ticked is null || i.HasAttribute("checked") == ticked);

    /// <summary>Posts the new user's form as a browser does, with a field sent several times (rollouts ticked).</summary>
    private static async Task<HttpResponseMessage> PostNewUserAsync(HttpClient client, params (string Name, string Value)[] fields)
    {
        var token = RolloutWebFactory.AntiforgeryToken(await client.GetStringAsync("/settings/users/new"));
        return await client.PostAsync("/settings/users/new", new FormUrlEncodedContent(
            fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).Append(new("__RequestVerificationToken", token))));
    }

    [Fact]
    public async Task TheNewUserPage_WithManyRollouts_OffersTwenty_FindsOthers_AndKeepsThoseTickedAcrossASearch()
    {
        var tag = "UN" + Guid.NewGuid().ToString("N")[..6];
        var rollouts = await RolloutsAsync(tag, 130, 0);
        var admin = await factory.SignInAsync("admin@demo.test");

        var first = await admin.PageAsync("/settings/users/new");
        var found = await admin.PageAsync($"/settings/users/new?find={tag}-12");

        // 20 of the administrator's rollouts as checkboxes, whatever the installation holds, with a note and a search.
        Assert.Equal(20, Boxes(first, "new-user-rollouts"));
        Assert.True(first.Length < 40_000, $"{first.Length} characters");
        Assert.Contains("The first 20 of your", Text(first, "new-user-rollouts-found-more"));
        Assert.Equal(10, Boxes(found, "new-user-rollouts-found"));

        // Find with one ticked: nothing is created, the form comes back as sent (but its password), the tick kept.
        var searched = await PostNewUserAsync(admin, ("DisplayName", "Nina " + tag), ("Email", $"{tag}@new.test"), ("UserCode", tag),
            ("Role", "Technician"), ("Invite", "false"), ("Password", "Str0ng!Passw0rd"), ("ConfirmPassword", "Str0ng!Passw0rd"),
            ("RolloutIds", Id(rollouts[4])), ("find", $"{tag}-12"), ("findRollouts", "true"));
        var again = await searched.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, searched.StatusCode);
        Assert.False(await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.UserCode == tag)));
        Assert.Contains($"value=\"Nina {tag}\"", again);
        Assert.DoesNotContain("Str0ng!Passw0rd", again);
        Assert.Equal(1, Boxes(again, "new-user-rollouts-chosen", ticked: true));
        Assert.Contains($"{tag}-005", Text(again, "new-user-rollouts-chosen"));
        Assert.Equal(10, Boxes(again, "new-user-rollouts-found", ticked: false));

        // Create with the one kept and one found: the user is in those two.
        var created = await PostNewUserAsync(admin, ("DisplayName", "Nina " + tag), ("Email", $"{tag}@new.test"), ("UserCode", tag),
            ("Role", "Technician"), ("Invite", "false"), ("Password", "Str0ng!Passw0rd"), ("ConfirmPassword", "Str0ng!Passw0rd"),
            ("RolloutIds", Id(rollouts[4])), ("RolloutIds", Id(rollouts[120])), ("find", $"{tag}-12"));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var userId = await factory.WithDbAsync(db => db.Users.Where(u => u.UserCode == tag).Select(u => u.Id).SingleAsync());
        Assert.Equal([rollouts[4], rollouts[120]], await MembershipsAsync(userId));
    }

    /// <summary>
    /// What a browser without script sends for Enter in a field of the new user's form (HTML's implicit submission): the
    /// form's fields as shown, with <paramref name="typed"/> typed into them and <paramref name="ticks"/> ticked, and the
    /// name and value of the form's default button, its first submit button in tree order.
    /// </summary>
    private static List<KeyValuePair<string, string>> EnterIn(string page, Dictionary<string, string> typed, params int[] ticks)
    {
        var form = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(page)
            .QuerySelector("form.settings-form") as AngleSharp.Html.Dom.IHtmlFormElement ?? throw new InvalidOperationException("No form");
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var element in form.Elements)
        {
            switch (element)
            {
                case AngleSharp.Html.Dom.IHtmlInputElement { Type: "checkbox" or "radio" } box:
                    if (box.IsChecked || (box.Type == "checkbox" && ticks.Select(Id).Contains(box.Value)))
                    {
                        fields.Add(new(box.Name ?? "", box.Value));
                    }

                    break;
                case AngleSharp.Html.Dom.IHtmlInputElement { Type: "submit" or "button" or "image" }:
                    break;
                case AngleSharp.Html.Dom.IHtmlInputElement { Name: { Length: > 0 } name } input:
                    fields.Add(new(name, typed.TryGetValue(name, out var value) ? value : input.Value));
                    break;
                case AngleSharp.Html.Dom.IHtmlSelectElement { Name: { Length: > 0 } name } select:
                    fields.Add(new(name, select.Value ?? ""));
                    break;
            }
        }

        var defaultButton = form.Elements.OfType<AngleSharp.Html.Dom.IHtmlButtonElement>().First(b => b.Type == "submit");
        if (defaultButton.Name is { Length: > 0 } button)
        {
            fields.Add(new(button, defaultButton.Value));
        }

        return fields;
    }

    [Fact]
    public async Task TheNewUserPage_WithoutScript_EnterInTheRolloutSearchFinds_AndEnterInAnotherFieldCreates()
    {
        var tag = "UE" + Guid.NewGuid().ToString("N")[..6];
        var rollouts = await RolloutsAsync(tag, 30, 0);
        var admin = await factory.SignInAsync("admin@demo.test");
        var account = new Dictionary<string, string>
        {
            ["DisplayName"] = "Enzo " + tag, ["Email"] = $"{tag}@enter.test".ToLowerInvariant(), ["UserCode"] = tag,
        };

        // Name, email and user ID typed, one rollout ticked, a text typed into the search box, then Enter there.
        var blank = await admin.PageAsync($"/settings/users/new?find={tag}-00");
        var searched = await admin.PostAsync("/settings/users/new", new FormUrlEncodedContent(
            EnterIn(blank, new(account) { ["find"] = $"{tag}-01" }, rollouts[2])));
        var again = await searched.Content.ReadAsStringAsync();

        // It searched: nothing is created, the form is back with what was typed and ticked, and the 10 rollouts found.
        Assert.Equal(HttpStatusCode.OK, searched.StatusCode);
        Assert.False(await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.UserCode == tag)));
        Assert.Contains($"value=\"Enzo {tag}\"", again);
        Assert.Contains($"{tag}-003", Text(again, "new-user-rollouts-chosen"));
        Assert.Equal(10, Boxes(again, "new-user-rollouts-found", ticked: false));
        Assert.Contains($"{tag}-015", Text(again, "new-user-rollouts-found"));

        // One of those found ticked, Enter in the name (the search box as the page shows it): the user is created in both.
        var created = await admin.PostAsync("/settings/users/new", new FormUrlEncodedContent(EnterIn(again, new(), rollouts[14])));
        Assert.True(created.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, created.StatusCode.ToString());
        var userId = await factory.WithDbAsync(db => db.Users.Where(u => u.UserCode == tag).Select(u => u.Id).SingleAsync());
        Assert.Equal([rollouts[2], rollouts[14]], await MembershipsAsync(userId));
    }

    [Fact]
    public async Task ANewUsersRollouts_AreAManagersOwn_AndOneIsStillNeeded()
    {
        var tag = "UM" + Guid.NewGuid().ToString("N")[..6];
        var others = await RolloutsAsync(tag, 3, 0);
        var manager = await factory.SignInAsync("manager@demo.test");
        var managerId = await UserIdAsync("manager@demo.test");
        var theirs = await RolloutsAsync(tag + "M", 2, 2, managerId);

        var page = await manager.PageAsync($"/settings/users/new?find={tag}");
        var searched = await PostNewUserAsync(manager, ("DisplayName", "Max " + tag), ("RolloutIds", Id(others[0])),
            ("RolloutIds", Id(theirs[0])), ("find", tag), ("findRollouts", "true"));
        var refused = await PostNewUserAsync(manager, ("DisplayName", "Otto " + tag), ("Email", $"{tag}@new.test"), ("UserCode", tag),
            ("Role", "Technician"), ("Invite", "true"), ("RolloutIds", Id(others[0])));

        // Only the manager's own rollouts are found or kept ticked; another's one ticked by hand is not.
        Assert.Equal(2, Boxes(page, "new-user-rollouts"));
        Assert.DoesNotContain($"{tag}-001", page);
        var again = await searched.Content.ReadAsStringAsync();
        Assert.Equal(1, Boxes(again, "new-user-rollouts-chosen", ticked: true));
        Assert.DoesNotContain($"value=\"{Id(others[0])}\"", again);
        Assert.Contains("Choose at least one of your rollouts for the user.", await refused.Content.ReadAsStringAsync());
        Assert.False(await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.UserCode == tag)));
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
