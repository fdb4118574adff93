using System.Text.RegularExpressions;
using Rollouter.Import.BrowserTests.Infrastructure;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

public sealed class SignInTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    [Fact]
    public async Task SignInPage_BeforeSigningIn_IsStyled()
    {
        await StartAsync("/account/login");

        // Bootstrap's primary button: the stylesheet reached an anonymous visitor.
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }))
            .ToHaveCSSAsync("background-color", "rgb(13, 110, 253)");
        await Expect(Page.Locator("nav.navbar")).ToHaveCSSAsync("background-color", "rgb(33, 37, 41)");
        await Step("sign-in-page");
    }

    [Fact]
    public async Task SignIn_WithAWrongPassword_ShowsTheErrorAndStaysOnTheSignInPage()
    {
        await StartAsync("/rollouts");
        await Step("sign-in-page");

        await SignInAsync("manager@demo.test", "Wrong!2026");

        await Expect(Page.GetByRole(AriaRole.Alert))
            .ToContainTextAsync("The email or password is not correct, or the account is deactivated or locked for a few minutes after failed sign-ins.");
        await Expect(Page).ToHaveURLAsync(SignInUrl());
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Rollouter" })).ToBeVisibleAsync();
        await Expect(Page.GetByLabel("Email")).ToHaveValueAsync("manager@demo.test");
        await Expect(Page.GetByLabel("Password")).ToBeEmptyAsync();
        await Expect(Page.GetByTestId("current-user")).ToHaveCountAsync(0);
        await Step("wrong-password");

        // Still signed out.
        await GoToAsync("/rollouts");
        await Expect(Page).ToHaveURLAsync(SignInUrl());
    }
}
