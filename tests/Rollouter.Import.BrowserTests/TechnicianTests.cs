using System.Text.RegularExpressions;
using Rollouter.Import.BrowserTests.Infrastructure;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

public sealed class TechnicianTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    [Fact]
    public async Task Technician_SeesNoImportButton_AndIsDeniedTheImportPage()
    {
        await StartAsync("/rollouts");
        await SignInAsync("technician@demo.test");
        await Expect(Page.GetByTestId("current-user")).ToContainTextAsync("Technician");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Windows 11 Refresh" }).First.ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Windows 11 Refresh", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Import" })).ToHaveCountAsync(0);
        await Step("rollout-without-import");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Laptops", Exact = true }).ClickAsync();
        await Expect(Page.GetByTestId("client-count")).ToHaveTextAsync("40 clients");
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Import" })).ToHaveCountAsync(0);
        await Step("laptops-without-import");

        var response = await GoToAsync("/rollouts/W11/imports");

        Assert.Equal(403, response?.Status);
        await Expect(Page).ToHaveURLAsync(new Regex("/account/denied"));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();
        await Expect(Page.Locator("main")).Not.ToContainTextAsync("Imports of");
        await Step("imports-denied");
    }
}
