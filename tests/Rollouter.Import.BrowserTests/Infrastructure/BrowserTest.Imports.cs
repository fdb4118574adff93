using System.Text.RegularExpressions;

namespace Rollouter.Import.BrowserTests.Infrastructure;

/// <summary>The import wizard's steps and the client list's search, as the tests that import drive them.</summary>
public abstract partial class BrowserTest
{
    /// <summary>An import job runs in the background; on a loaded machine give it time.</summary>
    protected const float JobTimeout = 120_000;

    /// <summary>The import's status badge (its data-status is the status's name).</summary>
    protected ILocator StatusBadge => Page.GetByTestId("import-status");

    /// <summary>The mapping's "Import column X into" field choice.</summary>
    protected ILocator Target(string letter) => Page.GetByLabel($"Import column {letter} into");

    /// <summary>
    /// The rollout's Import → New Import → inventory and file → Upload; ends on the new import's page.
    /// </summary>
    protected async Task UploadAsync(string rollout, string inventory, string fileName, byte[] content, string mimeType = "text/csv")
    {
        await GoToAsync($"/rollouts/{rollout}/imports");
        await Page.GetByRole(AriaRole.Link, new() { Name = "New Import" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "New Import" })).ToBeVisibleAsync();
        await Page.GetByLabel("Inventory").SelectOptionAsync(new SelectOptionValue { Label = inventory });
        await Page.GetByLabel("File (Excel").SetInputFilesAsync(new FilePayload { Name = fileName, MimeType = mimeType, Buffer = content });
        await Step("upload");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex($"/rollouts/{Regex.Escape(rollout)}/imports/\\d+$"));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Import #" })).ToContainTextAsync(fileName);
    }

    /// <summary>Save mapping; the import is then Waiting for Approval.</summary>
    protected async Task SaveMappingAsync()
    {
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save mapping" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Mapping saved. The import is Waiting for Approval.");
        await Expect(StatusBadge).ToHaveAttributeAsync("data-status", "WaitingForApproval");
    }

    /// <summary>Approves and waits, as the user does, for the page to end on <paramref name="expected"/>.</summary>
    protected async Task ApproveAsync(string expected)
    {
        await Page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        // In Progress shows the live progress bar until the job ends and the page reloads itself; a small file may be
        // done before the page first shows.
        var progress = Page.GetByTestId("progress-text").Filter(new() { HasText = " checked, " });
        var done = Page.Locator($"[data-testid=import-status][data-status={expected}]");
        await Expect(progress.Or(done)).ToBeVisibleAsync(new() { Timeout = JobTimeout });
        await Step("approved");
        await Expect(StatusBadge).ToHaveAttributeAsync("data-status", expected, new() { Timeout = JobTimeout });
    }

    /// <summary>The inventory's clients, searched for <paramref name="search"/>; returns the client's row.</summary>
    protected async Task<ILocator> SearchClientAsync(string search)
    {
        await Page.GetByRole(AriaRole.Searchbox, new() { Name = "Search clients" }).FillAsync(search);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("[?&]search="));
        var row = Page.GetByTestId("clients").GetByRole(AriaRole.Row).Filter(new() { HasText = search });
        await Expect(row).ToHaveCountAsync(1);
        return row;
    }
}
