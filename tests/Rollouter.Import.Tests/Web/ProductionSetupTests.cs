using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Tests.Web;

public sealed class ProductionWebFactory : RolloutWebFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rollouter:DemoData"] = "false",
        ["Rollouter:InitialAdministrator:Email"] = "it@customer.example",
        ["Rollouter:InitialAdministrator:Password"] = "Str0ng-Initial!",
    };
}

/// <summary>A production installation never creates accounts with known passwords; it starts with one administrator.</summary>
public class ProductionSetupTests(ProductionWebFactory factory) : IClassFixture<ProductionWebFactory>
{
    [Fact]
    public async Task Production_WithoutDemoData_HasOnlyTheConfiguredAdministrator()
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();

        var users = await db.Users.ToListAsync();

        var admin = Assert.Single(users);
        Assert.Equal("it@customer.example", admin.Email);
        Assert.Equal(Role.Administrator, admin.Role);
        Assert.Equal(0, await db.Rollouts.CountAsync());
    }

    [Fact]
    public async Task Production_DemoPasswordDoesNotSignIn_ConfiguredAdministratorDoes()
    {
        var demo = factory.CreateBrowser();
        var refused = await RolloutWebFactory.PostFormAsync(demo, "/account/login",
            new() { ["Email"] = "admin@demo.test", ["Password"] = DemoSeeder.Password });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);

        var admin = await factory.SignInAsync("it@customer.example", "Str0ng-Initial!");
        // No rollouts yet: the page tells the administrator how to set one up.
        var rollouts = await admin.GetPageAsync("/rollouts");
        Assert.Contains("There are no rollouts yet.", rollouts.Body!.NormalizedText());
        Assert.Contains("/settings/rollouts/new", rollouts.Links());
    }
}
