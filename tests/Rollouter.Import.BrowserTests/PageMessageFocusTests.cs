using System.Text;
using Rollouter.Import.BrowserTests.Infrastructure;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>
/// After an action, the message at the top of the page it returns to has the focus (decision 0175), so a screen reader
/// reads it: a setting created, an import discarded. The in-process <c>PageMessageFocusTests</c> check every kind of
/// page's redirect and message; here the browser's focus.
/// </summary>
public sealed class PageMessageFocusTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    [Fact]
    public async Task ALinkTypeCreated_ItsMessageHasTheFocus()
    {
        var name = "focuses-" + Guid.NewGuid().ToString("N")[..6];
        await StartAsync("/settings/link-types/new");
        await SignInAsync("admin@demo.test");
        await GoToAsync("/settings/link-types/new");
        await Page.GetByLabel("Outward name").FillAsync(name);
        await Page.GetByLabel("Inward name").FillAsync("is " + name);
        await Page.GetByLabel("Outward name").PressAsync("Enter");

        await Expect(Page.GetByTestId("settings-message")).ToHaveTextAsync($"The link type {name} / is {name} was created.");
        await Expect(Page.GetByTestId("settings-message")).ToBeFocusedAsync();
    }

    [Fact]
    public async Task AnImportDiscarded_TheImportsListsMessageHasTheFocus()
    {
        var file = "focus-" + Guid.NewGuid().ToString("N")[..6] + ".csv";
        await StartAsync("/rollouts/W11/imports");
        await SignInAsync("manager@demo.test");
        await UploadAsync("W11", "Laptops", file, Encoding.UTF8.GetBytes("Name\nFOCUS-1\n"));
        await Page.GetByTestId("discard").ClickAsync();
        await Page.GetByTestId("confirm-discard").PressAsync("Enter");

        // Found by what a user sees (an alert with the sentence), not by a test id the fix added.
        var message = Page.Locator(".alert", new() { HasText = "was discarded with its file." });
        await Expect(message).ToContainTextAsync($"({file}) was discarded with its file.");
        await Expect(message).ToBeFocusedAsync();
    }
}
