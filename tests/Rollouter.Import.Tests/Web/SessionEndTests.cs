using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// A new password ends every other session and API token of the user at once (Identity's security stamp, checked on
/// every request for cookies and named in the bearer token); so do a reset link and a deactivation, and a reactivation
/// brings none of them back.
/// </summary>
public abstract class SessionEndTests(RolloutWebFactory factory)
{
    private const string Password = "Str0ng!Password";
    private const string NewPassword = "N3w!Password";

    private async Task<(int Id, string Email)> NewUserAsync(string name, string role = "Technician", bool keyAccountManager = false)
    {
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var email = $"{name}.{Guid.NewGuid():N}@example.test";
        var created = await admin.PostAsJsonAsync("/api/users", new
        {
            displayName = name, email, userCode = "U-S" + Guid.NewGuid().ToString("N")[..12], role, password = Password,
            isKeyAccountManager = keyAccountManager, rolloutIds = new[] { await admin.RolloutIdAsync("W11") },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return ((await ApiTestClient.ReadAsync(created)).Id(), email);
    }

    private static async Task AssertSignedOutAsync(HttpClient session)
    {
        var response = await session.GetAsync("/rollouts");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery);
    }

    /// <summary>The review list: key account managers only; anyone else is sent to "access denied".</summary>
    private static async Task AssertReviewsAsync(HttpClient session, bool allowed)
    {
        var response = await session.GetAsync("/reviews");
        if (allowed)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/denied", response.Headers.Location!.PathAndQuery);
        }
    }

    [Fact]
    public async Task ChangingThePassword_EndsTheOtherSessionsAndTokens_AndKeepsThisOne()
    {
        var (_, email) = await NewUserAsync("Carl");
        var here = await factory.SignInAsync(email, Password);
        var elsewhere = await factory.SignInAsync(email, Password);
        var script = await ApiTestClient.LoginAsync(factory, email, Password);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/rollouts")).StatusCode);

        var (_, wrong, _) = await here.SubmitAsync("/account/password",
            new() { ["CurrentPassword"] = "not-it", ["NewPassword"] = NewPassword, ["ConfirmPassword"] = NewPassword });
        Assert.Contains("The current password is not correct.", wrong);
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.GetAsync("/rollouts")).StatusCode);

        var (_, changed, _) = await here.SubmitAsync("/account/password",
            new() { ["CurrentPassword"] = Password, ["NewPassword"] = NewPassword, ["ConfirmPassword"] = NewPassword });

        Assert.Contains("Your password was changed.", changed);
        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/rollouts")).StatusCode);
        await AssertSignedOutAsync(elsewhere);
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/api/rollouts")).StatusCode);
        await factory.SignInAsync(email, NewPassword);
        await ApiTestClient.LoginAsync(factory, email, NewPassword);
    }

    [Fact]
    public async Task AResetLink_EndsTheSessionsAndTokens_AndSettingThePasswordEndsThoseOpenedMeanwhile()
    {
        var (id, email) = await NewUserAsync("Rita");
        var before = await factory.SignInAsync(email, Password);
        var tokenBefore = await ApiTestClient.LoginAsync(factory, email, Password);
        var admin = await factory.SignInAsync("admin@demo.test");

        var (_, linkPage, _) = await admin.SubmitAsync($"/settings/users/{id}/invitation", [], $"/settings/users/{id}");
        var link = new Uri(SettingsTestSupport.InvitationLink(linkPage)).PathAndQuery;

        await AssertSignedOutAsync(before);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tokenBefore.GetAsync("/api/rollouts")).StatusCode);

        // Signed in again with the old password before the link is used: ended too once the new password is set.
        var meanwhile = await factory.SignInAsync(email, Password);
        var tokenMeanwhile = await ApiTestClient.LoginAsync(factory, email, Password);
        var invitee = factory.CreateBrowser();
        var fields = SettingsTestSupport.InvitationFields(link);
        fields["Password"] = fields["ConfirmPassword"] = NewPassword;
        var (_, home, location) = await invitee.SubmitAsync("/account/invitation", fields, formPage: link);

        Assert.Equal("/rollouts", location);
        Assert.Contains("Windows 11 Refresh", home);
        await AssertSignedOutAsync(meanwhile);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tokenMeanwhile.GetAsync("/api/rollouts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await invitee.GetAsync("/rollouts")).StatusCode);
    }

    [Fact]
    public async Task Reactivating_DoesNotBringBackTheSessionsAndTokensTheDeactivationEnded()
    {
        var (id, email) = await NewUserAsync("Dora");
        var session = await factory.SignInAsync(email, Password);
        var script = await ApiTestClient.LoginAsync(factory, email, Password);
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        var stamp = await factory.WithDbAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.SecurityStamp).SingleAsync());

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{id}/deactivate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{id}/reactivate", null)).StatusCode);

        Assert.NotEqual(stamp, await factory.WithDbAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.SecurityStamp).SingleAsync()));
        await AssertSignedOutAsync(session);
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/api/rollouts")).StatusCode);
        await factory.SignInAsync(email, Password);
        await ApiTestClient.LoginAsync(factory, email, Password);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ChangingTheKeyAccountManagerFlag_EndsTheTokens_AndTheSessionGoesOnWithTheNewRights(bool wasKeyAccountManager)
    {
        // As for a role: the token names the flag, and the token check compares it with the user's on every call.
        var (id, email) = await NewUserAsync("Kim", "ServiceDesk", wasKeyAccountManager);
        var session = await factory.SignInAsync(email, Password);
        var script = await ApiTestClient.LoginAsync(factory, email, Password);
        var admin = await ApiTestClient.LoginAsync(factory, "admin@demo.test");
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/rollouts")).StatusCode);
        await AssertReviewsAsync(session, wasKeyAccountManager);

        Assert.Equal(HttpStatusCode.OK,
            (await admin.PutAsJsonAsync($"/api/users/{id}", new { isKeyAccountManager = !wasKeyAccountManager })).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/api/rollouts")).StatusCode);
        await AssertReviewsAsync(session, !wasKeyAccountManager);
        var fresh = await ApiTestClient.LoginAsync(factory, email, Password);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/api/rollouts")).StatusCode);
    }

    [Fact]
    public async Task AKeyAccountManagerFlagChangedInTheDatabase_EndsTheTokensAtTheNextRequest()
    {
        var (id, email) = await NewUserAsync("Kit", "ServiceDesk", keyAccountManager: true);
        var script = await ApiTestClient.LoginAsync(factory, email, Password);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/rollouts")).StatusCode);

        await factory.WithDbAsync(db => db.Users.Where(u => u.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.IsKeyAccountManager, false)));

        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/api/rollouts")).StatusCode);
    }

    [Fact]
    public async Task AStampChangedInTheDatabase_EndsSessionsAndTokensAtTheNextRequest()
    {
        // What another instance's change looks like to this one: nothing is cached, the next request reads the stamp.
        var (id, email) = await NewUserAsync("Ines");
        var session = await factory.SignInAsync(email, Password);
        var script = await ApiTestClient.LoginAsync(factory, email, Password);

        await factory.WithDbAsync(db => db.Users.Where(u => u.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.SecurityStamp, Guid.NewGuid().ToString("N").ToUpperInvariant())));

        await AssertSignedOutAsync(session);
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/api/rollouts")).StatusCode);
    }
}

public sealed class SqliteSessionEndTests(RolloutWebFactory factory)
    : SessionEndTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresSessionEndTests(PostgresWebFactory factory)
    : SessionEndTests(factory), IClassFixture<PostgresWebFactory>;
