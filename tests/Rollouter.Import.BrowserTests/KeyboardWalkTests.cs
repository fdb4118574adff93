using System.Text;
using System.Text.RegularExpressions;
using Rollouter.Import.BrowserTests.Infrastructure;
using Rollouter.Import.BrowserTests.Recovery;
using Xunit.Abstractions;

namespace Rollouter.Import.BrowserTests;

/// <summary>
/// The whole wizard with the keyboard alone (decision 0173): upload, mapping, Check, Approve, a failing cell's
/// correction, Approve again, the result and the revert. Each control is reached by Tab from the top of its page (no
/// click, no focus set by the test) and operated by Enter, Space or the arrow keys; where a step reloads the page the
/// focus is where the user guide says. The wizard's app (<see cref="WizardFixture"/>): the import's names are unique.
/// </summary>
[Collection(WizardCollection.Name)]
public sealed class KeyboardWalkTests(WizardFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output)
{
    private readonly ITestOutputHelper _output = output;

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}";

    /// <summary>
    /// Presses Tab (from wherever the focus is) until <paramref name="target"/> has the focus; fails after
    /// <paramref name="presses"/>, naming where the focus went (a control Tab does not reach, or a trap).
    /// </summary>
    private async Task TabToAsync(ILocator target, int presses = 150)
    {
        await Expect(target).ToBeVisibleAsync();
        var element = await target.ElementHandleAsync();
        var visited = new List<string>();
        for (var i = 0; i < presses; i++)
        {
            await Page.Keyboard.PressAsync("Tab");
            if (await element.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                return;
            }

            visited.Add(await FocusedAsync());
        }

        Assert.Fail($"Tab did not reach {target} in {presses} presses; the focus went to: {string.Join(" | ", visited.Distinct().Take(40))}");
    }

    /// <summary>The focused element, as "tag#id 'text'" (for the messages and the test's output).</summary>
    private async Task<string> FocusedAsync() => await Page.EvaluateAsync<string>(
        "() => { const e = document.activeElement; if (!e) return 'none'; return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + " +
        "(e.dataset.testid ? '[' + e.dataset.testid + ']' : '') + \" '\" + (e.getAttribute('aria-label') || e.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 50) + \"'\"; }");

    /// <summary>Chooses <paramref name="label"/> in the focused select with the arrow keys.</summary>
    private async Task ArrowToOptionAsync(ILocator select, string label)
    {
        await Expect(select).ToBeFocusedAsync();
        for (var i = 0; i < 30; i++)
        {
            if (await select.EvaluateAsync<string>("s => s.options[s.selectedIndex]?.text ?? ''") == label)
            {
                return;
            }

            await Page.Keyboard.PressAsync("ArrowDown");
        }

        Assert.Fail($"the arrow keys did not reach '{label}' in {select}");
    }

    [Fact]
    public async Task TheWholeWizard_ByKeyboardAlone_FromUploadToRevert()
    {
        var name = Unique("KBD");
        await StartAsync("/rollouts");
        await SignInAsync("manager@demo.test");
        await Expect(Page).Not.ToHaveURLAsync(SignInUrl());

        // Upload: the inventory with the arrow keys, the file through the file chooser Space opens, Upload with Enter.
        await GoToAsync("/rollouts/W11/imports/new");
        var inventory = Page.GetByLabel("Inventory");
        await TabToAsync(inventory);
        await ArrowToOptionAsync(inventory, "Laptops");
        await TabToAsync(Page.GetByLabel("File (Excel"));
        IFileChooser chooser;
        try
        {
            chooser = await Page.RunAndWaitForFileChooserAsync(() => Page.Keyboard.PressAsync("Space"), new() { Timeout = 10_000 });
        }
        catch (TimeoutException)
        {
            // Chromium on a loaded machine now and then drops the first key's request for the dialog (CI, 2026-12-08,
            // after three runs that passed): the field still has the focus, and Space again opens it.
            await Expect(Page.GetByLabel("File (Excel")).ToBeFocusedAsync();
            chooser = await Page.RunAndWaitForFileChooserAsync(() => Page.Keyboard.PressAsync("Space"));
        }

        await chooser.SetFilesAsync(new FilePayload { Name = "keyboard.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes($"Name,Status,Department\n{name},Nope,IT\n") });
        await TabToAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Upload" }));
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page).ToHaveURLAsync(new Regex("/rollouts/W11/imports/\\d+$"));
        _output.WriteLine("after Upload: " + await FocusedAsync());
        await Step("uploaded");

        // Mapping: the Status column's field is already chosen (its header); Save mapping with Enter.
        await Expect(Target("B")).ToHaveValueAsync("Status");
        await TabToAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Save mapping" }));
        await Page.Keyboard.PressAsync("Enter");
        await Expect(StatusBadge).ToHaveAttributeAsync("data-status", "WaitingForApproval");
        // The message takes the focus: a status already on the page as it loads is not read out.
        await Expect(Page.GetByTestId("page-message")).ToBeFocusedAsync();
        await Expect(Page.GetByTestId("page-message")).ToHaveTextAsync("Mapping saved. The import is Waiting for Approval.");

        // Check: the focus on its result.
        await TabToAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Check" }));
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("#check")).ToBeFocusedAsync();
        await Expect(Page.GetByTestId("check-result")).ToContainTextAsync("1 row");
        await Step("checked");

        // Approve: it fails (the status 'Nope'); the focus on how it ended.
        await TabToAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Approve" }));
        await Page.Keyboard.PressAsync("Enter");
        await Expect(StatusBadge).ToHaveAttributeAsync("data-status", "Failed", new() { Timeout = JobTimeout });
        await Expect(Page.GetByTestId("failure")).ToBeFocusedAsync();
        await Step("failed");

        // The failing cell corrected: its status chosen with the arrow keys, Save with Enter.
        var editor = Page.GetByTestId("failed-rows").Locator("[data-testid=cell-editor][data-row=\"2\"][data-column=\"B\"]");
        var box = editor.Locator("select");
        await TabToAsync(box);
        await ArrowToOptionAsync(box, "New");
        await TabToAsync(editor.GetByRole(AriaRole.Button, new() { Name = "Save" }));
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Row 2, column B corrected to 'New'");
        await Expect(Page.Locator("#failed-rows-status")).ToBeFocusedAsync();
        await Step("corrected");

        // Approve again: Completed, the focus on the result.
        await TabToAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Approve" }));
        await Page.Keyboard.PressAsync("Enter");
        await Expect(StatusBadge).ToHaveAttributeAsync("data-status", "Completed", new() { Timeout = JobTimeout });
        await Expect(Page.GetByTestId("result")).ToContainTextAsync("1 client created");
        await Expect(Page.GetByTestId("result")).ToBeFocusedAsync();
        await Step("completed");

        // Revert: its page by Enter on its link, its confirmation by Enter; the import ends Reverted.
        await TabToAsync(Page.GetByRole(AriaRole.Link, new() { Name = "Revert this import…" }));
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.GetByTestId("revert-impact")).ToBeVisibleAsync();
        _output.WriteLine("on the revert's confirmation: " + await FocusedAsync());
        await TabToAsync(Page.GetByTestId("confirm-revert"));
        await Page.Keyboard.PressAsync("Enter");
        await Expect(StatusBadge).ToHaveAttributeAsync("data-status", "Reverted", new() { Timeout = JobTimeout });
        await Expect(Page.GetByTestId("reverted")).ToContainTextAsync("1 client removed");
        await Expect(Page.GetByTestId("reverted")).ToBeFocusedAsync();
        await Step("reverted");
    }
}
