using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// Signing out ends the session on the server (docs/decisions/0020, fourth QA pass): the sign-in cookie names a session
/// row, the cookie check reads it with the user, and signing out deletes it, so a copy of the cookie saved before is
/// refused after it, as an expired one; another browser's session of the same user goes on.
/// </summary>
public abstract class SignOutSessionTests(RolloutWebFactory factory)
{
    private const string Password = "Str0ng!Password";
    private const string NewPassword = "N3w!Password";

    private async Task<(int Id, string Email)> NewUserAsync(string name)
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var email = $"{name}.{Guid.NewGuid():N}@example.test";
        var created = await admin.PostAsJsonAsync("/api/users", new
        {
            displayName = name, email, userCode = "U-O" + Guid.NewGuid().ToString("N")[..12], role = "Technician",
            password = Password, rolloutIds = new[] { await admin.RolloutIdAsync("W11") },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return ((await ApiTestClient.ReadAsync(created)).Id(), email);
    }

    /// <summary>Signs in through the form; returns the browser and a copy of its sign-in cookie ("Rollouter.Auth=…").</summary>
    private async Task<(HttpClient Browser, string Cookie)> SignInKeepingACopyAsync(string email, string password = Password)
    {
        var browser = factory.CreateBrowser();
        var response = await RolloutWebFactory.PostFormAsync(browser, "/account/login",
            new() { ["Email"] = email, ["Password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("Rollouter.Auth=", StringComparison.Ordinal));
        return (browser, cookie.Split(';')[0]);
    }

    /// <summary>A request with nothing but the saved cookie, as from another machine.</summary>
    private async Task<HttpResponseMessage> ReplayAsync(string cookie, string path = "/rollouts")
    {
        var other = factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await other.SendAsync(request);
    }

    private static void AssertSentToSignIn(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery);
    }

    private static Task<HttpResponseMessage> SignOutAsync(HttpClient browser) =>
        RolloutWebFactory.PostFormAsync(browser, "/account/logout", [], formPage: "/rollouts");

    private Task<int> SessionCountAsync(int userId) =>
        factory.WithDbAsync(db => db.UserSessions.CountAsync(s => s.UserId == userId));

    [Fact]
    public async Task ACookieSavedBeforeSigningOut_IsRefusedAfterIt()
    {
        var (id, email) = await NewUserAsync("Otto");
        var (browser, cookie) = await SignInKeepingACopyAsync(email);
        Assert.Equal(HttpStatusCode.OK, (await ReplayAsync(cookie, "/rollouts")).StatusCode);
        Assert.Equal(1, await SessionCountAsync(id));

        var signedOut = await SignOutAsync(browser);

        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        AssertSentToSignIn(await browser.GetAsync("/rollouts"));
        var replayed = await ReplayAsync(cookie, "/rollouts");
        AssertSentToSignIn(replayed);
        Assert.Equal(0, await SessionCountAsync(id));
        // A session ended is no upgrade: the sign-in page says nothing of one.
        Assert.False((await factory.CreateBrowser().GetPageAsync(replayed.Headers.Location!.PathAndQuery)).HasTestId("signed-in-anew"));
    }

    /// <summary>
    /// QA: a form posted after the session ended (signed out in another tab, expired) was sent to the sign-in page, which
    /// gave no reason, and after signing in the user found the old values without a word that the change was lost.
    /// </summary>
    [Fact]
    public async Task AFormPostedAfterTheSessionEnded_IsNotSaved_AndTheSignInPageSaysSo()
    {
        var browser = await factory.SignInAsync("manager@demo.test");
        var laptops = await factory.WithDbAsync(db => db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.Id).SingleAsync());
        var uploaded = await ImportPagesTests.UploadAsync(browser, laptops, "late.csv",
            System.Text.Encoding.UTF8.GetBytes($"Name,Department\nLATE-{Guid.NewGuid():N},IT\n"));
        var path = uploaded.Headers.Location!.OriginalString;
        var id = int.Parse(path[(path.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var page = await browser.GetPageAsync(path);
        var before = await factory.WithDbAsync(db => db.Imports.Where(i => i.Id == id).Select(i => i.Mapping).SingleAsync());
        await SignOutAsync(browser);

        // The tab still open posts "Save mapping" with the column taken out of the import.
        var posted = await browser.PostAsync(path + "/mapping", new FormUrlEncodedContent(
            [.. page.Form(path + "/mapping").HiddenFields(), new("Columns[0].Target", ""), new("Columns[1].Target", "Department")]));

        AssertSentToSignIn(posted);
        var signIn = await browser.GetPageAsync(posted.Headers.Location!.PathAndQuery);
        Assert.Equal("Your session ended, so your last change was not saved; sign in and make it again.",
            signIn.TestId("session-ended").NormalizedText());
        Assert.Equal(before, await factory.WithDbAsync(db => db.Imports.Where(i => i.Id == id).Select(i => i.Mapping).SingleAsync()));

        // A wrong password keeps saying it; a page opened (GET) after the session ended says nothing of a change.
        var wrong = await browser.PostAsync("/account/login", new FormUrlEncodedContent(
            [.. signIn.Form("/account/login").HiddenFields(), new("Email", "manager@demo.test"), new("Password", "not-it")]));
        Assert.True((await wrong.ReadPageAsync()).HasTestId("session-ended"));
        var opened = await browser.GetAsync(path);
        AssertSentToSignIn(opened);
        Assert.False((await browser.GetPageAsync(opened.Headers.Location!.PathAndQuery)).HasTestId("session-ended"));
        // Nor does signing out once more from a page left open.
        var again = await browser.PostAsync("/account/logout", new FormUrlEncodedContent([new("__RequestVerificationToken", page.AntiforgeryToken())]));
        AssertSentToSignIn(again);
        Assert.False((await browser.GetPageAsync(again.Headers.Location!.PathAndQuery)).HasTestId("session-ended"));
    }

    /// <summary>Follows the redirects of <paramref name="response"/> as a browser does; the page it ends on.</summary>
    private static async Task<HttpResponseMessage> FollowAsync(HttpClient browser, HttpResponseMessage response)
    {
        for (var hops = 0; response.StatusCode == HttpStatusCode.Redirect && hops < 5; hops++)
        {
            response = await browser.GetAsync(response.Headers.Location!.OriginalString);
        }

        return response;
    }

    /// <summary>
    /// QA: after signing in again, the user whose session ended mid-post was back on the page, showing what was saved
    /// before, with no word that the change was lost; only the sign-in page had said so. The page they return to says it
    /// once, and only after such a sign-in.
    /// </summary>
    [Fact]
    public async Task AfterSigningInAgain_ThePageOfTheLostForm_SaysOnceThatTheChangeWasNotSaved()
    {
        const string Notice = "Your session had ended when you sent your last change, so it was not saved: make it again.";
        var browser = await factory.SignInAsync("manager@demo.test");
        var laptops = await factory.WithDbAsync(db => db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.Id).SingleAsync());
        var uploaded = await ImportPagesTests.UploadAsync(browser, laptops, "lost.csv",
            System.Text.Encoding.UTF8.GetBytes($"Name,Department\nLOST-{Guid.NewGuid():N},IT\n"));
        var path = uploaded.Headers.Location!.OriginalString;
        var page = await browser.GetPageAsync(path);
        Assert.False(page.HasTestId("session-ended-notice"));
        await SignOutAsync(browser);
        var posted = await browser.PostAsync(path + "/mapping", new FormUrlEncodedContent(
            [.. page.Form(path + "/mapping").HiddenFields(), new("Columns[0].Target", "Name"), new("Columns[1].Target", "")]));
        AssertSentToSignIn(posted);
        var signIn = await browser.GetPageAsync(posted.Headers.Location!.PathAndQuery);

        var signedIn = await browser.PostAsync("/account/login", new FormUrlEncodedContent(
            [.. signIn.Form("/account/login").HiddenFields(), new("Email", "manager@demo.test"), new("Password", DemoSeeder.Password)]));
        var back = await FollowAsync(browser, signedIn);

        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Equal(path, back.RequestMessage!.RequestUri!.AbsolutePath);
        var shown = await back.ReadPageAsync();
        Assert.Equal(Notice, shown.TestId("session-ended-notice").NormalizedText());
        Assert.Equal("status", shown.TestId("session-ended-notice").GetAttribute("role"));
        // Once: a reload, or the next page, says nothing of it.
        Assert.False((await browser.GetPageAsync(path)).HasTestId("session-ended-notice"));

        // A sign-in after a page merely opened signed out (no change lost) says nothing either.
        await SignOutAsync(browser);
        var opened = await browser.GetAsync(path);
        AssertSentToSignIn(opened);
        var plain = await browser.GetPageAsync(opened.Headers.Location!.PathAndQuery);
        var again = await FollowAsync(browser, await browser.PostAsync("/account/login", new FormUrlEncodedContent(
            [.. plain.Form("/account/login").HiddenFields(), new("Email", "manager@demo.test"), new("Password", DemoSeeder.Password)])));
        Assert.Equal(path, again.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.False((await again.ReadPageAsync()).HasTestId("session-ended-notice"));
    }

    /// <summary>
    /// QA: the sign-in after a lost form led back to the address the form posted to; for one that takes only a form (a
    /// client's links) that was the "This address takes a form" page. It leads back to the page that showed the form,
    /// the post's Referer when that is one of the app's pages, with the notice; a Referer of another site is not followed.
    /// </summary>
    [Fact]
    public async Task AfterSigningInAgain_FollowingALostFormOfAnAddressThatTakesOnlyForms_ThePageThatShowedTheFormIsShown()
    {
        const string Notice = "Your session had ended when you sent your last change, so it was not saved: make it again.";
        var browser = await factory.SignInAsync("manager@demo.test");
        var laptops = await factory.WithDbAsync(db => db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.Id).SingleAsync());
        var clientId = await factory.WithDbAsync(db => db.Clients.Where(c => c.InventoryId == laptops && c.Name == "LT-0001")
            .Select(c => c.Id).SingleAsync());
        var path = $"/rollouts/W11/clients/{clientId}";
        var page = await browser.GetPageAsync(path + "?find=LT-00");
        var fields = page.Form(path + "/links").HiddenFields();
        await SignOutAsync(browser);

        using var post = new HttpRequestMessage(HttpMethod.Post, path + "/links") { Content = new FormUrlEncodedContent(fields) };
        post.Headers.Referrer = new Uri(browser.BaseAddress!, path + "?find=LT-00");
        var posted = await browser.SendAsync(post);
        AssertSentToSignIn(posted);
        var signIn = await browser.GetPageAsync(posted.Headers.Location!.PathAndQuery);
        var back = await FollowAsync(browser, await browser.PostAsync("/account/login", new FormUrlEncodedContent(
            [.. signIn.Form("/account/login").HiddenFields(), new("Email", "manager@demo.test"), new("Password", DemoSeeder.Password)])));

        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Equal(path + "?find=LT-00", back.RequestMessage!.RequestUri!.PathAndQuery);
        Assert.Equal(Notice, (await back.ReadPageAsync()).TestId("session-ended-notice").NormalizedText());

        // A Referer of another site is not a page to go back to: the posted address stays the return address.
        await SignOutAsync(browser);
        using var foreign = new HttpRequestMessage(HttpMethod.Post, path + "/links") { Content = new FormUrlEncodedContent(fields) };
        foreign.Headers.Referrer = new Uri("https://elsewhere.example/rollouts/W11/clients/1");
        var refused = await browser.SendAsync(foreign);
        AssertSentToSignIn(refused);
        Assert.Equal(path + "/links", (await browser.GetPageAsync(refused.Headers.Location!.PathAndQuery)).FieldValue("ReturnUrl"));
    }

    [Fact]
    public async Task SigningOutInOneBrowser_DoesNotEndTheUsersSessionInAnother()
    {
        var (id, email) = await NewUserAsync("Olga");
        var (laptop, _) = await SignInKeepingACopyAsync(email);
        var (phone, phoneCookie) = await SignInKeepingACopyAsync(email);
        Assert.Equal(2, await SessionCountAsync(id));

        await SignOutAsync(laptop);

        AssertSentToSignIn(await laptop.GetAsync("/rollouts"));
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync("/rollouts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ReplayAsync(phoneCookie)).StatusCode);
        Assert.Equal(1, await SessionCountAsync(id));
    }

    [Fact]
    public async Task ChangingThePassword_DeletesTheOtherSessions_AndThisBrowserGoesOnInANewOne()
    {
        var (id, email) = await NewUserAsync("Oren");
        var (here, hereBefore) = await SignInKeepingACopyAsync(email);
        var (elsewhere, elsewhereCookie) = await SignInKeepingACopyAsync(email);

        var (_, changed, _) = await here.SubmitAsync("/account/password",
            new() { ["CurrentPassword"] = Password, ["NewPassword"] = NewPassword, ["ConfirmPassword"] = NewPassword });

        Assert.Contains("Your password was changed.", changed);
        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/rollouts")).StatusCode);
        AssertSentToSignIn(await elsewhere.GetAsync("/rollouts"));
        AssertSentToSignIn(await ReplayAsync(elsewhereCookie));
        AssertSentToSignIn(await ReplayAsync(hereBefore));
        Assert.Equal(1, await SessionCountAsync(id));
    }

    [Fact]
    public async Task ANewRole_RenewsTheCookie_InTheSameSession()
    {
        // The renewed cookie (new claims) names the session it had: the requests after it go on, and no row is added.
        var (id, email) = await NewUserAsync("Oscar");
        var (browser, _) = await SignInKeepingACopyAsync(email);
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/users/{id}", new { role = "ServiceDesk" })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/rollouts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/rollouts")).StatusCode);
        Assert.Equal(1, await SessionCountAsync(id));
    }

    [Fact]
    public async Task ASessionPastItsEnd_IsRefused_AndThePurgeDeletesOnlyEndedOnes()
    {
        // Idle for longer than the cookie's sliding expiration, or signed in longer ago than the absolute lifetime:
        // either way ExpiresAt has passed, and the server refuses the cookie whatever the cookie itself says.
        var (id, email) = await NewUserAsync("Olaf");
        var (ended, _) = await SignInKeepingACopyAsync(email);
        var endedId = await factory.WithDbAsync(db => db.UserSessions.Where(s => s.UserId == id).Select(s => s.Id).SingleAsync());
        var (live, _) = await SignInKeepingACopyAsync(email);
        var past = DateTimeOffset.UtcNow.AddMinutes(-1);
        await factory.WithDbAsync(db => db.UserSessions.Where(s => s.Id == endedId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ExpiresAt, past)));

        AssertSentToSignIn(await ended.GetAsync("/rollouts"));
        Assert.Equal(HttpStatusCode.OK, (await live.GetAsync("/rollouts")).StatusCode);

        var purged = await factory.WithDbAsync(db => UserSessions.PurgeAsync(db, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.True(purged >= 1);
        Assert.Equal(1, await SessionCountAsync(id));
    }

    [Fact]
    public async Task ACookieNamingNoSession_AsIssuedBeforeSessions_IsRefused()
    {
        var (id, email) = await NewUserAsync("Odile");
        string cookie;
        using (var scope = factory.Services.CreateScope())
        {
            var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<User>>();
            var user = await signIn.UserManager.FindByIdAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.NotNull(user);
            var principal = await signIn.CreateUserPrincipalAsync(user);
            var options = scope.ServiceProvider.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
                .Get(IdentityConstants.ApplicationScheme);
            var now = DateTimeOffset.UtcNow;
            var ticket = new AuthenticationTicket(principal,
                new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now.AddHours(8) }, IdentityConstants.ApplicationScheme);
            cookie = "Rollouter.Auth=" + options.TicketDataFormat.Protect(ticket);
        }

        var refused = await ReplayAsync(cookie);
        AssertSentToSignIn(refused);
        // QA: the sign-in page gave no reason; it says why, once (not after a wrong password).
        var browser = factory.CreateBrowser();
        var page = await browser.GetPageAsync(refused.Headers.Location!.PathAndQuery);
        Assert.Equal("Sign in again: the server was upgraded and signs you in anew, once.",
            page.TestId("signed-in-anew").NormalizedText());
        var wrong = await browser.PostAsync("/account/login", new FormUrlEncodedContent(
            [.. page.Form("/account/login").HiddenFields(), new("Email", email), new("Password", "not-it")]));
        Assert.False((await wrong.ReadPageAsync()).HasTestId("signed-in-anew"));
        var again = await factory.SignInAsync(email, Password);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/rollouts")).StatusCode);
    }
}

public sealed class SqliteSignOutSessionTests(RolloutWebFactory factory)
    : SignOutSessionTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresSignOutSessionTests(PostgresWebFactory factory)
    : SignOutSessionTests(factory), IClassFixture<PostgresWebFactory>;

/// <summary>The cookie check stays one query per request: the session joined to its user (decision 0020).</summary>
public abstract class SessionCheckStatementsTests(StatementLoggingWebFactory factory)
{
    [Fact]
    public async Task TheCookieCheck_IsOneQuery_ReadingTheSessionWithItsUser()
    {
        var browser = await factory.SignInAsync("technician@demo.test");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/password")).StatusCode);

        factory.Statements.Clear();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/password")).StatusCode);
        var statements = factory.Statements.Statements;

        var sessionReads = statements.Where(s => s.Contains("\"UserSessions\"", StringComparison.Ordinal)).ToList();
        Assert.Single(sessionReads);
        Assert.Contains("\"AspNetUsers\"", sessionReads[0], StringComparison.Ordinal);
        Assert.DoesNotContain(statements, s => s.Contains("\"AspNetUsers\"", StringComparison.Ordinal) && !sessionReads.Contains(s));
    }

    /// <summary>The token check reads the user and whether the token's record is there in one statement (decision 0180).</summary>
    [Fact]
    public async Task TheTokenCheck_IsOneQuery_ReadingTheUserWithTheTokensRecord()
    {
        var script = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/rollouts")).StatusCode);

        factory.Statements.Clear();
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/rollouts")).StatusCode);
        var statements = factory.Statements.Statements;

        var checks = statements.Where(s => s.Contains("\"UserSessions\"", StringComparison.Ordinal)).ToList();
        Assert.Single(checks);
        Assert.Contains("\"AspNetUsers\"", checks[0], StringComparison.Ordinal);
        Assert.Contains("EXISTS", checks[0], StringComparison.OrdinalIgnoreCase);
    }
}

public sealed class SqliteSessionCheckStatementsTests(StatementLoggingWebFactory factory)
    : SessionCheckStatementsTests(factory), IClassFixture<StatementLoggingWebFactory>;

public sealed class PostgresSessionCheckStatementsTests(PostgresStatementLoggingWebFactory factory)
    : SessionCheckStatementsTests(factory), IClassFixture<PostgresStatementLoggingWebFactory>;
