using System.Text;
using System.Text.RegularExpressions;
using Rollouter.Import.BrowserTests.Infrastructure;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>
/// The wizard's polish as a rollout manager meets it: New Import from the inventory, a file dropped onto the upload
/// step, Check and the failed rows' filter keeping the reader's place, and the pages on a 390 px wide phone.
/// </summary>
[Collection(WizardCollection.Name)]
public sealed class WizardPolishTests(WizardFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}";

    /// <summary>60 rows whose status does not exist and one whose department does not: a long Check and failed-rows list.</summary>
    private static string FailingCsv()
    {
        var csv = new StringBuilder("Name,Status,Department\n");
        for (var n = 0; n < 60; n++)
        {
            csv.Append(Unique("POL")).Append(",Nope,IT\n");
        }

        return csv.Append(Unique("POL")).Append(",New,Nowhere\n").ToString();
    }

    /// <summary>
    /// Waits until the page has scrolled down to the element: its top in the upper half of the window (at the very top
    /// unless the page ends first; Bootstrap scrolls smoothly, so it takes a moment). Fails when it never gets there.
    /// </summary>
    private async Task ExpectAtTheTopAsync(string id)
    {
        await Page.WaitForFunctionAsync(
            """
            id => {
                const top = document.getElementById(id).getBoundingClientRect().top;
                const atTheEnd = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
                return top > -2 && (top < window.innerHeight / 2 || (atTheEnd && top < window.innerHeight - 100));
            }
            """, id);
        Assert.True(await Page.EvaluateAsync<double>("() => window.scrollY") > 0);
    }

    private Task<bool> PageScrollsSidewaysAsync() =>
        Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");

    [Fact]
    public async Task Manager_DropsAFileOnNewImportFromTheInventory_AndCheckAndTheFailedRowsFilterKeepTheirPlace()
    {
        await StartAsync("/rollouts/W11");
        await SignInAsync("manager@demo.test");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Laptops", Exact = true }).ClickAsync();
        await Page.GetByTestId("new-import").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "New Import" })).ToBeVisibleAsync();
        await Expect(Page.GetByLabel("Inventory").Locator("option:checked")).ToHaveTextAsync("Laptops");

        // What a browser does when a file is dropped: drag events carrying the file onto the form.
        await Page.EvaluateAsync(
            """
            ([name, text]) => {
                const files = new DataTransfer();
                files.items.add(new File([text], name, { type: 'text/csv' }));
                const zone = document.querySelector('[data-drop-zone]');
                zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: files, bubbles: true, cancelable: true }));
                zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: files, bubbles: true, cancelable: true }));
                zone.dispatchEvent(new DragEvent('drop', { dataTransfer: files, bubbles: true, cancelable: true }));
            }
            """, new object[] { "dropped.csv", FailingCsv() });
        await Expect(Page.GetByTestId("drop-label")).ToHaveTextAsync("Chosen: dropped.csv");
        await Step("dropped");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Import #" })).ToContainTextAsync("dropped.csv");
        await Expect(Page.GetByTestId("row-count")).ToHaveTextAsync("61");
        await Expect(Page.GetByTestId("preview")).ToContainTextAsync("The first 10 rows of the file");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        await Expect(Page.GetByTestId("check-result")).ToContainTextAsync("61 of 61 rows would fail");
        await Expect(Page).ToHaveURLAsync(new Regex("/check#check$"));
        await ExpectAtTheTopAsync("check");
        await Step("check-in-view");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(Page.Locator("[data-testid=import-status][data-status=Failed]")).ToBeVisibleAsync(new() { Timeout = JobTimeout });
        await Page.GetByTestId("error-columns").GetByRole(AriaRole.Link, new() { Name = "C (Department)" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("[?&]column=C#failed-rows$"));
        await Expect(Page.GetByTestId("failed-rows").Locator("tbody tr")).ToHaveCountAsync(1);
        await ExpectAtTheTopAsync("failed-rows");
        await Step("filtered-in-view");

        await Page.GetByTestId("error-columns").GetByRole(AriaRole.Link, new() { Name = "All columns" }).ClickAsync();
        await Page.GetByTestId("errors-next").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("[?&]after=[^#]+#failed-rows$"));
        await Expect(Page.GetByTestId("failed-rows").Locator("tbody tr")).ToHaveCountAsync(11);
        await ExpectAtTheTopAsync("failed-rows");
        await Step("second-page-in-view");
    }

    [Fact]
    public async Task At390PixelsWide_TheClientListAndTheImportPages_DoNotScrollSideways_AndTheNavigationFolds()
    {
        await StartAsync("/rollouts/W11");
        await Page.SetViewportSizeAsync(390, 844);
        await SignInAsync("manager@demo.test");
        await Expect(Page).ToHaveURLAsync(new Regex("/rollouts/W11$"));

        var settings = Page.GetByRole(AriaRole.Link, new() { Name = "Settings" });
        await Expect(settings).ToBeHiddenAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Menu" }).ClickAsync();
        await Expect(settings).ToBeVisibleAsync();
        await Step("navigation-unfolded");

        await Page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "Laptops", Exact = true }).ClickAsync();
        await Expect(Page.GetByTestId("clients")).ToBeVisibleAsync();
        Assert.False(await PageScrollsSidewaysAsync(), "The client list scrolls sideways at 390 px.");
        await Step("client-list");

        await UploadAsync("W11", "Laptops", "phone.csv", Encoding.UTF8.GetBytes(FailingCsv()));
        Assert.False(await PageScrollsSidewaysAsync(), "The import page scrolls sideways at 390 px.");
        await Step("import-page");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        await Expect(Page.GetByTestId("check-result")).ToBeVisibleAsync();
        Assert.False(await PageScrollsSidewaysAsync(), "The Check result scrolls the page sideways at 390 px.");
        await Step("check");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(Page.Locator("[data-testid=import-status][data-status=Failed]")).ToBeVisibleAsync(new() { Timeout = JobTimeout });
        await Expect(Page.GetByTestId("failed-rows")).ToBeVisibleAsync();
        Assert.False(await PageScrollsSidewaysAsync(), "The failed import's page scrolls sideways at 390 px.");
        await Step("failed");
    }
}
