using System.Text;
using System.Text.RegularExpressions;
using Rollouter.Import.BrowserTests.Infrastructure;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>
/// A rollout manager takes a completed import back from its page, and is told which clients keep them from it. In the
/// wizard's app (<see cref="WizardFixture"/>), with clients of unique names.
/// </summary>
[Collection(WizardCollection.Name)]
public sealed class RevertTests(WizardFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}";

    /// <summary>Uploads <paramref name="csv"/> (Department is required in Laptops) into Laptops, saves the suggested mapping and approves it to Completed.</summary>
    private async Task<string> ImportAsync(string fileName, string csv, bool updateExisting = false)
    {
        await UploadAsync("W11", "Laptops", fileName, Encoding.UTF8.GetBytes(csv));
        if (updateExisting)
        {
            await Page.GetByLabel("Update existing clients").CheckAsync();
        }

        await SaveMappingAsync();
        await ApproveAsync("Completed");
        return new Uri(Page.Url).AbsolutePath;
    }

    [Fact]
    public async Task Manager_RevertsACompletedImport_FromItsPage_AndItEndsReverted_WithItsClientsGone()
    {
        string[] names = [Unique("UNDO"), Unique("UNDO")];
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await ImportAsync("undo.csv", $"Name,Department,Location\n{names[0]},IT,Building R\n{names[1]},IT,Building R\n");
        await Expect(Page.GetByTestId("result")).ToContainTextAsync("2 clients created");
        await Step("completed");

        await Page.GetByRole(AriaRole.Link, new() { Name = "Revert this import…" }).ClickAsync();
        await Expect(Page.GetByTestId("revert-impact")).ToContainTextAsync("The 2 clients it created");
        await Step("confirm");
        await Page.GetByTestId("confirm-revert").ClickAsync();

        await Expect(StatusBadge).ToHaveAttributeAsync("data-status", "Reverted", new() { Timeout = JobTimeout });
        await Expect(Page.GetByTestId("reverted")).ToContainTextAsync("2 clients removed (the ones it created).");
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Revert this import…" })).ToHaveCountAsync(0);
        await Step("reverted");

        // A revert that ended before its redirect was followed (a small import's can): the redirect names the page's
        // message, the page has none ("Revert started" would be stale), and how the revert ended takes the focus.
        var importPath = new Uri(Page.Url).AbsolutePath;
        await GoToAsync("/rollouts/W11/imports");
        await GoToAsync(importPath + "#page-message");
        await Expect(Page.GetByTestId("reverted")).ToBeFocusedAsync();

        await GoToAsync("/rollouts/W11/imports");
        await Expect(Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "undo.csv" }).First).ToContainTextAsync("Reverted");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Windows 11 Refresh" }).First.ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Laptops", Exact = true }).ClickAsync();
        await Page.GetByRole(AriaRole.Searchbox, new() { Name = "Search clients" }).FillAsync(names[0]);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("[?&]search="));
        await Expect(Page.GetByTestId("clients").GetByRole(AriaRole.Row).Filter(new() { HasText = names[0] })).ToHaveCountAsync(0);
        await Step("clients-gone");
    }

    [Fact]
    public async Task Manager_RevertOfAnImportWhoseClientWasChangedSince_IsRefused_AndThePageListsTheChange()
    {
        var name = Unique("KEEP");
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        var first = await ImportAsync("first.csv", $"Name,Department,Location\n{name},IT,Building A\n");
        await ImportAsync("later.csv", $"Name,Department,Location\n{name},IT,Building B\n", updateExisting: true);
        await Step("changed-by-a-later-import");

        await GoToAsync(first);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Revert this import…" }).ClickAsync();
        await Page.GetByTestId("confirm-revert").ClickAsync();

        await Expect(Page.GetByTestId("page-error")).ToContainTextAsync("cannot be reverted: 1 client");
        var conflict = Page.GetByTestId("revert-conflicts").GetByRole(AriaRole.Row).Filter(new() { HasText = name });
        await Expect(conflict).ToContainTextAsync("Location");
        await Expect(conflict).ToContainTextAsync("Building A");
        await Expect(conflict).ToContainTextAsync("Building B");
        await Expect(StatusBadge).ToHaveAttributeAsync("data-status", "Completed");
        await Step("refused");
    }
}
