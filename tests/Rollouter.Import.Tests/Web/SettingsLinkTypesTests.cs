using System.Net;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>Client link types: administrators only; shared fields for advanced types.</summary>
public abstract class SettingsLinkTypesTests(RolloutWebFactory factory)
{
    private Task<int> FieldIdAsync(string name) =>
        factory.WithDbAsync(db => db.CustomFields.Where(f => f.Name == name).Select(f => f.Id).SingleAsync());

    [Fact]
    public async Task Administrator_CreatesAndEditsAnAdvancedLinkType_WithSharedFields()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var location = await FieldIdAsync("Location");
        var notes = await FieldIdAsync("Notes");

        var (status, page, _) = await admin.SubmitAsync("/settings/link-types/new", new()
        {
            ["OutwardName"] = "docks", ["InwardName"] = "is docked to", ["IsAdvanced"] = "true",
            ["SharedFieldIds"] = location.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("The link type docks / is docked to was created.", page);
        var type = await factory.WithDbAsync(db => db.ClientLinkTypes.AsNoTracking().Include(t => t.SharedFields).SingleAsync(t => t.OutwardName == "docks"));
        Assert.True(type.IsAdvanced);
        Assert.Equal([location], type.SharedFields.Select(f => f.CustomFieldId));

        var (_, saved, _) = await admin.SubmitAsync($"/settings/link-types/{type.Id}", new()
        {
            ["OutwardName"] = "docks onto", ["InwardName"] = "is docked to", ["IsAdvanced"] = "true",
            ["SharedFieldIds"] = notes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Assert.Contains("The link type docks onto / is docked to was saved.", saved);
        type = await factory.WithDbAsync(db => db.ClientLinkTypes.AsNoTracking().Include(t => t.SharedFields).SingleAsync(t => t.Id == type.Id));
        Assert.Equal("docks onto", type.OutwardName);
        Assert.Equal([notes], type.SharedFields.Select(f => f.CustomFieldId));
        Assert.Contains("docks onto", await admin.PageAsync("/settings/link-types"));
    }

    [Theory]
    [InlineData("", "x", false, "Enter the outward name")]
    [InlineData("x", "", false, "Enter the inward name")]
    [InlineData("REPLACES", "x", false, "Another link type is already named \"REPLACES\".")]
    [InlineData("shares", "shares", false, "Only advanced link types share fields")]
    public async Task Create_WithBadInput_IsRefused(string outward, string inward, bool advanced, string message)
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var location = await FieldIdAsync("Location");
        var before = await factory.WithDbAsync(db => db.ClientLinkTypes.CountAsync());
        var form = new Dictionary<string, string> { ["OutwardName"] = outward, ["InwardName"] = inward, ["IsAdvanced"] = advanced ? "true" : "false" };
        if (outward == "shares")
        {
            form["SharedFieldIds"] = location.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var (_, page, _) = await admin.SubmitAsync("/settings/link-types/new", form);

        Assert.Contains(message, page);
        Assert.Equal(before, await factory.WithDbAsync(db => db.ClientLinkTypes.CountAsync()));
    }

    [Fact]
    public async Task AdvancedFlag_OfATypeInUse_CannotChange()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var usedWith = await factory.WithDbAsync(db => db.ClientLinkTypes.SingleAsync(t => t.OutwardName == "is used with"));

        var response = await RolloutWebFactory.PostFormAsync(admin, $"/settings/link-types/{usedWith.Id}",
            new() { ["OutwardName"] = "is used with", ["InwardName"] = "is used with", ["IsAdvanced"] = "false" });

        Assert.Contains("whether it is advanced can no longer change", SettingsTestSupport.Text(await response.Content.ReadAsStringAsync()));
        Assert.True(await factory.WithDbAsync(db => db.ClientLinkTypes.Where(t => t.Id == usedWith.Id).Select(t => t.IsAdvanced).SingleAsync()));
    }

    [Fact]
    public async Task RolloutManager_IsForbidden_AndSeesNoLinkTypesTab()
    {
        var manager = await factory.SignInAsync("manager@demo.test");

        var list = await manager.GetAsync("/settings/link-types");
        var create = await RolloutWebFactory.PostFormAsync(manager, "/settings/link-types/new",
            new() { ["OutwardName"] = "sneaks", ["InwardName"] = "is sneaked" }, "/settings/users");

        Assert.StartsWith("/account/denied", list.Headers.Location!.PathAndQuery);
        Assert.StartsWith("/account/denied", create.Headers.Location!.PathAndQuery);
        Assert.DoesNotContain("/settings/link-types", await manager.GetStringAsync("/settings/users"));
        Assert.False(await factory.WithDbAsync(db => db.ClientLinkTypes.AnyAsync(t => t.OutwardName == "sneaks")));
    }
}

public sealed class SqliteSettingsLinkTypesTests(RolloutWebFactory factory)
    : SettingsLinkTypesTests(factory), IClassFixture<RolloutWebFactory>;

public sealed class PostgresSettingsLinkTypesTests(PostgresWebFactory factory)
    : SettingsLinkTypesTests(factory), IClassFixture<PostgresWebFactory>;
