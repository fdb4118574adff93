using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// Ending sign-ins without changing anything else (decisions 0180–0182): a token signs itself out
/// (<c>POST /api/auth/logout</c>); a user signs out everywhere but the browser or token they use (the Your password page,
/// <c>POST /api/auth/logout-everywhere</c>); an administrator, or a rollout manager who owns the account, ends all of a
/// user's sign-ins (End sign-ins on the user's page, <c>POST /api/users/{id}/sign-out</c>). Each applies at the next
/// request and ends nothing else.
/// </summary>
public abstract class SignInEndingTests(RolloutWebFactory factory)
{
    private const string Password = "Str0ng!Password";

    private async Task<(int Id, string Email)> NewUserAsync(string name, params string[] rollouts)
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var email = $"{name.Replace(' ', '.')}.{Guid.NewGuid():N}@example.test";
        var ids = new List<int>();
        foreach (var identifier in rollouts.Length == 0 ? ["W11"] : rollouts)
        {
            ids.Add(await admin.RolloutIdAsync(identifier));
        }

        var created = await admin.PostAsJsonAsync("/api/users", new
        {
            displayName = name, email, userCode = "U-E" + Guid.NewGuid().ToString("N")[..12], role = "Technician",
            password = Password, rolloutIds = ids,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return ((await ApiTestClient.ReadAsync(created)).Id(), email);
    }

    private static string TokenOf(HttpClient client) =>
        client.DefaultRequestHeaders.Authorization?.Parameter ?? throw new InvalidOperationException("no token");

    private static async Task AssertWorksAsync(HttpClient client, string who)
    {
        var response = await client.GetAsync("/api/rollouts");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{who}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The 401 of a token refused as signed out: its detail, and WWW-Authenticate repeating it.</summary>
    private static async Task AssertSignedOutAsync(HttpClient client, string expected = ApiTokens.SignedOut)
    {
        var response = await client.GetAsync("/api/rollouts");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{(int)response.StatusCode} {body}");
        Assert.Equal(expected, JsonNode.Parse(body)!["detail"]!.GetValue<string>());
        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{expected}\"",
            string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString())));
    }

    private static async Task AssertBrowserWorksAsync(HttpClient browser, string who)
    {
        var response = await browser.GetAsync("/rollouts");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{who}: {(int)response.StatusCode}");
    }

    private static async Task AssertBrowserSignedOutAsync(HttpClient browser, string who)
    {
        var response = await browser.GetAsync("/rollouts");
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{who}: {(int)response.StatusCode}");
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Logout_EndsTheCallingToken_AtTheNextRequest_AndNothingElse()
    {
        var (id, email) = await NewUserAsync("Lou");
        var script = await ApiTestClient.LoginAsync(factory, email, Password);
        var otherScript = await ApiTestClient.LoginAsync(factory, email, Password);
        var browser = await factory.SignInAsync(email, Password);
        var someoneElse = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        await AssertWorksAsync(script, "before");

        var loggedOut = await script.PostAsync("/api/auth/logout", null);

        Assert.Equal(HttpStatusCode.NoContent, loggedOut.StatusCode);
        await AssertSignedOutAsync(script);
        await AssertWorksAsync(otherScript, "the user's other token");
        await AssertBrowserWorksAsync(browser, "the user's browser");
        await AssertWorksAsync(someoneElse, "another user's token");
        // A logout with the token already signed out is refused like any other call of it.
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.PostAsync("/api/auth/logout", null)).StatusCode);

        // The record holds the token's id, never the token.
        var records = await factory.WithDbAsync(db => db.UserSessions.AsNoTracking().Where(s => s.UserId == id).ToListAsync());
        var otherId = new JsonWebToken(TokenOf(otherScript)).Id;
        Assert.Equal([false, true], records.Select(r => r.IsApiToken).Order());
        Assert.Contains(records, r => r.IsApiToken && r.Id == otherId);
        Assert.DoesNotContain(records, r => r.Id == new JsonWebToken(TokenOf(script)).Id);
        Assert.All(records, r => Assert.DoesNotContain(r.Id, TokenOf(otherScript).Split('.')[2], StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignOutEverywhere_OnTheYourPasswordPage_EndsEveryOtherSessionAndToken_KeepsThisBrowser_AndCountsThem()
    {
        var (_, email) = await NewUserAsync("Eve");
        var laptop = await factory.SignInAsync(email, Password);
        var stolen = await factory.SignInAsync(email, Password);
        var tablet = await factory.SignInAsync(email, Password);
        var ci = await ApiTestClient.LoginAsync(factory, email, Password);
        var cron = await ApiTestClient.LoginAsync(factory, email, Password);
        var someoneElse = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var someoneElsesBrowser = await factory.SignInAsync("technician@demo.test");

        var page = await laptop.GetPageAsync("/account/password");
        Assert.NotNull(page.TestId("sign-out-everywhere").QuerySelector("form[action='/account/sign-out-everywhere']"));
        var done = await RolloutWebFactory.PostFormAndFollowAsync(laptop, "/account/sign-out-everywhere", [], "/account/password");

        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("You were signed out of 2 other browser sessions and 2 API tokens. This browser stays signed in.",
            (await done.ReadPageAsync()).TestId("password-changed").NormalizedText());
        await AssertBrowserWorksAsync(laptop, "this browser");
        await AssertBrowserSignedOutAsync(stolen, "the stolen laptop");
        await AssertBrowserSignedOutAsync(tablet, "the tablet");
        await AssertSignedOutAsync(ci);
        await AssertSignedOutAsync(cron);
        await AssertWorksAsync(someoneElse, "another user's token");
        await AssertBrowserWorksAsync(someoneElsesBrowser, "another user's browser");

        // Again: nothing else is signed in, and the page says so rather than "0 other browser sessions".
        var again = await RolloutWebFactory.PostFormAndFollowAsync(laptop, "/account/sign-out-everywhere", [], "/account/password");
        Assert.Equal("You were signed in nowhere else: no other browser session and no API token of yours had to end.",
            (await again.ReadPageAsync()).TestId("password-changed").NormalizedText());
        await AssertBrowserWorksAsync(laptop, "this browser, after the second time");
    }

    [Fact]
    public async Task SignOutEverywhere_WithoutTheAntiforgeryToken_IsRefused_AndEndsNothing()
    {
        var (_, email) = await NewUserAsync("Forge");
        var victim = await factory.SignInAsync(email, Password);
        var other = await factory.SignInAsync(email, Password);

        var forged = await victim.PostAsync("/account/sign-out-everywhere", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        await AssertBrowserWorksAsync(other, "the other browser");
    }

    [Fact]
    public async Task LogoutEverywhere_FromTheApi_KeepsTheCallingToken_AndAnswersTheCounts()
    {
        var (_, email) = await NewUserAsync("Api");
        var browser = await factory.SignInAsync(email, Password);
        var caller = await ApiTestClient.LoginAsync(factory, email, Password);
        var other = await ApiTestClient.LoginAsync(factory, email, Password);

        var response = await caller.PostAsync("/api/auth/logout-everywhere", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ApiTestClient.ReadAsync(response);
        Assert.Equal((1, 1), (body["sessionsEnded"]!.GetValue<int>(), body["tokensEnded"]!.GetValue<int>()));
        Assert.Equal("You were signed out of 1 browser session and 1 other API token. This token goes on working.",
            body["message"]!.GetValue<string>());
        await AssertWorksAsync(caller, "the calling token");
        await AssertSignedOutAsync(other);
        await AssertBrowserSignedOutAsync(browser, "the browser");
    }

    [Fact]
    public async Task AnAdministrator_EndsAUsersSignIns_OnTheirPage_AndByTheApi_AndNothingElse()
    {
        var (id, email) = await NewUserAsync("Stolen Laptop");
        var theirs = await factory.SignInAsync(email, Password);
        var theirToken = await ApiTestClient.LoginAsync(factory, email, Password);
        var admin = await factory.SignInAsync("admin@demo.test");
        var adminToken = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var someoneElse = await ApiTestClient.LoginAsync(factory, "technician@demo.test");
        var stampBefore = await factory.WithDbAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.SecurityStamp).SingleAsync());

        // The page offers it in a disclosure (no script needed); the form posts to the user's sign-out.
        var page = await admin.GetPageAsync($"/settings/users/{id}");
        Assert.NotNull(page.TestId("end-sign-ins").QuerySelector($"form[action='/settings/users/{id}/sign-out']"));
        var done = await RolloutWebFactory.PostFormAndFollowAsync(admin, $"/settings/users/{id}/sign-out", [], $"/settings/users/{id}");

        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("Stolen Laptop's sign-ins ended: 1 browser session and 1 API token. They sign in again with their password.",
            (await done.ReadPageAsync()).Body!.NormalizedText());
        await AssertBrowserSignedOutAsync(theirs, "the user's browser");
        await AssertSignedOutAsync(theirToken);
        await AssertBrowserWorksAsync(admin, "the administrator's browser");
        await AssertWorksAsync(adminToken, "the administrator's token");
        await AssertWorksAsync(someoneElse, "another user's token");
        // Nothing else changed: the password still signs in, so links and the stamp stayed.
        Assert.Equal(stampBefore, await factory.WithDbAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.SecurityStamp).SingleAsync()));

        // The API does the same, and a token of before never works again, even after the user signed in anew.
        var fresh = await ApiTestClient.LoginAsync(factory, email, Password);
        var freshBrowser = await factory.SignInAsync(email, Password);
        var byApi = await adminToken.PostAsync($"/api/users/{id}/sign-out", null);
        Assert.Equal(HttpStatusCode.OK, byApi.StatusCode);
        var body = await ApiTestClient.ReadAsync(byApi);
        Assert.Equal((1, 1), (body["sessionsEnded"]!.GetValue<int>(), body["tokensEnded"]!.GetValue<int>()));
        await AssertSignedOutAsync(fresh);
        await AssertBrowserSignedOutAsync(freshBrowser, "the user's browser signed in again");
        await AssertSignedOutAsync(theirToken);
        await AssertWorksAsync(adminToken, "the administrator's token after the API call");

        // Oneself: refused, with the way to do it.
        var adminId = await factory.WithDbAsync(db => db.Users.Where(u => u.Email == "admin@demo.test").Select(u => u.Id).SingleAsync());
        var self = await adminToken.PostAsync($"/api/users/{adminId}/sign-out", null);
        Assert.Equal(HttpStatusCode.BadRequest, self.StatusCode);
        Assert.Contains("Sign out everywhere", (await ApiTestClient.ReadAsync(self))["detail"]!.GetValue<string>());
        await AssertWorksAsync(adminToken, "the administrator's token after the refusal");
    }

    [Fact]
    public async Task ARolloutManager_EndsTheSignInsOfTheirUser_IsRefusedForAUserAlsoInAnotherRollout_AndOthersMayNot()
    {
        var (mine, mineEmail) = await NewUserAsync("Mine", "W11");
        var (shared, sharedEmail) = await NewUserAsync("Shared", "W11", "SRV");
        var mineToken = await ApiTestClient.LoginAsync(factory, mineEmail, Password);
        var sharedToken = await ApiTestClient.LoginAsync(factory, sharedEmail, Password);
        var sharedBrowser = await factory.SignInAsync(sharedEmail, Password);
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var managerBrowser = await factory.SignInAsync("manager@demo.test");
        var technician = await ApiTestClient.LoginAsync(factory, "technician@demo.test");

        Assert.Equal(HttpStatusCode.Forbidden, (await technician.PostAsync($"/api/users/{mine}/sign-out", null)).StatusCode);
        await AssertWorksAsync(mineToken, "after the technician's refusal");

        var refused = await manager.PostAsync($"/api/users/{shared}/sign-out", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("is also a member of rollouts you do not manage: ask an administrator to end their sign-ins",
            (await ApiTestClient.ReadAsync(refused))["detail"]!.GetValue<string>());
        var page = await managerBrowser.GetPageAsync($"/settings/users/{shared}");
        Assert.False(page.HasTestId("end-sign-ins"));
        var byPage = await RolloutWebFactory.PostFormAsync(managerBrowser, $"/settings/users/{shared}/sign-out", [], $"/settings/users/{shared}");
        Assert.NotEqual(HttpStatusCode.OK, byPage.StatusCode);
        Assert.True(byPage.StatusCode is HttpStatusCode.Forbidden
            || byPage.Headers.Location?.PathAndQuery.StartsWith("/account/denied", StringComparison.Ordinal) == true,
            $"{(int)byPage.StatusCode} {byPage.Headers.Location}");
        await AssertWorksAsync(sharedToken, "the shared user's token");
        await AssertBrowserWorksAsync(sharedBrowser, "the shared user's browser");

        Assert.Equal(HttpStatusCode.OK, (await manager.PostAsync($"/api/users/{mine}/sign-out", null)).StatusCode);
        await AssertSignedOutAsync(mineToken);
        await AssertWorksAsync(manager, "the manager's own token");
    }

    [Fact]
    public async Task ATokenOfAnErasedUser_NeverWorksAgain()
    {
        var (id, email) = await NewUserAsync("Erin Erased");
        var token = await ApiTestClient.LoginAsync(factory, email, Password);
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/users/{id}/erase", new { confirmEmail = email })).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await token.GetAsync("/api/rollouts")).StatusCode);
        Assert.Equal(0, await factory.WithDbAsync(db => db.UserSessions.CountAsync(s => s.UserId == id)));
    }

    [Fact]
    public async Task ATokenIssuedBeforeTokensWereRecorded_IsRefused_SayingToSignInAgainOnce()
    {
        var (id, email) = await NewUserAsync("Old Token");
        var user = await factory.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == id));
        var key = (SymmetricSecurityKey)factory.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>()
            .Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters.IssuerSigningKey;
        var now = DateTime.UtcNow;
        // What ApiTokens.Create made before 2026-12-08: the same claims, no jti.
        var old = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = ApiTokens.Issuer, Audience = ApiTokens.Audience, IssuedAt = now, NotBefore = now, Expires = now.AddHours(8),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, email),
                new Claim(ClaimTypes.Role, user.Role.ToString()),
                new Claim(RolloutClaims.DisplayNameClaim, user.DisplayName),
                new Claim(ApiTokens.StampClaim, ApiTokens.StampOf(user.SecurityStamp)),
            ]),
        });
        var client = factory.CreateBrowser();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", old);

        await AssertSignedOutAsync(client, ApiTokens.IssuedBeforeRecords);
        await AssertWorksAsync(await ApiTestClient.LoginAsync(factory, email, Password), "a new token");
    }
}

public sealed class SqliteSignInEndingTests(RolloutWebFactory factory)
    : SignInEndingTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresSignInEndingTests(PostgresWebFactory factory)
    : SignInEndingTests(factory), IClassFixture<PostgresWebFactory>;
