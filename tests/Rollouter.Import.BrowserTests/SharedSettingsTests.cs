using System.Text.RegularExpressions;
using Rollouter.Import.BrowserTests.Infrastructure;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>
/// The demo's workflow Device rollout is also used by the Server Migration rollout, of which the manager is not a member:
/// the manager sees who may change it, cannot change it, and makes a copy of their own instead.
/// </summary>
public sealed class SharedSettingsTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    [Fact]
    public async Task Manager_SeesASharedWorkflowTheyCannotChange_AndDuplicatesIt()
    {
        await StartAsync("/");
        await SignInAsync("manager@demo.test");
        await GoToAsync("/settings/workflows");
        var row = Page.GetByTestId("workflows").GetByRole(AriaRole.Row).Filter(new() { HasText = "Device rollout" });
        await Expect(row).ToContainTextAsync("an administrator (used by 1 rollout you are not a member of)");
        await Step("workflows");

        await row.GetByRole(AriaRole.Link, new() { Name = "Device rollout" }).ClickAsync();
        await Expect(Page.GetByTestId("reach")).ToContainTextAsync("It is used by 1 rollout you are not a member of.");
        await Expect(Page.GetByTestId("reach")).Not.ToContainTextAsync("Server");
        await Expect(Page.GetByTestId("reach-refusal")).ToContainTextAsync("ask an administrator to make the change");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Rename workflow" })).ToBeDisabledAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Add status" })).ToBeDisabledAsync();
        await Step("shared-workflow");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Duplicate" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Checkbox, new() { Name = "Windows 11 Refresh / Laptops — cannot switch: it has 40 clients, whose statuses belong to this workflow" }))
            .ToBeDisabledAsync();
        await Expect(Page.GetByRole(AriaRole.Main)).Not.ToContainTextAsync("Server");
        await Page.GetByLabel("Name of the copy").FillAsync("Device rollout W11");
        await Step("duplicate");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create the copy" }).ClickAsync();

        await Expect(Page.GetByTestId("settings-message")).ToHaveTextAsync("The workflow Device rollout W11 was created as a copy of Device rollout.");
        await Expect(Page.GetByTestId("reach")).ToHaveTextAsync("Used by no inventory.");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Rename workflow" })).ToBeEnabledAsync();
        await Expect(Page.GetByTestId("statuses").Locator("tbody tr")).ToHaveCountAsync(4);
        await Expect(Page).ToHaveURLAsync(new Regex("/settings/workflows/[0-9]+#page-message$"));
        await Step("copy");
    }
}
