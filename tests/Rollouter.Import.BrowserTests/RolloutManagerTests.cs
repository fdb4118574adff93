using System.Text.RegularExpressions;
using Rollouter.Import.BrowserTests.Infrastructure;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>A rollout manager finds their way from signing in to the import page, as a person would in a browser.</summary>
public sealed class RolloutManagerTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    [Fact]
    public async Task Manager_SignsIn_BrowsesTheLaptopInventory_OpensImport_AndSignsOut()
    {
        await StartAsync("/");
        await Expect(Page).ToHaveURLAsync(SignInUrl());
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Rollouter" })).ToBeVisibleAsync();
        await Step("sign-in-page");

        await SignInAsync("manager@demo.test");
        await Expect(Page).ToHaveURLAsync(new Regex("/rollouts$"));
        await Expect(Page.GetByTestId("current-user")).ToContainTextAsync("Rollout Manager");
        var rollouts = Page.GetByRole(AriaRole.Table);
        await Expect(rollouts.GetByRole(AriaRole.Link, new() { Name = "Windows 11 Refresh" })).ToBeVisibleAsync();
        await Expect(rollouts).Not.ToContainTextAsync("Server Migration");
        await Step("signed-in");

        await rollouts.GetByRole(AriaRole.Link, new() { Name = "Windows 11 Refresh" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/rollouts/W11$"));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Windows 11 Refresh", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Monitors", Exact = true })).ToBeVisibleAsync();
        await Step("rollout");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Laptops", Exact = true }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Laptops", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("client-count")).ToHaveTextAsync("40 clients");
        var clients = Page.GetByTestId("clients");
        await Expect(clients.Locator("tbody tr")).ToHaveCountAsync(40);
        await Expect(clients.Locator("thead th")).ToHaveTextAsync(
        [
            "Name", "Status", "Assignee", "Client User", "Description",
            "Location", "Model", "Software", "Tags", "Serial number", "Department", "Notes",
        ]);
        var flag = clients.GetByRole(AriaRole.Row).Filter(new() { HasText = "LT-0013" }).Locator(".client-flag");
        // Not by colour alone: a screen reader reads "Flag:" before it (visually hidden).
        await Expect(flag).ToHaveTextAsync("Flag: Docking station missing");
        await Expect(flag).ToHaveCSSAsync("background-color", "rgb(220, 53, 69)");
        await Expect(flag).ToHaveCSSAsync("color", "rgb(255, 255, 255)");
        // 40 clients fit on one page of 50: no pager.
        await Expect(Page.GetByRole(AriaRole.Navigation, new() { Name = "Pages" })).ToHaveCountAsync(0);
        await Step("laptops");

        await Page.GetByRole(AriaRole.Searchbox, new() { Name = "Search clients" }).FillAsync("lt-003");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("[?&]search=lt-003"));
        await Expect(Page.GetByTestId("client-count")).ToHaveTextAsync("10 clients matching “lt-003”");
        await Expect(clients.Locator("tbody tr")).ToHaveCountAsync(10);
        await Expect(clients.Locator("tbody tr td:first-child")).ToContainTextAsync(
            Enumerable.Range(30, 10).Select(i => $"LT-00{i}").ToArray());
        await Step("search-lt-003");

        await Page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "Import", Exact = true }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/rollouts/W11/imports$"));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Imports of Windows 11 Refresh" })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "New Import" })).ToBeVisibleAsync();
        await Step("import");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(SignInUrl());
        await Expect(Page.GetByTestId("current-user")).ToHaveCountAsync(0);
        await Step("signed-out");

        // The cookie is gone: the rollouts lead back to the sign-in page.
        await GoToAsync("/rollouts");
        await Expect(Page).ToHaveURLAsync(SignInUrl());
    }

    [Fact]
    public async Task Manager_OpeningARolloutTheyAreNotAMemberOf_GetsPageNotFound()
    {
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await Expect(Page.GetByTestId("current-user")).ToContainTextAsync("Rollout Manager");

        var response = await GoToAsync("/rollouts/SRV");

        Assert.Equal(404, response?.Status);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();
        await Expect(Page.GetByText("This page does not exist, or you are not allowed to see it.")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("correlation-id")).Not.ToBeEmptyAsync();
        await Expect(Page.Locator("body")).Not.ToContainTextAsync("Server Migration");
        await Step("srv-not-found");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Back to your rollouts" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/rollouts$"));
    }
}
