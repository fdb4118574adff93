using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// The import's page when a selection has hundreds of options and many cells fail in it: the page lists the column's
/// options once, not once per failing cell, so its size does not grow with options × failing cells (fourth QA pass,
/// 2026-12-05).
/// </summary>
public abstract partial class ImportPagesTests
{
    private const int ManyOptions = 300;
    private const int FailingCells = 20;

    /// <summary>A new inventory of W11 with a selection of <see cref="ManyOptions"/> options ("Opt-000" …); its name and the field's.</summary>
    private async Task<(int InventoryId, string Field)> InventoryWithManyOptionsAsync()
    {
        var field = Unique("Pick");
        var admin = await ApiTestClient.LoginAsync(Factory, "admin@demo.test");
        var created = await admin.PostAsJsonAsync("/api/custom-fields", new
        {
            name = field, type = "Selection", required = false,
            options = Enumerable.Range(0, ManyOptions).Select(i => $"Opt-{i:000}").ToArray(),
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var fieldId = (await ApiTestClient.ReadAsync(created))["id"]!.GetValue<int>();
        int workflowId;
        using (var scope = Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            workflowId = await db.Inventories.Where(i => i.Name == "Laptops").Select(i => i.WorkflowId).SingleAsync();
        }

        var rolloutId = await admin.RolloutIdAsync("W11");
        var inventory = await admin.PostAsJsonAsync($"/api/rollouts/{rolloutId}/inventories",
            new { name = Unique("Many options"), workflowId, customFieldIds = new[] { fieldId } });
        Assert.Equal(HttpStatusCode.Created, inventory.StatusCode);
        return ((await ApiTestClient.ReadAsync(inventory))["id"]!.GetValue<int>(), field);
    }

    /// <summary>How often an option of the big selection is named on the page (its value or text), at most.</summary>
    private static int MostMentionsOfAnOption(string html) =>
        Enumerable.Range(0, ManyOptions).Max(i => CountOf(html, $"Opt-{i:000}"));

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>Each editor of column B searches the column's one list: an input bound to it, no dropdown of its own.</summary>
    private static void AssertEditorsSearchTheOneList(IDocument page, IElement card, int editors)
    {
        var list = page.One("datalist#cell-values-B");
        Assert.Equal(ManyOptions, list.QuerySelectorAll("option").Length);
        Assert.Single(page.QuerySelectorAll("datalist#cell-values-B"));
        var cells = card.QuerySelectorAll("[data-testid=cell-editor][data-column=B]");
        Assert.Equal(editors, cells.Length);
        Assert.All(cells, editor =>
        {
            Assert.Empty(editor.QuerySelectorAll("select"));
            var input = (IHtmlInputElement)editor.One("input[name=Value]");
            Assert.Equal(("cell-values-B", "cell-values-B", true), (input.GetAttribute("list"), input.GetAttribute("data-choices"), input.IsRequired));
            // A screen reader reads the cell's message with its editor: the editor is invalid and described by the
            // message cell of its own row, which holds the message.
            var row = editor.Closest("tr") ?? throw new InvalidOperationException("The editor is not in a table row.");
            var message = row.QuerySelectorAll("td")[3];
            Assert.False(string.IsNullOrEmpty(message.Id), "The message cell has no id.");
            Assert.Equal(("true", message.Id), (input.GetAttribute("aria-invalid"), input.GetAttribute("aria-describedby")));
            Assert.Single(page.QuerySelectorAll($"[id='{message.Id}']"));
            Assert.False(string.IsNullOrWhiteSpace(message.TextContent), "The message cell is empty.");
        });
    }

    [Fact]
    public async Task SelectionOfManyOptions_FailingInManyCells_CheckAndFailedPagesListEachOptionOnce_AndACorrectionMadeThroughTheEditorIsStored()
    {
        var (inventoryId, field) = await InventoryWithManyOptionsAsync();
        var client = await Factory.SignInAsync("manager@demo.test");
        var csv = new StringBuilder($"Name,{field}\n");
        for (var i = 0; i < FailingCells; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{Unique("OPT")},Wrong {i}\n");
        }

        var uploaded = await UploadAsync(client, inventoryId, "many-options.csv", Encoding.UTF8.GetBytes(csv.ToString()));
        var path = uploaded.Headers.Location!.OriginalString;
        await RolloutWebFactory.PostFormAsync(client, path + "/mapping", new()
        {
            ["Columns[0].Letter"] = "A", ["Columns[0].Target"] = "Name",
            ["Columns[1].Letter"] = "B", ["Columns[1].Target"] = field,
        }, path);

        // The dry run: 20 failing cells, each with an editor; the 300 options are on the page once.
        var checkResponse = await RolloutWebFactory.PostFormAndFollowAsync(client, path + "/check", [], path);
        var checkHtml = await checkResponse.Content.ReadAsStringAsync();
        var check = HtmlPage.Parse(checkHtml);
        Assert.Contains($"{FailingCells} of {FailingCells} rows would fail", check.TestId("check-result").NormalizedText(), StringComparison.Ordinal);
        AssertEditorsSearchTheOneList(check, check.TestId("check-errors"), FailingCells);
        Assert.Equal(1, MostMentionsOfAnOption(checkHtml));

        // The failed import: the failed rows' editors and "Replace every …" search the same one list.
        await RolloutWebFactory.PostFormAsync(client, path + "/approve", [], path);
        Assert.Equal("Failed", (await client.WaitForImportAsync(path)).GetProperty("status").GetString());
        var failedHtml = await client.GetStringAsync(path);
        var failed = HtmlPage.Parse(failedHtml);
        AssertEditorsSearchTheOneList(failed, failed.TestId("failed-rows-table"), FailingCells);
        var replace = failed.QuerySelectorAll("[data-testid=replacement-form][data-column=B]");
        Assert.NotEmpty(replace);
        Assert.All(replace, form => Assert.Equal("cell-values-B", form.One("input[name=To]").GetAttribute("list")));
        Assert.Equal(1, MostMentionsOfAnOption(failedHtml));

        // The editor of row 3 posts what is chosen from the list: the correction is stored and shown.
        var editor = failed.TestId("failed-rows-table").One("[data-testid=cell-editor][data-row='3'][data-column=B]");
        var fields = editor.HiddenFields().Where(f => f.Key != "__RequestVerificationToken").ToDictionary(f => f.Key, f => f.Value);
        fields[editor.One("input[name=Value]").GetAttribute("name")!] = "Opt-123";
        var posted = await RolloutWebFactory.PostFormAsync(client, editor.GetAttribute("action")!, fields, path);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        using (var scope = Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RolloutDbContext>();
            var importId = int.Parse(path[(path.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
            var stored = await db.ImportCellCorrections.SingleAsync(c => c.ImportId == importId);
            Assert.Equal((3, "B", "Opt-123", "Wrong 1"), (stored.Row, stored.Column, stored.Value, stored.Original));
        }

        var corrected = await client.GetPageAsync(path);
        var row3 = corrected.TestId("failed-rows-table").QuerySelectorAll("tbody tr").Single(r => r.QuerySelector("td")!.NormalizedText() == "3");
        Assert.Contains("Opt-123", row3.One("[data-testid=corrected]").NormalizedText(), StringComparison.Ordinal);
        Assert.Equal(FailingCells - 1, corrected.TestId("failed-rows-table").QuerySelectorAll("[data-testid=cell-editor]").Length);
    }
}
