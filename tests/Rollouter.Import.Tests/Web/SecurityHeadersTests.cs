using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// Every response carries the security headers; pages hold no inline script, style or handler (so the
/// Content-Security-Policy can forbid them); over HTTPS cookies are Secure and HSTS is sent; a form posted from another
/// site is refused even with a valid antiforgery token.
/// </summary>
public sealed class SecurityHeadersTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private HttpClient Https() => factory.CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://rollouter.test"),
        AllowAutoRedirect = false,
        HandleCookies = true,
    });

    private static void AssertHeaders(HttpResponseMessage response, string what)
    {
        string Header(string name) => response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";
        var policy = Header("Content-Security-Policy");
        Assert.True(policy.Contains("script-src 'self'", StringComparison.Ordinal), $"{what}: CSP is \"{policy}\"");
        Assert.Contains("style-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("unsafe", policy);
        Assert.Equal(("nosniff", "DENY", "same-origin"),
            (Header("X-Content-Type-Options"), Header("X-Frame-Options"), Header("Referrer-Policy")));
    }

    [Fact]
    public async Task EveryResponse_CarriesTheSecurityHeaders_PagesFilesErrorsAndApi()
    {
        var anonymous = factory.CreateBrowser();
        var manager = await factory.SignInAsync("manager@demo.test");
        var api = await Api.ApiTestClient.LoginAsync(factory, "manager@demo.test");

        foreach (var (client, path) in new[]
                 {
                     (anonymous, "/account/login"), (anonymous, "/css/site.css"), (anonymous, "/js/site.js"),
                     (anonymous, "/health"), (anonymous, "/rollouts"), (manager, "/rollouts/W11"),
                     (manager, "/no-such-page"), (manager, "/test/throw"), (api, "/api/rollouts"), (api, "/api/no-such-thing"),
                     (api, "/api/test/throw"),
                 })
        {
            AssertHeaders(await client.GetAsync(path), path);
        }
    }

    /// <summary>
    /// QA (personal data, decision 0135): pages, API answers and downloads that name people (client users, assignees,
    /// users' emails) said nothing of caching, so a shared proxy or the browser's disk could keep them after the session;
    /// only the client export and the polled progress said no-store. Every such response now says no-store; the
    /// stylesheets and scripts keep their own caching.
    /// </summary>
    [Fact]
    public async Task ResponsesThatNamePeople_AreNotStored_StylesheetsKeepTheirCaching()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var kam = await factory.SignInAsync("kam@demo.test");
        var admin = await factory.SignInAsync("admin@demo.test");
        var api = await Api.ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var (laptops, client, failed) = await ExamplesAsync();

        foreach (var (browser, path) in new[]
                 {
                     (manager, $"/rollouts/W11/inventories/{laptops}"), (manager, $"/rollouts/W11/clients/{client}"),
                     (manager, $"/rollouts/W11/imports/{failed}"), (kam, $"/reviews/W11/imports/{failed}"),
                     (admin, "/settings/users"), (api, $"/api/inventories/{laptops}/clients"), (api, $"/api/clients/{client}"),
                     (api, $"/api/imports/{failed}/error-report"), (api, $"/api/imports/{failed}/errors"),
                     (api, $"/api/imports/{failed}/file"), (manager, $"/rollouts/W11/imports/{failed}/error-report"),
                     (api, "/api/rollouts"), (manager, "/no-such-page"),
                 })
        {
            var response = await browser.GetAsync(path);
            Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
            Assert.True(response.Headers.CacheControl?.NoStore == true,
                $"{path} answered Cache-Control \"{response.Headers.CacheControl}\", which lets a proxy or the browser keep it");
        }

        var stylesheet = await factory.CreateBrowser().GetAsync("/css/site.css");
        Assert.Equal(HttpStatusCode.OK, stylesheet.StatusCode);
        Assert.False(stylesheet.Headers.CacheControl?.NoStore == true, $"the stylesheet answered {stylesheet.Headers.CacheControl}");
    }

    [Fact]
    public async Task NoPage_HoldsAnInlineScriptStyleOrHandler()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var kam = await factory.SignInAsync("kam@demo.test");
        var admin = await factory.SignInAsync("admin@demo.test");
        var (laptops, client, failed) = await ExamplesAsync();
        var pages = new List<(HttpClient, string)>
        {
            (factory.CreateBrowser(), "/account/login"), (manager, "/rollouts"), (manager, "/rollouts/W11"),
            (manager, $"/rollouts/W11/inventories/{laptops}"), (manager, $"/rollouts/W11/inventories/{laptops}/edit"),
            (manager, "/rollouts/W11/inventories/new"), (manager, $"/rollouts/W11/inventories/{laptops}/duplicate"),
            (manager, $"/rollouts/W11/clients/{client}"), (manager, "/rollouts/W11/imports"),
            (manager, "/rollouts/W11/imports/new"), (manager, $"/rollouts/W11/imports/{failed}"),
            (kam, "/reviews"), (kam, $"/reviews/W11/imports/{failed}"), (admin, "/settings/users"),
            (admin, "/settings/users/new"), (admin, "/settings/custom-fields"), (admin, "/settings/workflows"),
            (admin, "/settings/rollouts"), (admin, "/settings/link-types"), (manager, "/no-such-page"),
        };

        foreach (var (browser, path) in pages)
        {
            var response = await browser.GetAsync(path);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
            var page = HtmlPage.Parse(html);
            foreach (var (kind, found) in new[]
                     {
                         ("script", page.QuerySelector("script:not([src])")),
                         ("style", page.QuerySelector("style, [style]")),
                         ("handler", page.All.FirstOrDefault(e => e.Attributes.Any(a => a.Name.Length > 2 && a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase)))),
                     })
            {
                Assert.True(found is null, $"{path} has an inline {kind}: {Shortened(found?.OuterHtml)}");
            }

            Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task OverHttps_CookiesAreSecure_AndHstsIsSent_OverHttpNeither()
    {
        var https = Https();
        var login = await https.GetAsync("/account/login");
        Assert.True(login.Headers.Contains("Strict-Transport-Security"));
        Assert.All(login.Headers.GetValues("Set-Cookie"), c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
        var token = RolloutWebFactory.AntiforgeryToken(await login.Content.ReadAsStringAsync());
        var signIn = await https.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = "manager@demo.test", ["Password"] = Rollouter.Import.Web.Infrastructure.DemoSeeder.Password,
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var auth = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("Rollouter.Auth=", StringComparison.Ordinal));
        Assert.Contains("secure", auth, StringComparison.OrdinalIgnoreCase);

        var http = await factory.CreateBrowser().GetAsync("/account/login");
        Assert.False(http.Headers.Contains("Strict-Transport-Security"));
        Assert.All(http.Headers.GetValues("Set-Cookie"), c => Assert.DoesNotContain("secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("Origin", "https://evil.example")]
    [InlineData("Origin", "null")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    public async Task AFormPostedFromAnotherSite_IsRefused_EvenWithAValidToken(string header, string value)
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var name = $"Cross-site {Guid.NewGuid():N}"[..24];
        var page = await manager.GetStringAsync("/rollouts/W11/inventories/new");
        var workflow = HtmlPage.Parse(page).One("[name=WorkflowId]") is AngleSharp.Html.Dom.IHtmlSelectElement select
            ? select.OptionValues().First(value => int.TryParse(value, out _))
            : HtmlPage.Parse(page).FieldValue("WorkflowId")!;
        using var post = new HttpRequestMessage(HttpMethod.Post, "/rollouts/W11/inventories/new")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Name"] = name, ["WorkflowId"] = workflow,
                ["__RequestVerificationToken"] = RolloutWebFactory.AntiforgeryToken(page),
            }),
        };
        post.Headers.Add(header, value);

        var response = await manager.SendAsync(post);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var scope = factory.Services.CreateScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Inventories.AnyAsync(i => i.Name == name));
        // QA: the refusal was a 403 with an empty body, a blank page (also for every form behind a proxy that changes the
        // Host header). It is the app's page saying why and what to do.
        var refusal = await response.ReadPageAsync();
        Assert.Equal("Form refused: sent from another site", refusal.One("h1").NormalizedText());
        Assert.Equal($"This form was sent from {(header == "Origin" && value != "null" ? value : "a page of another site")}, not from this app's own " +
            "pages at localhost, so it was refused and nothing was changed. If you sent it from this app, open the app at its own " +
            "address and send the form again. If the app is reached through a proxy, ask your administrator to keep the Host " +
            "header or to list that address in Rollouter:AllowedOrigins (operations.md).", refusal.TestId("error-message").NormalizedText());
    }

    [Fact]
    public async Task AFormPostedFromTheAppItself_PassesTheOriginCheck()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var page = await manager.GetStringAsync("/rollouts/W11/imports");
        using var post = new HttpRequestMessage(HttpMethod.Post, "/account/logout")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = RolloutWebFactory.AntiforgeryToken(page),
            }),
        };
        post.Headers.Add("Origin", "http://localhost");
        post.Headers.Add("Sec-Fetch-Site", "same-origin");

        var response = await manager.SendAsync(post);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    private async Task<(int Laptops, int Client, int FailedImport)> ExamplesAsync()
    {
        var api = await Api.ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await Api.ApiTestClient.RolloutIdAsync(api, "W11");
        var laptops = await Api.ApiTestClient.InventoryIdAsync(api, rolloutId, "Laptops");
        var import = await Api.ApiTestClient.ReadAsync(await Api.ApiTestClient.UploadAsync(api, rolloutId, laptops, "csp.csv",
            $"Name,Status\nCSP-{Guid.NewGuid():N},No such status\n"));
        var id = Api.ApiTestClient.Id(import);
        await api.PostAsync($"/api/imports/{id}/approve", null);
        await Api.ApiTestClient.WaitForResultAsync(api, id);
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
        return (laptops, await db.Clients.Where(c => c.Name == "LT-0001").Select(c => c.Id).SingleAsync(), id);
    }

    private static string? Shortened(string? html) => html is { Length: > 240 } ? html[..240] + "…" : html;
}
