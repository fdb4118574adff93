using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure;

namespace Rollouter.Import.Tests.Web;

public class OperationsTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    [Fact]
    public async Task Health_ChecksTheDatabase_WithoutSignIn()
    {
        var response = await factory.CreateBrowser().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnexpectedError_ShowsFriendlyPageWithCorrelationId_NoStackTrace()
    {
        var client = await factory.SignInAsync("manager@demo.test");

        var response = await client.GetAsync("/test/throw");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("Something went wrong", page);
        var id = HtmlPage.Parse(page).TestId("correlation-id").NormalizedText();
        Assert.True(id.Length > 8, page);
        Assert.DoesNotContain("Secret internal detail", page);
        Assert.DoesNotContain("InvalidOperationException", page);
    }

    [Fact]
    public async Task UnknownPage_ShowsFriendlyNotFound()
    {
        var client = await factory.SignInAsync("manager@demo.test");

        var response = await client.GetAsync("/rollouts/NOPE");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/error/999999")]
    [InlineData("/error/99999999999")]
    [InlineData("/error/0")]
    [InlineData("/error/-1")]
    [InlineData("/error/200")]
    [InlineData("/error/399")]
    [InlineData("/error/600")]
    [InlineData("/error/abc")]
    public async Task AnErrorPageForACodeThatIsNoError_IsNotFound(string path)
    {
        // The error pages send the code they show: only 400-599, the codes of errors, make a valid status line.
        var response = await factory.CreateBrowser().GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/error/400", 400, "Bad request")]
    [InlineData("/error/404", 404, "Page not found")]
    [InlineData("/error/413", 413, "File too large")]
    [InlineData("/error/599", 599, "Something went wrong")]
    [InlineData("/error", 500, "Something went wrong")]
    public async Task AnErrorPage_SendsTheCodeItShows(string path, int status, string title)
    {
        var response = await factory.CreateBrowser().GetAsync(path);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(title, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DemoSeeding_RunTwice_AddsNothing()
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        var before = await CountsAsync(db);

        await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();
        await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();

        Assert.Equal(before, await CountsAsync(db));
        Assert.Equal((6, 2, 3, 50, 7, 4), before);
    }

    private static async Task<(int Users, int Rollouts, int Inventories, int Clients, int Fields, int Links)> CountsAsync(
        RolloutDbContext db) =>
        (await db.Users.CountAsync(u => u.Email!.EndsWith("@demo.test") && u.Email != "gone@demo.test"),
            await db.Rollouts.CountAsync(), await db.Inventories.CountAsync(), await db.Clients.CountAsync(),
            await db.CustomFields.CountAsync(), await db.ClientLinks.CountAsync());
}
