using System.Net;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Jobs;

/// <summary>The Hangfire dashboard is for administrators only.</summary>
public sealed class HangfireDashboardTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    [Fact]
    public async Task Dashboard_ForAdministrator_Opens()
    {
        var admin = await factory.SignInAsync("admin@demo.test");

        var response = await admin.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Hangfire", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("manager@demo.test")]
    [InlineData("technician@demo.test")]
    public async Task Dashboard_ForOtherRoles_IsRefused(string email)
    {
        var client = await factory.SignInAsync(email);

        var response = await client.GetAsync("/hangfire");

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized });
        Assert.DoesNotContain("Hangfire", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Dashboard_WhenAnonymous_IsRefused()
    {
        var response = await factory.CreateBrowser().GetAsync("/hangfire");

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("Hangfire", await response.Content.ReadAsStringAsync());
    }
}
