using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Web;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Tests.Api;

/// <summary>
/// QA: a token that was sent but refused (expired, its user deactivated or given another role) was answered "Sign in
/// first: send a bearer token …", as if none had been sent, and WWW-Authenticate said nothing. The 401 now says why, in
/// its detail and in WWW-Authenticate's error_description.
/// </summary>
public sealed class TokenRefusalTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private const string Password = "Str0ng!Password";

    private async Task<(int Id, string Email)> NewUserAsync(string name)
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var email = $"{name}.{Guid.NewGuid():N}@example.test";
        var created = await admin.PostAsJsonAsync("/api/users", new
        {
            displayName = name, email, userCode = "U-T" + Guid.NewGuid().ToString("N")[..12], role = "RolloutManager",
            password = Password, rolloutIds = new[] { await admin.RolloutIdAsync("W11") },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return ((await ApiTestClient.ReadAsync(created)).Id(), email);
    }

    /// <summary>The 401's detail (also in error) and its WWW-Authenticate header.</summary>
    private static async Task<(string Detail, string Challenge)> RefusedAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/rollouts");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        var detail = problem["detail"]!.GetValue<string>();
        Assert.Equal(detail, problem["error"]!.GetValue<string>());
        return (detail, string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString())));
    }

    private HttpClient WithToken(string token)
    {
        var client = factory.CreateBrowser();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task AnExpiredToken_SaysWhenItExpired()
    {
        var (id, _) = await NewUserAsync("Exp");
        var user = await factory.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == id));
        var key = (SymmetricSecurityKey)factory.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>()
            .Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters.IssuerSigningKey;
        var issued = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var token = new ApiTokens(key, new FakeTimeProvider(issued)).Create(user, "an-expired-token");

        var (detail, challenge) = await RefusedAsync(WithToken(token));

        Assert.Equal("The token expired at 2026-01-02 11:04:05 UTC (a token lasts 8 hours): sign in again (POST /api/auth/login) " +
            "for a new one.", detail);
        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{detail}\"", challenge);
    }

    [Fact]
    public async Task ATokenOfADeactivatedUser_SaysSo()
    {
        var (id, email) = await NewUserAsync("Deact");
        var script = await ApiTestClient.LoginAsync(factory, email, Password);
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{id}/deactivate", null)).StatusCode);

        var (detail, challenge) = await RefusedAsync(script);

        Assert.StartsWith("The user of this token is deactivated", detail, StringComparison.Ordinal);
        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{detail}\"", challenge);
    }

    [Fact]
    public async Task ATokenOfAUserGivenAnotherRole_SaysWhichChange()
    {
        var (id, email) = await NewUserAsync("Role");
        var script = await ApiTestClient.LoginAsync(factory, email, Password);
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/users/{id}", new { role = "Technician" })).StatusCode);

        var (detail, challenge) = await RefusedAsync(script);

        Assert.StartsWith("The user's role changed since this token was issued (from RolloutManager to Technician)", detail,
            StringComparison.Ordinal);
        Assert.Contains("error_description=\"The user's role changed", challenge, StringComparison.Ordinal);
    }

    /// <summary>
    /// Mutation testing (security pass, 2026-12-07): taking the key account manager flag away keeps the security stamp,
    /// so only the flag's own comparison ends the tokens issued with it; no test changed the flag, and a token without
    /// that comparison went on reading the imports' failed rows as a key account manager.
    /// </summary>
    [Fact]
    public async Task ATokenOfAUserNoLongerAKeyAccountManager_IsRefused_SayingSo()
    {
        var (id, email) = await NewUserAsync("Kam");
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/users/{id}", new { role = "ClientUser", isKeyAccountManager = true })).StatusCode);
        var script = await ApiTestClient.LoginAsync(factory, email, Password);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/rollouts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/users/{id}", new { isKeyAccountManager = false })).StatusCode);

        var (detail, challenge) = await RefusedAsync(script);

        Assert.StartsWith("The user's key account manager flag changed since this token was issued", detail, StringComparison.Ordinal);
        Assert.Contains("error_description=\"The user's key account manager flag changed", challenge, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATokenEndedByANewPassword_SaysSo()
    {
        var (id, email) = await NewUserAsync("Stamp");
        var script = await ApiTestClient.LoginAsync(factory, email, Password);
        await factory.WithDbAsync(db => db.Users.Where(u => u.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.SecurityStamp, Guid.NewGuid().ToString("N").ToUpperInvariant())));

        var (detail, _) = await RefusedAsync(script);

        Assert.StartsWith("The user's password was changed, or their sign-ins were ended", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangingTheEmail_EndsTheSessionsAndTokens_SayingWhy_AndTheUserSignsInWithTheNewAddress()
    {
        // QA (onboarding): the email changed without a new security stamp, so a link sent to the old address still
        // opened the account; the user's sessions and tokens now end as after a new password.
        var (id, email) = await NewUserAsync("Mail");
        var script = await ApiTestClient.LoginAsync(factory, email, Password);
        var session = await factory.SignInAsync(email, Password);
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var newEmail = $"mail.{Guid.NewGuid():N}@example.test";

        var saved = await admin.PutAsJsonAsync($"/api/users/{id}", new { email = newEmail });

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var notice = (await ApiTestClient.ReadAsync(saved))["notice"]!.GetValue<string>();
        Assert.Contains($"The email address changed from {email} to {newEmail}. Links made before this change no longer work", notice,
            StringComparison.Ordinal);
        var (detail, _) = await RefusedAsync(script);
        Assert.StartsWith("The user's email address was changed since this token was issued", detail, StringComparison.Ordinal);
        var signedOut = await session.GetAsync("/rollouts");
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.StartsWith("/account/login", signedOut.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await (await ApiTestClient.LoginAsync(factory, newEmail, Password)).GetAsync("/api/rollouts")).StatusCode);
    }

    [Fact]
    public async Task ADemotionSavedWithANewEmail_StillNamesTheRoleChange()
    {
        var (id, email) = await NewUserAsync("Both");
        var script = await ApiTestClient.LoginAsync(factory, email, Password);
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/users/{id}",
            new { role = "Technician", email = $"both.{Guid.NewGuid():N}@example.test" })).StatusCode);

        var (detail, _) = await RefusedAsync(script);
        Assert.StartsWith("The user's role changed since this token was issued (from RolloutManager to Technician)", detail,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMalformedToken_SaysSo_AndNoTokenStillSaysToSignIn()
    {
        var (malformed, challenge) = await RefusedAsync(WithToken("not-a-token"));
        var (none, plain) = await RefusedAsync(factory.CreateBrowser());

        Assert.StartsWith("The bearer token is malformed", malformed, StringComparison.Ordinal);
        Assert.Contains("error=\"invalid_token\"", challenge, StringComparison.Ordinal);
        Assert.Equal("Sign in first: send a bearer token from POST /api/auth/login.", none);
        Assert.Equal("Bearer", plain);
    }
}
