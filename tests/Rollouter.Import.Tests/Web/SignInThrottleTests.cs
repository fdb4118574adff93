using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>An installation whose sign-in limits are set low enough to reach in a test.</summary>
public class LowSignInLimitsFactory : RolloutWebFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rollouter:SignIn:FailuresPerEmail"] = "3",
        ["Rollouter:SignIn:FailureRefill"] = "01:00:00",
        ["Rollouter:SignIn:LockoutFailures"] = "1000",
    };
}

/// <summary>Lockout after three failures, for the default window, on a clock the test moves; no email limit in the way.</summary>
public sealed class LockoutClockFactory : RolloutWebFactory
{
    public AdjustableClock Clock { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rollouter:SignIn:FailuresPerEmail"] = "1000",
        ["Rollouter:SignIn:LockoutFailures"] = "3",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>The system clock, moved forward when a test says so.</summary>
public sealed class AdjustableClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}

/// <summary>Four sign-in attempts per address, page and API together.</summary>
public sealed class LowAddressLimitFactory : RolloutWebFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rollouter:SignIn:AttemptsPerAddressPerMinute"] = "4",
    };
}

/// <summary>What a refused sign-in says, on the page and in the API.</summary>
internal static class SignInAnswers
{
    public static async Task<(HttpStatusCode Status, string Message)> PageAsync(HttpClient browser, string email, string password)
    {
        var response = await RolloutWebFactory.PostFormAsync(browser, "/account/login", new() { ["Email"] = email, ["Password"] = password });
        var summary = (await response.ReadPageAsync()).QuerySelector(".validation-summary-errors");
        return (response.StatusCode, summary?.TextContent.Trim() ?? "");
    }

    /// <summary>The status and body, without the problem's <c>traceId</c>, which names the request.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> ApiAsync(HttpClient client, string email, string password)
    {
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.True(body.Remove("traceId"));
        return (response.StatusCode, body.ToJsonString());
    }

    public static async Task<HttpClient> InactiveUserAsync(RolloutWebFactory factory, string email)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = TestSettings.User(email, "Gone", "U-G" + Guid.NewGuid().ToString("N")[..10], Role.Technician, active: false);
        Assert.True((await users.CreateAsync(user, DemoSeeder.Password)).Succeeded);
        return factory.CreateBrowser();
    }
}

public sealed class SignInRefusalTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    [Fact]
    public async Task UnknownEmail_WrongPassword_AndDeactivatedUser_GetTheSameAnswer_OnThePageAndInTheApi()
    {
        var browser = factory.CreateBrowser();
        await SignInAnswers.InactiveUserAsync(factory, "inactive.same@demo.test");

        var unknownPage = await SignInAnswers.PageAsync(browser, "nobody.here@demo.test", "Wrong!Passw0rd");
        var wrongPage = await SignInAnswers.PageAsync(browser, "technician@demo.test", "Wrong!Passw0rd");
        var inactivePage = await SignInAnswers.PageAsync(browser, "inactive.same@demo.test", DemoSeeder.Password);
        var unknownApi = await SignInAnswers.ApiAsync(browser, "nobody.here@demo.test", "Wrong!Passw0rd");
        var wrongApi = await SignInAnswers.ApiAsync(browser, "technician@demo.test", "Wrong!Passw0rd");
        var inactiveApi = await SignInAnswers.ApiAsync(browser, "inactive.same@demo.test", DemoSeeder.Password);

        Assert.Equal(HttpStatusCode.OK, unknownPage.Status);
        Assert.StartsWith("The email or password is not correct", unknownPage.Message);
        Assert.Equal(unknownPage, wrongPage);
        Assert.Equal(unknownPage, inactivePage);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownApi.Status);
        Assert.Equal(unknownApi, wrongApi);
        Assert.Equal(unknownApi, inactiveApi);
        // One wording, whichever way one signs in: the API's detail is the page's message.
        Assert.Equal(unknownPage.Message, System.Text.Json.Nodes.JsonNode.Parse(unknownApi.Body)!["detail"]!.GetValue<string>());
    }
}

