using System.Net;
using System.Text;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.TestData;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// What a keyboard, a screen reader and a narrow window get from the pages (the accessibility pass): the markup they
/// read. What needs the pages' script (where the focus lands) is in the browser tests' AccessibilityTests.
/// </summary>
public sealed class AccessibilityTests(RolloutWebFactory factory) : IClassFixture<RolloutWebFactory>
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<T> DbAsync<T>(Func<RolloutDbContext, Task<T>> read)
    {
        using var scope = factory.Services.CreateScope();
        return await read(scope.ServiceProvider.GetRequiredService<RolloutDbContext>());
    }

    private Task<int> InventoryIdAsync(string name) =>
        DbAsync(db => db.Inventories.Where(i => i.Name == name).Select(i => i.Id).SingleAsync());

    /// <summary>An import of Laptops with Name, Status and Department mapped; its page.</summary>
    private async Task<(HttpClient Client, string Path)> UploadAsync(string csv)
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var response = await ImportPagesTests.UploadAsync(client, await InventoryIdAsync("Laptops"), "a11y.csv", Encoding.UTF8.GetBytes(csv));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var path = response.Headers.Location!.OriginalString;
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "Status",
            ["Columns[2].Letter"] = "C", ["Columns[2].Target"] = "Department",
        }, path);
        return (client, path);
    }

    private async Task<(HttpClient Client, string Path)> FailedImportAsync()
    {
        var (client, path) = await UploadAsync($"Name,Status,Department\n{Unique("A11Y")},Nope,IT\n{Unique("A11Y")},New,Nope\n{Unique("A11Y")},Nope,IT\n");
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
        return (client, path);
    }

    private static int ImportId(string path) =>
        int.Parse(path[(path.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    // 1. The progress bar says its value; the figures go to a polite live region; the outcome is a status or an alert.
    [Fact]
    public async Task ProgressBar_SaysItsValue_AndTheOutcomeIsAStatusThatCanTakeTheFocus()
    {
        var (client, running) = await UploadAsync($"Name,Status,Department\n{Unique("RUN")},New,IT\n{Unique("RUN")},New,IT\n");
        using (var scope = factory.Services.CreateScope())
        {
            var manager = await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Users.SingleAsync(u => u.Email == "manager@demo.test");
            await TestImports.ApproveWithoutJobAsync(scope.ServiceProvider, ImportId(running), manager.Id);
        }

        var page = await client.GetPageAsync(running);
        var bar = page.One("[role=progressbar]");
        Assert.Equal(("0", "100", "0"), (bar.GetAttribute("aria-valuemin"), bar.GetAttribute("aria-valuemax"), bar.GetAttribute("aria-valuenow")));
        Assert.Equal("0 of 2 rows checked, 0 written", bar.GetAttribute("aria-valuetext"));
        Assert.True(page.Has("[aria-live=polite]"), "no polite live region for the figures");

        var (_, failed) = await FailedImportAsync();
        var failure = (await client.GetPageAsync(failed)).TestId("failure");
        Assert.Equal(("alert", "-1"), (failure.GetAttribute("role"), failure.GetAttribute("tabindex")));

        var (_, passing) = await UploadAsync($"Name,Status,Department\n{Unique("OK")},New,IT\n");
        await RolloutWebFactory.PostFormAsync(client, passing + "/approve", [], passing);
        Assert.Equal("Completed", (await client.WaitForImportAsync(passing)).GetProperty("status").GetString());
        var result = (await client.GetPageAsync(passing)).TestId("result");
        Assert.Equal(("status", "-1"), (result.GetAttribute("role"), result.GetAttribute("tabindex")));
    }

    /// <summary>Seventeen pages, each with the tables of a kind of page: lists, forms, settings, an import that failed.</summary>
    private async Task<List<(HttpClient Browser, string Path)>> PagesWithTablesAsync()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var admin = await factory.SignInAsync("admin@demo.test");
        var laptops = await InventoryIdAsync("Laptops");
        var client = await DbAsync(db => db.Clients.Where(c => c.Name == "LT-0001").Select(c => c.Id).SingleAsync());
        var department = await DbAsync(db => db.CustomFields.Where(f => f.Name == "Department").Select(f => f.Id).SingleAsync());
        var workflow = await DbAsync(db => db.Workflows.Where(w => w.Name == "Device rollout").Select(w => w.Id).SingleAsync());
        var rollout = await DbAsync(db => db.Rollouts.Where(r => r.Identifier == "W11").Select(r => r.Id).SingleAsync());
        var (_, failed) = await FailedImportAsync();
        var pages = new List<(HttpClient, string)>
        {
            (manager, "/rollouts"), (manager, "/rollouts/W11"), (manager, $"/rollouts/W11/inventories/{laptops}"),
            (manager, $"/rollouts/W11/inventories/{laptops}/edit"), (manager, "/rollouts/W11/inventories/new"),
            (manager, $"/rollouts/W11/clients/{client}"), (manager, "/rollouts/W11/imports"), (manager, failed),
            (admin, "/settings/users"), (admin, "/settings/custom-fields"), (admin, $"/settings/custom-fields/{department}"),
            (admin, "/settings/workflows"), (admin, $"/settings/workflows/{workflow}"), (admin, "/settings/rollouts"),
            (admin, $"/settings/rollouts/{rollout}"), (admin, "/settings/link-types"), (admin, "/reviews"),
        };
        return pages;
    }

    // 2. Every table scrolls inside its own box, so a narrow window (390 px, 320 px) is not widened by it.
    [Fact]
    public async Task EveryTable_OfEveryPage_ScrollsInsideItsOwnBox()
    {
        var tables = 0;
        foreach (var (browser, path) in await PagesWithTablesAsync())
        {
            var page = await browser.GetPageAsync(path);
            foreach (var table in page.QuerySelectorAll("table"))
            {
                tables++;
                Assert.True(table.Closest(".table-responsive") is not null,
                    $"{path}: a table outside .table-responsive widens a narrow window: {table.GetAttribute("data-testid") ?? table.QuerySelector("th")?.NormalizedText()}");
            }
        }

        Assert.True(tables > 15, $"only {tables} tables were looked at");
    }

    // 2b. Every table says what it lists (a caption, visually hidden where a heading above says it, or a label), so a
    // screen reader's list of tables tells them apart.
    [Fact]
    public async Task EveryTable_OfEveryPage_HasACaptionOrALabel()
    {
        var tables = 0;
        foreach (var (browser, path) in await PagesWithTablesAsync())
        {
            var page = await browser.GetPageAsync(path);
            foreach (var table in page.QuerySelectorAll("table"))
            {
                tables++;
                var caption = table.Children.FirstOrDefault(c => c.LocalName == "caption")?.NormalizedText();
                var labelledBy = (table.GetAttribute("aria-labelledby") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(id => page.GetElementById(id)?.NormalizedText() ?? "");
                var name = caption is { Length: > 0 } ? caption : table.GetAttribute("aria-label") ?? string.Join(" ", labelledBy);
                Assert.True(name.Trim().Length > 0,
                    $"{path}: a table without a caption, aria-label or aria-labelledby: {table.GetAttribute("data-testid") ?? table.QuerySelector("th")?.NormalizedText()}");
            }
        }

        Assert.True(tables > 15, $"only {tables} tables were looked at");
    }

    // 2c. A link or button repeated on each row of a table names its row (decision 0163): a screen reader's list of links
    // (or a voice command, "click Edit") otherwise offers "Edit, Duplicate, Delete, Edit, Duplicate, Delete" for two
    // inventories, with nothing telling which is which.
    [Fact]
    public async Task EveryLinkAndButtonOfATablesRows_NamesItsRow()
    {
        var controls = 0;
        var repeated = new List<string>();
        foreach (var (browser, path) in await PagesWithTablesAsync())
        {
            var page = await browser.GetPageAsync(path);
            foreach (var table in page.QuerySelectorAll("table"))
            {
                // What each name leads to: a link's address, a button's form address; one name for two places is ambiguous.
                var targets = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
                foreach (var control in table.QuerySelectorAll("tbody a[href], tbody button"))
                {
                    controls++;
                    var name = (control.GetAttribute("aria-label") ?? control.TextContent).Trim();
                    name = string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                    var target = control.LocalName == "a"
                        ? control.GetAttribute("href") ?? ""
                        : control.GetAttribute("formaction") ?? control.Closest("form")?.GetAttribute("action") ?? "";
                    if (!targets.TryGetValue(name, out var seen))
                    {
                        targets[name] = seen = [];
                    }

                    seen.Add(target);
                }

                repeated.AddRange(targets.Where(t => t.Value.Count > 1)
                    .Select(t => $"{path}: {t.Value.Count} different links or buttons of table {table.GetAttribute("data-testid") ?? table.QuerySelector("caption")?.NormalizedText()} are all named \"{t.Key}\""));
            }
        }

        Assert.True(repeated.Count == 0, string.Join("\n", repeated));
        Assert.True(controls > 30, $"only {controls} links and buttons were looked at");
    }

    // 2d. The replaced values' Remove buttons all post to one address (the replacement is in the form's fields), so 2c
    // cannot tell them apart: each names the value and column of its replacement (decision 0163).
    [Fact]
    public async Task EveryRemoveOfAReplacement_NamesTheValueAndColumnItRemoves()
    {
        var (client, path) = await FailedImportAsync();
        var page = await client.GetPageAsync(path);
        foreach (var (column, to) in new[] { ("B", "New"), ("C", "IT") })
        {
            var form = page.One($"[data-testid=replacement-form][data-column='{column}'][data-from='Nope']");
            var stamp = form.QuerySelector("[name=FileStamp]")?.GetAttribute("value") ?? "";
            var applied = await RolloutWebFactory.PostFormAsync(client, path + "/replacements", new()
            {
                ["Column"] = column, ["From"] = "Nope", ["To"] = to, ["FileStamp"] = stamp,
            }, path);
            Assert.Equal(HttpStatusCode.Redirect, applied.StatusCode);
        }

        page = await client.GetPageAsync(path);
        var names = page.QuerySelectorAll($"form[action='{path}/replacements'] button")
            .Select(b => string.Join(' ', b.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["Remove the replacement of 'Nope' in column B", "Remove the replacement of 'Nope' in column C"], names);
    }

    // 2e. A title attribute is a tooltip only a mouse shows: keyboard, touch and screen-magnifier users never see it and
    // screen readers read it inconsistently. Whatever one says is also in its element's text, name or description
    // (decision 0170): the client list's downloads, its filter chip's remove link, its headers that sort no long list.
    [Fact]
    public async Task NoTitleAttribute_IsTheOnlyStatementOfWhatItSays()
    {
        var pages = await PagesWithTablesAsync();
        var (manager, failed) = await FailedImportAsync();
        var laptops = await InventoryIdAsync("Laptops");
        pages.Add((manager, $"/rollouts/W11/inventories/{laptops}?import={ImportId(failed)}"));
        // An inventory too large for the description and custom field sorts (its count as if it held one client more).
        var large = await DbAsync(async db =>
        {
            var template = await db.Inventories.AsNoTracking().SingleAsync(i => i.Id == laptops);
            var inventory = new Inventory { RolloutId = template.RolloutId, Name = Unique("Large"), WorkflowId = template.WorkflowId };
            db.Inventories.Add(inventory);
            await db.SaveChangesAsync();
            var status = await db.WorkflowStatuses.Where(s => s.WorkflowId == template.WorkflowId).Select(s => s.Id).FirstAsync();
            db.Clients.Add(new Client { RolloutId = inventory.RolloutId, InventoryId = inventory.Id, Name = Unique("BIG"), StatusId = status });
            await db.SaveChangesAsync();
            await db.Inventories.Where(i => i.Id == inventory.Id).ExecuteUpdateAsync(u => u.SetProperty(i => i.ClientCount, ClientPages.SortBound + 1));
            return inventory.Id;
        });
        pages.Add((manager, $"/rollouts/W11/inventories/{large}"));
        try
        {
            await AssertNoTitleOnlyAsync(pages, manager, large, laptops, ImportId(failed));
        }
        finally
        {
            // Its true count again: the rollout's client limit counts it, and the class's other tests import into W11.
            await DbAsync(db => db.Inventories.Where(i => i.Id == large).ExecuteUpdateAsync(u => u.SetProperty(i => i.ClientCount, 1)));
        }
    }

    private static async Task AssertNoTitleOnlyAsync(List<(HttpClient Browser, string Path)> pages, HttpClient manager, int large, int laptops, int import)
    {
        var hidden = new List<string>();
        foreach (var (browser, path) in pages)
        {
            var page = await browser.GetPageAsync(path);
            string Texts(string? ids) => string.Join(" ", (ids ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(id => page.GetElementById(id)?.NormalizedText() ?? ""));
            foreach (var element in page.QuerySelectorAll("body [title]"))
            {
                var title = string.Join(' ', (element.GetAttribute("title") ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                var said = string.Join(" ", element.GetAttribute("aria-label"), element.NormalizedText(),
                    Texts(element.GetAttribute("aria-labelledby")), Texts(element.GetAttribute("aria-describedby")));
                if (!said.Contains(title, StringComparison.Ordinal))
                {
                    hidden.Add($"{path}: <{element.LocalName}> says \"{title}\" only in its title");
                }
            }
        }

        Assert.True(hidden.Count == 0, string.Join("\n", hidden));
        var list = await manager.GetPageAsync($"/rollouts/W11/inventories/{large}");
        // Department is a list of options, sorted by an index: its header stays a sort link.
        Assert.Equal($"Sorting by Description works for lists of up to {ClientPages.SortBound.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} clients: search first.",
            list.TestId("sort-bound-note").NormalizedText());
        var description = list.QuerySelectorAll("[data-testid=clients] th").Single(th => th.NormalizedText() == "Description");
        Assert.Equal("sort-bound-note", description.GetAttribute("aria-describedby"));
        var laptopsList = await manager.GetPageAsync($"/rollouts/W11/inventories/{laptops}?import={import}");
        var remove = laptopsList.TestId("import-filter-remove");
        Assert.Equal("true", remove.One("span").GetAttribute("aria-hidden"));
        Assert.Matches(@"^Remove the filter: Created or changed by import #[\d,]+ \(show every client\)$", remove.One(".visually-hidden").NormalizedText());
        foreach (var (link, help) in new[] { ("download-template", "Download template: an .xlsx with this inventory's columns"), ("export", "Export: every client as an .xlsx") })
        {
            var described = laptopsList.GetElementById(laptopsList.TestId(link).GetAttribute("aria-describedby") ?? "")?.NormalizedText() ?? "";
            Assert.StartsWith(help, described, StringComparison.Ordinal);
        }
    }

    // 3. A refused form: the summary takes the focus and links each reason to its field; the field names its reason.
    [Fact]
    public async Task RefusedForm_SummaryTakesTheFocus_LinksToTheField_AndTheFieldNamesItsReason()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var response = await RolloutWebFactory.PostFormAsync(admin, "/settings/users/new", new()
        {
            ["DisplayName"] = "Second admin", ["Email"] = "admin@demo.test", ["UserCode"] = Unique("U"), ["Role"] = "Technician",
            ["Invite"] = "true",
        });
        var page = await response.ReadPageAsync();

        var summary = page.One("[role=alert].validation-summary-errors");
        Assert.Equal("-1", summary.GetAttribute("tabindex"));
        Assert.True(summary.HasAttribute("autofocus"), "the summary does not take the focus");
        var email = page.One("#Email");
        var link = summary.QuerySelectorAll("a").FirstOrDefault(a => a.GetAttribute("href") == "#Email");
        Assert.True(link is not null, $"no reason links to #Email: {summary.OuterHtml}");
        var described = (email.GetAttribute("aria-describedby") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var reasons = described.Select(id => page.GetElementById(id)?.NormalizedText() ?? "").ToList();
        Assert.Contains(reasons, r => r.Length > 0 && r == link.NormalizedText());

        // UserCode: its reason first, its help text kept.
        page = await (await RolloutWebFactory.PostFormAsync(admin, "/settings/users/new", new()
        {
            ["DisplayName"] = "Second admin", ["Email"] = Unique("a11y") + "@demo.test", ["UserCode"] = "", ["Role"] = "Technician",
            ["Invite"] = "true",
        })).ReadPageAsync();
        summary = page.One("[role=alert].validation-summary-errors");
        var userCode = page.One("#UserCode");
        var codeIds = (userCode.GetAttribute("aria-describedby") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("UserCodeHelp", codeIds);
        Assert.Equal("true", userCode.GetAttribute("aria-invalid"));
        Assert.Contains(codeIds, id => id != "UserCodeHelp" && page.GetElementById(id)?.NormalizedText() is { Length: > 0 } text
            && summary.QuerySelectorAll("a[href='#UserCode']").Any(a => a.NormalizedText() == text));

        // The sign-in page: its Email's autofocus does not pull the focus away from the summary.
        var anonymous = factory.CreateBrowser();
        var login = await (await RolloutWebFactory.PostFormAsync(anonymous, "/account/login", new()
        {
            ["Email"] = "manager@demo.test", ["Password"] = "wrong password",
        })).ReadPageAsync();
        Assert.True(login.One("[role=alert].validation-summary-errors").HasAttribute("autofocus"), "the sign-in's summary does not take the focus");
        Assert.Empty(login.QuerySelectorAll("[autofocus]:not(.validation-summary-errors)"));
    }

    /// <summary>
    /// A refused form as the shared mechanism shows it (decision 0046): one summary, which takes the focus and links each
    /// of <paramref name="fieldIds"/>; each of those fields is aria-invalid, names its reason first in aria-describedby,
    /// and its reason is shown once outside the summary. Returns the summary.
    /// </summary>
    private static IElement AssertRefusedFields(IDocument page, params string[] fieldIds)
    {
        var summaries = page.QuerySelectorAll(".validation-summary-errors, [data-error-summary]").ToList();
        Assert.True(summaries.Count == 1, $"{summaries.Count} summaries: {string.Join(" | ", summaries.Select(s => s.OuterHtml))}");
        var summary = summaries[0];
        Assert.Equal("alert", summary.GetAttribute("role"));
        Assert.Equal("-1", summary.GetAttribute("tabindex"));
        Assert.True(summary.HasAttribute("autofocus"), $"the summary does not take the focus: {summary.OuterHtml}");
        Assert.DoesNotContain(page.QuerySelectorAll("[autofocus]"), e => e != summary);
        foreach (var id in fieldIds)
        {
            var field = page.GetElementById(id);
            Assert.True(field is not null, $"no field #{id}");
            Assert.Equal("true", field.GetAttribute("aria-invalid"));
            var links = summary.QuerySelectorAll("a").Where(a => a.GetAttribute("href") == "#" + id).ToList();
            Assert.True(links.Count == 1, $"{links.Count} reasons link to #{id}: {summary.OuterHtml}");
            var reason = links[0].NormalizedText();
            var describedBy = (field.GetAttribute("aria-describedby") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(describedBy.Length > 0, $"#{id} names no reason");
            Assert.Equal(reason, page.GetElementById(describedBy[0])?.NormalizedText());
            // The innermost elements outside the summary that say the reason: one.
            var shown = page.QuerySelectorAll("*")
                .Where(e => !summary.Contains(e) && e.NormalizedText() == reason && !e.Children.Any(c => c.NormalizedText() == reason))
                .ToList();
            Assert.True(shown.Count == 1, $"#{id}'s reason \"{reason}\" is shown {shown.Count} times: {string.Join(" | ", shown.Select(e => e.OuterHtml))}");
            Assert.Equal(describedBy[0], shown[0].Id);
        }

        return summary;
    }

    // 3b. The inventory form, new and edit: each reason once, under its field, and a summary that takes the focus.
    [Fact]
    public async Task InventoryForm_NewAndEdit_ShowEachReasonOnce_WithASummaryThatTakesTheFocus()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var created = await RolloutWebFactory.PostFormAsync(manager, "/rollouts/W11/inventories/new", new()
        {
            ["Name"] = "", ["WorkflowId"] = "",
        });
        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        var page = await created.ReadPageAsync();
        var summary = AssertRefusedFields(page, "Name", "WorkflowId");
        Assert.Equal(["Enter a name.", "Choose a workflow."], summary.QuerySelectorAll("li").Select(li => li.NormalizedText()));

        var monitors = await InventoryIdAsync("Monitors");
        var workflow = await DbAsync(db => db.Inventories.Where(i => i.Id == monitors).Select(i => i.WorkflowId).SingleAsync());
        var edited = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/inventories/{monitors}/edit", new()
        {
            ["Name"] = "Laptops", ["WorkflowId"] = workflow.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Assert.Equal(HttpStatusCode.BadRequest, edited.StatusCode);
        page = await edited.ReadPageAsync();
        AssertRefusedFields(page, "Name");
        Assert.Equal("Laptops", page.FieldValue("Name"));
        Assert.Equal("This rollout already has an inventory named \"Laptops\".", page.One("#Name-error").NormalizedText());
    }

    // 3c. The inventory's Duplicate form: its one field refused through the same summary and reason.
    [Fact]
    public async Task InventoryDuplicate_RefusedName_HasTheSummaryThatTakesTheFocus_AndTheFieldNamesItsReason()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var laptops = await InventoryIdAsync("Laptops");
        var response = await RolloutWebFactory.PostFormAsync(manager, $"/rollouts/W11/inventories/{laptops}/duplicate",
            new() { ["name"] = "Monitors" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.ReadPageAsync();

        var summary = AssertRefusedFields(page, "name");
        Assert.Equal("This rollout already has an inventory named \"Monitors\".", summary.NormalizedText());
        Assert.Equal("Monitors", page.FieldValue("name"));
    }

    // 3d. An inventory's deletion refused while an import into it runs: the reason is the summary, which takes the focus.
    [Fact]
    public async Task InventoryDelete_Refused_SaysWhyInASummaryThatTakesTheFocus()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var name = Unique("A11Y delete");
        var workflow = await DbAsync(db => db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.WorkflowId).SingleAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await RolloutWebFactory.PostFormAsync(manager, "/rollouts/W11/inventories/new", new()
        {
            ["Name"] = name, ["WorkflowId"] = workflow.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })).StatusCode);
        var (inventory, user) = await DbAsync(async db => (
            await db.Inventories.SingleAsync(i => i.Name == name),
            await db.Users.Where(u => u.Email == "manager@demo.test").Select(u => u.Id).SingleAsync()));
        using var scope = factory.Services.CreateScope();
        // Approved, its job not started yet: In Progress. Its one row fails, so running it at the end writes nothing.
        var running = (await TestImports.CreateAsync(scope.ServiceProvider, inventory.RolloutId, inventory.Id, "running.csv",
            "Name;Status\nRUNNING-1;No such status\n"u8.ToArray(), user)).Import.Id;
        await TestImports.ApproveWithoutJobAsync(scope.ServiceProvider, running, user);
        try
        {
            var path = $"/rollouts/W11/inventories/{inventory.Id}/delete";
            var response = await RolloutWebFactory.PostFormAsync(manager, path, [], path);

            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            var page = await response.ReadPageAsync();
            var summary = AssertRefusedFields(page);
            Assert.Equal("An import into this inventory is running; delete the inventory after it has finished.", summary.NormalizedText());
            Assert.Equal([summary], page.QuerySelectorAll("[role=alert]"));
        }
        finally
        {
            Assert.Equal(Rollouter.Import.Data.Entities.ImportStatus.Failed, (await scope.ServiceProvider
                .GetRequiredService<Rollouter.Import.Importing.ImportLifecycle>().RunAsync(running, null, CancellationToken.None)).Status);
        }
    }

    // 3e. A refused upload: the summary takes the focus; a reason about the inventory links to its field.
    [Fact]
    public async Task RefusedUpload_HasTheSummaryThatTakesTheFocus_AndTheInventoryFieldNamesItsReason()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var elsewhere = await ImportPagesTests.UploadAsync(manager, 999_999, "a11y.csv", "Name,Status\nA11Y-1,New\n"u8.ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);
        var page = await elsewhere.ReadPageAsync();
        var summary = AssertRefusedFields(page, "inventoryId");
        Assert.Contains("is not an inventory of rollout", summary.NormalizedText());

        var picture = await ImportPagesTests.UploadAsync(manager, await InventoryIdAsync("Laptops"), "a11y.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Assert.False(picture.IsSuccessStatusCode);
        page = await picture.ReadPageAsync();
        summary = AssertRefusedFields(page);
        Assert.False(string.IsNullOrWhiteSpace(summary.NormalizedText()));
        Assert.Equal([summary], page.QuerySelectorAll("[role=alert]"));
    }

    // 3f. A refused link on a client's page: the summary takes the focus and links to the client chosen, which names it.
    [Fact]
    public async Task RefusedLink_HasTheSummaryThatTakesTheFocus_AndTheChosenClientNamesItsReason()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var lt37 = await DbAsync(db => db.Clients.Where(c => c.Name == "LT-0037").Select(c => c.Id).SingleAsync());
        var url = $"/rollouts/W11/clients/{lt37}";
        var search = await manager.GetPageAsync($"{url}?find=LT-0038");
        var type = search.One("select[name=linkType] option[value$=':out']").GetAttribute("value") ?? "";
        var fields = search.Form($"{url}/links").HiddenFields().Append(new("otherClientId", "999999")).Append(new("linkType", type));
        var refused = await manager.PostAsync($"{url}/links", new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var page = await refused.ReadPageAsync();
        var radio = page.One("input[type=radio][name=otherClientId]").Id ?? "";
        var summary = AssertRefusedFields(page, radio);
        Assert.Equal("No client 999999 in this rollout.", summary.NormalizedText());

        var none = await manager.PostAsync($"{url}/links", new FormUrlEncodedContent(
            search.Form($"{url}/links").HiddenFields().Append(new("otherClientId", "999999"))));
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        page = await none.ReadPageAsync();
        Assert.Equal("Choose a link type.", AssertRefusedFields(page, "linkType").NormalizedText());
    }

    // 3g. The import page's file settings refused: the summary takes the focus and links to the setting, which names it.
    [Fact]
    public async Task ImportFileSettings_Refused_HaveTheSummaryThatTakesTheFocus_AndTheSettingNamesItsReason()
    {
        var (client, path) = await UploadAsync($"Name,Status,Department\n{Unique("HDR")},New,IT\n");
        var response = await RolloutWebFactory.PostFormAsync(client, path + "/parse-options",
            new() { ["HeaderRow"] = "50", ["Delimiter"] = ",", ["Encoding"] = "utf-8" }, path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.ReadPageAsync();
        var summary = AssertRefusedFields(page, "HeaderRow");
        Assert.Equal("The file has no row 50; choose the row that holds the column names.", summary.NormalizedText());
        Assert.Equal("50", page.FieldValue("HeaderRow"));
        Assert.Equal([summary], page.QuerySelectorAll("[role=alert]"));

        // A delimiter of one's own that is refused: the "Other" box.
        page = await (await RolloutWebFactory.PostFormAsync(client, path + "/parse-options",
            new() { ["HeaderRow"] = "1", ["Delimiter"] = "other", ["DelimiterOther"] = "\"", ["Encoding"] = "utf-8" }, path)).ReadPageAsync();
        AssertRefusedFields(page, "DelimiterOther");
    }

    // 3h. A refused correction of a failing cell: the summary links to that cell's editor, which names its reason; the
    // other cells' editors are not marked.
    [Fact]
    public async Task ImportCorrection_Refused_LinksToThatCellsEditor_AndNoOther()
    {
        var (client, path) = await FailedImportAsync();
        var response = await RolloutWebFactory.PostFormAsync(client, path + "/corrections", new()
        {
            ["Row"] = "2", ["Column"] = "B", ["Value"] = new string('x', 32_768), ["Filter"] = "",
        }, path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.ReadPageAsync();
        var editor = page.QuerySelector("[data-testid=cell-editor][data-row='2'][data-column='B'] [name=Value]");
        Assert.True(editor is not null, "the refused cell's editor is not on the page");
        var summary = AssertRefusedFields(page, editor.Id ?? "");
        Assert.Equal("The value for row 2 is longer than 32,767 characters.", summary.NormalizedText());
        var others = page.QuerySelectorAll("[data-testid=cell-editor] [name=Value]").Where(e => e != editor).ToList();
        Assert.NotEmpty(others);
        Assert.DoesNotContain(others, e => e.ClassList.Contains("is-invalid") || (e.GetAttribute("aria-describedby") ?? "").Contains("-error", StringComparison.Ordinal));
    }

    // 3i. An approval refused through a redirect: the reason is carried to the page, whose summary takes the focus;
    // reloading the page does not show it again.
    [Fact]
    public async Task ImportApproval_RefusedThroughARedirect_ShowsTheSummaryOnce()
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var upload = await ImportPagesTests.UploadAsync(client, await InventoryIdAsync("Laptops"), "a11y.csv",
            Encoding.UTF8.GetBytes($"Rechner,Abteilung\n{Unique("INC")},IT\n"));
        var path = upload.Headers.Location!.OriginalString;
        Assert.Equal("Incomplete", (await client.GetPageAsync(path)).TestId("import-status").GetAttribute("data-status"));

        var approved = await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        var page = await client.GetPageAsync(approved.Headers.Location!.OriginalString);
        var summary = AssertRefusedFields(page);
        Assert.StartsWith($"Import {ImportId(path)} is Incomplete: ", summary.NormalizedText(), StringComparison.Ordinal);
        Assert.EndsWith("Correct the mapping and save it first.", summary.NormalizedText(), StringComparison.Ordinal);
        Assert.Equal([summary], page.QuerySelectorAll("[role=alert]"));

        var reloaded = await client.GetPageAsync(path);
        Assert.Empty(reloaded.QuerySelectorAll("[data-error-summary], .validation-summary-errors"));
    }

    // 3j. QA: an encoding chosen under File settings that cannot decode the file was a reason of the form as a whole;
    // it is the Encoding setting's, which the summary links.
    [Fact]
    public async Task ImportEncoding_ThatCannotDecodeTheFile_IsLinkedToTheEncodingSetting()
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var upload = await ImportPagesTests.UploadAsync(client, await InventoryIdAsync("Laptops"), "latin.csv",
            Encoding.Latin1.GetBytes($"Name,Status,Department\n{Unique("ENC")}-Jörg,New,IT\n"));
        var path = upload.Headers.Location!.OriginalString;

        var response = await RolloutWebFactory.PostFormAsync(client, path + "/parse-options",
            new() { ["HeaderRow"] = "1", ["Delimiter"] = ",", ["Encoding"] = "utf-8" }, path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.ReadPageAsync();
        var summary = AssertRefusedFields(page, "Encoding");
        Assert.Equal("The file is not valid UTF-8: line 2 holds bytes that UTF-8 cannot decode; choose another encoding (for example Windows-1252).",
            summary.NormalizedText());
    }

    // 3k. QA: a replacement's preview with a new value longer than a replacement may be was shown, and only Apply refused
    // it, as a reason of no field. The preview refuses it, linked to the replacement's box of the value it replaces.
    [Fact]
    public async Task ImportReplacementPreview_Refused_LinksToThatReplacementsBox_AndNoOther()
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var upload = await ImportPagesTests.UploadAsync(client, await InventoryIdAsync("Laptops"), "serial.csv",
            Encoding.UTF8.GetBytes($"Name,Status,Serial number\n{Unique("REP")},New,BAD1\n{Unique("REP")},New,BAD2\n"));
        var path = upload.Headers.Location!.OriginalString;
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "Status",
            ["Columns[2].Letter"] = "C", ["Columns[2].Target"] = "Serial number",
        }, path);
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
        var tooLong = new string('x', 401);

        var response = await client.GetAsync($"{path}/replacements/preview?column=C&from=BAD1&to={tooLong}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.ReadPageAsync();
        var box = page.QuerySelector("[data-testid=replacement-form][data-column='C'][data-from='BAD1'] [name=To]");
        Assert.True(box is not null, "the replacement's box is not on the page");
        var summary = AssertRefusedFields(page, box.Id ?? "");
        Assert.Equal("A replacement's values are at most 400 characters long.", summary.NormalizedText());
        Assert.Equal(tooLong, box.GetAttribute("value"));
        var other = page.QuerySelector("[data-testid=replacement-form][data-column='C'][data-from='BAD2'] [name=To]");
        Assert.True(other is not null, "the other replacement's box is not on the page");
        Assert.Null(other.GetAttribute("aria-invalid"));
        Assert.Null(page.QuerySelector("[data-testid=replacement-proposal]"));
    }

    /// <summary>A failed import of Laptops with Name, Status and Serial number mapped (Serial number has a pattern).</summary>
    private async Task<(HttpClient Client, string Path)> FailedSerialImportAsync(string fileName, byte[] content)
    {
        var client = await factory.SignInAsync("manager@demo.test");
        var upload = await ImportPagesTests.UploadAsync(client, await InventoryIdAsync("Laptops"), fileName, content);
        var path = upload.Headers.Location!.OriginalString;
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = "Status",
            ["Columns[2].Letter"] = "C", ["Columns[2].Target"] = "Serial number",
        }, path);
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
        return (client, path);
    }

    // 3l. QA: a failing value longer than a replacement's 400 characters was offered "Replace every …", whose Preview
    // could only be refused, on its hidden From: a reason linked to no field, the box unmarked, the typed value gone.
    // It is not offered; a sentence says to correct it in its cell or in the file.
    [Fact]
    public async Task ImportReplacements_AFailingValueLongerThanAReplacementMayBe_IsNotOffered_ButSaysWhereToCorrectIt()
    {
        var tooLong = new string('X', 450);
        var (client, path) = await FailedSerialImportAsync("long.csv",
            Encoding.UTF8.GetBytes($"Name,Status,Serial number\n{Unique("LONG")},New,{tooLong}\n{Unique("LONG")},New,SN710102\n"));

        var page = await client.GetPageAsync(path);

        Assert.DoesNotContain(page.QuerySelectorAll("[data-testid=replacement-form]"), f => f.GetAttribute("data-from") == tooLong);
        var said = Assert.Single(page.QuerySelectorAll("[data-testid=replacement-too-long]"));
        Assert.Equal($"'{tooLong[..40]}…' in column C (Serial number) is longer than the 400 characters a replacement " +
                     "replaces: correct it in its cell below, or in your file.", said.NormalizedText());
        // Its cell can still be corrected on its own.
        Assert.NotEmpty(page.QuerySelectorAll("form[action$='/corrections'] input[name=Value]"));
    }

    // 3m. QA: a failing .xlsx value holding a control character (SN_x0001_500001), previewed with a new value too long:
    // the refusal is linked to that replacement's box, which keeps what was typed, as for any other value.
    [Fact]
    public async Task ImportReplacementPreview_OfAValueWithAControlCharacter_Refused_LinksToItsBox()
    {
        var file = new ClientFile("Name", "Status", "Serial number")
            .Row(Unique("CTL"), "New", "SN_x0001_500001")
            .Row(Unique("CTL"), "New", "BAD2");
        var (client, path) = await FailedSerialImportAsync("control.xlsx", file.ToXlsx());
        var failed = await client.GetPageAsync(path);
        var form = failed.QuerySelectorAll("[data-testid=replacement-form][data-column='C']")
            .Single(f => f.GetAttribute("data-from")?.StartsWith("SN", StringComparison.Ordinal) == true);
        var from = form.QuerySelector("[name=From]")?.GetAttribute("value") ?? "";
        Assert.Contains('\u0001', from);
        var tooLong = new string('x', 450);

        var posted = await RolloutWebFactory.PostFormAsync(client, path + "/replacements/preview",
            new() { ["Column"] = "C", ["From"] = from, ["To"] = tooLong }, path);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var response = await client.GetAsync(posted.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.ReadPageAsync();
        var box = page.QuerySelectorAll("[data-testid=replacement-form][data-column='C']")
            .Single(f => f.GetAttribute("data-from") == from).QuerySelector("[name=To]");
        Assert.True(box is not null, "the replacement's box is not on the page");
        var summary = AssertRefusedFields(page, box.Id ?? "");
        Assert.Equal("A replacement's values are at most 400 characters long.", summary.NormalizedText());
        Assert.Equal(tooLong, box.GetAttribute("value"));
    }

    // 4. Moving an option or a status by keyboard: back to the same button, with a message it refers to.
    [Fact]
    public async Task MovingAnOptionOrStatus_ReturnsToTheSameButton_WithAStatusMessage()
    {
        var admin = await factory.SignInAsync("admin@demo.test");
        var field = await DbAsync(db => db.CustomFields.Where(f => f.Name == "Department").Select(f => f.Id).SingleAsync());
        var finance = await DbAsync(db => db.CustomFieldOptions.Where(o => o.CustomFieldId == field && o.Name == "Finance").Select(o => o.Id).SingleAsync());
        var edit = $"/settings/custom-fields/{field}";

        var moved = await RolloutWebFactory.PostFormAsync(admin, $"{edit}/options/{finance}/down", [], edit);
        Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        var location = moved.Headers.Location!.OriginalString;
        Assert.Contains('#', location);
        var page = await admin.GetPageAsync(location);
        var button = page.GetElementById(location[(location.IndexOf('#', StringComparison.Ordinal) + 1)..]);
        Assert.True(button is not null, $"{location} names no element");
        Assert.Equal("Move Finance down", button.GetAttribute("aria-label"));
        var message = page.TestId("order-message");
        Assert.Equal("status", message.GetAttribute("role"));
        Assert.Equal("Finance moved to position 2.", message.NormalizedText());
        Assert.Contains(message.Id ?? "-", (button.GetAttribute("aria-describedby") ?? "").Split(' '));
        await RolloutWebFactory.PostFormAsync(admin, $"{edit}/options/{finance}/up", [], edit);

        var workflow = await DbAsync(db => db.Workflows.Where(w => w.Name == "Device rollout").Select(w => w.Id).SingleAsync());
        var done = await DbAsync(db => db.WorkflowStatuses.Where(s => s.WorkflowId == workflow && s.Name == "Done").Select(s => s.Id).SingleAsync());
        var workflowPage = $"/settings/workflows/{workflow}";
        var up = await RolloutWebFactory.PostFormAsync(admin, $"{workflowPage}/statuses/{done}/up", [], workflowPage);
        var upLocation = up.Headers.Location!.OriginalString;
        var after = await admin.GetPageAsync(upLocation);
        var upButton = after.GetElementById(upLocation[(upLocation.IndexOf('#', StringComparison.Ordinal) + 1)..]);
        Assert.Equal("Move Done up", upButton?.GetAttribute("aria-label"));
        Assert.Equal("Done moved to position 3.", after.TestId("order-message").NormalizedText());
        await RolloutWebFactory.PostFormAsync(admin, $"{workflowPage}/statuses/{done}/down", [], workflowPage);
    }

    /// <summary>What a screen reader calls a button or link: its aria-label, else its text (visually hidden parts too).</summary>
    private static string AccessibleName(IElement element) =>
        element.GetAttribute("aria-label") ?? element.NormalizedText();

    /// <summary>What a screen reader calls a field: its aria-label, else the text of its label.</summary>
    private static string? LabelOf(IDocument page, IElement field) =>
        field.GetAttribute("aria-label") ?? page.QuerySelectorAll("label").FirstOrDefault(l => l.GetAttribute("for") == field.Id)?.NormalizedText();

    // 4b. The failing cells' editors: each Save button and each box names its cell, and no two buttons of the failed
    // rows are called alike ("Save, button" twenty times).
    [Fact]
    public async Task FailingCellsEditors_NameTheirCell_OnTheSaveButtonAndTheBox()
    {
        var (client, path) = await FailedImportAsync();
        var page = await client.GetPageAsync(path);

        var editors = page.QuerySelectorAll("[data-testid=cell-editor]").ToList();
        Assert.Equal(3, editors.Count);
        var fields = new Dictionary<string, string> { ["B"] = "Status", ["C"] = "Department" };
        foreach (var editor in editors)
        {
            var (row, column) = (editor.GetAttribute("data-row"), editor.GetAttribute("data-column") ?? "");
            var save = editor.QuerySelectorAll("button[type=submit]").Single();
            Assert.Equal($"Save row {row}, {fields[column]}", AccessibleName(save));
            Assert.StartsWith("Save", save.TextContent.Trim(), StringComparison.Ordinal);
            var box = editor.QuerySelectorAll("[name=Value]").Single();
            Assert.Equal($"Correct row {row}, {fields[column]} (column {column})", LabelOf(page, box));
        }

        var names = page.TestId("failed-rows").QuerySelectorAll("button").Select(AccessibleName).ToList();
        Assert.True(names.Count > 3, string.Join(" | ", names));
        Assert.Equal(names, names.Distinct());
    }

    // 5. The import page's cards are sections with headings (h2), their parts h3.
    [Fact]
    public async Task ImportPage_CardTitlesAreHeadings()
    {
        var (client, path) = await FailedImportAsync();
        var page = await (await RolloutWebFactory.PostFormAndFollowAsync(client, path + "/check", [], path)).ReadPageAsync();

        var headings = page.QuerySelectorAll("main h2").Select(h => h.NormalizedText()).ToList();
        foreach (var title in new[] { "File", "Step 2: column-field assignment", "Step 3: summary and approval", "Check (nothing was written)", "Failed rows" })
        {
            Assert.Contains(title, headings);
        }

        Assert.Contains("Replace values", page.QuerySelectorAll("main h3").Select(h => h.NormalizedText()));
        Assert.DoesNotContain(page.QuerySelectorAll("main .card-header"), h => h.LocalName != "h2");
    }

    // 6. "Skip to content": the first stop of the Tab key, to the page's main part.
    [Fact]
    public async Task EveryPage_StartsWithASkipLinkToItsContent()
    {
        foreach (var (browser, path) in new[] { (factory.CreateBrowser(), "/account/login"), (await factory.SignInAsync("manager@demo.test"), "/rollouts/W11") })
        {
            var page = await browser.GetPageAsync(path);
            var first = page.Body?.QuerySelector("a[href], button, input:not([type=hidden]), select, textarea");
            Assert.Equal(("Skip to content", "#content"), (first?.NormalizedText(), first?.GetAttribute("href")));
            var main = page.One("main");
            Assert.Equal(("content", "-1"), (main.Id, main.GetAttribute("tabindex")));
        }
    }

    // 7. The Check's result can take the focus, and its result line is a status.
    [Fact]
    public async Task CheckResult_CanTakeTheFocus_AndItsResultLineIsAStatus()
    {
        var (client, path) = await UploadAsync($"Name,Status,Department\n{Unique("CHK")},Nope,IT\n");
        var page = await (await RolloutWebFactory.PostFormAndFollowAsync(client, path + "/check", [], path)).ReadPageAsync();

        var card = page.One("#check");
        Assert.Equal("-1", card.GetAttribute("tabindex"));
        var status = card.QuerySelector("[role=status]");
        Assert.Equal("1 of 1 row would fail (1 error).", status?.NormalizedText());
    }

    // 8. Not by colour alone: a client's flag says "Flag:", the chosen column filter is marked, its count is read as rows.
    [Fact]
    public async Task FlagAndColumnFilter_AreNotToldByColourAlone()
    {
        var manager = await factory.SignInAsync("manager@demo.test");
        var w11 = await DbAsync(db => db.Inventories.Where(i => i.Rollout.Identifier == "W11").Select(i => i.Id).ToListAsync());
        var flagged = await DbAsync(db => db.Clients.Where(c => c.Flag != null && w11.Contains(c.InventoryId))
            .OrderBy(c => c.Id).Select(c => new { c.Id, c.InventoryId, c.Name }).FirstAsync());
        var client = await manager.GetPageAsync($"/rollouts/W11/clients/{flagged.Id}");
        Assert.StartsWith("Flag: ", client.TestId("client-flag").NormalizedText(), StringComparison.Ordinal);
        var list = await manager.GetPageAsync($"/rollouts/W11/inventories/{flagged.InventoryId}?search={Uri.EscapeDataString(flagged.Name)}");
        Assert.StartsWith("Flag: ", list.TestId("client-flag").NormalizedText(), StringComparison.Ordinal);

        var (importer, path) = await FailedImportAsync();
        var page = await importer.GetPageAsync(path);
        var filters = page.TestId("error-columns").QuerySelectorAll("a");
        Assert.Equal(["All columns"], filters.Where(a => a.GetAttribute("aria-current") == "true").Select(a => a.NormalizedText()));
        var statusFilter = filters.Single(a => a.NormalizedText().StartsWith('B'));
        Assert.EndsWith("2 failing rows", statusFilter.NormalizedText(), StringComparison.Ordinal);

        var filtered = await importer.GetPageAsync(statusFilter.GetAttribute("href")!.Split('#')[0]);
        Assert.Equal(["B"], filtered.TestId("error-columns").QuerySelectorAll("a[aria-current=true]").Select(a => a.NormalizedText()[..1]));
        Assert.EndsWith("1 failing row", filtered.TestId("error-columns").QuerySelectorAll("a").Single(a => a.NormalizedText().StartsWith('C')).NormalizedText(), StringComparison.Ordinal);
    }
}
