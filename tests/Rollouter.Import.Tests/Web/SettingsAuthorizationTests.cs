using System.Net;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>Settings are for rollout managers and administrators: every lower role gets 403 and sees no Settings link.</summary>
public sealed class SettingsAuthorizationTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    /// <summary>One of each kind of setting the addresses below name.</summary>
    private Task<(int User, int Rollout, int Workflow, int Status, int Field, int Option, int LinkType)> IdsAsync() =>
        factory.WithDbAsync(async db => (
            await db.Users.Select(u => u.Id).FirstAsync(),
            await db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync(),
            await db.Workflows.Select(w => w.Id).FirstAsync(),
            await db.WorkflowStatuses.Select(s => s.Id).FirstAsync(),
            await db.CustomFields.Where(f => f.Name == "Model").Select(f => f.Id).SingleAsync(),
            await db.CustomFieldOptions.Select(o => o.Id).FirstAsync(),
            await db.ClientLinkTypes.Select(t => t.Id).FirstAsync()));

    private async Task<string[]> SettingsPagesAsync()
    {
        var (user, rollout, workflow, status, field, option, linkType) = await IdsAsync();
        return
        [
            "/settings", "/settings/users", "/settings/users/new", $"/settings/users/{user}",
            "/settings/rollouts", "/settings/rollouts/new", $"/settings/rollouts/{rollout}",
            "/settings/workflows", "/settings/workflows/new", $"/settings/workflows/{workflow}",
            $"/settings/workflows/{workflow}/statuses/{status}/remove", $"/settings/workflows/{workflow}/duplicate",
            "/settings/custom-fields", "/settings/custom-fields/new", $"/settings/custom-fields/{field}",
            $"/settings/custom-fields/{field}/duplicate",
            "/settings/link-types", "/settings/link-types/new", $"/settings/link-types/{linkType}", $"/settings/link-types/{linkType}/delete",
        ];
    }

    private async Task<string[]> SettingsPostsAsync()
    {
        var (user, rollout, workflow, status, field, option, linkType) = await IdsAsync();
        return
        [
            "/settings/users/new", $"/settings/users/{user}", $"/settings/users/{user}/deactivate", $"/settings/users/{user}/invitation",
            "/settings/rollouts/new", $"/settings/rollouts/{rollout}", $"/settings/rollouts/{rollout}/members",
            $"/settings/rollouts/{rollout}/members/{user}/remove",
            "/settings/workflows/new", $"/settings/workflows/{workflow}", $"/settings/workflows/{workflow}/statuses",
            $"/settings/workflows/{workflow}/statuses/{status}", $"/settings/workflows/{workflow}/statuses/{status}/up",
            $"/settings/workflows/{workflow}/statuses/{status}/remove", $"/settings/workflows/{workflow}/duplicate",
            "/settings/custom-fields/new", $"/settings/custom-fields/{field}", $"/settings/custom-fields/{field}/options",
            $"/settings/custom-fields/{field}/options/{option}", $"/settings/custom-fields/{field}/options/{option}/up",
            $"/settings/custom-fields/{field}/options/{option}/remove", $"/settings/custom-fields/{field}/duplicate",
            "/settings/link-types/new", $"/settings/link-types/{linkType}", $"/settings/link-types/{linkType}/delete",
        ];
    }

    [Theory]
    [InlineData("technician@demo.test")]
    [InlineData("servicedesk@demo.test")]
    [InlineData("clientuser@demo.test")]
    [InlineData("kam@demo.test")]
    public async Task EverySettingsPageAndForm_BelowRolloutManager_IsForbidden_AndNoSettingsLinkIsShown(string email)
    {
        var client = await factory.SignInAsync(email);
        var before = await factory.WithDbAsync(db => db.Users.CountAsync(u => u.IsActive));

        foreach (var page in await SettingsPagesAsync())
        {
            var response = await client.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"GET {page}: {(int)response.StatusCode}");
            Assert.StartsWith("/account/denied", response.Headers.Location!.PathAndQuery);
        }

        foreach (var form in await SettingsPostsAsync())
        {
            var response = await RolloutWebFactory.PostFormAsync(client, form,
                new() { ["Name"] = "x", ["DisplayName"] = "x", ["Email"] = "x@x.test", ["UserCode"] = "X", ["UserId"] = "1" }, "/rollouts");
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"POST {form}: {(int)response.StatusCode}");
            Assert.StartsWith("/account/denied", response.Headers.Location!.PathAndQuery);
        }

        var denied = await client.GetAsync("/account/denied");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.DoesNotContain("/settings", await client.GetStringAsync("/rollouts"));
        Assert.Equal(before, await factory.WithDbAsync(db => db.Users.CountAsync(u => u.IsActive)));
    }

    [Theory]
    [InlineData("manager@demo.test")]
    [InlineData("admin@demo.test")]
    public async Task RolloutManagerAndAdministrator_SeeTheSettingsLink_AndOpenTheSettings(string email)
    {
        var client = await factory.SignInAsync(email);

        Assert.Contains(("Settings", "/settings"), (await client.GetPageAsync("/rollouts")).NavigationLinks());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/settings")).StatusCode);
        foreach (var page in new[] { "/settings/users", "/settings/users/new", "/settings/rollouts", "/settings/workflows",
                     "/settings/workflows/new", "/settings/custom-fields", "/settings/custom-fields/new" })
        {
            Assert.True((await client.GetAsync(page)).StatusCode == HttpStatusCode.OK, page);
        }
    }

    [Fact]
    public async Task SettingsForms_WithoutAntiforgeryToken_AreRejected()
    {
        var admin = await factory.SignInAsync("admin@demo.test");

        var response = await admin.PostAsync("/settings/workflows/new",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["Name"] = "Forged", ["Statuses"] = "New" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(await factory.WithDbAsync(db => db.Workflows.AnyAsync(w => w.Name == "Forged")));
    }
}
