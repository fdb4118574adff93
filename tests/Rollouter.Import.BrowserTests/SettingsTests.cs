using System.Text.RegularExpressions;
using Rollouter.Import.BrowserTests.Infrastructure;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>The settings, as an administrator sets up a rollout from nothing; a technician sees none of it.</summary>
public sealed class SettingsTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    [Fact]
    public async Task Administrator_CreatesWorkflowCustomFieldUserAndRollout_AndTheNewMemberSeesTheRollout()
    {
        await StartAsync("/rollouts");
        await SignInAsync("admin@demo.test");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Settings", Exact = true }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/settings/users$"));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Users", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("users")).ToContainTextAsync("Tina Technician");
        await Step("users");

        // A workflow with statuses, one added and moved up afterwards.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Workflows", Exact = true }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "New workflow" }).ClickAsync();
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Printer workflow");
        await Page.GetByLabel("Statuses, one per line, in order").FillAsync("Ordered\nInstalled");
        await Step("new-workflow");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create workflow" }).ClickAsync();
        await Expect(Page.GetByTestId("settings-message")).ToHaveTextAsync("The workflow Printer workflow was created.");
        await Page.GetByLabel("New status").FillAsync("Checked");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Add status" }).ClickAsync();
        await Expect(Page.GetByTestId("settings-message")).ToHaveTextAsync("The status Checked was added.");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Move Checked up" }).ClickAsync();
        await Expect(Page.GetByTestId("statuses").Locator("tbody tr").Nth(0)).ToHaveAttributeAsync("data-status", "Ordered");
        await Expect(Page.GetByTestId("statuses").Locator("tbody tr").Nth(1)).ToHaveAttributeAsync("data-status", "Checked");
        await Expect(Page.GetByTestId("statuses").Locator("tbody tr").Nth(2)).ToHaveAttributeAsync("data-status", "Installed");
        await Step("workflow-statuses");

        // A selection field with options; a bad pattern first shows the parser's message.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Custom fields", Exact = true }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "New custom field" }).ClickAsync();
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Printer model");
        await Page.GetByLabel("Type").SelectOptionAsync(new SelectOptionValue { Label = "Selection" });
        await Page.GetByLabel("Options, one per line").FillAsync("LaserJet\nOfficeJet");
        await Page.GetByLabel("Validation pattern (optional)").FillAsync("^[A-Z");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create custom field" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The pattern is not a valid regular expression");
        await Step("custom-field-bad-pattern");
        await Page.GetByLabel("Validation pattern (optional)").FillAsync("^[A-Z]");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create custom field" }).ClickAsync();
        await Expect(Page.GetByTestId("settings-message")).ToHaveTextAsync("The custom field Printer model was created.");
        await Page.GetByLabel("New option").FillAsync("PageWide");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Add option" }).ClickAsync();
        await Expect(Page.GetByTestId("options").Locator("tbody tr")).ToHaveCountAsync(3);
        await Expect(Page.GetByTestId("options").Locator("tbody tr").Nth(2)).ToHaveAttributeAsync("data-option", "PageWide");
        await Step("custom-field-options");

        // A user with an initial password.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "New user" }).ClickAsync();
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Petra Printer");
        await Page.GetByLabel("Email").FillAsync("petra.printer@example.test");
        await Page.GetByLabel("User ID").FillAsync("U-9100");
        await Page.GetByLabel("Role").SelectOptionAsync(new SelectOptionValue { Label = "Technician" });
        await Page.GetByLabel("Set an initial password").CheckAsync();
        await Page.GetByLabel("Initial password", new() { Exact = true }).FillAsync("Printer!2026");
        await Page.GetByLabel("Repeat the password").FillAsync("Printer!2026");
        await Step("new-user");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await Expect(Page.GetByTestId("settings-message")).ToHaveTextAsync("Petra Printer was created and can sign in with the initial password.");
        await Step("user-created");

        // A rollout with that user as member.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Rollouts", Exact = true }).Last.ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/settings/rollouts$"));
        await Page.GetByRole(AriaRole.Link, new() { Name = "New rollout" }).ClickAsync();
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Printer Rollout");
        await Page.GetByLabel("Identifier").FillAsync("PRN");
        await Page.GetByLabel("Client limit").FillAsync("100");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create rollout" }).ClickAsync();
        await Expect(Page.GetByTestId("settings-message")).ToHaveTextAsync("The rollout Printer Rollout was created. Add its members below.");
        await Page.GetByLabel("Add a member").SelectOptionAsync(new SelectOptionValue { Label = "Petra Printer (petra.printer@example.test, Technician)" });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        await Expect(Page.GetByTestId("members")).ToContainTextAsync("Petra Printer");
        await Step("rollout-members");

        // The new member signs in and finds the rollout.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await SignInAsync("petra.printer@example.test", "Printer!2026");
        await Expect(Page.GetByTestId("current-user")).ToContainTextAsync("Petra Printer · Technician");
        await Expect(Page.GetByRole(AriaRole.Table).GetByRole(AriaRole.Link, new() { Name = "Printer Rollout" })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Settings", Exact = true })).ToHaveCountAsync(0);
        await Step("member-sees-rollout");
    }

    [Fact]
    public async Task Technician_SeesNoSettingsLink_AndIsDeniedTheSettings()
    {
        await StartAsync("/rollouts");
        await SignInAsync("technician@demo.test");
        await Expect(Page.GetByTestId("current-user")).ToContainTextAsync("Technician");
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Settings", Exact = true })).ToHaveCountAsync(0);
        await Step("no-settings-link");

        var response = await GoToAsync("/settings/users");

        Assert.Equal(403, response?.Status);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();
        await Expect(Page.Locator("main")).Not.ToContainTextAsync("Tina Technician");
        await Step("settings-denied");
    }
}
