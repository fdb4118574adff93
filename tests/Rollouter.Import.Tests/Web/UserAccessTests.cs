using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// A rollout manager manages only the users of their rollouts, never an administrator: any other user does not exist
/// for them (404) on the pages and in the API, for reading, editing (the role included), deactivating and links. The
/// manager of the demo is a member of W11 only; SRV has the administrator alone.
/// </summary>
public abstract class UserAccessTests(RolloutWebFactory factory)
{
    private const string Password = "Str0ng!Password";
    private static int _next;

    private static string Invariant(int id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>A new user, created by the administrator into <paramref name="rollouts"/>, who can sign in with <see cref="Password"/>.</summary>
    private async Task<(int Id, string Email)> UserInAsync(params string[] rollouts)
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var n = Interlocked.Increment(ref _next);
        var email = $"access.{n}.{Guid.NewGuid():N}@example.test";
        var ids = new List<int>();
        foreach (var identifier in rollouts)
        {
            ids.Add(await admin.RolloutIdAsync(identifier));
        }

        var created = await admin.PostAsJsonAsync("/api/users", new
        {
            displayName = $"Access Person {n}", email, userCode = $"U-A{n}-{Guid.NewGuid():N}"[..20], role = "Technician",
            password = Password, rolloutIds = ids,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return ((await ApiTestClient.ReadAsync(created)).Id(), email);
    }

    private Task<int> AdministratorIdAsync() =>
        factory.WithDbAsync(db => db.Users.Where(u => u.Email == "admin@demo.test").Select(u => u.Id).SingleAsync());

    private Task<User> StoredAsync(int id) =>
        factory.WithDbAsync(db => db.Users.AsNoTracking().Include(u => u.Rollouts).SingleAsync(u => u.Id == id));

    private static Dictionary<string, string> EditForm(User user, string role, params int[] rollouts) => new()
    {
        ["DisplayName"] = "Taken Over", ["Email"] = user.Email!, ["UserCode"] = user.UserCode, ["Role"] = role,
        ["RolloutIds"] = string.Join(",", rollouts.Select(Invariant)),
    };

    /// <summary>Every way the pages reach a user: read, edit with a role change, deactivate, reactivate, a link.</summary>
    private static async Task<Dictionary<string, HttpStatusCode>> PagesAsync(HttpClient manager, User user)
    {
        var id = Invariant(user.Id);
        return new()
        {
            ["read"] = (await manager.GetAsync($"/settings/users/{id}")).StatusCode,
            ["edit and role"] = (await RolloutWebFactory.PostFormAsync(manager, $"/settings/users/{id}",
                EditForm(user, "RolloutManager"), "/settings/users")).StatusCode,
            ["deactivate"] = (await RolloutWebFactory.PostFormAsync(manager, $"/settings/users/{id}/deactivate", [], "/settings/users")).StatusCode,
            ["reactivate"] = (await RolloutWebFactory.PostFormAsync(manager, $"/settings/users/{id}/reactivate", [], "/settings/users")).StatusCode,
            ["link"] = (await RolloutWebFactory.PostFormAsync(manager, $"/settings/users/{id}/invitation", [], "/settings/users")).StatusCode,
        };
    }

    /// <summary>The same through the API.</summary>
    private static async Task<Dictionary<string, HttpStatusCode>> ApiAsync(HttpClient manager, int userId)
    {
        var id = Invariant(userId);
        return new()
        {
            ["read"] = (await manager.GetAsync($"/api/users/{id}")).StatusCode,
            ["edit"] = (await manager.PutAsJsonAsync($"/api/users/{id}", new { displayName = "Taken Over" })).StatusCode,
            ["role"] = (await manager.PutAsJsonAsync($"/api/users/{id}", new { role = "RolloutManager" })).StatusCode,
            ["deactivate"] = (await manager.PostAsync($"/api/users/{id}/deactivate", null)).StatusCode,
            ["reactivate"] = (await manager.PostAsync($"/api/users/{id}/reactivate", null)).StatusCode,
            ["link"] = (await manager.PostAsync($"/api/users/{id}/invitation", null)).StatusCode,
        };
    }

    [Fact]
    public async Task Pages_AUserOnlyInAnotherRollout_DoesNotExistForARolloutManager_AndStaysUntouched()
    {
        var (outside, email) = await UserInAsync("SRV");
        var before = await StoredAsync(outside);
        var manager = await factory.SignInAsync("manager@demo.test");
        var session = await factory.SignInAsync(email, Password);

        var answers = await PagesAsync(manager, before);

        Assert.All(answers, a => Assert.True(a.Value == HttpStatusCode.NotFound, $"{a.Key}: {(int)a.Value}"));
        Assert.DoesNotContain(email, SettingsTestSupport.ListText(await manager.PageAsync($"/settings/users?q={Uri.EscapeDataString(email)}")));
        var after = await StoredAsync(outside);
        Assert.Equal((before.DisplayName, Role.Technician, true, before.SecurityStamp), (after.DisplayName, after.Role, after.IsActive, after.SecurityStamp));
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/rollouts")).StatusCode);
    }

    [Fact]
    public async Task Pages_AnAdministrator_DoesNotExistForARolloutManager_EvenInTheirRollout()
    {
        var admin = await StoredAsync(await AdministratorIdAsync());
        var manager = await factory.SignInAsync("manager@demo.test");

        var answers = await PagesAsync(manager, admin);

        Assert.All(answers, a => Assert.True(a.Value == HttpStatusCode.NotFound, $"{a.Key}: {(int)a.Value}"));
        Assert.DoesNotContain("admin@demo.test", SettingsTestSupport.ListText(await manager.PageAsync("/settings/users?q=admin%40demo.test")));
        var after = await StoredAsync(admin.Id);
        Assert.Equal(("Ada Admin", Role.Administrator, true), (after.DisplayName, after.Role, after.IsActive));
    }

    [Fact]
    public async Task Pages_AUserOfTheManagersRollout_IsRead_Edited_GivenARole_Deactivated_AndSentALink()
    {
        var (inside, email) = await UserInAsync("W11");
        var manager = await factory.SignInAsync("manager@demo.test");
        var w11 = await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync());
        var user = await StoredAsync(inside);

        Assert.Contains(email, SettingsTestSupport.ListText(await manager.PageAsync($"/settings/users?q={Uri.EscapeDataString(email)}")));
        Assert.Contains(email, await manager.PageAsync($"/settings/users/{inside}"));
        var (_, saved, _) = await manager.SubmitAsync($"/settings/users/{inside}", EditForm(user, "RolloutManager", w11));
        Assert.Contains("Taken Over was saved.", saved);
        Assert.Equal(Role.RolloutManager, (await StoredAsync(inside)).Role);
        var (_, link, _) = await manager.SubmitAsync($"/settings/users/{inside}/invitation", [], $"/settings/users/{inside}");
        Assert.Contains("/account/invitation?user=", link);
        var (_, deactivated, _) = await manager.SubmitAsync($"/settings/users/{inside}/deactivate", [], $"/settings/users/{inside}");
        Assert.Contains("Taken Over was deactivated", deactivated);
        Assert.False((await StoredAsync(inside)).IsActive);
    }

    [Fact]
    public async Task Api_AUserOnlyInAnotherRollout_AndAnAdministrator_AreNotFound_AUserOfTheManagersRolloutIsManaged()
    {
        var (outside, _) = await UserInAsync("SRV");
        var (inside, insideEmail) = await UserInAsync("W11");
        var administrator = await AdministratorIdAsync();
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        foreach (var refused in new[] { outside, administrator })
        {
            var answers = await ApiAsync(manager, refused);
            Assert.All(answers, a => Assert.True(a.Value == HttpStatusCode.NotFound, $"user {refused}, {a.Key}: {(int)a.Value}"));
        }

        var list = (await manager.GetJsonAsync("/api/users")).AsArray().Select(u => u!.Id()).ToList();
        Assert.DoesNotContain(outside, list);
        Assert.DoesNotContain(administrator, list);
        Assert.Contains(inside, list);
        Assert.Equal("Access Person", (await StoredAsync(outside)).DisplayName[..13]);
        Assert.Equal(Role.Administrator, (await StoredAsync(administrator)).Role);

        Assert.Equal(insideEmail, (await manager.GetJsonAsync($"/api/users/{inside}"))["email"]!.GetValue<string>());
        var changed = await ApiTestClient.ReadAsync(await manager.PutAsJsonAsync($"/api/users/{inside}", new { role = "ServiceDesk", displayName = "Changed By Api" }));
        Assert.Equal(("ServiceDesk", "Changed By Api"), (changed["role"]!.GetValue<string>(), changed["displayName"]!.GetValue<string>()));
        Assert.Equal(["W11"], changed["rollouts"]!.AsArray().Select(r => r!.GetValue<string>()));
        var link = await manager.PostAsync($"/api/users/{inside}/invitation", null);
        Assert.Equal(HttpStatusCode.OK, link.StatusCode);
        Assert.Contains("/account/invitation?user=", (await ApiTestClient.ReadAsync(link))["invitationUrl"]!.GetValue<string>());
        var deactivated = await ApiTestClient.ReadAsync(await manager.PostAsync($"/api/users/{inside}/deactivate", null));
        Assert.False(deactivated["isActive"]!.GetValue<bool>());
        var reactivated = await ApiTestClient.ReadAsync(await manager.PostAsync($"/api/users/{inside}/reactivate", null));
        Assert.True(reactivated["isActive"]!.GetValue<bool>());
        var administratorRole = await manager.PutAsJsonAsync($"/api/users/{inside}", new { role = "Administrator" });
        Assert.Equal(HttpStatusCode.Forbidden, administratorRole.StatusCode);
    }

    [Fact]
    public async Task Rollouts_AManagerNeitherAddsAUserToNorRemovesThemFromARolloutTheyAreNotAMemberOf()
    {
        var (shared, email) = await UserInAsync("W11", "SRV");
        var ids = await factory.WithDbAsync(async db => (
            W11: await db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync(),
            Srv: await db.Rollouts.Where(r => r.Identifier == "SRV").Select(r => r.Id).SingleAsync()));
        var (onlyW11, _) = await UserInAsync("W11");
        var manager = await factory.SignInAsync("manager@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        // The page leaves SRV out of the form; a crafted form that drops SRV or adds it changes nothing there.
        var page = await manager.PageAsync($"/settings/users/{shared}");
        Assert.False(HtmlPage.Parse(page).Has($"[value='{ids.Srv}']"), "SRV is in the form");
        var sharedUser = await StoredAsync(shared);
        await manager.SubmitAsync($"/settings/users/{shared}", new()
        {
            ["DisplayName"] = sharedUser.DisplayName, ["Email"] = email, ["UserCode"] = sharedUser.UserCode, ["Role"] = "Technician",
            ["RolloutIds"] = Invariant(ids.W11),
        });
        await api.PutAsJsonAsync($"/api/users/{onlyW11}", new { rolloutIds = new[] { ids.W11, ids.Srv } });

        Assert.Equal(new[] { ids.Srv, ids.W11 }.Order(), (await StoredAsync(shared)).Rollouts.Select(m => m.RolloutId).Order());
        Assert.Equal([ids.W11], (await StoredAsync(onlyW11)).Rollouts.Select(m => m.RolloutId));
    }

    [Fact]
    public async Task Link_ForAUserAlsoInARolloutTheManagerIsNotIn_IsForbidden_AndTheUsersSessionGoesOn()
    {
        var (shared, email) = await UserInAsync("W11", "SRV");
        var session = await factory.SignInAsync(email, Password);
        var manager = await factory.SignInAsync("manager@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        var page = await manager.PageAsync($"/settings/users/{shared}");
        var byPage = await RolloutWebFactory.PostFormAsync(manager, $"/settings/users/{shared}/invitation", [], $"/settings/users/{shared}");
        var byApi = await api.PostAsync($"/api/users/{shared}/invitation", null);

        Assert.DoesNotContain($"/settings/users/{shared}/invitation", page);
        Assert.Contains("or creates an invitation or password reset link for them: ask an administrator", page);
        Assert.Equal(HttpStatusCode.Redirect, byPage.StatusCode);
        Assert.StartsWith("/account/denied", byPage.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Forbidden, byApi.StatusCode);
        Assert.Contains("ask an administrator", (await ApiTestClient.ReadAsync(byApi))["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/rollouts")).StatusCode);
    }

    /// <summary>What decides a user's standing in every rollout at once, compared before and after.</summary>
    private static (string Name, string? Email, string Code, Role Role, bool KeyAccountManager, bool Active, string? Stamp) Account(User u) =>
        (u.DisplayName, u.Email, u.UserCode, u.Role, u.IsKeyAccountManager, u.IsActive, u.SecurityStamp);

    [Fact]
    public async Task Pages_AUserAlsoInAnotherRollout_KeepsTheirAccount_TheManagerChangesOnlyWhichOfTheirRolloutsTheyAreIn()
    {
        var (shared, email) = await UserInAsync("W11", "SRV");
        var ids = await factory.WithDbAsync(async db => (
            W11: await db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync(),
            Srv: await db.Rollouts.Where(r => r.Identifier == "SRV").Select(r => r.Id).SingleAsync()));
        var before = await StoredAsync(shared);
        var session = await factory.SignInAsync(email, Password);
        var manager = await factory.SignInAsync("manager@demo.test");
        var url = $"/settings/users/{Invariant(shared)}";
        Dictionary<string, string> Changed(string field, string value)
        {
            var form = new Dictionary<string, string>
            {
                ["DisplayName"] = before.DisplayName, ["Email"] = email, ["UserCode"] = before.UserCode, ["Role"] = "Technician",
                ["IsKeyAccountManager"] = "false", ["RolloutIds"] = Invariant(ids.W11),
            };
            form[field] = value;
            return form;
        }

        // The page shows the account read-only, offers no deactivation and no link, and says why.
        var page = HtmlPage.Parse(await manager.PageAsync(url));
        Assert.True(page.Has("fieldset[disabled][data-testid=account]"), "the account's fields are read-only");
        Assert.Contains("ask an administrator", page.TestId("account-refusal").NormalizedText());
        Assert.Null(page.FindForm($"{url}/deactivate"));
        Assert.Null(page.FindForm($"{url}/invitation"));

        // Crafted posts: a role (to Rollout Manager, who would then manage SRV), the email (and then a link), the user ID,
        // the name (imports look users up by each), the key account manager flag, deactivation.
        var refusals = new Dictionary<string, HttpResponseMessage>
        {
            ["role"] = await RolloutWebFactory.PostFormAsync(manager, url, Changed("Role", "RolloutManager")),
            ["demoted"] = await RolloutWebFactory.PostFormAsync(manager, url, Changed("Role", "ClientUser")),
            ["email"] = await RolloutWebFactory.PostFormAsync(manager, url, Changed("Email", $"taken.{Guid.NewGuid():N}@example.test")),
            ["user ID"] = await RolloutWebFactory.PostFormAsync(manager, url, Changed("UserCode", $"U-T{Guid.NewGuid():N}"[..12])),
            ["name"] = await RolloutWebFactory.PostFormAsync(manager, url, Changed("DisplayName", "Taken Over")),
            ["key account manager"] = await RolloutWebFactory.PostFormAsync(manager, url, Changed("IsKeyAccountManager", "true")),
            ["deactivate"] = await RolloutWebFactory.PostFormAsync(manager, $"{url}/deactivate", [], url),
        };

        foreach (var (what, response) in refusals)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{what}: {(int)response.StatusCode}");
            var answer = HtmlPage.Parse(SettingsTestSupport.Text(await response.Content.ReadAsStringAsync()));
            Assert.Contains("is also a member of rollouts you do not manage: ask an administrator", answer.One("[role=alert]").NormalizedText());
            // The page shows the user as they are, not what was refused.
            Assert.Equal("Technician", answer.FieldValue("Role"));
        }

        Assert.Equal(Account(before), Account(await StoredAsync(shared)));
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/rollouts")).StatusCode);

        // Reactivating lets the user back into SRV too: an administrator deactivated them, the manager cannot undo it.
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{Invariant(shared)}/deactivate", null)).StatusCode);
        Assert.Null(HtmlPage.Parse(await manager.PageAsync(url)).FindForm($"{url}/reactivate"));
        var reactivate = await RolloutWebFactory.PostFormAsync(manager, $"{url}/reactivate", [], url);
        Assert.Equal(HttpStatusCode.Forbidden, reactivate.StatusCode);
        Assert.False((await StoredAsync(shared)).IsActive);

        // What stays the manager's: which of their rollouts the user is in. The page's Remove beside W11 (its rollouts
        // list, decision 0131) takes the user out of W11; the manager no longer manages them.
        var (status, list, _) = await manager.SubmitAsync($"{url}/rollouts/remove", new() { ["rolloutId"] = Invariant(ids.W11) }, url);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"{before.DisplayName} was removed from Windows 11 Refresh (W11). {before.DisplayName} is no longer in any of your rollouts.", list);
        Assert.Equal([ids.Srv], (await StoredAsync(shared)).Rollouts.Select(m => m.RolloutId));
    }

