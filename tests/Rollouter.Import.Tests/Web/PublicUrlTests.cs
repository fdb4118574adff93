using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>An installation told its public address (<c>Rollouter:PublicUrl</c>).</summary>
public sealed class PublicUrlWebFactory : RolloutWebFactory
{
    public const string PublicUrl = "https://rollouter.example.com/";

    protected override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["Rollouter:PublicUrl"] = PublicUrl };
}

/// <summary>
/// The absolute links the app makes do not follow a forged Host header when <c>Rollouter:PublicUrl</c> is set: an
/// invitation link copied from the page or the API, and the redirect to the sign-in page.
/// </summary>
public sealed class PublicUrlTests(PublicUrlWebFactory factory) : IClassFixture<PublicUrlWebFactory>
{
    private const string Forged = "evil.example";
    private const string Invitation = "https://rollouter.example.com/account/invitation?user=";

    [Fact]
    public async Task Api_InvitationLink_IsOnTheConfiguredAddress_WhateverTheHostHeader()
    {
        var manager = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var w11 = await manager.RolloutIdAsync("W11");
        manager.DefaultRequestHeaders.Host = Forged;

        var invited = await manager.PostAsJsonAsync("/api/users", new
        {
            displayName = "Public Paul", email = "public.paul@example.test", userCode = "U-8101", role = "Technician",
            rolloutIds = new[] { w11 },
        });

        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        Assert.StartsWith(Invitation, (await ApiTestClient.ReadAsync(invited))["invitationUrl"]!.GetValue<string>());
    }

    [Fact]
    public async Task Page_InvitationLink_IsOnTheConfiguredAddress_WhateverTheHostHeader()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        manager.DefaultRequestHeaders.Host = Forged;
        var w11 = await factory.WithDbAsync(db => db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync());

        var (_, created, _) = await manager.SubmitAsync("/settings/users/new", new()
        {
            ["DisplayName"] = "Public Pia", ["Email"] = "public.pia@example.test", ["UserCode"] = "U-8102", ["Role"] = "Technician",
            ["Invite"] = "true", ["Password"] = "", ["ConfirmPassword"] = "",
            ["RolloutIds"] = w11.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        Assert.StartsWith(Invitation, SettingsTestSupport.InvitationLink(created));
    }

    [Fact]
    public async Task TheOpenApiServer_IsTheConfiguredAddress_WhateverTheHostHeader()
    {
        // Behind a proxy that forwards neither Host nor scheme the document named http://127.0.0.1:8080/ (decision 0156).
        var browser = factory.CreateBrowser();
        browser.DefaultRequestHeaders.Host = Forged;

        var document = System.Text.Json.Nodes.JsonNode.Parse(await browser.GetStringAsync("/openapi/v1.json"))!;

        var server = Assert.Single(document["servers"]!.AsArray());
        Assert.Equal(PublicUrlWebFactory.PublicUrl, server!["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheRedirectToSignIn_IsOnTheConfiguredAddress_WhateverTheHostHeader()
    {
        var browser = factory.CreateBrowser();
        browser.DefaultRequestHeaders.Host = Forged;

        var response = await browser.GetAsync("/rollouts");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("https://rollouter.example.com/account/login?", response.Headers.Location?.OriginalString);
    }
}
