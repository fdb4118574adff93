using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Features.Settings.Users;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Tests.Web;

/// <summary>Users: create with a password or an invitation link, edit, deactivate, rollouts; who may do what.</summary>
public abstract class SettingsUsersTests(RolloutWebFactory factory)
{
    private const string StrongPassword = "Str0ng!Password";

    private static Dictionary<string, string> NewUser(string name, string code, string role = "Technician",
        string? password = null) => new()
    {
        ["DisplayName"] = name,
        ["Email"] = name.ToLowerInvariant().Replace(' ', '.') + "@example.test",
        ["UserCode"] = code,
        ["Role"] = role,
        ["Invite"] = password is null ? "true" : "false",
        ["Password"] = password ?? "",
        ["ConfirmPassword"] = password ?? "",
    };

    /// <summary>A rollout manager creates users into one of their rollouts (W11, the demo manager's).</summary>
    private async Task<Dictionary<string, string>> InW11Async(Dictionary<string, string> form)
    {
        var w11 = await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync());
        form["RolloutIds"] = w11.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return form;
    }

    private Task<User> UserAsync(string code) =>
        factory.WithDbAsync(db => db.Users.AsNoTracking().Include(u => u.Rollouts).SingleAsync(u => u.UserCode == code));

    /// <summary><paramref name="count"/> client users named "{tag} 001"…, emails "{tag}-001@many.test", user IDs "{tag}-001"…, in <paramref name="rolloutId"/> if given.</summary>
    private Task ManyUsersAsync(string tag, int count, int? rolloutId = null) => factory.WithDbAsync(async db =>
    {
        for (var i = 1; i <= count; i++)
        {
            var email = $"{tag}-{i:000}@many.test".ToLowerInvariant();
            db.Users.Add(new User
            {
                UserName = email, Email = email, NormalizedEmail = email.ToUpperInvariant(), NormalizedUserName = email.ToUpperInvariant(),
                DisplayName = $"{tag} {i:000}", UserCode = $"{tag}-{i:000}", Role = Role.ClientUser, SecurityStamp = Guid.NewGuid().ToString(),
                Rollouts = rolloutId is int id ? [new RolloutMember { RolloutId = id }] : [],
            });
        }

        await db.SaveChangesAsync();
    });

    private static int Rows(string page, string testId) =>
        new AngleSharp.Html.Parser.HtmlParser().ParseDocument(page).QuerySelectorAll($"[data-testid={testId}] tbody tr").Length;

    private static string Text(string page, string testId) => string.Join(' ',
        (new AngleSharp.Html.Parser.HtmlParser().ParseDocument(page).QuerySelector($"[data-testid={testId}]")?.TextContent ?? "")
            .Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public async Task UsersList_IsSearchedAndPaged_AHundredAtATime()
    {
        // Every user was one row of one page: 2,000 client users made a 585 KB page.
        var tag = "Mny" + Guid.NewGuid().ToString("N")[..6];
        await ManyUsersAsync(tag, 105);
        var admin = await factory.SignInAsync("admin@demo.test");

        var first = await admin.PageAsync($"/settings/users?q={tag}");
        // The pages follow the last user shown (decision 0158): Next is ?q=…&after=<that user's id>.
        var next = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(first).QuerySelector("[data-testid=users-next]")?.GetAttribute("href");
        var second = await admin.PageAsync(next ?? "/settings/users?no-next-link");
        var byEmail = await admin.PageAsync($"/settings/users?q={tag}-042@MANY");
        var byUserId = await admin.PageAsync($"/settings/users?q={tag.ToUpperInvariant()}-105");
        var all = await admin.PageAsync("/settings/users");

        Assert.Equal(100, Rows(first, "users"));
        Assert.Equal($"105 users matching \"{tag}\"", Text(first, "users-count"));
        Assert.Equal(5, Rows(second, "users"));
        Assert.Contains($"{tag} 105", second);
        Assert.DoesNotContain($"{tag} 001", second);
        Assert.Equal(1, Rows(byEmail, "users"));
        Assert.Contains($"{tag} 042", byEmail);
        Assert.Equal(1, Rows(byUserId, "users"));
        Assert.True(Rows(all, "users") <= 100);
    }

    [Fact]
    public async Task RolloutMembers_ArePaged_AndBeyondTwoHundredCandidates_AMemberIsAddedByEmailOrUserId()
    {
        // Every member was a row and every other user an option of one select: 2,007 rows and 2,005 options.
        var tag = "Mbr" + Guid.NewGuid().ToString("N")[..6];
        var rollout = await factory.WithDbAsync(async db =>
        {
            var r = new Rollout { Name = "Members " + tag, Identifier = tag };
            db.Rollouts.Add(r);
            await db.SaveChangesAsync();
            return r.Id;
        });
        await ManyUsersAsync(tag, 105, rollout);
        await ManyUsersAsync(tag + "x", UserSearch.CandidatesListed + 1);
        var admin = await factory.SignInAsync("admin@demo.test");
        var page = $"/settings/rollouts/{rollout}";

        var first = await admin.PageAsync(page);
        var (_, added, _) = await admin.SubmitAsync($"{page}/members", new() { ["Member"] = $" {tag}X-007@many.test " }, page);
        var (_, byUserId, _) = await admin.SubmitAsync($"{page}/members", new() { ["Member"] = $"{tag}x-008" }, page);
        var (_, unknown, _) = await admin.SubmitAsync($"{page}/members", new() { ["Member"] = "nobody@nowhere.test" }, page);
        var searched = await admin.PageAsync($"{page}?q={tag}x");

        Assert.Equal(100, Rows(first, "members"));
        Assert.Equal("Members 1–100 of 105", Text(first, "members-count"));
        Assert.DoesNotContain("<select class=\"form-select\" id=\"UserId\"", first);
        Assert.Contains("id=\"Member\"", first);
        Assert.Contains("The member was added.", added);
        Assert.Contains("The member was added.", byUserId);
        Assert.Contains("No user you may add has the email or user ID \"nobody@nowhere.test\".", unknown);
        Assert.Equal(2, Rows(searched, "members"));
        Assert.Equal(107, await factory.WithDbAsync(db => db.RolloutMembers.CountAsync(m => m.RolloutId == rollout)));
    }

    [Fact]
    public async Task Create_WithPassword_ListsTheUser_WhoCanSignIn()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var w11 = await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync());
        var form = NewUser("Paula Password", "U-7001", "RolloutManager", StrongPassword);
        form["IsKeyAccountManager"] = "true";
        form["RolloutIds"] = w11.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (status, page, location) = await admin.SubmitAsync("/settings/users/new", form);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(location is not null && location.StartsWith("/settings/users/", StringComparison.Ordinal)
                    && int.TryParse(location["/settings/users/".Length..].Split('#')[0], System.Globalization.CultureInfo.InvariantCulture, out _), location);
        Assert.Contains("Paula Password was created", page);
        var list = await admin.PageAsync("/settings/users?q=Paula%20Password");
        var listed = HtmlPage.Parse(list).RowOf("Paula Password");
        Assert.Equal("Paula Password | paula.password@example.test | U-7001 | Rollout Manager | Yes | Active | W11",
            string.Join(" | ", listed.Children.Select(cell => cell.NormalizedText())));
        Assert.Equal("U-7001", listed.One("code").NormalizedText());
        var user = await UserAsync("U-7001");
        Assert.True(user.IsKeyAccountManager);
        Assert.Equal(Role.RolloutManager, user.Role);
        var signedIn = await factory.SignInAsync("paula.password@example.test", StrongPassword);
        Assert.Contains("Windows 11 Refresh", await signedIn.GetStringAsync("/rollouts"));
    }

    [Fact]
    public async Task Create_WithWeakOrMissingPassword_ShowsIdentityMessages_AndCreatesNothing()
    {
        var admin = await factory.SignInAsync("admin@demo.test");

        var (status, weak, _) = await admin.SubmitAsync("/settings/users/new", NewUser("Walter Weak", "U-7002", password: "weakweak"));
        var missing = NewUser("Walter Weak", "U-7002", password: "x");
        missing["Password"] = missing["ConfirmPassword"] = "";
        var (_, none, _) = await admin.SubmitAsync("/settings/users/new", missing);
        var mismatch = NewUser("Walter Weak", "U-7002", password: StrongPassword);
        mismatch["ConfirmPassword"] = StrongPassword + "x";
        var (_, different, _) = await admin.SubmitAsync("/settings/users/new", mismatch);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Passwords must have at least one digit", weak);
        Assert.Contains("Passwords must have at least one uppercase", weak);
        Assert.Contains("Enter an initial password, or choose to send an invitation link.", none);
        Assert.Contains("The two passwords are not the same.", different);
        Assert.Equal("Walter Weak", HtmlPage.Parse(weak).FieldValue("DisplayName"));
        Assert.False(await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.UserCode == "U-7002")));
    }

    [Fact]
    public async Task Create_WithDuplicateUserIdOrEmail_IsRefused()
    {
        var admin = await factory.SignInAsync("admin@demo.test");

        var sameCode = NewUser("Dora Duplicate", "u-0001");
        var (_, codePage, _) = await admin.SubmitAsync("/settings/users/new", sameCode);
        var sameEmail = NewUser("Dora Duplicate", "U-7003");
        sameEmail["Email"] = "MANAGER@demo.test";
        var (_, emailPage, _) = await admin.SubmitAsync("/settings/users/new", sameEmail);
        var empty = await admin.SubmitAsync("/settings/users/new", new() { ["Invite"] = "true" });

        // The first administrator has U-0001 from the installation: the refusal names them and where to change it.
        Assert.Contains("Ada Admin (admin@demo.test) already has the user ID \"u-0001\": choose another, or change theirs first on their page (Settings → Users).",
            HtmlPage.Parse(codePage).Body!.NormalizedText(), StringComparison.Ordinal);
        Assert.Contains("Another user already has the email address MANAGER@demo.test.", emailPage);
        Assert.Contains("Enter the user's name.", empty.Page);
        Assert.Contains("Enter the user's email address.", empty.Page);
        Assert.Contains("Enter a user ID", empty.Page);
        Assert.False(await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.DisplayName == "Dora Duplicate")));
        // The refused field, not its neighbours, is marked for screen readers and with a red border.
        Assert.Equal(["UserCode"], InvalidFields(codePage));
        Assert.Equal(["Email"], InvalidFields(emailPage));
        Assert.Equal(["DisplayName", "Email", "UserCode"], InvalidFields(empty.Page));
    }

    private static string[] InvalidFields(string page) =>
        [.. HtmlPage.Parse(page).QuerySelectorAll("[aria-invalid=true]")
            .Select(field => field.ClassList.Contains("is-invalid") ? field.GetAttribute("name") ?? "(no name)" : "(not red)")
            .Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Invitation_LinkSetsThePassword_SignsIn_AndWorksOnce()
    {
        var manager = await factory.SignInAsync("manager@demo.test");

        var (_, created, _) = await manager.SubmitAsync("/settings/users/new", await InW11Async(NewUser("Ivy Invited", "U-7004")));
        var link = SettingsTestSupport.InvitationLink(created);
        Assert.StartsWith("http://localhost/account/invitation?user=", link);
        Assert.Contains("Invited", await manager.PageAsync("/settings/users?q=U-7004"));
        var path = new Uri(link).PathAndQuery;

        var invitee = factory.CreateBrowser();
        var form = await invitee.PageAsync(path);
        Assert.Contains("ivy.invited@example.test", form);
        var fields = SettingsTestSupport.InvitationFields(path);
        fields["Password"] = fields["ConfirmPassword"] = "short";
        var (_, weak, _) = await invitee.SubmitAsync("/account/invitation", fields, formPage: path);
        Assert.Contains("Passwords must be at least 8 characters.", weak);

        fields["Password"] = fields["ConfirmPassword"] = StrongPassword;
        var (status, home, location) = await invitee.SubmitAsync("/account/invitation", fields, formPage: path);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("/rollouts", location);
        Assert.Contains("Ivy Invited", home);

        Assert.Contains("This link is not valid", await factory.CreateBrowser().PageAsync(path));
        await factory.SignInAsync("ivy.invited@example.test", StrongPassword);
    }

    [Fact]
    public async Task Invitation_ANewLinkFromTheUsersPage_VoidsTheEarlierOne()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var (_, created, _) = await manager.SubmitAsync("/settings/users/new", await InW11Async(NewUser("Lars Late", "U-7009")));
        var first = new Uri(SettingsTestSupport.InvitationLink(created)).PathAndQuery;
        var id = (await UserAsync("U-7009")).Id;

        var (_, renewed, _) = await manager.SubmitAsync($"/settings/users/{id}/invitation", [], $"/settings/users/{id}");
        var second = new Uri(SettingsTestSupport.InvitationLink(renewed)).PathAndQuery;

        Assert.NotEqual(first, second);
        Assert.Contains("This link is not valid", await factory.CreateBrowser().PageAsync(first));
        Assert.Contains("lars.late@example.test", await factory.CreateBrowser().PageAsync(second));
    }

    [Fact]
    public async Task Invitation_SentToAMistypedEmail_NoLongerOpensTheAccount_OnceTheEmailIsCorrected()
    {
        // QA (onboarding): the link made for "anna@exmaple.test" still said "Choose your password for anna@example.test"
        // after the correction, and setting a password through it signed in as Anna.
        var admin = await factory.SignInAsync("admin@demo.test");
        var form = NewUser("Anna Typo", "U-7031");
        form["Email"] = "anna.typo@exmaple.test";
        var (_, created, _) = await admin.SubmitAsync("/settings/users/new", form);
        var oldLink = new Uri(SettingsTestSupport.InvitationLink(created)).PathAndQuery;
        var id = (await UserAsync("U-7031")).Id;
        // Someone holding the link opens it before the correction, and sends the form after it.
        var stranger = factory.CreateBrowser();
        var oldForm = await stranger.PageAsync(oldLink);
        Assert.Contains("anna.typo@exmaple.test", oldForm);

        form["Email"] = "anna.typo@example.test";
        var (_, saved, _) = await admin.SubmitAsync($"/settings/users/{id}", form);

        Assert.Contains("Anna Typo was saved.", Text(saved, "settings-message"));
        Assert.Equal("The email address changed from anna.typo@exmaple.test to anna.typo@example.test. Links made before this " +
            "change no longer work: the invitation link sent to anna.typo@exmaple.test cannot be used. Send a new one to " +
            "anna.typo@example.test. Create a new invitation link", Text(saved, "links-ended"));
        Assert.Contains("This link is not valid", await factory.CreateBrowser().PageAsync(oldLink));
        var fields = SettingsTestSupport.InvitationFields(oldLink);
        fields["Password"] = fields["ConfirmPassword"] = StrongPassword;
        var post = await stranger.PostAsync("/account/invitation", new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken",
            HtmlPage.Parse(oldForm).FindForm("/account/invitation")!.AntiforgeryToken()))));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Contains("This link is not valid", SettingsTestSupport.Text(await post.Content.ReadAsStringAsync()));
        Assert.Null((await UserAsync("U-7031")).PasswordHash);

        var (_, renewed) = await admin.ConfirmAsync(saved, $"/settings/users/{id}/invitation");
        var newLink = new Uri(SettingsTestSupport.InvitationLink(renewed)).PathAndQuery;
        Assert.Contains("anna.typo@example.test", await factory.CreateBrowser().PageAsync(newLink));
    }

    [Fact]
    public async Task Edit_WithTheSameEmail_SaysNothingAboutLinks_AndTheLinkStillWorks()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var form = NewUser("Otto Other", "U-7032");
        var (_, created, _) = await admin.SubmitAsync("/settings/users/new", form);
        var link = new Uri(SettingsTestSupport.InvitationLink(created)).PathAndQuery;
        var id = (await UserAsync("U-7032")).Id;

        form["DisplayName"] = "Otto Renamed";
        var (_, saved, _) = await admin.SubmitAsync($"/settings/users/{id}", form);

        Assert.Contains("Otto Renamed was saved.", Text(saved, "settings-message"));
        Assert.Equal("", Text(saved, "links-ended"));
        Assert.Contains("otto.other@example.test", await factory.CreateBrowser().PageAsync(link));
    }

    [Fact]
    public async Task Invitation_OpenedWhileSignedIn_SaysWhoIsSignedOut_AndChangesNothingUntilConfirmed()
    {
        // QA (onboarding): an administrator who opened a new user's link in their own browser and set a password was
        // silently replaced by the invited user.
        var admin = await factory.SignInAsync("admin@demo.test");
        var (_, created, _) = await admin.SubmitAsync("/settings/users/new", NewUser("Sam Signed", "U-7033"));
        var link = new Uri(SettingsTestSupport.InvitationLink(created)).PathAndQuery;

        var page = HtmlPage.Parse(await admin.PageAsync(link));

        Assert.Equal("You are signed in as Ada Admin (admin@demo.test). Choosing a password here signs you out and signs in as " +
            "sam.signed@example.test. If this link is not for you, go back and send it to sam.signed@example.test.",
            page.TestId("signed-in-as").NormalizedText());
        // A form from a page that did not say so (opened before signing in) changes nothing, and the page now says it.
        var fields = SettingsTestSupport.InvitationFields(link);
        fields["Password"] = fields["ConfirmPassword"] = StrongPassword;
        var (status, asked, location) = await admin.SubmitAsync("/account/invitation", fields, formPage: link);
        Assert.Equal((HttpStatusCode.OK, (string?)null), (status, location));
        Assert.Contains("You are signed in as Ada Admin (admin@demo.test): your password was not set.", asked);
        Assert.Null((await UserAsync("U-7033")).PasswordHash);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/settings/users")).StatusCode);

        fields["SignedInAs"] = page.QuerySelector("input[name=SignedInAs]")?.GetAttribute("value") ?? "";
        var (_, home, confirmed) = await admin.SubmitAsync("/account/invitation", fields, formPage: link);
        Assert.Equal("/rollouts", confirmed);
        Assert.Contains("Sam Signed", home);
        Assert.NotNull((await UserAsync("U-7033")).PasswordHash);
    }

    [Fact]
    public async Task RemovingAMemberOrLoweringTheRole_SaysHowManyClientsStillHaveThem()
    {
        // QA (onboarding): the clients keep such a user, and an import naming them there is no change (decision 0088);
        // the save now says how many there are.
        var admin = await factory.SignInAsync("admin@demo.test");
        var form = await InW11Async(NewUser("Jorg Leaving", "U-7034", password: StrongPassword));
        await admin.SubmitAsync("/settings/users/new", form);
        var id = (await UserAsync("U-7034")).Id;
        await factory.WithDbAsync(async db =>
        {
            var w11 = await db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync();
            var clients = await db.Clients.Where(c => c.RolloutId == w11).OrderBy(c => c.Id).Select(c => c.Id).Take(3).ToListAsync();
            await db.Clients.Where(c => clients.Take(2).Contains(c.Id)).ExecuteUpdateAsync(c => c.SetProperty(x => x.AssigneeId, id));
            return await db.Clients.Where(c => c.Id == clients[2]).ExecuteUpdateAsync(c => c.SetProperty(x => x.ClientUserId, id));
        });

        form["Role"] = "ServiceDesk";
        var (_, demoted, _) = await admin.SubmitAsync($"/settings/users/{id}", form);
        Assert.Equal("Jorg Leaving was saved. They stay assignee of 2 clients in W11: the clients keep them, and an import that names " +
            "them on such a client changes nothing there, but a Service Desk user cannot be made the assignee of another.",
            Text(demoted, "settings-message"));

        form.Remove("RolloutIds");
        var (_, removed, _) = await admin.SubmitAsync($"/settings/users/{id}", form);
        Assert.Equal("Jorg Leaving was saved. They stay assignee of 2 clients and client user of 1 client in W11: the clients " +
            "keep them, and an import that names them on such a client changes nothing there, but cannot give them another.",
            Text(removed, "settings-message"));
    }

    [Fact]
    public async Task Invitation_WithAForgedToken_IsNotValid()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        await admin.SubmitAsync("/settings/users/new", NewUser("Fred Forged", "U-7005"));
        var id = (await UserAsync("U-7005")).Id;

        var page = await factory.CreateBrowser().PageAsync($"/account/invitation?user={id}&token=forged");

        Assert.Contains("This link is not valid", page);
    }

    [Fact]
    public async Task Edit_ChangesRoleAndRollouts_AndTheRoleAppliesToTheOpenSession()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        await admin.SubmitAsync("/settings/users/new", NewUser("Eddie Edited", "U-7006", "ClientUser", StrongPassword));
        var user = await UserAsync("U-7006");
        var session = await factory.SignInAsync("eddie.edited@example.test", StrongPassword);
        Assert.DoesNotContain("/settings", (await session.GetPageAsync("/rollouts")).Links());
        var srv = await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == "SRV").Select(r => r.Id).SingleAsync());

        var (_, page, _) = await admin.SubmitAsync($"/settings/users/{user.Id}", new()
        {
            ["DisplayName"] = "Eddie Edited", ["Email"] = "eddie.edited@example.test", ["UserCode"] = "U-7006b",
            ["Role"] = "RolloutManager", ["RolloutIds"] = srv.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        Assert.Contains("Eddie Edited was saved.", page);
        user = await UserAsync("U-7006b");
        Assert.Equal(Role.RolloutManager, user.Role);
        Assert.Equal([srv], user.Rollouts.Select(r => r.RolloutId));
        var rollouts = await session.GetPageAsync("/rollouts");
        Assert.Contains("/settings", rollouts.Links());
        Assert.Contains("Server Migration", rollouts.Body!.NormalizedText());
    }

    [Fact]
    public async Task RolloutManager_CannotCreateOrEditAdministrators()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var admin = await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Email == "admin@demo.test"));

        var form = await manager.PageAsync("/settings/users/new");
        var created = await RolloutWebFactory.PostFormAsync(manager, "/settings/users/new",
            await InW11Async(NewUser("Adam Upstart", "U-7007", "Administrator", StrongPassword)));
        var editPage = await manager.GetAsync($"/settings/users/{admin.Id}");
        var edited = await RolloutWebFactory.PostFormAsync(manager, $"/settings/users/{admin.Id}", new()
        {
            ["DisplayName"] = "Hacked", ["Email"] = "admin@demo.test", ["UserCode"] = admin.UserCode, ["Role"] = "Technician",
        }, "/settings/users");
        var deactivated = await RolloutWebFactory.PostFormAsync(manager, $"/settings/users/{admin.Id}/deactivate", [], "/settings/users");

        Assert.DoesNotContain("Administrator", HtmlPage.Parse(form).One("select[name=Role]").OptionValues());
        // An administrator does not exist for a rollout manager, even one in the manager's rollout.
        Assert.DoesNotContain("admin@demo.test", SettingsTestSupport.ListText(await manager.PageAsync("/settings/users?q=admin%40demo.test")));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.StartsWith("/account/denied", created.Headers.Location!.PathAndQuery);
        foreach (var response in new[] { editPage, edited, deactivated })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.False(await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.UserCode == "U-7007")));
        var unchanged = await factory.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == admin.Id));
        Assert.Equal(("Ada Admin", Role.Administrator, true), (unchanged.DisplayName, unchanged.Role, unchanged.IsActive));
    }

    [Fact]
    public async Task NobodyDeactivatesThemselves_NorTheLastActiveAdministrator()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var adminUser = await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Email == "admin@demo.test"));

        // The page offers no Deactivate button for oneself; a crafted request is refused all the same.
        Assert.DoesNotContain($"/settings/users/{adminUser.Id}/deactivate", await admin.PageAsync($"/settings/users/{adminUser.Id}"));
        var self = SettingsTestSupport.Text(await (await RolloutWebFactory.PostFormAsync(admin,
            $"/settings/users/{adminUser.Id}/deactivate", [], $"/settings/users/{adminUser.Id}")).Content.ReadAsStringAsync());
        var (_, demoted, _) = await admin.SubmitAsync($"/settings/users/{adminUser.Id}", new()
        {
            ["DisplayName"] = "Ada Admin", ["Email"] = "admin@demo.test", ["UserCode"] = adminUser.UserCode, ["Role"] = "RolloutManager",
        });

        Assert.Contains("You cannot deactivate yourself.", self);
        Assert.Contains("Ada Admin is the last active administrator", demoted);
        var unchanged = await factory.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == adminUser.Id));
        Assert.Equal((Role.Administrator, true), (unchanged.Role, unchanged.IsActive));
    }

    [Fact]
    public async Task Deactivated_User_IsSignedOut_LosesApiAccess_CannotSignIn_AndImportsDoNotFindThem()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var w11 = await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync());
        var form = NewUser("Tom Leaving", "U-7008", "Technician", StrongPassword);
        form["RolloutIds"] = w11.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await admin.SubmitAsync("/settings/users/new", form);
        var user = await UserAsync("U-7008");
        var session = await factory.SignInAsync("tom.leaving@example.test", StrongPassword);
        var api = await ApiTestClient.LoginAsync(factory, "tom.leaving@example.test", StrongPassword);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/rollouts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/rollouts")).StatusCode);

        var (_, page, _) = await admin.SubmitAsync($"/settings/users/{user.Id}/deactivate", [], $"/settings/users/{user.Id}");

        Assert.Contains("Tom Leaving was deactivated", page);
        var afterwards = await session.GetAsync("/rollouts");
        Assert.Equal(HttpStatusCode.Redirect, afterwards.StatusCode);
        Assert.StartsWith("/account/login", afterwards.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/rollouts")).StatusCode);
        var login = await factory.CreateBrowser().PostAsJsonAsync("/api/auth/login",
            new { email = "tom.leaving@example.test", password = StrongPassword });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        var (_, signIn, _) = await factory.CreateBrowser().SubmitAsync("/account/login",
            new() { ["Email"] = "tom.leaving@example.test", ["Password"] = StrongPassword });
        Assert.Contains("deactivated", signIn);

        // An import that assigns clients to the deactivated technician by user ID fails on that row.
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var laptops = await manager.InventoryIdAsync(w11, "Laptops");
        var upload = await manager.UploadAsync(w11, laptops, "leaving.csv",
            "Name,Department,Assignee\nLT-LEAVE-1,IT,U-7008\nLT-LEAVE-2,IT,U-0003\n");
        var import = await ApiTestClient.ReadAsync(upload);
        await manager.PutAsJsonAsync($"/api/imports/{import.Id()}/mapping", new
        {
            updateExisting = false,
            columns = new object[]
            {
                new { letter = "A", target = "Name" }, new { letter = "B", target = "Department" },
                new { letter = "C", target = "Assignee", lookup = "UserId" },
            },
        });
        var check = await ApiTestClient.ReadAsync(await manager.PostAsync($"/api/imports/{import.Id()}/check", null));
        Assert.Equal(1, check["failedRows"]!.GetValue<int>());
        var error = check["errors"]!.AsArray().Single()!;
        Assert.Equal(2, error["row"]!.GetValue<int>());
        Assert.Contains("U-7008", error["message"]!.GetValue<string>());

        var (_, reactivated, _) = await admin.SubmitAsync($"/settings/users/{user.Id}/reactivate", [], $"/settings/users/{user.Id}");
        Assert.Contains("Tom Leaving was reactivated", reactivated);
        await factory.SignInAsync("tom.leaving@example.test", StrongPassword);
    }
}

public sealed class SqliteSettingsUsersTests(RolloutWebFactory factory)
    : SettingsUsersTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresSettingsUsersTests(PostgresWebFactory factory)
    : SettingsUsersTests(factory), IClassFixture<PostgresWebFactory>;
