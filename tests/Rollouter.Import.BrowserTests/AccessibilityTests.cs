using System.Text;
using System.Text.RegularExpressions;
using Rollouter.Import.BrowserTests.Infrastructure;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>
/// Where the focus lands, by keyboard, after the steps the accessibility pass found leaving it on the page's body: the
/// skip link, a refused form, an option moved, a Check. The wizard's app (<see cref="WizardFixture"/>): the import it
/// makes has unique names, and the option it moves is moved back.
/// </summary>
[Collection(WizardCollection.Name)]
public sealed class AccessibilityTests(WizardFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}";

    [Fact]
    public async Task Keyboard_SkipLinkFirst_RefusedFormsSummaryFocused_MovedOptionKeepsItsButton()
    {
        await StartAsync("/rollouts");
        await SignInAsync("admin@demo.test");

        // The first Tab reaches "Skip to content", shown; Enter puts the focus on the page's content.
        await Page.Keyboard.PressAsync("Tab");
        var skip = Page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" });
        await Expect(skip).ToBeFocusedAsync();
        await Expect(skip).ToBeInViewportAsync();
        await Step("skip-link");
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("main#content")).ToBeFocusedAsync();

        // A refused form: the summary has the focus; its reason leads to the field.
        await GoToAsync("/settings/users/new");
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Second admin");
        await Page.GetByLabel("Email", new() { Exact = true }).FillAsync("admin@demo.test");
        await Page.GetByLabel("User ID").FillAsync(Unique("U"));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        var summary = Page.Locator("[data-error-summary]");
        await Expect(summary).ToBeFocusedAsync();
        await Step("refused");
        await summary.GetByRole(AriaRole.Link).First.ClickAsync();
        await Expect(Page.Locator("#Email")).ToBeFocusedAsync();

        // "Move Finance down" by keyboard: the focus is back on that button, and the list says where Finance went.
        await GoToAsync("/settings/custom-fields");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Department", Exact = true }).ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Move Finance down" }).FocusAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.GetByTestId("order-message")).ToHaveTextAsync("Finance moved to position 2.");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Move Finance down" })).ToBeFocusedAsync();
        await Step("moved");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Move Finance up" }).FocusAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.GetByTestId("order-message")).ToHaveTextAsync("Finance moved to position 1.");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Move Finance down" })).ToBeFocusedAsync();
    }

    [Fact]
    public async Task Check_PutsTheFocusOnItsResult()
    {
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync("W11", "Laptops", "a11y.csv", Encoding.UTF8.GetBytes($"Name,Status\n{Unique("A11Y")},No such status\n"));
        await Expect(Target("B")).ToHaveValueAsync("Status");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Regex("/check#check$"));
        await Expect(Page.Locator("#check")).ToBeFocusedAsync();
        await Expect(Page.Locator("#check").GetByRole(AriaRole.Status)).ToHaveTextAsync(new Regex("^1 of 1 row would fail"));
        await Step("checked");
    }
}