public sealed class SignInEmailLimitTests(LowSignInLimitsFactory factory) : IClassFixture<LowSignInLimitsFactory>
{
    [Fact]
    public async Task AfterTooManyFailuresForAnEmail_EvenTheRightPasswordGets429WithRetryAfter_KnownOrUnknownAlike()
    {
        var attacker = factory.CreateBrowser();
        foreach (var email in new[] { "servicedesk@demo.test", "never.existed@demo.test" })
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAnswers.ApiAsync(attacker, email, "Wrong!Passw0rd")).Status);
            }
        }

        var api = await attacker.PostAsJsonAsync("/api/auth/login", new { email = "servicedesk@demo.test", password = DemoSeeder.Password });
        var unknownApi = await attacker.PostAsJsonAsync("/api/auth/login", new { email = "never.existed@demo.test", password = DemoSeeder.Password });
        var page = await RolloutWebFactory.PostFormAsync(factory.CreateBrowser(), "/account/login",
            new() { ["Email"] = "SERVICEDESK@demo.test", ["Password"] = DemoSeeder.Password });

        Assert.Equal(HttpStatusCode.TooManyRequests, api.StatusCode);
        Assert.True(int.Parse(api.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        var problem = await Api.ApiTestClient.ReadAsync(api);
        var error = problem["error"]!.GetValue<string>();
        Assert.StartsWith("Too many failed sign-ins for this email address: try again in ", error);
        // The same shape as every other problem: a type too.
        Assert.Equal(("https://tools.ietf.org/html/rfc6585#section-4", "Too Many Requests", 429),
            (problem["type"]?.GetValue<string>(), problem["title"]!.GetValue<string>(), problem["status"]!.GetValue<int>()));
        Assert.Equal(HttpStatusCode.TooManyRequests, unknownApi.StatusCode);
        Assert.Equal(error, (await Api.ApiTestClient.ReadAsync(unknownApi))["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.NotNull(page.Headers.RetryAfter);
        Assert.Contains("Too many failed sign-ins for this email address: try again in", SettingsTestSupport.Text(await page.Content.ReadAsStringAsync()));
        // Another email is not held up.
        await factory.SignInAsync("clientuser@demo.test");
    }

    [Fact]
    public async Task ABrowserTheUserSignedInWithBefore_IsNotHeldUpByFailuresFromElsewhere()
    {
        var own = await factory.SignInAsync("kam@demo.test");
        await RolloutWebFactory.PostFormAsync(own, "/account/logout", [], formPage: "/rollouts");
        var attacker = factory.CreateBrowser();
        for (var i = 0; i < 3; i++)
        {
            await SignInAnswers.PageAsync(attacker, "kam@demo.test", "Wrong!Passw0rd");
        }

        var blocked = await SignInAnswers.PageAsync(factory.CreateBrowser(), "kam@demo.test", DemoSeeder.Password);
        var known = await RolloutWebFactory.PostFormAsync(own, "/account/login", new() { ["Email"] = "kam@demo.test", ["Password"] = DemoSeeder.Password });

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.Status);
        Assert.Equal(HttpStatusCode.Redirect, known.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync("/rollouts")).StatusCode);
    }
}

public sealed class SignInLockoutTests(LockoutClockFactory factory) : IClassFixture<LockoutClockFactory>
{
    [Fact]
    public async Task ALockedOutUser_IsAnsweredAsAWrongPassword_SignsInFromAKnownBrowser_AndEverywhereAfterTheWindow()
    {
        var own = await factory.SignInAsync("technician@demo.test");
        await RolloutWebFactory.PostFormAsync(own, "/account/logout", [], formPage: "/rollouts");
        var attacker = factory.CreateBrowser();
        var wrong = await SignInAnswers.ApiAsync(attacker, "technician@demo.test", "Wrong!Passw0rd");
        await SignInAnswers.ApiAsync(attacker, "technician@demo.test", "Wrong!Passw0rd");
        await SignInAnswers.ApiAsync(attacker, "technician@demo.test", "Wrong!Passw0rd");

        var locked = await SignInAnswers.ApiAsync(factory.CreateBrowser(), "technician@demo.test", DemoSeeder.Password);
        var lockedPage = await SignInAnswers.PageAsync(factory.CreateBrowser(), "technician@demo.test", DemoSeeder.Password);
        var known = await RolloutWebFactory.PostFormAsync(own, "/account/login",
            new() { ["Email"] = "technician@demo.test", ["Password"] = DemoSeeder.Password });

        Assert.Equal(wrong, locked);
        Assert.Equal(HttpStatusCode.OK, lockedPage.Status);
        Assert.StartsWith("The email or password is not correct", lockedPage.Message);
        Assert.Equal(HttpStatusCode.Redirect, known.StatusCode);

        // Still locked just before the window (Rollouter:SignIn:LockoutWindow, 5 minutes) ends; open just after.
        factory.Clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(5));
        Assert.Equal(wrong, await SignInAnswers.ApiAsync(factory.CreateBrowser(), "technician@demo.test", DemoSeeder.Password));
        factory.Clock.Advance(TimeSpan.FromSeconds(10));
        await Api.ApiTestClient.LoginAsync(factory, "technician@demo.test");
        await factory.SignInAsync("technician@demo.test");
    }
}

public sealed class SignInAddressLimitTests(LowAddressLimitFactory factory) : IClassFixture<LowAddressLimitFactory>
{
    [Fact]
    public async Task TooManyAttemptsFromOneAddress_Get429WithRetryAfter_AFriendlyPageAndAJsonError()
    {
        var client = factory.CreateBrowser();
        var loginPage = await client.GetStringAsync("/account/login");
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAnswers.ApiAsync(client, $"someone{i}@demo.test", "Wrong!Passw0rd")).Status);
        }

        var api = await client.PostAsJsonAsync("/api/auth/login", new { email = "manager@demo.test", password = DemoSeeder.Password });
        var page = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = "manager@demo.test", ["Password"] = DemoSeeder.Password,
            ["__RequestVerificationToken"] = RolloutWebFactory.AntiforgeryToken(loginPage),
        }));

        Assert.Equal(HttpStatusCode.TooManyRequests, api.StatusCode);
        Assert.NotNull(api.Headers.RetryAfter);
        var problem = await Api.ApiTestClient.ReadAsync(api);
        Assert.StartsWith("Too many sign-in attempts from your address: try again in ", problem["error"]!.GetValue<string>());
        Assert.Equal(problem["error"]!.GetValue<string>(), problem["detail"]!.GetValue<string>());
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.Equal(("https://tools.ietf.org/html/rfc6585#section-4", "Too Many Requests", 429),
            (problem["type"]?.GetValue<string>(), problem["title"]!.GetValue<string>(), problem["status"]!.GetValue<int>()));
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.NotNull(page.Headers.RetryAfter);
        var text = SettingsTestSupport.Text(await page.Content.ReadAsStringAsync());
        Assert.Contains("Too many sign-in attempts came from your address. Wait ", text);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/rollouts")).StatusCode);
    }
}