    [Fact]
    public async Task Api_AUserAlsoInAnotherRollout_KeepsTheirAccount_AnAdministratorStillChangesIt()
    {
        var (shared, _) = await UserInAsync("W11", "SRV");
        var w11 = await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync());
        var before = await StoredAsync(shared);
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var url = $"/api/users/{Invariant(shared)}";

        var refusals = new Dictionary<string, HttpResponseMessage>
        {
            ["role"] = await manager.PutAsJsonAsync(url, new { role = "RolloutManager" }),
            ["demoted"] = await manager.PutAsJsonAsync(url, new { role = "ClientUser" }),
            ["email"] = await manager.PutAsJsonAsync(url, new { email = $"taken.{Guid.NewGuid():N}@example.test" }),
            ["user ID"] = await manager.PutAsJsonAsync(url, new { userCode = $"U-T{Guid.NewGuid():N}"[..12] }),
            ["name"] = await manager.PutAsJsonAsync(url, new { displayName = "Taken Over" }),
            ["key account manager"] = await manager.PutAsJsonAsync(url, new { isKeyAccountManager = true }),
            ["deactivate"] = await manager.PostAsync($"{url}/deactivate", null),
        };

        foreach (var (what, response) in refusals)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{what}: {(int)response.StatusCode}");
            Assert.Contains("ask an administrator", (await ApiTestClient.ReadAsync(response))["error"]!.GetValue<string>());
        }

        Assert.Equal(Account(before), Account(await StoredAsync(shared)));
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"{url}/deactivate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PostAsync($"{url}/reactivate", null)).StatusCode);
        Assert.False((await StoredAsync(shared)).IsActive);

        // The same values, or only the manager's own memberships: accepted.
        Assert.Equal(HttpStatusCode.OK, (await manager.PutAsJsonAsync(url, new { role = "Technician", displayName = before.DisplayName })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await manager.PutAsJsonAsync(url, new { rolloutIds = Array.Empty<int>() })).StatusCode);
        Assert.DoesNotContain(w11, (await StoredAsync(shared)).Rollouts.Select(m => m.RolloutId));

        // Administrators manage everyone.
        var promoted = await admin.PutAsJsonAsync(url, new { role = "RolloutManager", email = $"moved.{Guid.NewGuid():N}@example.test" });
        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"{url}/reactivate", null)).StatusCode);
        Assert.Equal((Role.RolloutManager, true), ((await StoredAsync(shared)).Role, (await StoredAsync(shared)).IsActive));
    }

    [Fact]
    public async Task Members_AManagerCannotPullAUserFromAnotherRolloutIntoTheirs()
    {
        var (outside, outsideEmail) = await UserInAsync("SRV");
        var w11 = await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync());
        var manager = await factory.SignInAsync("manager@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");

        var page = await manager.PageAsync($"/settings/rollouts/{w11}");
        // The page offers no such user (and no form at all when nobody is left to add): a crafted post.
        var byPage = SettingsTestSupport.Text(await (await RolloutWebFactory.PostFormAsync(manager, $"/settings/rollouts/{w11}/members",
            new() { ["UserId"] = Invariant(outside) }, $"/settings/rollouts/{w11}")).Content.ReadAsStringAsync());
        var byApi = await api.PostAsJsonAsync($"/api/rollouts/{w11}/members", new { userId = outside });

        Assert.DoesNotContain(outsideEmail, page);
        Assert.Contains("Choose a user to add.", byPage);
        Assert.Equal(HttpStatusCode.BadRequest, byApi.StatusCode);
        Assert.False(await factory.WithDbAsync(db => db.RolloutMembers.AnyAsync(m => m.UserId == outside && m.RolloutId == w11)));
    }

    [Fact]
    public async Task Create_ByARolloutManager_NeedsOneOfTheirRollouts_SoTheNewUserIsTheirsToManage()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var api = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var srv = await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == "SRV").Select(r => r.Id).SingleAsync());

        var (_, none, _) = await manager.SubmitAsync("/settings/users/new", new()
        {
            ["DisplayName"] = "Nora Nowhere", ["Email"] = "nora.nowhere@example.test", ["UserCode"] = "U-7201", ["Role"] = "Technician",
            ["Invite"] = "true",
        });
        var foreign = await api.PostAsJsonAsync("/api/users", new
        {
            displayName = "Nora Nowhere", email = "nora.nowhere@example.test", userCode = "U-7201", role = "Technician",
            rolloutIds = new[] { srv },
        });

        Assert.Contains("Choose at least one of your rollouts for the user.", none);
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.False(await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.UserCode == "U-7201")));
    }

    [Fact]
    public async Task Edit_TakingAUserOutOfAllTheManagersRollouts_LeavesThemOutOfReach()
    {
        var (inside, email) = await UserInAsync("W11");
        var manager = await factory.SignInAsync("manager@demo.test");
        var user = await StoredAsync(inside);

        var (_, list, location) = await manager.SubmitAsync($"/settings/users/{inside}", new()
        {
            ["DisplayName"] = user.DisplayName, ["Email"] = email, ["UserCode"] = user.UserCode, ["Role"] = "Technician",
        });

        Assert.Equal("/settings/users#page-message", location);
        Assert.Contains($"{user.DisplayName} was saved and is no longer in any of your rollouts.", list);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/settings/users/{inside}")).StatusCode);
    }
}

public sealed class SqliteUserAccessTests(RolloutWebFactory factory)
    : UserAccessTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresUserAccessTests(PostgresWebFactory factory)
    : UserAccessTests(factory), IClassFixture<PostgresWebFactory>;
