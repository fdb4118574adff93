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
