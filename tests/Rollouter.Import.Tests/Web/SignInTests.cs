using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure;

namespace Rollouter.Import.Tests.Web;

public class SignInTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    [Theory]
    [InlineData("admin@demo.test", "Ada Admin")]
    [InlineData("manager@demo.test", "Max Manager")]
    [InlineData("technician@demo.test", "Tina Technician")]
    [InlineData("servicedesk@demo.test", "Sven Servicedesk")]
    [InlineData("clientuser@demo.test", "Clara Client")]
    [InlineData("kam@demo.test", "Kai Keyaccount")]
    public async Task SignIn_WithDemoAccount_ShowsTheUsersRollouts(string email, string name)
    {
        var client = await factory.SignInAsync(email);

        var page = await client.GetStringAsync("/rollouts");

        Assert.Contains(name, page);
        Assert.Contains("Windows 11 Refresh", page);
    }

    [Fact]
    public async Task SignIn_WithWrongPassword_StaysOnLoginWithMessage()
    {
        var client = factory.CreateBrowser();

        var response = await RolloutWebFactory.PostFormAsync(client, "/account/login",
            new() { ["Email"] = "manager@demo.test", ["Password"] = "wrong-password" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The email or password is not correct", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/rollouts")).StatusCode);
    }

    [Fact]
    public async Task SignIn_WithoutAntiforgeryToken_IsRejected()
    {
        var client = factory.CreateBrowser();

        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["Email"] = "manager@demo.test", ["Password"] = DemoSeeder.Password }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task SignIn_OfDeactivatedUser_IsRefused()
    {
        using (var scope = factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            var user = TestSettings.User("gone@demo.test", "Gone", "U-9001", Role.Technician, active: false);
            Assert.True((await users.CreateAsync(user, DemoSeeder.Password)).Succeeded);
        }

        var client = factory.CreateBrowser();
        var response = await RolloutWebFactory.PostFormAsync(client, "/account/login",
            new() { ["Email"] = "gone@demo.test", ["Password"] = DemoSeeder.Password });

        Assert.Contains("deactivated", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/rollouts")).StatusCode);
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        var client = await factory.SignInAsync("manager@demo.test");

        var response = await RolloutWebFactory.PostFormAsync(client, "/account/logout", [], formPage: "/rollouts");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var after = await client.GetAsync("/rollouts");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/account/login", after.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task SignIn_ReturnUrlOutsideTheSite_IsIgnored()
    {
        var client = factory.CreateBrowser();

        var response = await RolloutWebFactory.PostFormAsync(client, "/account/login", new()
        {
            ["Email"] = "manager@demo.test", ["Password"] = DemoSeeder.Password, ["ReturnUrl"] = "https://evil.example/",
        });

        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }
}
