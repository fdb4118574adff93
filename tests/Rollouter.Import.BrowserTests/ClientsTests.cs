using System.IO.Compression;
using System.Text.RegularExpressions;
using Rollouter.Import.BrowserTests.Infrastructure;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>A rollout manager duplicates an inventory, links two clients from a client's page and exports an inventory.</summary>
public sealed class ClientsTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    [Fact]
    public async Task Manager_DuplicatesAnInventory_LinksTwoClients_AndExportsTheLaptops()
    {
        await StartAsync("/rollouts/W11");
        await SignInAsync("manager@demo.test");
        await Expect(Page).ToHaveURLAsync(new Regex("/rollouts/W11$"));
        await Step("rollout");

        await Page.GetByTestId("duplicate-Monitors").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Duplicate Monitors" })).ToBeVisibleAsync();
        var name = $"Monitors 2027 {Guid.NewGuid().ToString("N")[..4]}";
        await Page.GetByLabel("Name of the new inventory").FillAsync(name);
        await Step("duplicate-form");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Duplicate" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("client-count")).ToHaveTextAsync("0 clients");
        await Step("duplicated");

        // The copy's form shows the kept fields ticked, in the original's order.
        await Page.GetByTestId("edit-inventory").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = $"Edit {name}" })).ToBeVisibleAsync();
        var chosen = Page.GetByTestId("field-choices").Locator("tbody tr").Filter(new() { Has = Page.Locator("input[type=checkbox]:checked") });
        await Expect(chosen.Locator("td:nth-child(3) label")).ToHaveTextAsync(["Location", "Department", "Serial number", "Notes"]);
        await Step("edit-form-of-the-copy");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Windows 11 Refresh" }).First.ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Laptops", Exact = true }).ClickAsync();
        await Page.GetByTestId("clients").GetByRole(AriaRole.Link, new() { Name = "LT-0020" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "LT-0020" })).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("client-values")).ToContainTextAsync("SN100020");
        await Step("client-page");

        await Page.GetByRole(AriaRole.Searchbox, new() { Name = "Find a client to link" }).FillAsync("LT-0022");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await Expect(Page.GetByLabel("LT-0022")).ToBeCheckedAsync();
        await Page.GetByLabel("LT-0020 …").SelectOptionAsync(new SelectOptionValue { Label = "replaces" });
        await Step("link-form");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Add link" }).ClickAsync();
        await Expect(Page.GetByTestId("message")).ToHaveTextAsync("The link was added.");
        await Expect(Page.GetByTestId("client-links")).ToContainTextAsync("LT-0020 replaces LT-0022");
        await Expect(Page.GetByTestId("client-history")).ToContainTextAsync("Link: (empty) → replaces LT-0022");
        await Step("linked");

        await Page.GetByTestId("client-links").GetByRole(AriaRole.Link, new() { Name = "LT-0022" }).ClickAsync();
        await Expect(Page.GetByTestId("client-links")).ToContainTextAsync("LT-0022 is replaced by LT-0020");
        await Step("linked-other-side");

        await Page.GetByRole(AriaRole.Navigation, new() { Name = "breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = "Laptops" }).ClickAsync();
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByTestId("export").ClickAsync());
        Assert.Matches("^Laptops-clients-\\d{4}-\\d{2}-\\d{2}\\.xlsx$", download.SuggestedFilename);
        var file = await download.PathAsync();
        using (var zip = ZipFile.OpenRead(file))
        using (var sheet = new StreamReader(zip.GetEntry("xl/worksheets/sheet1.xml")!.Open()))
        {
            var xml = await sheet.ReadToEndAsync();
            Assert.Contains(">Client flag<", xml);
            Assert.Contains(">LT-0020<", xml);
            Assert.Contains(">technician@demo.test<", xml);
        }

        await Step("exported");
    }
}
