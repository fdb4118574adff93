using System.Text;
using System.Text.Json;
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

    /// <summary>
    /// Holds back the answer to the form posted to <paramref name="action"/> (a redirect to the import's page) until the
    /// import's run or revert has ended, as its progress says: a small one can end before its page is shown.
    /// </summary>
    private async Task HoldAnswerUntilEndedAsync(string action)
    {
        var here = new Uri(Page.Url);
        var progress = new Uri(here, action[..action.LastIndexOf('/')] + "/progress").ToString();
        await Page.RouteAsync(new Uri(here, action).ToString(), async route =>
        {
            var redirect = await route.FetchAsync(new() { MaxRedirects = 0 });
            for (var i = 0; i < 150; i++)
            {
                using var answer = JsonDocument.Parse(await (await Page.Context.APIRequest.GetAsync(progress)).TextAsync());
                if (answer.RootElement.GetProperty("done").GetBoolean())
                {
                    break;
                }

                await Task.Delay(200);
            }

            await route.FulfillAsync(new() { Response = redirect });
        });
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
    public async Task AnImportAndItsRevertThatEndedBeforeTheirPageWasShown_HowTheyEndedHasTheFocus()
    {
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await UploadAsync("W11", "Laptops", "ended.csv", Encoding.UTF8.GetBytes($"Name,Department\n{Unique("ENDED")},IT\n"));
        await SaveMappingAsync();
        var page = new Uri(Page.Url).AbsolutePath;

        // Approve's answer (the redirect to this page) is held back until the run has ended, as a small file's can be on a
        // busy server: the page then shows how it ended at once, and no reload of a running page moves the focus there.
        await HoldAnswerUntilEndedAsync(page + "/approve");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        await Expect(StatusBadge).ToHaveAttributeAsync("data-status", "Completed", new() { Timeout = JobTimeout });
        await Expect(Page.GetByTestId("result")).ToContainTextAsync("1 client created");
        await Expect(Page.GetByTestId("result")).ToBeFocusedAsync();

        // The same for its revert: the page says how it ended, not "Revert started" (its progress is not shown), and
        // that takes the focus the message would have had.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Revert this import…" }).ClickAsync();
        await HoldAnswerUntilEndedAsync(page + "/revert");
        await Page.GetByTestId("confirm-revert").ClickAsync();
        await Expect(StatusBadge).ToHaveAttributeAsync("data-status", "Reverted", new() { Timeout = JobTimeout });
        await Expect(Page.GetByTestId("reverted")).ToContainTextAsync("1 client removed");
        await Expect(Page.Locator(".alert", new() { HasText = "Revert started" })).ToHaveCountAsync(0);
        await Expect(Page.GetByTestId("reverted")).ToBeFocusedAsync();
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
